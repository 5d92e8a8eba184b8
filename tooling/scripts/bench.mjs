// `pnpm bench <name>`: runs one benchmark. Benchmarks print figures and ratios against a peer
// measured in the same run; they never fail a build (these machines are shared and noisy).
//
// A benchmark is found by convention, so adding one never edits this file:
// `test/bench/<name>.bench.mjs` (cross-package), else the `bench` script of the workspace package
// `@tessera/<name>` or `@tessera/collector-<name>`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The names of the workspace packages with a `bench` script. */
function packagesWithBench() {
  const found = new Set();
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const directory of readdirSync(join(root, group))) {
      const file = join(root, group, directory, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.scripts?.bench !== undefined) found.add(pkg.name);
    }
  }
  return found;
}

function findBenchmark(name) {
  const script = join('test/bench', `${name}.bench.mjs`);
  if (existsSync(join(root, script))) return ['node', [script]];
  const packages = packagesWithBench();
  for (const candidate of [`@tessera/${name}`, `@tessera/collector-${name}`]) {
    if (packages.has(candidate)) return ['pnpm', ['--silent', '--filter', candidate, 'run', 'bench']];
  }
  return undefined;
}

function available() {
  const names = new Set(readdirSync(join(root, 'test/bench')).filter((file) => file.endsWith('.bench.mjs')).map((file) => file.slice(0, -'.bench.mjs'.length)));
  for (const name of packagesWithBench()) names.add(name.replace(/^@tessera\/(collector-)?/, ''));
  return [...names].sort();
}

const name = process.argv[2];
const benchmark = name === undefined ? undefined : findBenchmark(name);
if (benchmark === undefined) {
  console.error(`usage: pnpm bench <${available().join('|')}> [options]`);
  process.exit(2);
}
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
if (build.status !== 0) process.exit(build.status ?? 1);
const [command, args] = benchmark;
const result = spawnSync(command, [...args, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
