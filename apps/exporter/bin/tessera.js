#!/usr/bin/env node
// The `tessera` bin. This launcher is committed, unlike the compiled program it hands over to, so
// that package managers can link the bin in a fresh clone before anything is built.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const program = new URL('../dist/bin/tessera.js', import.meta.url);
if (!existsSync(program)) {
  process.stderr.write(
    `tessera: ${fileURLToPath(program)} does not exist: @tessera/exporter has not been built.\n` +
      'From the repository root, run `pnpm tessera ...` (it builds first) or `pnpm build`.\n',
  );
  process.exit(1);
}
await import(program.href);
