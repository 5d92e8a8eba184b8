import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { readOrNoData, type CollectionFiles } from '../collection-files.js';
import { conntrackMetrics } from '../metrics.js';
import { parseUnsigned } from '../parsers/fields.js';
import { parseConntrackStat, type ConntrackStatistics } from '../parsers/conntrack.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * conntrack: the netfilter connection tracking table, its size against its limit (a full table
 * drops new connections) from `/proc/sys/net/netfilter/nf_conntrack_{count,max}`, and the
 * per-CPU statistics of `/proc/net/stat/nf_conntrack` summed. Without the nf_conntrack module
 * there is no data.
 */
export class ConntrackCollector implements SubCollector {
  readonly name = 'conntrack';
  readonly #procfs: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#procfs = options.roots.procfs;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const read = (path: string): Promise<string> => readOrNoData(files, join(this.#procfs, path), 'conntrack is probably not loaded');
    output.add(conntrackMetrics.entries, NO_LABELS, parseUnsigned((await read('sys/net/netfilter/nf_conntrack_count')).trim(), 'nf_conntrack_count'));
    output.add(conntrackMetrics.limit, NO_LABELS, parseUnsigned((await read('sys/net/netfilter/nf_conntrack_max')).trim(), 'nf_conntrack_max'));
    const statistics = parseConntrackStat(await read('net/stat/nf_conntrack'), join(this.#procfs, 'net/stat/nf_conntrack'));
    for (const key of Object.keys(statistics) as (keyof ConntrackStatistics)[]) output.add(conntrackMetrics[key], NO_LABELS, statistics[key]);
  }
}
