import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricFamily, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { memoryFamily } from '../metrics.js';
import { parseMeminfo } from '../parsers/meminfo.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { DynamicFamilies } from './dynamic-families.js';

/**
 * meminfo: one `node_memory_<Field>` gauge per `/proc/meminfo` line, named as node_exporter names
 * them. The field list depends on the kernel, so the families are declared as they are seen.
 */
export class MeminfoCollector implements SubCollector {
  readonly name = 'meminfo';
  readonly #path: string;
  readonly #logger: Logger;
  readonly #families = new DynamicFamilies(memoryFamily);

  constructor(options: { readonly roots: FilesystemRoots; readonly logger: Logger }) {
    this.#path = join(options.roots.procfs, 'meminfo');
    this.#logger = options.logger;
  }

  /** Reads the fields once, at creation, and returns their families to declare up front (none when the file cannot be read). */
  async discoverFamilies(files: CollectionFiles): Promise<MetricFamily[]> {
    try {
      return this.#families.declareUpFront(parseMeminfo(await files.readKernelFile(this.#path)).keys());
    } catch {
      return []; // the collection will report why
    }
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const [field, value] of parseMeminfo(await files.readKernelFile(this.#path))) {
      const family = this.#families.get(field);
      if (family === undefined) {
        this.#logger.debug({ field }, 'skipping a meminfo field whose name is not a legal metric name');
        continue;
      }
      this.#families.emit(output, family, NO_LABELS, value);
    }
  }
}
