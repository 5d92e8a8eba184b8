import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repositoryCollectorPackages } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The README says what can be installed: its collector table is the collector packages that exist,
// no more (a collector announced before it is here) and no fewer (one added without a line).
describe('the root README', () => {
  it('lists exactly the collector packages of the repository, each linked to its folder', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = /^## Collectors\n([\s\S]*?)^## /m.exec(readme)?.[1];
    expect(section, 'README.md has a "## Collectors" section').toBeDefined();
    const rows = [...section!.matchAll(/^\| `([a-z][a-z0-9-]*)` \| \[`(@tessera\/collector-[a-z0-9-]+)`\]\(packages\/(collector-[a-z0-9-]+)\) \|/gm)];
    expect(rows.map((row) => row[2]).sort()).toEqual(repositoryCollectorPackages());
    for (const [, key, name, directory] of rows) {
      expect(name).toBe(`@tessera/${directory}`);
      expect(name).toBe(`@tessera/collector-${key}`);
    }
  });
});
