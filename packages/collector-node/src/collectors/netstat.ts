import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricFamily, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { netstatFamily } from '../metrics.js';
import { compilePattern } from '../name-filter.js';
import { netstatValues, parseNetstatPairs, parseSnmp6 } from '../parsers/netstat.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { DynamicFamilies } from './dynamic-families.js';

/**
 * netstat: the kernel's protocol statistics from `/proc/net/netstat`, `/proc/net/snmp` and
 * `/proc/net/snmp6` (TCP retransmits and resets, listen queue overflows, UDP buffer errors …),
 * one untyped `node_netstat_<Protocol>_<Name>` per statistic whose name matches `fields`
 * (node_exporter's default keeps about 40 of several hundred). Without IPv6 there is no snmp6
 * file, and no IPv6 statistics.
 */
export class NetstatCollector implements SubCollector {
  readonly name = 'netstat';
  readonly #procfs: string;
  /** Whether each `Protocol_Name` matches `fields`, remembered: the kernel's list does not change. */
  readonly #keep = new Map<string, boolean>();
  readonly #fields: RegExp;
  readonly #logger: Logger;
  readonly #families = new DynamicFamilies(netstatFamily);

  constructor(options: { readonly roots: FilesystemRoots; readonly fields: string; readonly logger: Logger }) {
    this.#procfs = options.roots.procfs;
    this.#fields = compilePattern(options.fields);
    this.#logger = options.logger;
  }

  async discoverFamilies(files: CollectionFiles): Promise<MetricFamily[]> {
    try {
      return this.#families.declareUpFront((await this.#read(files)).keys());
    } catch {
      return []; // the collection will report why
    }
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const [key, value] of await this.#read(files)) {
      const family = this.#families.get(key);
      if (family === undefined) {
        this.#logger.debug({ field: key }, 'skipping a netstat field whose name is not a legal metric name');
        continue;
      }
      this.#families.emit(output, family, NO_LABELS, value);
    }
  }

  /** The statistics whose `Protocol_Name` matches the pattern. */
  async #read(files: CollectionFiles): Promise<Map<string, number>> {
    const path = (name: string): string => join(this.#procfs, 'net', name);
    const statistics = parseNetstatPairs(await files.readKernelFile(path('netstat')), path('netstat'));
    for (const [protocol, fields] of parseNetstatPairs(await files.readKernelFile(path('snmp')), path('snmp'))) statistics.set(protocol, fields);
    const snmp6 = await files.readOptionalKernelFile(path('snmp6'));
    if (snmp6 !== undefined) for (const [protocol, fields] of parseSnmp6(snmp6)) statistics.set(protocol, fields);
    const values = netstatValues(statistics, path('netstat'));
    for (const key of values.keys()) {
      let keep = this.#keep.get(key);
      if (keep === undefined) {
        keep = this.#fields.test(key);
        // Bounded by the kernel's field list; a runaway file would only ever add a few thousand names.
        if (this.#keep.size < 10_000) this.#keep.set(key, keep);
      }
      if (!keep) values.delete(key);
    }
    return values;
  }
}
