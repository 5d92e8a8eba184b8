import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { listEntriesIfPresent, listIfPresent, type CollectionFiles } from '../collection-files.js';
import { btrfsMetrics } from '../metrics.js';
import { btrfsAllocationRatio, parseBtrfsCommitStats } from '../parsers/btrfs.js';
import { parseUnsigned } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The block group types node_exporter reports, as `<sysfs>/fs/btrfs/<uuid>/allocation/` names them. */
const BLOCK_GROUP_TYPES = ['data', 'metadata', 'system'] as const;

/** The kernel counts a block device's `size` in 512-byte sectors, whatever its logical block size. */
const SECTOR_BYTES = 512;

/**
 * btrfs: every mounted Btrfs filesystem under `<sysfs>/fs/btrfs/` (directories named by the
 * filesystem's UUID): its label, global reserve, commit statistics (Linux 6.0+), per block group
 * type the bytes reserved, and per profile (single, dup, raid1 …) the bytes allocated and used
 * and the allocation ratio, and each member device's size. Only what sysfs shows: node_exporter
 * also asks the filesystem through ioctls for per-device error counters and unused bytes, which
 * this collector does not report (see the README). No Btrfs mounted is an empty success.
 */
export class BtrfsCollector implements SubCollector {
  readonly name = 'btrfs';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.sysfs, 'fs/btrfs');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    // Filesystems are the entries named by a UUID; `features` lists what the module supports.
    for (const entry of ((await listIfPresent(files, this.#directory)) ?? []).filter((name) => name.includes('-'))) {
      await this.#collectFilesystem(output, files, join(this.#directory, entry), entry);
    }
  }

  async #collectFilesystem(output: MetricSink, files: CollectionFiles, directory: string, entry: string): Promise<void> {
    const text = async (name: string): Promise<string | undefined> => (await files.readOptionalKernelFile(join(directory, name)))?.trim();
    const value = (name: string): Promise<number> => readValue(files, join(directory, name));
    const devices = (await files.readKernelDirectory(join(directory, 'devices'))).sort();
    // metadata_uuid (Linux 5.0+) differs from the directory's fsid after `btrfstune -m`.
    const uuid = (await text('metadata_uuid')) || entry;
    output.add(btrfsMetrics.info, { label: (await text('label')) ?? '', uuid }, 1);
    output.add(btrfsMetrics.globalReserve, { uuid }, await value('allocation/global_rsv_size'));
    const commitStats = await files.readOptionalKernelFile(join(directory, 'commit_stats'));
    if (commitStats !== undefined) {
      const commits = parseBtrfsCommitStats(commitStats, join(directory, 'commit_stats'));
      output.add(btrfsMetrics.commits, { uuid }, commits.commits);
      output.add(btrfsMetrics.lastCommit, { uuid }, commits.lastCommitMilliseconds / 1000);
      output.add(btrfsMetrics.maxCommit, { uuid }, commits.maxCommitMilliseconds / 1000);
      output.add(btrfsMetrics.commitSeconds, { uuid }, commits.totalCommitMilliseconds / 1000);
    }
    for (const type of BLOCK_GROUP_TYPES) {
      const typeDirectory = join(directory, 'allocation', type);
      const entries = await listEntriesIfPresent(files, typeDirectory);
      if (entries === undefined) continue; // a mixed-block-group filesystem has `mixed` instead of data and metadata
      output.add(btrfsMetrics.reserved, { block_group_type: type, uuid }, await readValue(files, join(typeDirectory, 'bytes_reserved')));
      // One directory per profile the type has chunks in: two of them while a balance converts it.
      for (const profile of entries.filter((candidate) => candidate.isDirectory()).map((candidate) => candidate.name).sort()) {
        const labels = { block_group_type: type, mode: profile, uuid };
        output.add(btrfsMetrics.used, labels, await readValue(files, join(typeDirectory, profile, 'used_bytes')));
        output.add(btrfsMetrics.size, labels, await readValue(files, join(typeDirectory, profile, 'total_bytes')));
        output.add(btrfsMetrics.allocationRatio, labels, btrfsAllocationRatio(profile, devices.length));
      }
    }
    for (const device of devices) {
      output.add(btrfsMetrics.deviceSize, { device, uuid }, SECTOR_BYTES * (await value(join('devices', device, 'size'))));
    }
  }
}

/** A number attribute; 0 when the kernel does not have it, as prometheus/procfs reads btrfs. */
async function readValue(files: CollectionFiles, path: string): Promise<number> {
  const text = await files.readOptionalKernelFile(path);
  return text === undefined ? 0 : parseUnsigned(text.trim(), path);
}
