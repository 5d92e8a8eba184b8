import { describe, expect, it } from 'vitest';
import { checkPackageMetadata, isCollectorPackageName } from '../src/index.js';
import { makePlugin } from './plugin-factory.js';

const goodPackage = {
  name: 'tessera-collector-demo',
  type: 'module',
  sideEffects: false,
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
  keywords: ['tessera-collector'],
  peerDependencies: { '@tessera/collector-api': '^0.1.0' },
};

describe('checkPackageMetadata', () => {
  it('passes a package shaped as the host expects', () => {
    expect(checkPackageMetadata(makePlugin(), goodPackage)).toEqual([]);
  });

  it('reports each missing piece', () => {
    expect(
      checkPackageMetadata(makePlugin(), {
        name: 'demo-exporter',
        exports: './dist/index.js',
        keywords: ['prometheus'],
        dependencies: { '@tessera/collector-api': '^0.1.0' },
      }),
    ).toEqual([
      'package.json: name demo-exporter does not resolve to collector demo (use @tessera/collector-demo, tessera-collector-demo or @scope/tessera-collector-demo)',
      'package.json: "type" must be "module" (collectors are ESM only)',
      'package.json: "exports" must be an object with a "." entry ({ "types": …, "import": … })',
      'package.json: "sideEffects" must be false (importing a collector must not do anything)',
      'package.json: "keywords" must include "tessera-collector"',
      'package.json: "@tessera/collector-api" must be a peerDependency (the host provides the one copy of the contract)',
    ]);
  });

  it('requires types first among the export conditions, and an import condition', () => {
    expect(checkPackageMetadata(makePlugin(), { ...goodPackage, exports: { '.': { import: './i.js', types: './i.d.ts' } } })).toEqual([
      'package.json: "exports"["."]: "types" must be the first condition (TypeScript reads conditions in order)',
    ]);
    expect(checkPackageMetadata(makePlugin(), { ...goodPackage, exports: { '.': { require: './i.cjs' } } })).toEqual([
      'package.json: "exports"["."] has no "types" condition',
      'package.json: "exports"["."] has no "import" (or "default") condition',
    ]);
  });

  it('reports a default export that is not a plugin of this specification', () => {
    expect(checkPackageMetadata({ ...makePlugin(), specificationVersion: 'v0' }, goodPackage)).toEqual([
      'plugin: specificationVersion "v0" is not supported (this host supports "v1")',
    ]);
  });
});

describe('isCollectorPackageName', () => {
  it.each([
    ['@tessera/collector-node', 'node', true],
    ['tessera-collector-demo', 'demo', true],
    ['@acme/tessera-collector-demo', 'demo', true],
    ['@acme/collector-demo', 'demo', false],
    ['tessera-collector-demo2', 'demo', false],
    ['tessera-collector-a.b', 'a-b', false],
  ])('%s for collector %s: %s', (packageName, collectorName, expected) => {
    expect(isCollectorPackageName(packageName, collectorName)).toBe(expected);
  });
});
