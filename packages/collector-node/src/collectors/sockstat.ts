import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { sockstatFamily, sockstatMetrics } from '../metrics.js';
import { systemPageSize } from '../page-size.js';
import { parseSockstat, type Sockstat } from '../parsers/sockstat.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { DynamicFamilies } from './dynamic-families.js';

/** The counts node_exporter reports, in its order. */
const COUNTS = ['inuse', 'orphan', 'tw', 'alloc', 'mem', 'memory'] as const;

/**
 * sockstat: socket counts per protocol from `/proc/net/sockstat` and `sockstat6`
 * (`node_sockstat_TCP_inuse`, `node_sockstat_TCP_tw`, `node_sockstat_TCP_mem_bytes` …) and
 * `node_sockstat_sockets_used`. A file that does not exist (no IPv6) is left out.
 */
export class SockstatCollector implements SubCollector {
  readonly name = 'sockstat';
  readonly #procfs: string;
  readonly #families = new DynamicFamilies(sockstatFamily);

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#procfs = options.roots.procfs;
  }

  async discoverFamilies(files: CollectionFiles): Promise<MetricFamily[]> {
    try {
      return this.#families.declareUpFront((await this.#read(files)).series.map(({ key }) => key));
    } catch {
      return []; // the collection will report why
    }
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const { used, series } = await this.#read(files);
    if (used !== undefined) output.add(sockstatMetrics.socketsUsed, NO_LABELS, used);
    for (const { key, value } of series) {
      const family = this.#families.get(key);
      if (family !== undefined) this.#families.emit(output, family, NO_LABELS, value);
    }
  }

  /** Both files' counts as `Protocol_count` keys, and the IPv4 file's sockets in use. */
  async #read(files: CollectionFiles): Promise<{ used: number | undefined; series: { key: string; value: number }[] }> {
    const read = async (name: string): Promise<Sockstat | undefined> => {
      const path = join(this.#procfs, 'net', name);
      const text = await files.readOptionalKernelFile(path);
      return text === undefined ? undefined : parseSockstat(text, path);
    };
    const [ipv4, ipv6] = [await read('sockstat'), await read('sockstat6')];
    const series: { key: string; value: number }[] = [];
    const seen = new Set<string>();
    for (const { protocol, counts } of [...(ipv4?.protocols ?? []), ...(ipv6?.protocols ?? [])]) {
      const add = (name: string, value: number): void => {
        const key = `${protocol}_${name}`;
        // A protocol listed twice would repeat its series: the first line counts.
        if (seen.has(key)) return;
        seen.add(key);
        series.push({ key, value });
      };
      for (const name of COUNTS) {
        const value = counts.get(name);
        // inuse is always reported, 0 when absent.
        if (value !== undefined || name === 'inuse') add(name, value ?? 0);
      }
      const pages = counts.get('mem');
      if (pages !== undefined) add('mem_bytes', pages * systemPageSize());
    }
    return { used: ipv4?.used, series };
  }
}
