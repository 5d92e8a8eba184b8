// `pnpm bench <name>`: runs one benchmark. Benchmarks print figures and ratios against a peer
// measured in the same run; they never fail a build (these machines are shared and noisy).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const benchmarks = {
  node: ['node', ['test/bench/node.bench.mjs']],
  push: ['pnpm', ['--filter', '@tessera/push', 'run', 'bench']],
};
const name = process.argv[2];
const benchmark = benchmarks[name];
if (benchmark === undefined) {
  console.error(`usage: pnpm bench <${Object.keys(benchmarks).join('|')}>`);
  process.exit(2);
}
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const [command, args] = benchmark;
const result = spawnSync(command, [...args, ...process.argv.slice(3)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
