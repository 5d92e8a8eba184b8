import { startFlashBladeSimulator } from '@tessera/sim-flashblade';
import { describeCollector } from '@tessera/collector-testkit/vitest';
import { Agent } from 'undici';
import { afterAll } from 'vitest';
import plugin from '../src/index.js';
import { startGoldenSimulator } from './support/simulators.js';

// The smoke collections (hygiene, behaviour, in-host) read a simulated array over loopback, as do
// the golden cases (each names its simulator in simulator.yaml).
const simulator = await startFlashBladeSimulator({ fileSystems: 3, buckets: 2, clients: 3 });
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await simulator.close();
});

describeCollector(plugin, {
  packageDir: new URL('..', import.meta.url),
  // A FlashBlade cannot be collected without its address and token.
  emptyConfigValid: false,
  smokeConfig: simulator.config,
  // The host's per-array dispatcher, as a real Agent: the simulator is a real server.
  smokeContext: {
    createDispatcher: () => {
      const agent = new Agent();
      agents.push(agent);
      return agent;
    },
  },
  startSimulator: startGoldenSimulator,
  // pure-fb-openmetrics-exporter's names, kept for its dashboards: latencies in microseconds.
  lintAllow: [/^purefb_\w+_usec$/],
  // Object counts named like the exporter's, which promtool would have end otherwise than in _count.
  promtool: { allow: ['purefb_buckets_object_count', 'purefb_object_store_accounts_object_count'] },
});
