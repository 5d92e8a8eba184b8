/**
 * `pnpm check:gpu [--library PATH] [--nvidia-smi PATH]`: on a machine with NVIDIA GPUs, reads every
 * GPU through NVML and through nvidia-smi, side by side, and compares each value both report. Prints
 * one line per GPU and value; exits 1 when a value disagrees beyond what the two tools' rounding and
 * the time between the two reads explain, 2 when either reader fails.
 */
import { parseArgs } from 'node:util';
import type { Logger } from '@tessera/collector-api';
import { compareReadings } from './compare-readings.js';
import { NvidiaSmiReader } from './nvidia-smi/nvidia-smi-reader.js';
import { NvmlLibrary } from './nvml/nvml-library.js';
import { NvmlReader } from './nvml/nvml-reader.js';

const quietLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { library: { type: 'string', default: 'libnvidia-ml.so.1' }, 'nvidia-smi': { type: 'string', default: 'nvidia-smi' } } });
  const clock = { now: () => Date.now(), monotonic: () => performance.now() };
  const signal = AbortSignal.timeout(60_000);
  let library: NvmlLibrary;
  try {
    library = NvmlLibrary.load(values.library, clock.monotonic);
  } catch (error) {
    console.error(`check:gpu: ${(error as Error).message}`);
    return 2;
  }
  const nvml = new NvmlReader(library, clock);
  const smi = new NvidiaSmiReader({ path: values['nvidia-smi'], logger: quietLogger, now: clock.now });
  try {
    const [fromNvml, fromSmi] = await Promise.all([nvml.sample(signal), smi.sample(signal)]);
    console.log(`NVML (${values.library}): ${fromNvml.gpus.length} GPUs, driver ${fromNvml.driverVersion ?? '?'}; nvidia-smi (${values['nvidia-smi']}): ${fromSmi.gpus.length} GPUs`);
    for (const failure of [...fromNvml.failures.map((entry) => ({ ...entry, reader: 'NVML' })), ...fromSmi.failures.map((entry) => ({ ...entry, reader: 'nvidia-smi' }))]) {
      console.log(`${failure.reader} could not read GPU ${failure.index}: ${failure.message}`);
    }
    const comparisons = compareReadings(fromNvml.gpus, fromSmi.gpus);
    for (const line of comparisons) {
      console.log(`${line.agrees ? 'ok  ' : 'DIFF'} gpu ${line.gpu.padEnd(48)} ${line.value.padEnd(32)} nvml=${String(line.nvml).padEnd(20)} nvidia-smi=${String(line.nvidiaSmi)}`);
    }
    const differing = comparisons.filter((line) => !line.agrees).length;
    console.log(`${comparisons.length} values compared, ${differing} differ`);
    return differing === 0 && fromNvml.failures.length === 0 && fromSmi.failures.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`check:gpu: ${(error as Error).message}`);
    return 2;
  } finally {
    await nvml.close();
  }
}

process.exitCode = await main();
