import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCollector } from '@tessera/collector-testkit/vitest';
import { startGpuSimulator } from '@tessera/sim-gpu';
import { afterAll } from 'vitest';
import plugin from '../src/index.js';
import { startCaseSimulator } from './support/case-simulator.js';
import { prepareGoldenInputs } from './support/golden-inputs.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// The golden inputs get the simulated library and nvidia-smi beside their scenario.json; the smoke
// tests read two simulated GPUs, GPU 0 split into MIG instances.
await prepareGoldenInputs(join(packageDir, 'test/cases'));
const simulator = await startGpuSimulator({ gpus: 2, mig: true });
afterAll(() => simulator.close());

describeCollector(plugin, {
  packageDir,
  // dcgm-exporter's names: upper case, counters without _total; dashboards and alert rules use them as they are.
  lintAllow: [/^DCGM_/],
  // dcgm-exporter's label names, which dashboards select on.
  lintAllowLabels: ['UUID', 'modelName', 'GPU_I_PROFILE', 'GPU_I_ID', 'Hostname', /^DCGM_FI_/],
  promtool: {
    allow: [
      /^DCGM_\w+ (metric names|label names) should be written in 'snake_case' not 'camelCase'$/,
      /^DCGM_\w+ counter metrics should have "_total" suffix$/,
      /^DCGM_FI_DEV_PCIE_REPLAY_COUNTER metric name should not include type 'counter'$/,
    ],
  },
  smokeConfig: { ...simulator.config, hostname: 'smoke-node' },
  startSimulator: startCaseSimulator,
});
