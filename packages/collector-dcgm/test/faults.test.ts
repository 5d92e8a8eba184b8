import { execFileSync } from 'node:child_process';
import { validateWithSchema, type Collector } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { parseText } from '@tessera/exposition';
import { startGpuSimulator, type GpuScenario, type GpuSimulator } from '@tessera/sim-gpu';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

let simulator: GpuSimulator | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close?.();
  await simulator?.close();
  collector = undefined;
  simulator = undefined;
});

/** A collector on a manual scheduler: each `sample()` runs the background sampling once, as the host's timer would. */
async function createCollector(config: Record<string, unknown>): Promise<{ context: TestContext; sample: () => Promise<void>; scrape: () => Promise<string> }> {
  const context = createTestContext({ collector: 'dcgm' });
  collector = await plugin.create(await validateWithSchema(plugin.configSchema, { hostname: 'node-a', kubernetes: { enabled: false }, ...config }), context);
  const created = collector;
  return {
    context,
    sample: () => context.scheduler.tasks[0]!.task(new AbortController().signal) as Promise<void>,
    scrape: async () => (await collectOnce(plugin, undefined, { context, collector: created, runScheduled: false, signal: AbortSignal.timeout(5_000) })).text,
  };
}

function gpusIn(text: string, family = 'DCGM_FI_DEV_GPU_TEMP'): string[] {
  return (parseText(text).find((parsed) => parsed.name === family)?.samples ?? []).map((sample) => sample.labels.gpu ?? '').sort();
}

/** The scenario with `change` applied to GPU `index`. */
function withGpu(scenario: GpuScenario, index: number, change: (gpu: GpuScenario['gpus'][number]) => GpuScenario['gpus'][number]): GpuScenario {
  return { ...scenario, gpus: scenario.gpus.map((gpu, position) => (position === index ? change(gpu) : gpu)) };
}

/** Processes whose command line mentions `text` (the simulator's private directory). */
function processesMentioning(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('a hung NVML call', () => {
  it('is abandoned at the sample timeout; scrapes keep answering; the GPU is skipped until the call returns, then read again', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvml', sampleTimeoutSeconds: 0.5 });
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '1']);

    const healthy = simulator.scenario;
    await simulator.setScenario(withGpu(healthy, 1, (gpu) => ({ ...gpu, hang: ['power.usage'] })));
    const started = performance.now();
    const hungSample = sample();
    // While the sample hangs, a scrape is served from the previous snapshot at once.
    expect(gpusIn(await scrape())).toEqual(['0', '1']);
    await hungSample;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(context.logs.some((record) => /did not finish within 0.5 s/.test(record.message))).toBe(true);

    // The next sample does not call into the stuck GPU again: GPU 0 is served, GPU 1 is reported.
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0']);
    expect(context.logs.some((record) => /nvmlDeviceGetPowerUsage has not returned/.test(record.message))).toBe(true);

    await simulator.setScenario(healthy);
    await expect.poll(async () => {
      await sample();
      return gpusIn(await scrape());
    }, { timeout: 10_000, interval: 100 }).toEqual(['0', '1']);
  });

  it('a GPU that hangs in every call holds one worker thread: the other GPUs keep being read', async () => {
    simulator = await startGpuSimulator({ gpus: 4, podResources: false });
    const { sample, scrape } = await createCollector({ ...simulator.config, backend: 'nvml', sampleTimeoutSeconds: 0.5 });
    await sample();
    const healthy = simulator.scenario;
    const everything = ['clock.sm', 'clock.mem', 'temperature.gpu', 'power.usage', 'utilization.gpu', 'utilization.encoder', 'utilization.decoder', 'memory.used', 'temperature.memory'] as const;
    // Two sick GPUs: if each held a worker per value, koffi's few threads would all be blocked.
    await simulator.setScenario(withGpu(withGpu(healthy, 1, (gpu) => ({ ...gpu, hang: everything })), 3, (gpu) => ({ ...gpu, hang: everything })));
    await sample();
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '2']);
    await simulator.setScenario(healthy);
    await expect.poll(async () => {
      await sample();
      return gpusIn(await scrape());
    }, { timeout: 10_000, interval: 100 }).toEqual(['0', '1', '2', '3']);
  });

  it('a GPU that falls off the bus between samples fails alone', async () => {
    simulator = await startGpuSimulator({ gpus: 3, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvml' });
    await sample();
    await simulator.setScenario(withGpu(simulator.scenario, 2, (gpu) => ({ ...gpu, lost: true })));
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '1']);
    expect(context.logs.find((record) => record.level === 'warn')?.message).toMatch(/gpu 2: .*GPU is lost \(NVML GPU_IS_LOST 15\)/);
  });

  it('UNKNOWN on one call fails that GPU; NOT_SUPPORTED on another only drops the value', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    await simulator.setScenario(withGpu(withGpu(simulator.scenario, 0, (gpu) => ({ ...gpu, errors: { 'temperature.gpu': 'UNKNOWN' } })), 1, (gpu) => ({ ...gpu, errors: { 'clock.mem': 'NOT_SUPPORTED' } })));
    const { sample, scrape } = await createCollector({ ...simulator.config, backend: 'nvml' });
    await sample();
    const text = await scrape();
    expect(gpusIn(text, 'DCGM_FI_DEV_POWER_USAGE')).toEqual(['1']);
    expect(gpusIn(text, 'DCGM_FI_DEV_MEM_CLOCK')).toEqual([]);
  });
});

describe('a hung nvidia-smi', () => {
  it('is killed with its process group at the sample timeout, leaves no process behind, and the next run works', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvidia-smi', sampleTimeoutSeconds: 0.5 });
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '1']);

    const healthy = simulator.scenario;
    await simulator.setScenario(withGpu(healthy, 0, (gpu) => ({ ...gpu, hang: ['temperature.gpu'] })));
    const started = performance.now();
    const hungSample = sample();
    await expect.poll(() => processesMentioning(simulator!.directory).length, { timeout: 5_000, interval: 20 }).toBeGreaterThan(0);
    expect(gpusIn(await scrape())).toEqual(['0', '1']);
    await hungSample;
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(context.logs.some((record) => /did not finish within 0.5 s/.test(record.message))).toBe(true);
    expect(processesMentioning(simulator.directory)).toEqual([]);

    await simulator.setScenario(healthy);
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '1']);
    expect(processesMentioning(simulator.directory)).toEqual([]);
  });

  it('a lost GPU fails alone: the rows nvidia-smi printed are served', async () => {
    simulator = await startGpuSimulator({ gpus: 3, podResources: false });
    await simulator.setScenario(withGpu(simulator.scenario, 1, (gpu) => ({ ...gpu, lost: true })));
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvidia-smi' });
    await sample();
    expect(gpusIn(await scrape())).toEqual(['0', '2']);
    expect(context.logs.find((record) => record.level === 'warn')?.message).toMatch(/gpu 1: nvidia-smi: GPU 00000000:28:00\.0: GPU is lost/);
  });
});

describe('a problem that persists', () => {
  it('is logged once, not at every sample, and again when it changes', async () => {
    simulator = await startGpuSimulator({ scenario: { gpus: [], initError: 'DRIVER_NOT_LOADED' }, podResources: false });
    const { sample, context } = await createCollector({ ...simulator.config, backend: 'nvml' });
    for (let run = 0; run < 3; run++) await sample();
    const loud = () => context.logs.filter((record) => record.level !== 'debug' && /no GPU data|sampling failed/.test(record.message)).map((record) => record.message);
    expect(loud()).toEqual([expect.stringMatching(/no GPU data: NVML: the NVIDIA driver is not loaded/)]);
    await simulator.setScenario({ gpus: [], initError: 'UNKNOWN' });
    await sample();
    await sample();
    expect(loud()).toHaveLength(2);
    expect(loud()[1]).toMatch(/GPU sampling failed: nvmlInit_v2: Unknown Error \(NVML UNKNOWN 999\)/);
  });
});

describe('stale snapshots', () => {
  it('a scrape fails rather than serve a sample older than two intervals plus the timeout', async () => {
    simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvml', intervalSeconds: 30, sampleTimeoutSeconds: 10 });
    await sample();
    context.clock.advance(69_000);
    expect(gpusIn(await scrape())).toEqual(['0']);
    context.clock.advance(2_000);
    await expect(scrape()).rejects.toThrow(/latest GPU sample is 71 s old \(limit 70 s\)/);
  });
});
