import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { loadMetrics } from '../metrics.js';
import { parseLoadavg } from '../parsers/loadavg.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/** loadavg: `node_load1`, `node_load5`, `node_load15` from `/proc/loadavg`. */
export class LoadavgCollector implements SubCollector {
  readonly name = 'loadavg';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'loadavg');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const [load1, load5, load15] = parseLoadavg(await files.readKernelFile(this.#path));
    output.add(loadMetrics.load1, NO_LABELS, load1);
    output.add(loadMetrics.load5, NO_LABELS, load5);
    output.add(loadMetrics.load15, NO_LABELS, load15);
  }
}
