import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { statMetrics } from '../metrics.js';
import { parseProcStat } from '../parsers/proc-stat.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/** stat: interrupts, context switches, forks, boot time and process counts from `/proc/stat`. */
export class StatCollector implements SubCollector {
  readonly name = 'stat';
  readonly #statPath: string;
  readonly #softirq: boolean;

  constructor(options: { readonly roots: FilesystemRoots; readonly softirq: boolean }) {
    this.#statPath = join(options.roots.procfs, 'stat');
    this.#softirq = options.softirq;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const stat = await files.readParsedKernelFile(this.#statPath, parseProcStat);
    const add = (family: (typeof statMetrics)[keyof typeof statMetrics], value: number | undefined): void => {
      if (value !== undefined) output.add(family, NO_LABELS, value);
    };
    add(statMetrics.interrupts, stat.interrupts);
    add(statMetrics.contextSwitches, stat.contextSwitches);
    add(statMetrics.forks, stat.forks);
    add(statMetrics.bootTime, stat.bootTime);
    add(statMetrics.procsRunning, stat.procsRunning);
    add(statMetrics.procsBlocked, stat.procsBlocked);
    if (this.#softirq) for (const [vector, calls] of stat.softirqs ?? []) output.add(statMetrics.softirqs, { vector }, calls);
  }
}
