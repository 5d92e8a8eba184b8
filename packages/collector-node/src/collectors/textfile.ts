import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistogramValue, Logger, MetricSink, SummaryValue } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { textfileMetrics } from '../metrics.js';
import { parseTextfile, TextfileError, type TextfileFamily } from '../parsers/textfile.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { mergeTextfiles, type ParsedTextfile } from '../merge-textfiles.js';

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

/**
 * textfile: the metrics of every `*.prom` file in `directory` (files written by cron jobs and
 * batch tools), `node_textfile_mtime_seconds{file}` for each file served and
 * `node_textfile_scrape_error` (1 when the directory or any file could not be used; the log says
 * which and why). With no directory configured only `node_textfile_scrape_error 0` is reported, as
 * node_exporter does. The directory is a path on this machine, not under `rootfs`.
 *
 * Files are parsed again only when they change (inode, size, mtime or ctime), so a scrape costs a
 * directory listing and one stat per file; node_exporter reads and parses every file every time.
 *
 * Collection has two steps because a file must not redefine a family another sub-collector emits:
 * {@link read} reads and parses the files while the other sub-collectors run, then {@link emit}
 * merges them once the families of those are known.
 */
export class TextfileCollector implements SubCollector {
  readonly name = 'textfile';
  readonly #directory: string;
  readonly #logger: Logger;
  readonly #cache = new Map<string, CachedTextfile>();
  /** The read under way: one that outlived its collection (a dead NFS server) is not repeated until it returns. */
  #reading: Promise<TextfileRead> | undefined;

  constructor(options: { readonly directory: string; readonly logger: Logger }) {
    this.#directory = options.directory;
    this.#logger = options.logger;
  }

  /** Both steps at once, for use outside the node collector (only its own families are reserved then). */
  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const own = new Set(Object.values(textfileMetrics).map((family) => family.name));
    this.emit(output, await this.read(files), (name) => own.has(name));
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

  /** Step two: merges the files, refusing those that define a name `isReserved` accepts, and emits everything. */
  emit(output: MetricSink, read: TextfileRead, isReserved: (name: string) => boolean): void {
    const merge = mergeTextfiles(read.files, isReserved);
    for (const { path, reason } of merge.rejected) this.#logger.error({ file: path, error: reason }, 'skipping a textfile that clashes with other metrics');
    for (const conflict of merge.helpConflicts) {
      this.#logger.warn({ metric: conflict.name, file: conflict.path, keptHelp: conflict.kept, ignoredHelp: conflict.ignored }, 'inconsistent HELP text across textfiles; keeping the first');
    }
    for (const { family, series } of merge.families) {
      output.declare(family);
      for (const { labels, value } of series) {
        if (family.type === 'histogram') output.addHistogram(family, labels, value as HistogramValue);
        else if (family.type === 'summary') output.addSummary(family, labels, value as SummaryValue);
        else output.add(family, labels, value as number);
      }
    }
    const accepted = new Set(merge.accepted);
    for (const file of read.files) {
      if (accepted.has(file.path)) output.add(textfileMetrics.mtime, { file: file.path }, file.mtimeSeconds);
    }
    output.add(textfileMetrics.scrapeError, NO_LABELS, read.failed || merge.rejected.length > 0 ? 1 : 0);
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
      entry = { identity, families: parseTextfile(await files.readText(path)) };
    } catch (error) {
      if (files.signal.aborted) throw error;
      entry = { identity, error: (error as Error).message };
    }
    this.#cache.set(path, entry);
    return entry;
  }
}
