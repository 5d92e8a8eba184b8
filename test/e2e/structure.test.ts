import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Structure rules enforced by tooling rather than review (one package one job, every collector
// shaped alike, nothing CI would silently stop counting).
const root = fileURLToPath(new URL('../..', import.meta.url));

interface PackageJson {
  name: string;
  private?: boolean;
  keywords?: string[];
  scripts?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const workspacePackages = ['packages', 'apps', 'tooling'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(group, name))
    .filter((directory) => existsSync(join(root, directory, 'package.json'))),
);
const readPackage = (directory: string): PackageJson => JSON.parse(readFileSync(join(root, directory, 'package.json'), 'utf8')) as PackageJson;
const collectorPackages = workspacePackages.filter((directory) => /^packages\/collector-(?!api$|testkit$)/.test(directory));

describe('repository structure', () => {
  it('references every TypeScript package from the root tsconfig', () => {
    const references = (JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { references: { path: string }[] }).references.map(
      (reference) => reference.path,
    );
    const typescriptPackages = workspacePackages.filter((directory) => existsSync(join(root, directory, 'tsconfig.json')));
    expect([...references].sort()).toEqual([...typescriptPackages].sort());
  });

  it.each(workspacePackages)('%s: published packages have a README, and tests report to CI', (directory) => {
    const pkg = readPackage(directory);
    if (!pkg.private) expect(existsSync(join(root, directory, 'README.md'))).toBe(true);
    if (existsSync(join(root, directory, 'test')) && readdirSync(join(root, directory, 'test')).some((file) => file.endsWith('.test.ts'))) {
      expect(pkg.scripts?.test).toContain('--outputFile.json=test-results/vitest.json');
    }
  });

  it.each(collectorPackages)('%s: is shaped like a collector package', (directory) => {
    const pkg = readPackage(directory);
    const shortName = directory.slice('packages/collector-'.length);
    expect(pkg.name).toBe(`@tessera/collector-${shortName}`);
    expect(pkg.keywords).toContain('tessera-collector');
    expect(pkg.peerDependencies?.['@tessera/collector-api']).toBeDefined();
    for (const file of ['README.md', 'sample.config.yaml', 'test/conformance.test.ts']) {
      expect(existsSync(join(root, directory, file)), `${directory}/${file}`).toBe(true);
    }
  });

  it('has at least one collector package', () => {
    expect(collectorPackages.length).toBeGreaterThan(0);
  });
});
