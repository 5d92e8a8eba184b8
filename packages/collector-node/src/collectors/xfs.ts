import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { listIfPresent, type CollectionFiles } from '../collection-files.js';
import { XFS_COUNTERS } from '../metrics.js';
import { parseXfsStats } from '../parsers/xfs.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * xfs: per mounted XFS filesystem, the statistics of `<sysfs>/fs/xfs/<device>/stats/stats`
 * node_exporter reports: extent and block allocation, the allocation and block map B-trees,
 * directory and inode cache operations, read and write calls and vnode activity. The
 * system-wide `/proc/fs/xfs/stat` (the same counters summed over every filesystem) is not
 * reported, as in node_exporter. A group the kernel does not have reads as 0. No XFS mounted
 * is an empty success.
 */
export class XfsCollector implements SubCollector {
  readonly name = 'xfs';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.sysfs, 'fs/xfs');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const device of (await listIfPresent(files, this.#directory)) ?? []) {
      // `<sysfs>/fs/xfs/stats/stats` is the system-wide file: only device directories have stats/stats below them.
      const path = join(this.#directory, device, 'stats/stats');
      const text = await files.readOptionalKernelFile(path);
      if (text === undefined) continue;
      const groups = parseXfsStats(text, path);
      for (const { line, index, family } of XFS_COUNTERS) output.add(family, { device }, groups.get(line)?.[index] ?? 0);
    }
  }
}
