import { NoDataError } from '@tessera/collector-api';
import { closeSync, openSync, readdir, readdirSync, readFile, readFileSync, readSync, realpathSync, statSync, type Dirent } from 'node:fs';

/** One buffer for every kernel file read: reads are synchronous, so they never overlap. */
const KERNEL_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a procfs or sysfs file with open, read and close: `readFileSync` also calls fstat, which
 * for these generated files says nothing (their size is 0 or 4096), and a scrape reads hundreds.
 * A file larger than the buffer is read again whole.
 */
function readKernelFileSync(path: string): string {
  const descriptor = openSync(path, 'r');
  let length = 0;
  try {
    for (;;) {
      const read = readSync(descriptor, KERNEL_READ_BUFFER, length, KERNEL_READ_BUFFER.length - length, null);
      if (read === 0) return KERNEL_READ_BUFFER.toString('utf8', 0, length);
      length += read;
      if (length === KERNEL_READ_BUFFER.length) break;
    }
  } finally {
    closeSync(descriptor);
  }
  return readFileSync(path, 'utf8');
}

/**
 * File access for one collection. A file that several sub-collectors parse the same way
 * (`/proc/stat` for cpu and stat) is read and parsed once. Create one per `collect()`; it keeps
 * nothing afterwards.
 *
 * Two kinds of reads:
 * - {@link readKernelFile} for procfs and sysfs. Their files are generated from kernel memory on
 *   read and never wait for a disk or a network, so they are read synchronously: one read takes
 *   about 15 µs, while going through libuv's thread pool costs five round trips (open, fstat, read,
 *   read, close), about 150 µs a file, and node_exporter's whole scrape takes 3 ms.
 * - {@link readText} for files on real filesystems (textfiles, the udev database), which can be
 *   slow or hang: asynchronous, and aborted with the collection.
 */
export class CollectionFiles {
  readonly signal: AbortSignal;
  readonly #parsed = new Map<(text: string) => unknown, Map<string, Promise<unknown>>>();

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  /** Reads a procfs or sysfs file as UTF-8 (synchronously, see above). Rejects once the collection is aborted. */
  readKernelFile(path: string): Promise<string> {
    return new Promise((resolve) => {
      this.signal.throwIfAborted();
      resolve(readKernelFileSync(path));
    });
  }

  /** Reads a whole file on a real filesystem as UTF-8 with one asynchronous `readFile`, aborted with the collection. */
  readText(path: string): Promise<string> {
    // The callback API: in Node 20 it is noticeably faster than fs/promises for small procfs files.
    return new Promise((resolve, reject) => {
      readFile(path, { encoding: 'utf8', signal: this.signal }, (error, text) => (error === null ? resolve(text) : reject(error)));
    });
  }

  /** Reads a procfs or sysfs file and parses it, once per collection for each `(path, parse)` pair. */
  readParsedKernelFile<T>(path: string, parse: (text: string) => T): Promise<T> {
    let byPath = this.#parsed.get(parse);
    if (byPath === undefined) {
      byPath = new Map();
      this.#parsed.set(parse, byPath);
    }
    let parsed = byPath.get(path) as Promise<T> | undefined;
    if (parsed === undefined) {
      parsed = this.readKernelFile(path).then(parse);
      byPath.set(path, parsed);
    }
    return parsed;
  }

  /** Lists a procfs or sysfs directory (synchronously, like {@link readKernelFile}), unsorted. */
  readKernelDirectory(path: string): Promise<string[]> {
    return new Promise((resolve) => {
      this.signal.throwIfAborted();
      resolve(readdirSync(path));
    });
  }

  /** Lists a procfs or sysfs directory with each entry's type (synchronously, like {@link readKernelFile}), unsorted. */
  readKernelDirectoryEntries(path: string): Promise<Dirent[]> {
    return new Promise((resolve) => {
      this.signal.throwIfAborted();
      resolve(readdirSync(path, { withFileTypes: true }));
    });
  }

  /** Reads a procfs or sysfs file, or gives `undefined` when it (or a parent) does not exist. */
  readOptionalKernelFile(path: string): Promise<string | undefined> {
    return this.readKernelFileUnless(path, isMissingFile);
  }

  /**
   * Reads a procfs or sysfs file, or gives `undefined` when reading it fails with an error `skip`
   * accepts (by default one that says the attribute is not available on this device).
   */
  readKernelFileUnless(path: string, skip: (error: unknown) => boolean = isUnavailableAttribute): Promise<string | undefined> {
    return undefinedOn(this.readKernelFile(path), skip);
  }

  /** The path with every symlink resolved, for procfs and sysfs (synchronously); rejects when it does not exist. */
  resolveKernelPath(path: string): Promise<string> {
    return new Promise((resolve) => {
      this.signal.throwIfAborted();
      resolve(realpathSync(path));
    });
  }

  /** True when a procfs or sysfs path is a directory, following symlinks (synchronously); false when it cannot be reached. */
  isKernelDirectory(path: string): Promise<boolean> {
    return new Promise((resolve) => {
      this.signal.throwIfAborted();
      try {
        resolve(statSync(path).isDirectory());
      } catch {
        resolve(false); // missing, a dangling link, or not reachable
      }
    });
  }

  /** Lists a directory on a real filesystem, unsorted. */
  readDirectory(path: string): Promise<string[]> {
    this.signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      readdir(path, (error, names) => (error === null ? resolve(names) : reject(error)));
    });
  }
}

/**
 * True for a read error with which sysfs says an attribute is not available on this device
 * rather than broken: missing, not readable, not supported (a down link's speed answers EINVAL,
 * an interface without a physical port ID EOPNOTSUPP).
 */
export function isUnavailableAttribute(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EINVAL';
}

/** True for a filesystem error that means "not there": the file or a parent is missing. */
export function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** True for a filesystem error that means "not for this user": root only, or refused by a security module. */
export function isPermissionDenied(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * Lists a procfs or sysfs directory whose absence means the machine has none of what a
 * sub-collector reports (`<sysfs>/class/infiniband` without an HCA): then it throws
 * `NoDataError` naming `what`, which node_exporter reports as its "no data" (success 0, logged at
 * debug level). Sorted by name.
 */
export async function listOrNoData(files: CollectionFiles, directory: string, what: string): Promise<string[]> {
  const names = await listIfPresent(files, directory);
  if (names === undefined) throw new NoDataError(`no ${directory}: ${what}`);
  return names;
}

/**
 * Reads a procfs or sysfs file whose absence means the machine has none of what a sub-collector
 * reports (`<procfs>/mdstat` without the md driver): then it throws `NoDataError` naming `what`,
 * as {@link listOrNoData} does.
 */
export async function readOrNoData(files: CollectionFiles, path: string, what: string): Promise<string> {
  const text = await files.readOptionalKernelFile(path);
  if (text === undefined) throw new NoDataError(`no ${path}: ${what}`);
  return text;
}

/** Lists a procfs or sysfs directory, sorted by name; `undefined` when it does not exist. */
export async function listIfPresent(files: CollectionFiles, directory: string): Promise<string[] | undefined> {
  return (await undefinedOn(files.readKernelDirectory(directory), isMissingFile))?.sort();
}

/** Lists a procfs or sysfs directory with each entry's type, unsorted; `undefined` when it does not exist. */
export function listEntriesIfPresent(files: CollectionFiles, directory: string): Promise<Dirent[] | undefined> {
  return undefinedOn(files.readKernelDirectoryEntries(directory), isMissingFile);
}

/** What `reading` gives, or `undefined` when it fails with an error `skip` accepts. */
async function undefinedOn<T>(reading: Promise<T>, skip: (error: unknown) => boolean): Promise<T | undefined> {
  try {
    return await reading;
  } catch (error) {
    if (skip(error)) return undefined;
    throw error;
  }
}
