import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricFamily, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { vmstatFamily } from '../metrics.js';
import { compilePattern } from '../name-filter.js';
import { parseVmstat } from '../parsers/vmstat.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { DynamicFamilies } from './dynamic-families.js';

/** vmstat: one untyped `node_vmstat_<field>` per `/proc/vmstat` field that matches the `fields` pattern. */
export class VmstatCollector implements SubCollector {
  readonly name = 'vmstat';
  readonly #path: string;
  readonly #logger: Logger;
  readonly #keep: (name: string) => boolean;
  readonly #families = new DynamicFamilies(vmstatFamily);

  constructor(options: { readonly roots: FilesystemRoots; readonly fields: string; readonly logger: Logger }) {
    this.#path = join(options.roots.procfs, 'vmstat');
    this.#logger = options.logger;
    const pattern = compilePattern(options.fields);
    this.#keep = (name) => pattern.test(name);
  }

  /** Reads the fields once, at creation, and returns their families to declare up front (none when the file cannot be read). */
  async discoverFamilies(files: CollectionFiles): Promise<MetricFamily[]> {
    try {
      return this.#families.declareUpFront(parseVmstat(await files.readKernelFile(this.#path), this.#keep).keys());
    } catch {
      return []; // the collection will report why
    }
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const [field, value] of parseVmstat(await files.readKernelFile(this.#path), this.#keep)) {
      const family = this.#families.get(field);
      if (family === undefined) {
        this.#logger.debug({ field }, 'skipping a vmstat field whose name is not a legal metric name');
        continue;
      }
      this.#families.emit(output, family, NO_LABELS, value);
    }
  }
}
