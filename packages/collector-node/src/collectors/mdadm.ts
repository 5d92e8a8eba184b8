import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { listIfPresent, readOrNoData, type CollectionFiles } from '../collection-files.js';
import { mdadmMetrics } from '../metrics.js';
import { parseUnsigned } from '../parsers/fields.js';
import { parseMdstat, parseRaidDisks } from '../parsers/mdstat.js';
import type { SubCollector } from '../sub-collector.js';

/** The states of `node_md_state`, by the state the array is in. */
const STATES: readonly (readonly [label: string, state: string])[] = [
  ['active', 'active'],
  ['inactive', 'inactive'],
  ['recovering', 'recovering'],
  ['resync', 'resyncing'],
  ['check', 'checking'],
];

/** Levels without a member count (containers of IMSM or DDF firmware RAID). */
const CONTAINER_LEVELS = new Set(['container', 'imsm', 'ddf']);

/** Levels with redundancy, whose `md/degraded` counts missing members. */
const REDUNDANT_LEVELS = new Set(['raid1', 'raid4', 'raid5', 'raid6', 'raid10']);

/**
 * mdadm: Linux software RAID (md) arrays, from `<procfs>/mdstat`: per array its state (active,
 * inactive, or the recovery, resync or check under way), its active, failed and spare members,
 * the members it needs, its size and how much of it is in sync; and from
 * `<sysfs>/block/md<n>/md/` how many members a working array has and how many are missing.
 * A machine without the md driver (no `/proc/mdstat`) has no data.
 */
export class MdadmCollector implements SubCollector {
  readonly name = 'mdadm';
  readonly #mdstat: string;
  readonly #blockDirectory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#mdstat = join(options.roots.procfs, 'mdstat');
    this.#blockDirectory = join(options.roots.sysfs, 'block');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const text = await readOrNoData(files, this.#mdstat, 'the md driver is not loaded');
    for (const array of parseMdstat(text, this.#mdstat)) {
      const device = array.name;
      output.add(mdadmMetrics.disksRequired, { device }, array.disksTotal);
      output.add(mdadmMetrics.disks, { device, state: 'active' }, array.disksActive);
      output.add(mdadmMetrics.disks, { device, state: 'failed' }, array.disksFailed);
      output.add(mdadmMetrics.disks, { device, state: 'spare' }, array.disksSpare);
      for (const [state, arrayState] of STATES) output.add(mdadmMetrics.state, { device, state }, array.state === arrayState ? 1 : 0);
      output.add(mdadmMetrics.blocks, { device }, array.blocksTotal);
      output.add(mdadmMetrics.blocksSynced, { device }, array.blocksSynced);
    }
    for (const device of ((await listIfPresent(files, this.#blockDirectory)) ?? []).filter((name) => name.startsWith('md'))) {
      await this.#collectSysfs(output, files, device, join(this.#blockDirectory, device, 'md'));
    }
  }

  async #collectSysfs(output: MetricSink, files: CollectionFiles, device: string, directory: string): Promise<void> {
    const levelText = await files.readOptionalKernelFile(join(directory, 'level'));
    if (levelText === undefined) return; // not an md array (a device named md… of another driver), or stopped meanwhile
    const level = levelText.trim();
    if (!CONTAINER_LEVELS.has(level) && level !== '') {
      const raidDisks = parseRaidDisks(await files.readKernelFile(join(directory, 'raid_disks')));
      if (raidDisks !== undefined) output.add(mdadmMetrics.raidDisks, { device }, raidDisks);
    }
    const degraded = REDUNDANT_LEVELS.has(level) ? parseUnsigned((await files.readKernelFile(join(directory, 'degraded'))).trim(), join(directory, 'degraded')) : 0;
    output.add(mdadmMetrics.degraded, { device }, degraded);
  }
}
