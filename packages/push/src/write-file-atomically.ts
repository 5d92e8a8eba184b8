import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `text` to `path` so that a reader sees either the old file or the complete new one, never a
 * half-written file: the node_exporter textfile collector may read the directory at any moment. The
 * temporary file sits in the same directory (a rename is atomic only within one file system) and ends
 * in `.tmp`, which the collector ignores.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporaryPath = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temporaryPath, 'w', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}
