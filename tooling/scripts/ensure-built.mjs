// Builds what one of the workspace's bins needs before `pnpm tessera …` / `pnpm tessera-push …` runs
// it. turbo replays unchanged packages from its cache, so an up-to-date checkout costs well under a
// second. Quiet unless something is built for the first time or the build fails: the bin's own output
// (`tessera collect` writes metrics to stdout) must stay clean.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// For each bin: the compiled program, and the turbo filters that build it and what it loads.
const BINS = {
  // The host imports collectors lazily by package name, so every collector is built with it.
  tessera: { program: 'apps/exporter/dist/bin/tessera.js', filters: ['@tessera/exporter...', '@tessera/collector-*...'] },
  'tessera-push': { program: 'packages/push/dist/bin/tessera-push.js', filters: ['@tessera/push...'] },
};

const name = process.argv[2];
const bin = BINS[name];
if (bin === undefined) {
  process.stderr.write(`usage: node tooling/scripts/ensure-built.mjs ${Object.keys(BINS).join('|')}\n`);
  process.exit(2);
}
if (!existsSync(join(root, bin.program))) process.stderr.write(`${name}: building it first (only this once) …\n`);

const turbo = join(root, 'node_modules/.bin/turbo');
const filters = bin.filters.map((filter) => `--filter=${filter}`);
const build = spawnSync(turbo, ['run', 'build', ...filters, '--output-logs=errors-only'], {
  cwd: root,
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  encoding: 'utf8',
});
if (build.error !== undefined || build.status !== 0) {
  process.stderr.write(build.stdout ?? '');
  process.stderr.write(build.stderr ?? '');
  process.stderr.write(`${name}: the build failed${build.error === undefined ? '' : ` (${build.error.message}; did \`npm run setup\` run?)`}\n`);
  process.exit(1);
}
