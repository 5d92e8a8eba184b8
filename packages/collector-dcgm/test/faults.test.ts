import { execFileSync } from 'node:child_process';
import { validateWithSchema, type Collector } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { createExporter, type Exporter } from '@tessera/exporter';
import { parseText } from '@tessera/exposition';
import { startGpuSimulator, type GpuScenario, type GpuSimulator } from '@tessera/sim-gpu';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

let simulator: GpuSimulator | undefined;
let collector: Collector | undefined;
let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  await collector?.close?.();
  await simulator?.close();
  exporter = undefined;
  collector = undefined;
  simulator = undefined;
});

/** The scenario with `change` applied to GPU `index`. */
function withGpu(scenario: GpuScenario, index: number, change: (gpu: GpuScenario['gpus'][number]) => GpuScenario['gpus'][number]): GpuScenario {
  return { ...scenario, gpus: scenario.gpus.map((gpu, position) => (position === index ? change(gpu) : gpu)) };
}

function gpusIn(text: string, family = 'DCGM_FI_DEV_GPU_TEMP'): string[] {
  return (parseText(text).find((parsed) => parsed.name === family)?.samples ?? []).map((sample) => sample.labels.gpu ?? '').sort();
}

/** `gpu/<n>` → 1 or 0, from `tessera_collector_part_success`. */
function partsIn(text: string): Record<string, number> {
  const samples = parseText(text).find((parsed) => parsed.name === 'tessera_collector_part_success')?.samples ?? [];
  return Object.fromEntries(samples.map((sample) => [sample.labels.part ?? '', sample.value]));
}

/** Ids of the processes whose command line mentions `text` (the simulator's private directory). */
function processesMentioning(text: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'))
    .map((line) => Number.parseInt(line, 10));
}

/** This process's children that exited without being reaped. */
function zombieChildren(): string[] {
  return execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /^\s*\d+\s+Z/.test(line));
}

/**
 * The real host with the dcgm collector sampling every 0.4 s, a sample abandoned after 0.5 s: its
 * scheduler, timeouts, staleness and parts are the ones in production. Scrapes say they may take 5 s.
 */
async function serve(config: Record<string, unknown>): Promise<{ scrape: () => Promise<{ text: string; seconds: number }>; logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  exporter = await createExporter({
    config: { collectors: { dcgm: { hostname: 'node-a', kubernetes: { enabled: false }, intervalSeconds: 0.4, sampleTimeoutSeconds: 0.5, ...config } }, log: { level: 'debug' } },
    plugins: { dcgm: plugin },
    onlySuppliedPlugins: true,
    logDestination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const app = exporter.app;
  return {
    logs,
    async scrape() {
      const started = performance.now();
      const response = await app.inject({ url: '/metrics', headers: { 'x-prometheus-scrape-timeout-seconds': '5' } });
      expect(response.statusCode).toBe(200);
      return { text: response.body, seconds: (performance.now() - started) / 1000 };
    },
  };
}

/** Scrapes until `check` passes (the sampler runs on real time), asserting that every scrape answered within its 5 s deadline. */
async function scrapeUntil(scrape: () => Promise<{ text: string; seconds: number }>, check: (text: string) => void): Promise<string> {
  let last = '';
  let slowest = 0;
  await expect
    .poll(
      async () => {
        const { text, seconds } = await scrape();
        slowest = Math.max(slowest, seconds);
        last = text;
        check(text);
        return true;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBe(true);
  expect(slowest, 'the slowest scrape, in seconds').toBeLessThan(5);
  return last;
}

describe('a hung NVML call, in the host', () => {
  it('scrapes keep answering; the run is abandoned at the timeout; the GPU fails alone until the call returns, then is read again', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    const { scrape, logs } = await serve({ ...simulator.config, backend: 'nvml' });
    await scrapeUntil(scrape, (text) => expect(partsIn(text)).toEqual({ 'gpu/0': 1, 'gpu/1': 1 }));

    const healthy = simulator.scenario;
    await simulator.setScenario(withGpu(healthy, 1, (gpu) => ({ ...gpu, hang: ['power.usage'] })));
    // The run that hits the hung call is abandoned; the next one skips GPU 1 while its call is stuck.
    const degraded = await scrapeUntil(scrape, (text) => expect(partsIn(text)).toEqual({ 'gpu/0': 1, 'gpu/1': 0 }));
    expect(gpusIn(degraded)).toEqual(['0']);
    expect(degraded).toContain('tessera_scrape_collector_success{collector="dcgm",collector_instance="default"} 1');
    expect(logs.some((record) => record.msg === 'background task gpus failed: run timed out after 0.5 s (repeats are logged at debug level)')).toBe(true);
    expect(logs.some((record) => /part gpu\/1 .*nvmlDeviceGetPowerUsage has not returned/.test(String(record.msg)))).toBe(true);

    await simulator.setScenario(healthy);
    const recovered = await scrapeUntil(scrape, (text) => expect(partsIn(text)).toEqual({ 'gpu/0': 1, 'gpu/1': 1 }));
    expect(gpusIn(recovered)).toEqual(['0', '1']);
  });

  it('two GPUs hung in every call hold one worker thread each: the other GPUs keep being read', async () => {
    simulator = await startGpuSimulator({ gpus: 4, podResources: false });
    const { scrape } = await serve({ ...simulator.config, backend: 'nvml' });
    await scrapeUntil(scrape, (text) => expect(gpusIn(text)).toEqual(['0', '1', '2', '3']));
    const healthy = simulator.scenario;
    const everything = ['clock.sm', 'clock.mem', 'clock.graphics', 'temperature.gpu', 'power.usage', 'utilization.gpu', 'utilization.encoder', 'utilization.decoder', 'memory.used', 'temperature.memory'] as const;
    // If a sick GPU held a worker per value, koffi's few threads would all be blocked and nothing read.
    await simulator.setScenario(withGpu(withGpu(healthy, 1, (gpu) => ({ ...gpu, hang: everything })), 3, (gpu) => ({ ...gpu, hang: everything })));
    const degraded = await scrapeUntil(scrape, (text) => expect(partsIn(text)).toEqual({ 'gpu/0': 1, 'gpu/1': 0, 'gpu/2': 1, 'gpu/3': 0 }));
    expect(gpusIn(degraded)).toEqual(['0', '2']);
    await simulator.setScenario(healthy);
    await scrapeUntil(scrape, (text) => expect(gpusIn(text)).toEqual(['0', '1', '2', '3']));
  });
});

describe('a hung nvidia-smi, in the host', () => {
  it('is killed with its process group at the timeout, leaves no process behind, and the next run works', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    const directory = simulator.directory;
    const { scrape, logs } = await serve({ ...simulator.config, backend: 'nvidia-smi' });
    await scrapeUntil(scrape, (text) => expect(gpusIn(text)).toEqual(['0', '1']));

    const healthy = simulator.scenario;
    await simulator.setScenario(withGpu(healthy, 0, (gpu) => ({ ...gpu, hang: ['temperature.gpu'] })));
    let hung: number | undefined;
    await expect.poll(() => (hung = processesMentioning(directory)[0]), { timeout: 10_000, interval: 20 }).toBeDefined();
    // The hung nvidia-smi is killed at the timeout while the scenario still hangs, and reaped.
    await expect.poll(() => processesMentioning(directory).includes(hung!), { timeout: 10_000, interval: 20 }).toBe(false);
    expect(logs.some((record) => record.msg === 'background task gpus failed: run timed out after 0.5 s (repeats are logged at debug level)')).toBe(true);
    expect(processesMentioning(directory).length).toBeLessThanOrEqual(1);
    // A killed child is a zombie until Node's event loop reaps it; one that stays a zombie leaked.
    await expect.poll(zombieChildren, { timeout: 2_000, interval: 20 }).toEqual([]);

    await simulator.setScenario(healthy);
    await scrapeUntil(scrape, (text) => {
      expect(gpusIn(text)).toEqual(['0', '1']);
      expect(text).toContain('tessera_collector_task_consecutive_failures{collector="dcgm",collector_instance="default",task="gpus"} 0');
    });
    await exporter?.close();
    exporter = undefined;
    await expect.poll(() => processesMentioning(directory), { timeout: 5_000 }).toEqual([]);
    await expect.poll(zombieChildren, { timeout: 2_000, interval: 20 }).toEqual([]);
  });
});

/** A collector on the test kit's manual scheduler: `sample()` runs the background tasks once, as the host's timer would. */
async function createCollector(config: Record<string, unknown>): Promise<{ context: TestContext; sample: () => Promise<void>; scrape: () => ReturnType<typeof collectOnce> }> {
  const context = createTestContext({ collector: 'dcgm' });
  collector = await plugin.create(await validateWithSchema(plugin.configSchema, { hostname: 'node-a', kubernetes: { enabled: false }, ...config }), context);
  const created = collector;
  return {
    context,
    sample: async () => void (await context.scheduler.runScheduled()),
    scrape: () => collectOnce(plugin, undefined, { context, collector: created, runScheduled: false, signal: AbortSignal.timeout(10_000) }),
  };
}

describe('failures that cost one GPU', () => {
  it('a GPU that falls off the bus between samples fails its part alone', async () => {
    simulator = await startGpuSimulator({ gpus: 3, podResources: false });
    const { sample, scrape } = await createCollector({ ...simulator.config, backend: 'nvml' });
    await sample();
    await simulator.setScenario(withGpu(simulator.scenario, 2, (gpu) => ({ ...gpu, lost: true })));
    await sample();
    const { text, parts } = await scrape();
    expect(gpusIn(text)).toEqual(['0', '1']);
    expect(parts.map((part) => `${part.name} ${part.error ?? 'ok'}`)).toEqual([
      'gpu/0 ok',
      'gpu/1 ok',
      'gpu/2 GPU 2 (GPU-5f2d0c1e-02a1-4b2c-9d3e-0f1a2b3c4d02): nvmlDeviceGetClockInfo: GPU is lost (NVML GPU_IS_LOST 15)',
    ]);
  });

  it('UNKNOWN on one call fails that GPU; NOT_SUPPORTED on another only drops the value', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    await simulator.setScenario(withGpu(withGpu(simulator.scenario, 0, (gpu) => ({ ...gpu, errors: { 'temperature.gpu': 'UNKNOWN' } })), 1, (gpu) => ({ ...gpu, errors: { 'clock.mem': 'NOT_SUPPORTED' } })));
    const { sample, scrape } = await createCollector({ ...simulator.config, backend: 'nvml' });
    await sample();
    const { text, parts } = await scrape();
    expect(gpusIn(text, 'DCGM_FI_DEV_POWER_USAGE')).toEqual(['1']);
    expect(gpusIn(text, 'DCGM_FI_DEV_MEM_CLOCK')).toEqual([]);
    expect(parts.map((part) => `${part.name} ${part.error ?? 'ok'}`)).toEqual(['gpu/0 GPU 0 (GPU-5f2d0c1e-00a1-4b2c-9d3e-0f1a2b3c4d00): nvmlDeviceGetTemperature: Unknown Error (NVML UNKNOWN 999)', 'gpu/1 ok']);
  });

  it('nvidia-smi: a lost GPU fails alone, the rows nvidia-smi printed are served', async () => {
    simulator = await startGpuSimulator({ gpus: 3, podResources: false });
    await simulator.setScenario(withGpu(simulator.scenario, 1, (gpu) => ({ ...gpu, lost: true })));
    const { sample, scrape } = await createCollector({ ...simulator.config, backend: 'nvidia-smi' });
    await sample();
    const { text, parts } = await scrape();
    expect(gpusIn(text)).toEqual(['0', '2']);
    expect(parts.map((part) => `${part.name} ${part.error ?? 'ok'}`)).toEqual(['gpu/0 ok', 'gpu/1 GPU 1: nvidia-smi: GPU 00000000:28:00.0: GPU is lost.  Reboot the system to recover this GPU', 'gpu/2 ok']);
  });
});

describe('a node without GPUs', () => {
  it('collects NoDataError, says so in one info line however many samples, and again when the reason changes', async () => {
    simulator = await startGpuSimulator({ scenario: { gpus: [], initError: 'DRIVER_NOT_LOADED' }, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvml' });
    for (let run = 0; run < 3; run++) await sample();
    await expect(scrape()).rejects.toMatchObject({ code: 'ERR_TESSERA_NO_DATA', message: expect.stringMatching(/NVML: the NVIDIA driver is not loaded/) as unknown });
    const said = () => context.logs.filter((record) => /no GPU data/.test(record.message)).map((record) => `${record.level} ${record.message}`);
    expect(said()).toEqual([expect.stringMatching(/^info no GPU data: NVML: the NVIDIA driver is not loaded/)]);
    await simulator.setScenario({ gpus: [] });
    await sample();
    await sample();
    expect(said()).toHaveLength(2);
    expect(said()[1]).toBe('info no GPU data: NVML reports no GPU on this node');
    expect(context.logs.filter((record) => record.level === 'warn' || record.level === 'error')).toEqual([]);
  });
});

describe('stale snapshots', () => {
  it('a scrape fails once the last sample is older than three intervals plus the timeout', async () => {
    simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    const { sample, scrape, context } = await createCollector({ ...simulator.config, backend: 'nvml', intervalSeconds: 30, sampleTimeoutSeconds: 10 });
    await sample();
    context.clock.advance(100_000);
    expect(gpusIn((await scrape()).text)).toEqual(['0']);
    context.clock.advance(1);
    await expect(scrape()).rejects.toMatchObject({ code: 'ERR_TESSERA_STALE_DATA', message: expect.stringMatching(/background task gpus was 100.001 s ago, more than the 100 s allowed/) as unknown });
  });
});
