import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Clock, HistogramValue, Logger, MetricSink, SummaryValue } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { mergeTextfiles, sampleNames, type MergedTextfileFamily, type ParsedTextfile, type TextfileMerge } from '../merge-textfiles.js';
import { textfileMetrics } from '../metrics.js';
import { EventLoopPacer, SERIES_PER_CHECK } from '../pacer.js';
import { TextfileError, TextfileParser, type TextfileFamily } from '../parsers/textfile.js';
import { NO_LABELS } from '../no-labels.js';

/** How much of a textfile one read takes: parsing a piece this size holds the event loop for a few milliseconds. */
const READ_SIZE = 256 * 1024;

/** A file that parsed, with its modification time. */
interface ReadTextfile extends ParsedTextfile {
  readonly mtimeSeconds: number;
}

/** A file's parse result, kept while the file stays the same. */
interface CachedTextfile {
  /** Inode, size, mtime and ctime: any write or replacement changes one of them. */
  readonly identity: string;
  readonly families?: readonly TextfileFamily[];
  readonly error?: string;
}

/** What reading the directory gave, before merging. */
interface TextfileRead {
  readonly files: readonly ReadTextfile[];
  /** True when the directory or a file could not be read or parsed. */
  readonly failed: boolean;
}

/** The last merge, reused while the same parsed files meet the same reserved names. */
interface CachedMerge {
  readonly files: readonly ReadTextfile[];
  readonly reserved: string;
  readonly merge: TextfileMerge;
}

/** Options of {@link TextfileCollector}. */
export interface TextfileCollectorOptions {
  /** The directory of `*.prom` files; `''` for none. */
  readonly directory: string;
  /** A file larger than this is skipped with an error rather than read. */
  readonly maxFileBytes: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * textfile: the metrics of every `*.prom` file in `directory` (files written by cron jobs and
 * batch tools), `node_textfile_mtime_seconds{file}` for each file served and
 * `node_textfile_scrape_error` (1 when the directory or any file could not be used; the log says
 * which and why). With no directory configured only `node_textfile_scrape_error 0` is reported, as
 * node_exporter does. The directory is a path on this machine, not under `rootfs`.
 *
 * A file that cannot be used costs only itself: one that does not parse, is larger than
 * `maxFileBytes`, or defines a family something else in the scrape already has (a family of another
 * sub-collector, of an earlier file, or a name the host keeps for itself) is skipped whole with
 * `node_textfile_scrape_error 1` and one log line naming the file and the family.
 *
 * Files are parsed again only when they change (inode, size, mtime or ctime), so a scrape costs a
 * directory listing and one stat per file; node_exporter reads and parses every file every time.
 * A file is read and parsed in pieces and its series are emitted in slices, so a large one never
 * holds the event loop for long, and the work stops when the collection is aborted.
 *
 * Collection has two steps because a file must not redefine a family another sub-collector emits:
 * {@link read} reads and parses the files while the other sub-collectors run, then {@link emit}
 * merges them once the families of those are known.
 */
export class TextfileCollector {
  readonly name = 'textfile';
  readonly #directory: string;
  readonly #maxFileBytes: number;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedTextfile>();
  #merged: CachedMerge | undefined;
  /** The read under way: one that outlived its collection (a dead NFS server) is not repeated until it returns. */
  #reading: Promise<TextfileRead> | undefined;

  constructor(options: TextfileCollectorOptions) {
    this.#directory = options.directory;
    this.#maxFileBytes = options.maxFileBytes;
    this.#logger = options.logger;
    this.#clock = options.clock;
  }

  /**
   * Step one: lists the directory and reads and parses its `*.prom` files, in name order. While a
   * read left behind by an aborted collection is still under way the directory is not read again,
   * and the read fails: each new attempt on a hung filesystem would hold another of libuv's few
   * threads, and with them gone every file read of the process stalls.
   */
  read(files: CollectionFiles): Promise<TextfileRead> {
    if (this.#directory === '') return Promise.resolve({ files: [], failed: false });
    if (this.#reading !== undefined) {
      this.#logger.warn({ path: this.#directory }, 'the previous read of the textfile directory has not returned; skipping the directory until it does');
      return Promise.resolve({ files: [], failed: true });
    }
    const reading = this.#read(files);
    this.#reading = reading;
    const done = (): void => {
      if (this.#reading === reading) this.#reading = undefined;
    };
    reading.then(done, done);
    return reading;
  }

  async #read(files: CollectionFiles): Promise<TextfileRead> {
    let names: string[];
    try {
      names = (await files.readDirectory(this.#directory)).filter((name) => name.endsWith('.prom')).sort();
    } catch (error) {
      if (files.signal.aborted) throw error;
      this.#logger.error({ path: this.#directory, error: (error as Error).message }, 'cannot read the textfile directory');
      return { files: [], failed: true };
    }
    const paths = names.map((name) => join(this.#directory, name));
    for (const path of this.#cache.keys()) if (!paths.includes(path)) this.#cache.delete(path);
    const results = await Promise.all(paths.map((path) => this.#readFile(files, path)));
    const read = results.filter((result): result is ReadTextfile => result !== undefined);
    return { files: read, failed: read.length < results.length };
  }

  /**
   * Step two: merges the files, refusing those that define a name `isReserved` accepts or that the
   * sink refuses to declare, and emits everything, in slices that give the event loop back.
   */
  async emit(output: MetricSink, read: TextfileRead, isReserved: (name: string) => boolean, signal: AbortSignal): Promise<void> {
    const merge = this.#merge(read.files, isReserved);
    for (const { path, family, reason } of merge.rejected) this.#logger.error({ file: path, family, error: reason }, 'skipping a textfile that clashes with other metrics');
    for (const conflict of merge.helpConflicts) {
      this.#logger.warn({ metric: conflict.name, file: conflict.path, keptHelp: conflict.kept, ignoredHelp: conflict.ignored }, 'inconsistent HELP text across textfiles; keeping the first');
    }

    // The sink refuses a family the host keeps for itself (process_*, tessera_*) or one declared
    // elsewhere in the scrape: every file that defines it is skipped, and nothing else.
    const refused = new Set<string>();
    const declared: MergedTextfileFamily[] = [];
    for (const merged of merge.families) {
      try {
        output.declare(merged.family);
        declared.push(merged);
      } catch (error) {
        for (const { path } of merged.contributions) {
          if (refused.has(path)) continue;
          refused.add(path);
          this.#logger.error({ file: path, family: merged.family.name, error: (error as Error).message }, 'skipping a textfile that clashes with other metrics');
        }
      }
    }

    const pacer = new EventLoopPacer(this.#clock, signal);
    let sinceCheck = 0;
    for (const { family, contributions } of declared) {
      for (const { path, series } of contributions) {
        if (refused.has(path)) continue;
        for (const { labels, value } of series) {
          if (family.type === 'histogram') output.addHistogram(family, labels, value as HistogramValue);
          else if (family.type === 'summary') output.addSummary(family, labels, value as SummaryValue);
          else output.add(family, labels, value as number);
          if (++sinceCheck === SERIES_PER_CHECK) {
            sinceCheck = 0;
            await pacer.pace();
          }
        }
      }
    }
    const served = new Set(merge.accepted.filter((path) => !refused.has(path)));
    for (const file of read.files) {
      if (served.has(file.path)) output.add(textfileMetrics.mtime, { file: file.path }, file.mtimeSeconds);
    }
    output.add(textfileMetrics.scrapeError, NO_LABELS, read.failed || merge.rejected.length > 0 || refused.size > 0 ? 1 : 0);
  }

  /** Merges the files, or reuses the last merge when the parsed files and the reserved names they meet are the same. */
  #merge(files: readonly ReadTextfile[], isReserved: (name: string) => boolean): TextfileMerge {
    const reserved = files
      .flatMap((file) => file.families.flatMap((family) => sampleNames(family.name, family.type)))
      .filter(isReserved)
      .join(' ');
    const cached = this.#merged;
    if (
      cached !== undefined &&
      cached.reserved === reserved &&
      cached.files.length === files.length &&
      cached.files.every((file, index) => file.path === files[index]?.path && file.families === files[index]?.families)
    ) {
      return cached.merge;
    }
    const merge = mergeTextfiles(files, isReserved);
    this.#merged = { files, reserved, merge };
    return merge;
  }

  async #readFile(files: CollectionFiles, path: string): Promise<ReadTextfile | undefined> {
    let error: string | undefined;
    try {
      const status = await stat(path);
      // Only regular files (symlinks to them included): opening a FIFO blocks until a writer
      // comes, holding a thread-pool thread and the collection with it; a device never ends.
      if (!status.isFile()) throw new TextfileError('not a regular file');
      const identity = `${status.ino}:${status.size}:${status.mtimeMs}:${status.ctimeMs}`;
      const cached = this.#cache.get(path);
      const entry = cached?.identity === identity ? cached : await this.#parseFile(files, path, identity);
      if (entry.families !== undefined) return { path, families: entry.families, mtimeSeconds: Math.trunc(status.mtimeMs / 1000) };
      error = entry.error;
    } catch (statError) {
      if (files.signal.aborted) throw statError;
      error = (statError as Error).message;
    }
    this.#logger.error({ file: path, error }, 'skipping a textfile that cannot be read or parsed');
    return undefined;
  }

  async #parseFile(files: CollectionFiles, path: string, identity: string): Promise<CachedTextfile> {
    let entry: CachedTextfile;
    try {
      entry = { identity, families: await readTextfile(path, this.#maxFileBytes, files.signal) };
    } catch (error) {
      if (files.signal.aborted) throw error;
      entry = { identity, error: (error as Error).message };
    }
    this.#cache.set(path, entry);
    return entry;
  }
}

/**
 * Reads and parses one textfile piece by piece: each piece is a read of its own, so the event loop
 * runs between pieces, and the read stops when `signal` fires. A file larger than `maxBytes` (or one
 * that grows past it while being read) is refused without being read further.
 */
async function readTextfile(path: string, maxBytes: number, signal: AbortSignal): Promise<TextfileFamily[]> {
  // O_NONBLOCK: should the file have been replaced by a FIFO since its stat, open does not wait for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const tooLarge = (what: string): TextfileError => new TextfileError(`${what}, more than textfile.maxFileBytes allows (${maxBytes} bytes)`);
    const status = await handle.stat();
    if (!status.isFile()) throw new TextfileError('not a regular file');
    if (status.size > maxBytes) throw tooLarge(`the file is ${status.size} bytes`);
    const parser = new TextfileParser();
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, maxBytes + 1));
    let total = 0;
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge('the file grew while it was read');
      parser.feed(decoder.write(buffer.subarray(0, bytesRead)));
    }
    signal.throwIfAborted();
    parser.feed(decoder.end());
    return parser.finish();
  } finally {
    await handle.close();
  }
}
