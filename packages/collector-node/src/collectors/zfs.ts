import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import { listOrNoData, type CollectionFiles } from '../collection-files.js';
import { zfsFamily, zfsMetrics } from '../metrics.js';
import { parseZfsKstats, parseZpoolIo, parseZpoolObjset, ZFS_POOL_STATES } from '../parsers/zfs.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { FoundFamilies } from './dynamic-families.js';

/** node_exporter's family prefixes by kstat file. */
const KSTAT_FILES: Readonly<Record<string, string>> = {
  abdstats: 'zfs_abd',
  arcstats: 'zfs_arc',
  dbufstats: 'zfs_dbuf',
  dmu_tx: 'zfs_dmu_tx',
  dnodestats: 'zfs_dnode',
  fm: 'zfs_fm',
  vdev_cache_stats: 'zfs_vdev_cache',
  vdev_mirror_stats: 'zfs_vdev_mirror',
  xuio_stats: 'zfs_xuio',
  zfetchstats: 'zfs_zfetch',
  zil: 'zfs_zil',
};

/**
 * zfs: ZFS on Linux's kstats under `<procfs>/spl/kstat/zfs/`: the ARC (`node_zfs_arc_*`), dbuf,
 * dnode, DMU, prefetch and ZIL counters, per pool its I/O counters and state, and per dataset its
 * object-set counters, named as node_exporter names them (`node_<file prefix>_<kstat>`, untyped,
 * HELP the kstat's path). Without the zfs module loaded there is no data.
 */
export class ZfsCollector implements SubCollector {
  readonly name = 'zfs';
  readonly #directory: string;
  readonly #families = new FoundFamilies<MetricFamily>();

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.procfs, 'spl/kstat/zfs');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const entries = await listOrNoData(files, this.#directory, 'ZFS is not loaded');
    const familyOf = this.#families.declaringOn(output);
    const family = (name: string, help: string, labelNames: readonly string[]): MetricFamily => familyOf(name, () => zfsFamily(name, help, labelNames));
    const metricName = (kstat: string): string => kstat.replaceAll('-', '_');
    for (const [file, prefix] of Object.entries(KSTAT_FILES)) {
      const text = await files.readOptionalKernelFile(join(this.#directory, file));
      if (text === undefined) continue;
      for (const { name, value } of parseZfsKstats(text, join(this.#directory, file))) {
        output.add(family(`node_${prefix}_${metricName(name)}`, `kstat.zfs.misc.${file}.${name}`, []), NO_LABELS, value);
      }
    }
    for (const pool of entries) {
      const directory = join(this.#directory, pool);
      if (!(await files.isKernelDirectory(directory))) continue;
      const io = await files.readOptionalKernelFile(join(directory, 'io'));
      if (io !== undefined) {
        for (const { name, value } of parseZpoolIo(io, join(directory, 'io'))) {
          output.add(family(`node_zfs_zpool_${metricName(name)}`, `kstat.zfs.misc.io.${name}`, ['zpool']), { zpool: pool }, value);
        }
      }
      for (const objset of (await files.readKernelDirectory(directory)).filter((name) => name.startsWith('objset-')).sort()) {
        const path = join(directory, objset);
        const { dataset, kstats } = parseZpoolObjset(await files.readKernelFile(path), path);
        for (const { name, value } of kstats) {
          output.add(family(`node_zfs_zpool_dataset_${metricName(name)}`, `kstat.zfs.misc.objset.${name}`, ['dataset', 'zpool']), { dataset, zpool: pool }, value);
        }
      }
      const state = await files.readOptionalKernelFile(join(directory, 'state'));
      if (state !== undefined) {
        const current = (state.split('\n')[0] ?? '').toLowerCase();
        for (const name of ZFS_POOL_STATES) output.add(zfsMetrics.poolState, { state: name, zpool: pool }, current === name ? 1 : 0);
      }
    }
  }
}
