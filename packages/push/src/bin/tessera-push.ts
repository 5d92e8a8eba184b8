#!/usr/bin/env node
import { runTesseraPush } from '../run-tessera-push.js';

process.exitCode = await runTesseraPush(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
