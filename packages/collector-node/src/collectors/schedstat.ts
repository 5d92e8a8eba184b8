import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { readOrNoData, type CollectionFiles } from '../collection-files.js';
import { schedstatMetrics } from '../metrics.js';
import { parseSchedstat } from '../parsers/schedstat.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * schedstat: per CPU, from `/proc/schedstat`, the time spent running tasks, the time tasks spent
 * waiting for it (run-queue latency: CPU contention of data loaders and the like) and the
 * timeslices run. Kernels without CONFIG_SCHEDSTATS have no file: no data.
 */
export class SchedstatCollector implements SubCollector {
  readonly name = 'schedstat';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'schedstat');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const text = await readOrNoData(files, this.#path, 'the kernel keeps no scheduler statistics');
    for (const { cpu, runningNanoseconds, waitingNanoseconds, timeslices } of parseSchedstat(text)) {
      output.add(schedstatMetrics.running, { cpu }, runningNanoseconds / 1e9);
      output.add(schedstatMetrics.waiting, { cpu }, waitingNanoseconds / 1e9);
      output.add(schedstatMetrics.timeslices, { cpu }, timeslices);
    }
  }
}
