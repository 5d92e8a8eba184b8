// `pnpm --silent sim <name> [options]`: starts one simulator of a system that cannot run here
// (a FlashBlade array, Arkouda servers, NVIDIA GPUs). The simulator prints one JSON line on stdout
// saying how to reach it, including `config`, the `collectors.<collector>` entry that reaches it,
// and runs until SIGTERM or SIGINT.
//
// Simulators are found by convention, so adding one never edits this file: the workspace package
// in `tooling/sim-<name>/` whose build emits `dist/main.js`. It is built first when needed, with
// the build's output on stderr so that stdout carries only the simulator's JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const simulators = readdirSync(join(root, 'tooling'))
  .filter((directory) => directory.startsWith('sim-') && existsSync(join(root, 'tooling', directory, 'package.json')))
  .map((directory) => directory.slice('sim-'.length))
  .sort();

const [name, ...options] = process.argv.slice(2);
if (name === undefined || !simulators.includes(name)) {
  console.error(`usage: pnpm --silent sim <${simulators.join('|') || 'no simulator yet'}> [options]  (each takes --help)`);
  process.exit(2);
}
const directory = join(root, 'tooling', `sim-${name}`);
const main = join(directory, 'dist', 'main.js');
if (!existsSync(main)) {
  const { name: packageName } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', `--filter=${packageName}...`, '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', process.stderr, 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, [main, ...options], { stdio: 'inherit' });
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal !== null) {
    // Die of the same signal, so whoever started us sees what happened to the simulator.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code ?? 1);
});
