import { cp, lutimes, readdir, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** The mtime (seconds since the epoch) every file of a golden case's input gets: 2023-11-14T22:13:20Z. */
export const FIXED_MTIME_SECONDS = 1_700_000_000;

/**
 * Replaces everything inside `destination` (which must exist) with a copy of `source`, then sets
 * the mtime and atime of every entry to {@link FIXED_MTIME_SECONDS}, so that metrics derived from
 * mtimes do not depend on when the checkout happened. Symlinks are copied as links, unchanged:
 * sysfs captures are full of relative ones.
 */
export async function replaceTreeContents(destination: string, source: string): Promise<void> {
  for (const entry of await readdir(destination)) {
    await rm(join(destination, entry), { recursive: true, force: true });
  }
  await cp(source, destination, { recursive: true, verbatimSymlinks: true, preserveTimestamps: false });
  await fixTimes(destination);
}

async function fixTimes(directory: string): Promise<void> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await fixTimes(path);
    else if (entry.isSymbolicLink()) await lutimes(path, FIXED_MTIME_SECONDS, FIXED_MTIME_SECONDS);
    else await utimes(path, FIXED_MTIME_SECONDS, FIXED_MTIME_SECONDS);
  }
  // Last, because creating the children above touched the directory's own mtime.
  await utimes(directory, FIXED_MTIME_SECONDS, FIXED_MTIME_SECONDS);
}
