import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import { listIfPresent, type CollectionFiles } from '../collection-files.js';
import { bcacheMetrics } from '../metrics.js';
import { parseBcacheHumanized, parseBcachePriorityStats, parseWritebackRateDebug } from '../parsers/bcache.js';
import type { SubCollector } from '../sub-collector.js';

/** A backing device's `stats_total/` counters, by file. */
const BACKING_DEVICE_TOTALS: readonly (readonly [file: string, family: MetricFamily<'backing_device' | 'uuid'>])[] = [
  ['bypassed', bcacheMetrics.bypassed],
  ['cache_hits', bcacheMetrics.cacheHits],
  ['cache_misses', bcacheMetrics.cacheMisses],
  ['cache_bypass_hits', bcacheMetrics.cacheBypassHits],
  ['cache_bypass_misses', bcacheMetrics.cacheBypassMisses],
  ['cache_miss_collisions', bcacheMetrics.cacheMissCollisions],
];

/**
 * bcache: every cache set under `<sysfs>/fs/bcache/` (directories named by the set's UUID): the
 * btree's state, per backing device (`bdev<n>`) its dirty data, writeback controller and hit and
 * miss counters, per cache device (`cache<n>`) its errors and bytes written, and with
 * `priorityStats` its `priority_stats` (expensive for the kernel to compute on a large cache, so
 * off by default, as in node_exporter). Values are read as node_exporter reads them: bcache prints
 * sizes for people (`1.5G`), and an attribute the kernel lacks reads as 0. A machine without bcache
 * reports nothing and succeeds.
 */
export class BcacheCollector implements SubCollector {
  readonly name = 'bcache';
  readonly #directory: string;
  readonly #priorityStats: boolean;

  constructor(options: { readonly roots: FilesystemRoots; readonly priorityStats: boolean }) {
    this.#directory = join(options.roots.sysfs, 'fs/bcache');
    this.#priorityStats = options.priorityStats;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    // Cache sets are the entries named by a UUID; the others are files (register, pendings_cleanup).
    for (const uuid of ((await listIfPresent(files, this.#directory)) ?? []).filter((name) => name.includes('-'))) {
      await this.#collectSet(output, files, uuid);
    }
  }

  async #collectSet(output: MetricSink, files: CollectionFiles, uuid: string): Promise<void> {
    const directory = join(this.#directory, uuid);
    const value = (path: string): Promise<number> => readValue(files, join(directory, path));
    const labels = { uuid };
    output.add(bcacheMetrics.averageKeySize, labels, await value('average_key_size'));
    output.add(bcacheMetrics.btreeCacheSize, labels, await value('btree_cache_size'));
    output.add(bcacheMetrics.cacheAvailablePercent, labels, await value('cache_available_percent'));
    output.add(bcacheMetrics.congested, labels, await value('congested'));
    output.add(bcacheMetrics.rootUsagePercent, labels, await value('root_usage_percent'));
    output.add(bcacheMetrics.treeDepth, labels, await value('tree_depth'));
    output.add(bcacheMetrics.activeJournalEntries, labels, await value('internal/active_journal_entries'));
    output.add(bcacheMetrics.btreeNodes, labels, await value('internal/btree_nodes'));
    // The kernel gives microseconds (sysfs_print_time_stats(…, ms, us)); node_exporter reads them as
    // nanoseconds, a thousand times too small.
    output.add(bcacheMetrics.btreeReadAverageDuration, labels, (await value('internal/btree_read_average_duration_us')) / 1e6);
    output.add(bcacheMetrics.cacheReadRaces, labels, await value('internal/cache_read_races'));
    const entries = await files.readKernelDirectory(directory);
    for (const device of entries.filter((name) => /^bdev[0-9]/.test(name)).sort()) {
      await this.#collectBackingDevice(output, files, uuid, device, join(directory, device));
    }
    for (const device of entries.filter((name) => /^cache[0-9]/.test(name)).sort()) {
      await this.#collectCacheDevice(output, files, uuid, device, join(directory, device));
    }
  }

  async #collectBackingDevice(output: MetricSink, files: CollectionFiles, uuid: string, device: string, directory: string): Promise<void> {
    const labels = { backing_device: device, uuid };
    output.add(bcacheMetrics.dirtyData, labels, await readValue(files, join(directory, 'dirty_data')));
    const debugPath = join(directory, 'writeback_rate_debug');
    const writeback = parseWritebackRateDebug(await files.readKernelFile(debugPath), debugPath);
    output.add(bcacheMetrics.dirtyTarget, labels, writeback.target);
    output.add(bcacheMetrics.writebackRate, labels, writeback.rate);
    output.add(bcacheMetrics.writebackRateProportional, labels, writeback.proportional);
    output.add(bcacheMetrics.writebackRateIntegral, labels, writeback.integral);
    output.add(bcacheMetrics.writebackChange, labels, writeback.change);
    for (const [file, family] of BACKING_DEVICE_TOTALS) output.add(family, labels, await readValue(files, join(directory, 'stats_total', file)));
    // Linux 5.13 dropped readahead accounting; node_exporter leaves a zero count out (node_exporter issue 2103).
    const readaheads = await readValue(files, join(directory, 'stats_total/cache_readaheads'));
    if (readaheads !== 0) output.add(bcacheMetrics.cacheReadaheads, labels, readaheads);
  }

  async #collectCacheDevice(output: MetricSink, files: CollectionFiles, uuid: string, device: string, directory: string): Promise<void> {
    const labels = { cache_device: device, uuid };
    output.add(bcacheMetrics.ioErrors, labels, await readValue(files, join(directory, 'io_errors')));
    output.add(bcacheMetrics.metadataWritten, labels, await readValue(files, join(directory, 'metadata_written')));
    output.add(bcacheMetrics.written, labels, await readValue(files, join(directory, 'written')));
    if (!this.#priorityStats) return;
    const path = join(directory, 'priority_stats');
    const priority = parseBcachePriorityStats(await files.readKernelFile(path), path);
    output.add(bcacheMetrics.priorityUnusedPercent, labels, priority.unusedPercent);
    output.add(bcacheMetrics.priorityMetadataPercent, labels, priority.metadataPercent);
  }
}

/** One value attribute, humanized or not; 0 when the kernel does not have it (as prometheus/procfs reads bcache). */
async function readValue(files: CollectionFiles, path: string): Promise<number> {
  const text = await files.readOptionalKernelFile(path);
  return text === undefined ? 0 : parseBcacheHumanized(text, path);
}
