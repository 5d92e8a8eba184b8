import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { pressureMetrics } from '../metrics.js';
import { parsePressure } from '../parsers/pressure.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/** The kernel's stall totals are microseconds; divided twice, as node_exporter does, so values agree to the bit. */
const toSeconds = (microseconds: number): number => microseconds / 1000 / 1000;

/**
 * pressure: pressure stall information from `/proc/pressure/{cpu,io,memory,irq}` (Linux 4.20+,
 * irq 6.1+): the total time tasks waited for CPU, IO and memory, and the time no task could make
 * progress for IO, memory and IRQs. A resource the kernel lacks is left out; with none at all, or
 * with PSI disabled (`psi=0`, the files answer EOPNOTSUPP), there is no data, as in node_exporter.
 */
export class PressureCollector implements SubCollector {
  readonly name = 'pressure';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.procfs, 'pressure');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    let found = 0;
    for (const resource of ['cpu', 'io', 'memory', 'irq'] as const) {
      const path = join(this.#directory, resource);
      let text: string | undefined;
      try {
        text = await files.readOptionalKernelFile(path);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') throw new NoDataError('pressure stall information is disabled (boot with psi=1 to enable it)', { cause: error });
        throw error;
      }
      if (text === undefined) continue;
      const { some, full } = parsePressure(text, path);
      if (some === undefined && resource !== 'irq') throw new NoDataError(`${path} has no "some" line`);
      if (full === undefined && resource !== 'cpu') throw new NoDataError(`${path} has no "full" line`);
      if (resource === 'cpu') output.add(pressureMetrics.cpuWaiting, NO_LABELS, toSeconds(some?.totalMicroseconds ?? 0));
      if (resource === 'io') {
        output.add(pressureMetrics.ioWaiting, NO_LABELS, toSeconds(some?.totalMicroseconds ?? 0));
        output.add(pressureMetrics.ioStalled, NO_LABELS, toSeconds(full?.totalMicroseconds ?? 0));
      }
      if (resource === 'memory') {
        output.add(pressureMetrics.memoryWaiting, NO_LABELS, toSeconds(some?.totalMicroseconds ?? 0));
        output.add(pressureMetrics.memoryStalled, NO_LABELS, toSeconds(full?.totalMicroseconds ?? 0));
      }
      if (resource === 'irq') output.add(pressureMetrics.irqStalled, NO_LABELS, toSeconds(full?.totalMicroseconds ?? 0));
      found++;
    }
    if (found === 0) throw new NoDataError(`no ${this.#directory}: pressure stall information needs Linux 4.20+ with CONFIG_PSI`);
  }
}
