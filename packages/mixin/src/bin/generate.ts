/**
 * `pnpm --filter @tessera/mixin generate [--out-dir DIR]`: writes the rule files and dashboards
 * with the default options into the package (or DIR). The package's tests fail when the committed
 * files differ from what this writes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMixin } from '../index.js';

const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
const outIndex = process.argv.indexOf('--out-dir');
const outDirectory = outIndex === -1 ? packageDirectory : resolve(process.argv[outIndex + 1] ?? '.');

for (const [path, contents] of Object.entries(buildMixin().files)) {
  const target = join(outDirectory, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, contents);
  process.stdout.write(`wrote ${target}\n`);
}
