import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A scratch directory holding a small procfs/sysfs/rootfs tree for one test. */
export interface ScratchTree {
  readonly root: string;
  readonly roots: { readonly procfs: string; readonly sysfs: string; readonly rootfs: string; readonly udevData: string };
  /** Writes files, by path relative to the root (`proc/stat`). */
  write(files: Readonly<Record<string, string>>): Promise<void>;
  remove(): Promise<void>;
}

/** Creates a scratch tree with `files` in it. */
export async function createTree(files: Readonly<Record<string, string>> = {}): Promise<ScratchTree> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-node-test-'));
  const tree: ScratchTree = {
    root,
    roots: { procfs: join(root, 'proc'), sysfs: join(root, 'sys'), rootfs: join(root, 'root'), udevData: join(root, 'root', 'run/udev/data') },
    async write(more) {
      for (const [path, content] of Object.entries(more)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), content);
      }
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  await tree.write(files);
  return tree;
}

/** A mountinfo line for a mount of `source` at `mountPoint`. */
export function mountLine(id: number, mountPoint: string, fsType: string, source: string, options = 'rw,relatime'): string {
  return `${id} 1 8:${id} / ${mountPoint} ${options} shared:${id} - ${fsType} ${source} rw\n`;
}
