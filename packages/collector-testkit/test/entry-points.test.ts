import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const source = fileURLToPath(new URL('../src/', import.meta.url));

/** Every bare package a module imports, following relative imports through the source tree. */
function packagesImportedFrom(entry: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(entry)) return packages;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const [, specifier = ''] of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
    if (specifier.startsWith('.')) {
      for (const name of packagesImportedFrom(join(dirname(entry), specifier.replace(/\.js$/, '.ts')), seen)) packages.add(name);
    } else {
      packages.add(specifier);
    }
  }
  return packages;
}

describe('entry points', () => {
  it('keeps the core entry free of vitest, which only the ./vitest entry imports', () => {
    const core = packagesImportedFrom(join(source, 'index.ts'));
    expect([...core].sort()).toEqual(['@tessera/collector-api', '@tessera/exposition', 'node:child_process', 'node:fs', 'node:fs/promises', 'node:module', 'node:os', 'node:path', 'node:url', 'undici', 'yaml']);
    expect(packagesImportedFrom(join(source, 'vitest.ts'))).toContain('vitest');
  });
});
