import { defaultScenario, startGpuSimulator, type GpuSimulator } from '@tessera/sim-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectParsed, seriesMap } from './support/render-text.js';

/** Families only NVML can give: nvidia-smi has no query field for them. */
const NVML_ONLY = new Set([
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  'DCGM_FI_DEV_XID_ERRORS',
  'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  'DCGM_FI_PROF_DRAM_ACTIVE',
  'DCGM_FI_PROF_PCIE_TX_BYTES',
  'DCGM_FI_PROF_PCIE_RX_BYTES',
]);

/** What a value may differ by between the two readers: nvidia-smi rounds MiB up and prints watts with two decimals. */
function tolerance(name: string): number {
  if (name.startsWith('DCGM_FI_DEV_FB_')) return 1;
  if (name === 'DCGM_FI_DEV_POWER_USAGE') return 0.005;
  return 0;
}

describe('NVML and nvidia-smi against the same simulated GPUs', () => {
  let simulator: GpuSimulator;
  beforeAll(async () => {
    const scenario = defaultScenario({ gpus: 4 });
    // Odd byte counts and milliwatts, so that rounding differences between the readers show up.
    const gpus = scenario.gpus.map((gpu, index) => ({ ...gpu, values: { ...gpu.values, 'memory.used': 31_022.4 * 1048576 + index * 777, 'power.usage': 312_487 + index * 3 } }));
    simulator = await startGpuSimulator({ scenario: { ...scenario, gpus }, podResources: false });
  });
  afterAll(() => simulator.close());

  it('give the same series, with values within the CSV resolution', async () => {
    const config = { ...simulator.config, hostname: 'node-a', kubernetes: { enabled: false } };
    const nvml = seriesMap((await collectParsed({ ...config, backend: 'nvml' })).families);
    const smi = seriesMap((await collectParsed({ ...config, backend: 'nvidia-smi' })).families);
    expect(smi.size).toBeGreaterThan(40);
    for (const [series, value] of smi) {
      expect(nvml.has(series), `${series} from nvidia-smi is not in the NVML output`).toBe(true);
      const name = series.slice(0, series.indexOf('{'));
      expect(Math.abs((nvml.get(series) ?? NaN) - value), `${series}: NVML ${nvml.get(series)}, nvidia-smi ${value}`).toBeLessThanOrEqual(tolerance(name));
    }
    const nvmlOnly = new Set([...nvml.keys()].filter((series) => !smi.has(series)).map((series) => series.slice(0, series.indexOf('{'))));
    expect([...nvmlOnly].sort()).toEqual([...NVML_ONLY].sort());
  });

  it('nvidia-smi rounds used memory up where NVML floors it, as the real tools do', async () => {
    const config = { ...simulator.config, hostname: 'node-a', kubernetes: { enabled: false } };
    const used = (map: Map<string, number>) => [...map].find(([series]) => series.startsWith('DCGM_FI_DEV_FB_USED{') && series.includes('gpu="0"'))?.[1];
    expect(used(seriesMap((await collectParsed({ ...config, backend: 'nvml' })).families))).toBe(31_022);
    expect(used(seriesMap((await collectParsed({ ...config, backend: 'nvidia-smi' })).families))).toBe(31_023);
  });
});

describe('backend selection', () => {
  it('auto falls back to nvidia-smi when the library cannot be loaded, and says why in one info line', async () => {
    const simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    try {
      const { families, context } = await collectParsed({ backend: 'auto', nvml: { libraryPath: `${simulator.directory}/missing/libnvidia-ml.so.1` }, nvidiaSmi: { path: simulator.nvidiaSmiPath }, kubernetes: { enabled: false } });
      expect(families.map((family) => family.name)).toContain('DCGM_FI_DEV_GPU_UTIL');
      const choices = context.logs.filter((record) => record.level === 'info' && /reading GPUs/.test(record.message));
      expect(choices).toHaveLength(1);
      expect(choices[0]?.message).toMatch(/with .*nvidia-smi: NVML is not available \(cannot load .*missing\/libnvidia-ml\.so\.1/);
    } finally {
      await simulator.close();
    }
  });

  it('auto prefers NVML when the library loads', async () => {
    const simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    try {
      const { families, context } = await collectParsed({ ...simulator.config, kubernetes: { enabled: false } });
      expect(families.map((family) => family.name)).toContain('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION');
      expect(context.logs.filter((record) => /reading GPUs through NVML/.test(record.message))).toHaveLength(1);
    } finally {
      await simulator.close();
    }
  });

  it('no driver and no nvidia-smi is NoDataError, logged at debug, not as an error', async () => {
    const simulator = await startGpuSimulator({ scenario: { gpus: [], initError: 'DRIVER_NOT_LOADED' }, podResources: false });
    try {
      for (const backend of ['nvml', 'nvidia-smi'] as const) {
        const attempt = collectParsed({ ...simulator.config, backend, kubernetes: { enabled: false } });
        await expect(attempt).rejects.toMatchObject({ code: 'ERR_TESSERA_NO_DATA' });
      }
      const missing = collectParsed({ backend: 'auto', nvml: { libraryPath: '/nonexistent/libnvidia-ml.so.1' }, nvidiaSmi: { path: '/nonexistent/nvidia-smi' }, kubernetes: { enabled: false } });
      await expect(missing).rejects.toMatchObject({ code: 'ERR_TESSERA_NO_DATA', message: expect.stringMatching(/nvidia-smi: .*not found/) as unknown });
      const noLibrary = collectParsed({ backend: 'nvml', nvml: { libraryPath: '/nonexistent/libnvidia-ml.so.1' }, kubernetes: { enabled: false } });
      await expect(noLibrary).rejects.toMatchObject({ code: 'ERR_TESSERA_NO_DATA', message: expect.stringMatching(/NVML is not available: cannot load \/nonexistent/) as unknown });
    } finally {
      await simulator.close();
    }
  });
});
