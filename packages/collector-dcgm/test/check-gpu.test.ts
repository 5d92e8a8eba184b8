import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startGpuSimulator, type GpuSimulator } from '@tessera/sim-gpu';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../dist/check-gpu.js', import.meta.url));
let simulator: GpuSimulator | undefined;
afterEach(() => simulator?.close());

describe('pnpm check:gpu', () => {
  it('compares every value NVML and nvidia-smi both report, GPU by GPU, and passes when they agree', async () => {
    simulator = await startGpuSimulator({ gpus: 2, podResources: false });
    const { stdout } = await run(process.execPath, [script, '--library', simulator.libraryPath, '--nvidia-smi', simulator.nvidiaSmiPath]);
    expect(stdout).toMatch(/^NVML \(.*\): 2 GPUs, driver 550\.90\.07; nvidia-smi \(.*\): 2 GPUs$/m);
    expect(stdout).toMatch(/^ok {3}gpu 0 GPU-\S+ +framebufferUsedBytes +nvml=32528924672 +nvidia-smi=32528924672$/m);
    const compared = /^(\d+) values compared, 0 differ$/m.exec(stdout);
    expect(Number(compared?.[1])).toBeGreaterThan(40);
  });

  it('exits 1 and marks the value when the two disagree', async () => {
    simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    await simulator.setScenario({ ...simulator.scenario, gpus: simulator.scenario.gpus.map((gpu) => ({ ...gpu, nvidiaSmi: { 'memory.total': '40960' } })) });
    const attempt = run(process.execPath, [script, '--library', simulator.libraryPath, '--nvidia-smi', simulator.nvidiaSmiPath]);
    await expect(attempt).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/^DIFF gpu 0 \S+ +framebufferTotalBytes +nvml=85520809984 +nvidia-smi=42949672960$/m) as unknown });
  });

  it('exits 2 with the reason when NVML cannot be loaded', async () => {
    await expect(run(process.execPath, [script, '--library', '/nonexistent/libnvidia-ml.so.1'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot load \/nonexistent\/libnvidia-ml\.so\.1/) as unknown });
  });
});
