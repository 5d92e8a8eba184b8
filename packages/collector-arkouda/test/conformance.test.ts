import { startArkoudaSimulator, type ArkoudaSimulatorOptions } from '@tessera/sim-arkouda';
import { describeCollector } from '@tessera/collector-testkit/vitest';
import { afterAll } from 'vitest';
import plugin from '../src/index.js';

// arkouda_reported_timestamp reads Arkouda's zone-less local times: pin the zone so goldens hold everywhere.
process.env.TZ = 'UTC';

/** Wall-clock time of the simulated servers in golden cases (2026-01-05T10:00:00Z), so their timestamps are fixed. */
const GOLDEN_SERVER_NOW_MS = Date.UTC(2026, 0, 5, 10);

// The behaviour checks and the in-host smoke test poll a server of their own.
const smokeServer = await startArkoudaSimulator({ locales: 2, users: 2 });
afterAll(() => smokeServer.close());

describeCollector(plugin, {
  packageDir: new URL('..', import.meta.url),
  // Each golden case polls a simulated server of its own (`simulator.yaml`: the simulator's options),
  // with a fixed clock and seeded numbers, so every run answers the same bytes.
  async startSimulator(name, options) {
    if (name !== 'arkouda') throw new Error(`simulator.yaml names ${JSON.stringify(name)}; the arkouda cases run against the arkouda simulator`);
    const simulator = await startArkoudaSimulator({ ...(options as ArkoudaSimulatorOptions), servers: 1, clock: () => GOLDEN_SERVER_NOW_MS });
    const [server] = simulator.servers;
    return {
      placeholders: { host: '127.0.0.1', port: String(server?.port) },
      close: () => Promise.resolve(simulator.close()),
    };
  },
  smokeConfig: { host: '127.0.0.1', port: smokeServer.servers[0]!.port, pollIntervalSeconds: 1 },
  // Arkouda's exporter's name for the percent gauge (kept for dashboards) is not a base unit.
  lintAllow: ['arkouda_pct_memory_used_per_locale'],
  promtool: {},
});
