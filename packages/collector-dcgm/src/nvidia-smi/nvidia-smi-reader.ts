import { NoDataError, type Logger } from '@tessera/collector-api';
import type { DeviceValue, GpuFailure, GpuReader, GpuReading, GpuSnapshot } from '../gpu-sample.js';
import { CsvRowError, parseRow, queryFields, VALUE_FIELDS } from './nvidia-smi-csv.js';
import { CommandNotFoundError, runCommand } from './run-nvidia-smi.js';

/** Everything the nvidia-smi reader can fill in: no energy, PCIe replays, XID, NVLink or profiling. */
const SMI_PROVIDES: ReadonlySet<DeviceValue> = new Set(VALUE_FIELDS.flatMap((field) => (field.value === undefined ? [] : [field.value])));

/** What nvidia-smi prints for a GPU it cannot get a handle for. */
const LOST_GPU = /^Unable to determine the device handle for GPU\s*([0-9A-Fa-f:.]+): (.*)$/;
const REFUSED_FIELD = /Field "([^"]+)" is not a valid field to query/;

/** Options of {@link NvidiaSmiReader}. */
export interface NvidiaSmiReaderOptions {
  /** The nvidia-smi executable (a path, or a name looked up in PATH). */
  readonly path: string;
  readonly logger: Logger;
  readonly now: () => number;
}

/**
 * Reads GPUs by running `nvidia-smi --query-gpu=… --format=csv,noheader,nounits`, without a shell.
 * A run that outlives its signal is killed with its process group. Fields the installed driver does
 * not know are dropped from the query (once, logged) instead of failing every run. A GPU nvidia-smi
 * cannot reach (lost) fails alone; the rows it did print are served. MIG instances cannot be read
 * this way: a MIG GPU is reported as a whole.
 */
export class NvidiaSmiReader implements GpuReader {
  readonly backend = 'nvidia-smi' as const;
  readonly provides = SMI_PROVIDES;
  readonly #options: NvidiaSmiReaderOptions;
  readonly #refused = new Set<string>();
  readonly #reportedProblems = new Set<string>();
  readonly #busIds = new Map<string, number>();

  constructor(options: NvidiaSmiReaderOptions) {
    this.#options = options;
  }

  async sample(signal: AbortSignal): Promise<GpuSnapshot> {
    for (;;) {
      const fields = queryFields(this.#refused);
      let result;
      try {
        result = await runCommand(this.#options.path, [`--query-gpu=${fields.map((field) => field.name).join(',')}`, '--format=csv,noheader,nounits'], signal);
      } catch (error) {
        if (error instanceof CommandNotFoundError) throw new NoDataError(`nvidia-smi: ${error.message}`, { cause: error });
        throw error;
      }
      const refused = REFUSED_FIELD.exec(result.stdout)?.[1];
      if (result.code === 2 && refused !== undefined && !this.#refused.has(refused) && fields.some((field) => field.name === refused && field.value !== undefined)) {
        this.#refused.add(refused);
        this.#options.logger.info({ field: refused }, `nvidia-smi does not know the query field ${refused}; its metric is left out`);
        continue;
      }
      return this.#parse(result.code, result.stdout, result.stderr, fields);
    }
  }

  #parse(code: number | null, stdout: string, stderr: string, fields: ReturnType<typeof queryFields>): GpuSnapshot {
    const gpus: GpuReading[] = [];
    const failures: GpuFailure[] = [];
    let driverVersion: string | undefined;
    for (const line of stdout.split('\n')) {
      if (line.trim() === '') continue;
      let row;
      try {
        row = parseRow(line, fields);
      } catch (error) {
        if (!(error instanceof CsvRowError)) throw error;
        // Not a CSV row: an error message nvidia-smi printed on stdout (it does for driver problems).
        if (code !== 0) continue;
        throw new Error(`nvidia-smi printed an unreadable row: ${error.message}`, { cause: error });
      }
      driverVersion ??= row.driverVersion;
      for (const problem of row.problems) this.#reportProblem(problem.field, problem.cell);
      gpus.push(row.reading);
      this.#busIds.set(row.reading.pciBusId.toUpperCase(), row.reading.index);
    }
    const lost = stderr.split('\n').flatMap((line) => {
      const match = LOST_GPU.exec(line.trim());
      return match === null ? [] : [{ busId: (match[1] ?? '').toUpperCase(), reason: (match[2] ?? '').trim() }];
    });
    if (gpus.length === 0 && lost.length === 0) {
      const message = `${stdout}\n${stderr}`.trim().split('\n')[0] ?? '';
      if (code === 9 || /couldn't communicate with the NVIDIA driver/.test(message)) throw new NoDataError(`nvidia-smi: ${message}`);
      if (code === 0) throw new NoDataError('nvidia-smi lists no GPU');
      throw new Error(`nvidia-smi exited with ${code ?? 'a signal'}: ${message}`);
    }
    // nvidia-smi walks GPUs in index order, so GPUs it could not reach are the indexes it skipped.
    const present = new Set(gpus.map((gpu) => gpu.index));
    const freeIndexes = Array.from({ length: gpus.length + lost.length }, (_unused, index) => index).filter((index) => !present.has(index));
    for (const { busId, reason } of lost) {
      const index = this.#busIds.get(busId) ?? freeIndexes.shift() ?? -1;
      failures.push({ index, message: `nvidia-smi: GPU ${busId}: ${reason}` });
    }
    return { backend: 'nvidia-smi', driverVersion, sampledAtMs: this.#options.now(), gpus: gpus.sort((a, b) => a.index - b.index), failures };
  }

  #reportProblem(field: string, cell: string): void {
    if (this.#reportedProblems.has(field)) return;
    this.#reportedProblems.add(field);
    this.#options.logger.warn({ field, cell }, `nvidia-smi printed ${JSON.stringify(cell)} for ${field}, which is not a number; that value is left out`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
