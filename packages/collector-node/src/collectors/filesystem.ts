import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FilesystemRoots, Logger, MetricSink } from '@tessera/collector-api';
import { isMissingFile, type CollectionFiles } from '../collection-files.js';
import { filesystemMetrics } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { parseMountinfo, type MountInfo } from '../parsers/mountinfo.js';
import type { SubCollector } from '../sub-collector.js';

/** The part of `statfs(2)`'s answer the collector uses (the shape of Node's `fs.StatFs`). */
export interface FilesystemUsage {
  /** Block size: node_exporter multiplies the block counts by it (`f_bsize`). */
  readonly bsize: number;
  readonly blocks: number;
  readonly bfree: number;
  readonly bavail: number;
  readonly files: number;
  readonly ffree: number;
}

/** Reads a mount's usage asynchronously: `fs.promises.statfs` by default, injectable for tests (a hanging or failing one). */
export type StatfsFunction = (path: string) => Promise<FilesystemUsage>;

/**
 * Filesystem types whose statfs answers from kernel memory without I/O or a network round trip,
 * so it cannot hang: these are asked synchronously (about 2 µs, where a thread-pool round trip
 * costs some 50 µs of CPU). Every other type (NFS, CIFS, FUSE, Ceph, …) goes through the thread
 * pool with the mount timeout.
 */
export const LOCAL_FS_TYPES: ReadonlySet<string> = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'tmpfs', 'ramfs', 'vfat', 'exfat', 'f2fs']);

/** The `device_error` label of a mount whose `statfs` did not answer in time, as node_exporter 1.8+ writes it. */
export const MOUNT_TIMEOUT_ERROR = 'mountpoint timeout';

/** One mount to report, after the filters. */
interface FilesystemTarget {
  readonly mount: MountInfo;
  /** The mount point as reported: relative to the root filesystem. */
  readonly mountPoint: string;
  /** Where to call statfs: the mount point under the root filesystem. */
  readonly statPath: string;
}

type StatOutcome = { readonly usage: FilesystemUsage } | { readonly error: string };

/**
 * filesystem: size, free and available bytes, inodes, read-only state and errors per mount, from
 * `<procfs>/1/mountinfo` (or `self/mountinfo` when PID 1 is hidden) and one `statfs` per mount.
 *
 * Local filesystems ({@link LOCAL_FS_TYPES}) are asked synchronously. Others go through libuv's
 * thread pool: a mount that does not answer within `mountTimeoutSeconds` (a dead NFS server) is
 * reported with `node_filesystem_device_error 1` and `device_error="mountpoint timeout"`, and is not
 * asked again while its call is still pending: a stuck `statfs` holds one of libuv's few threads,
 * and asking again every scrape would exhaust them and stall every other file read of the process.
 */
export class FilesystemCollector implements SubCollector {
  readonly name = 'filesystem';
  readonly #roots: FilesystemRoots;
  /** The root filesystem as an absolute path without trailing slash, for stripping it from mount points. */
  readonly #rootfs: string;
  readonly #mountPoints: NameFilter;
  readonly #fsTypes: NameFilter;
  readonly #timeoutMs: number;
  readonly #workers: number;
  readonly #statfs: StatfsFunction;
  /** False when a test injected `statfs`: then every mount goes through it. */
  readonly #syncForLocal: boolean;
  readonly #logger: Logger;
  /** The last mount table read and the mounts selected from it: the table rarely changes between scrapes. */
  #lastMounts: { readonly text: string; readonly targets: readonly FilesystemTarget[] } | undefined;
  /** statfs calls still running, by path: their mounts are stuck until the call returns. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(options: {
    readonly roots: FilesystemRoots;
    readonly mountPointsExclude: string | undefined;
    readonly mountPointsInclude: string | undefined;
    readonly fsTypesExclude: string | undefined;
    readonly fsTypesInclude: string | undefined;
    readonly mountTimeoutSeconds: number;
    readonly statWorkers: number;
    readonly statfs?: StatfsFunction | undefined;
    readonly logger: Logger;
  }) {
    this.#roots = options.roots;
    this.#rootfs = resolve(options.roots.rootfs);
    this.#mountPoints = new NameFilter({ exclude: options.mountPointsExclude, include: options.mountPointsInclude });
    this.#fsTypes = new NameFilter({ exclude: options.fsTypesExclude, include: options.fsTypesInclude });
    this.#timeoutMs = options.mountTimeoutSeconds * 1000;
    this.#workers = options.statWorkers;
    this.#statfs = options.statfs ?? ((path) => statfs(path));
    this.#syncForLocal = options.statfs === undefined;
    this.#logger = options.logger;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const targets = await this.#readTargets(files);
    const outcomes = await mapConcurrently(targets, this.#workers, (target) =>
      this.#syncForLocal && LOCAL_FS_TYPES.has(target.mount.fsType) ? Promise.resolve(this.#statLocal(target.statPath)) : this.#stat(target.statPath, files.signal),
    );
    const mountInfoSeen = new Set<string>();
    for (const [index, target] of targets.entries()) {
      const outcome = outcomes[index];
      if (outcome === undefined) continue;
      const { mount, mountPoint } = target;
      const labels = { device: mount.source, device_error: 'error' in outcome ? outcome.error : '', fstype: mount.fsType, mountpoint: mountPoint };
      output.add(filesystemMetrics.deviceError, labels, 'error' in outcome ? 1 : 0);
      output.add(filesystemMetrics.readonly, labels, isReadOnly(mount) ? 1 : 0);
      if (!('usage' in outcome)) continue;
      const { usage } = outcome;
      output.add(filesystemMetrics.sizeBytes, labels, usage.blocks * usage.bsize);
      output.add(filesystemMetrics.freeBytes, labels, usage.bfree * usage.bsize);
      output.add(filesystemMetrics.availBytes, labels, usage.bavail * usage.bsize);
      output.add(filesystemMetrics.files, labels, usage.files);
      output.add(filesystemMetrics.filesFree, labels, usage.ffree);
      const mountInfo = { device: mount.source, major: mount.major, minor: mount.minor, mountpoint: mountPoint };
      const key = `${mount.source}\u0000${mount.major}:${mount.minor}\u0000${mountPoint}`;
      if (!mountInfoSeen.has(key)) {
        mountInfoSeen.add(key);
        output.add(filesystemMetrics.mountInfo, mountInfo, 1);
      }
    }
  }

  /** Forgets stuck mounts; their calls cannot be cancelled but nothing waits for them any more. */
  close(): void {
    this.#pending.clear();
  }

  /** The mounts to report: the mount table read, filtered and de-duplicated (reused while the table is unchanged). */
  async #readTargets(files: CollectionFiles): Promise<readonly FilesystemTarget[]> {
    const text = await this.#readMountTable(files);
    if (this.#lastMounts?.text !== text) this.#lastMounts = { text, targets: this.#select(parseMountinfo(text)) };
    return this.#lastMounts.targets;
  }

  async #readMountTable(files: CollectionFiles): Promise<string> {
    try {
      return await files.readKernelFile(join(this.#roots.procfs, '1/mountinfo'));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (!isMissingFile(error) && code !== 'EACCES') throw error;
      // PID 1 is hidden (procfs mounted with hidepid=): our own mount namespace is the next best view.
      this.#logger.debug({ error: (error as Error).message }, 'cannot read PID 1 mounts, using self/mountinfo');
      return files.readKernelFile(join(this.#roots.procfs, 'self/mountinfo'));
    }
  }

  /** Applies the filters and drops repeated (device, mount point, type) triples, first one wins. */
  #select(mounts: readonly MountInfo[]): FilesystemTarget[] {
    const targets: FilesystemTarget[] = [];
    const seen = new Set<string>();
    for (const mount of mounts) {
      const mountPoint = stripRoot(mount.mountPoint, this.#rootfs);
      if (this.#mountPoints.ignores(mountPoint) || this.#fsTypes.ignores(mount.fsType)) continue;
      const key = `${mount.source}\u0000${mountPoint}\u0000${mount.fsType}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ mount, mountPoint, statPath: join(this.#roots.rootfs, mountPoint) });
    }
    return targets;
  }

  /** One statfs of a local filesystem, synchronously (see {@link LOCAL_FS_TYPES}). */
  #statLocal(path: string): StatOutcome {
    try {
      return { usage: statfsSync(path) };
    } catch (error) {
      this.#logger.debug({ path, error: (error as Error).message }, 'statfs failed');
      return { error: describeStatfsError(error) };
    }
  }

  /** One statfs through the thread pool, bounded by the mount timeout and the collection's signal. */
  #stat(path: string, signal: AbortSignal): Promise<StatOutcome> {
    signal.throwIfAborted();
    if (this.#pending.has(path)) {
      this.#logger.debug({ path }, 'mount point still unresponsive, not asking again');
      return Promise.resolve({ error: MOUNT_TIMEOUT_ERROR });
    }
    const call = this.#statfs(path);
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.set(path, settled);
    void settled.then(() => {
      if (this.#pending.get(path) !== settled) return;
      this.#pending.delete(path);
    });
    return new Promise<StatOutcome>((resolvePromise, rejectPromise) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        rejectPromise(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      };
      const timer = setTimeout(() => {
        finish();
        this.#logger.warn({ path, timeoutSeconds: this.#timeoutMs / 1000 }, 'mount point did not answer statfs in time; reporting it as stuck until it does');
        void settled.then(() => this.#logger.info({ path }, 'stuck mount point answered again'));
        resolvePromise({ error: MOUNT_TIMEOUT_ERROR });
      }, this.#timeoutMs);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      call.then(
        (usage) => {
          finish();
          resolvePromise({ usage });
        },
        (error: unknown) => {
          finish();
          this.#logger.debug({ path, error: (error as Error).message }, 'statfs failed');
          resolvePromise({ error: describeStatfsError(error) });
        },
      );
    });
  }
}

/** node_exporter's read-only test: `ro` in the mount or superblock options, or an `emergency_ro` superblock. */
function isReadOnly(mount: MountInfo): boolean {
  return mount.mountOptions.includes('ro') || mount.superOptions.includes('ro') || mount.superOptions.includes('emergency_ro');
}

/** Reports a mount point relative to the root filesystem (`/host/home` → `/home` with rootfs `/host`). */
export function stripRoot(mountPoint: string, rootfs: string): string {
  if (rootfs === '/') return mountPoint;
  if (mountPoint === rootfs) return '/';
  return mountPoint.startsWith(`${rootfs}/`) ? mountPoint.slice(rootfs.length) : mountPoint;
}

/**
 * The `device_error` label for a failed statfs: the system's description of the error, as
 * node_exporter prints Go's (`no such file or directory`, `permission denied`). Node's messages
 * are `ENOENT: no such file or directory, statfs '/path'`; the path is dropped because the label
 * must not vary with it.
 */
export function describeStatfsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /^[A-Z][A-Z0-9_]*: (.*?), statfs /.exec(message);
  return match?.[1] ?? message;
}

/** Maps `items` through `work` with at most `limit` calls in flight; results keep the input order. */
async function mapConcurrently<TItem, TResult>(items: readonly TItem[], limit: number, work: (item: TItem) => Promise<TResult>): Promise<TResult[]> {
  const results = new Array<TResult>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as TItem);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
