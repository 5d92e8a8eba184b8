#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import type { CommandIo } from '../command-line.js';

// undici parses HTTP with llhttp compiled to WebAssembly, and V8 recompiles that module in the
// background for speed; at exit Node waits for that work, which added about 80 ms to every run.
// The few short answers a run reads parse as fast with the baseline compiler alone.
setFlagsFromString('--liftoff-only');

// Each command loads only what it uses: exec's start-up adds to every command it wraps.
const io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
const args = process.argv.slice(2);
if (args[0] === 'exec') {
  const { exitAs, runExec } = await import('../exec-command.js');
  exitAs(await runExec(args.slice(1), io));
} else {
  const { runTesseraPush } = await import('../run-tessera-push.js');
  process.exitCode = await runTesseraPush(args, io);
}
