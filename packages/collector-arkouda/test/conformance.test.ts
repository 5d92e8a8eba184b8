import { fileURLToPath } from 'node:url';
import { startArkoudaSimulator } from '@tessera/sim-arkouda';
import { describeCollector } from '@tessera/collector-testkit/vitest';
import { afterAll } from 'vitest';
import plugin from '../src/index.js';
import { prepareSimulatedCases } from './support/simulated-cases.js';

// arkouda_reported_timestamp reads Arkouda's zone-less local times: pin the zone so goldens hold everywhere.
process.env.TZ = 'UTC';

const cases = await prepareSimulatedCases(fileURLToPath(new URL('cases', import.meta.url)));
// The behaviour checks and the in-host smoke test poll a server of their own.
const smokeServer = await startArkoudaSimulator({ locales: 2, users: 2 });
afterAll(async () => {
  smokeServer.close();
  await cases.finish({ update: process.argv.includes('-u') || process.argv.includes('--update') });
});

describeCollector(plugin, {
  packageDir: new URL('..', import.meta.url),
  casesDir: cases.casesDir,
  smokeConfig: { host: '127.0.0.1', port: smokeServer.servers[0]!.port, pollIntervalSeconds: 1 },
  // Arkouda's exporter's name for the percent gauge (kept for dashboards) is not a base unit.
  lintAllow: ['arkouda_pct_memory_used_per_locale'],
  promtool: {},
});
