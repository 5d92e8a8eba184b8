import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigDocument, referenceForKey } from '../src/index.js';
import { findPackage, packageEntry } from '../src/plugins/find-package.js';
import { suggestedPackage } from '../src/plugins/package-names.js';
import { planCollectors, type PlanInput } from '../src/plugins/plan-collectors.js';

describe('referenceForKey', () => {
  it('maps config keys to a collector name and candidate packages', () => {
    expect(referenceForKey('node')).toEqual({ name: 'node', packages: ['@tessera/collector-node', 'tessera-collector-node'] });
    expect(referenceForKey('foo-bar')).toEqual({ name: 'foo-bar', packages: ['@tessera/collector-foo-bar', 'tessera-collector-foo-bar'] });
    expect(referenceForKey('@acme/bar')).toEqual({ name: 'bar', packages: ['@acme/tessera-collector-bar'] });
    expect(referenceForKey('@acme/tessera-collector-bar')).toEqual({ name: 'bar', packages: ['@acme/tessera-collector-bar'] });
    expect(referenceForKey('tessera-collector-foo')).toEqual({ name: 'foo', packages: ['tessera-collector-foo'] });
    expect(referenceForKey('@tessera/collector-dcgm')).toEqual({ name: 'dcgm', packages: ['@tessera/collector-dcgm'] });
    expect(referenceForKey('@tessera/dcgm')).toEqual({ name: 'dcgm', packages: ['@tessera/collector-dcgm'] });
    expect(referenceForKey('Node')).toMatch(/does not name a collector/);
    expect(referenceForKey('@acme')).toMatch(/does not name a collector/);
  });

  it('suggests the first-party package for builtin names, the third-party one otherwise', () => {
    const suggest = (key: string): string => {
      const reference = referenceForKey(key);
      if (typeof reference === 'string') throw new Error(reference);
      return suggestedPackage(reference);
    };
    expect(suggest('dcgm')).toBe('@tessera/collector-dcgm');
    expect(suggest('foo')).toBe('tessera-collector-foo');
    expect(suggest('@acme/bar')).toBe('@acme/tessera-collector-bar');
  });
});

describe('findPackage and packageEntry', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tessera-resolve-'));
    const install = async (directory: string, manifest: object): Promise<void> => {
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'package.json'), JSON.stringify(manifest));
    };
    await install(join(root, 'node_modules', 'tessera-collector-up'), { name: 'tessera-collector-up', version: '1.0.0', exports: './up.js' });
    await install(join(root, 'project', 'node_modules', '@acme', 'tessera-collector-near'), { name: '@acme/tessera-collector-near', version: '2.0.0', main: 'lib/near.js' });
    await mkdir(join(root, 'project', 'config', 'deep'), { recursive: true });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('walks up node_modules from each start directory in order', async () => {
    const start = join(root, 'project', 'config', 'deep');
    expect(await findPackage('@acme/tessera-collector-near', [start])).toEqual({
      name: '@acme/tessera-collector-near',
      version: '2.0.0',
      directory: join(root, 'project', 'node_modules', '@acme', 'tessera-collector-near'),
      entry: join(root, 'project', 'node_modules', '@acme', 'tessera-collector-near', 'lib', 'near.js'),
    });
    expect((await findPackage('tessera-collector-up', [start]))?.entry).toBe(join(root, 'node_modules', 'tessera-collector-up', 'up.js'));
    expect(await findPackage('tessera-collector-absent', [start, join(root, 'project')])).toBeUndefined();
  });

  it('reads the "." export with node/import/default conditions, else main, else index.js', () => {
    expect(packageEntry({ exports: { '.': { types: './a.d.ts', import: './a.js', require: './a.cjs' } } })).toBe('./a.js');
    expect(packageEntry({ exports: { './package.json': './package.json', '.': './b.js' } })).toBe('./b.js');
    expect(packageEntry({ exports: { require: './c.cjs', default: './c.js' } })).toBe('./c.js');
    expect(packageEntry({ exports: { '.': { node: { import: './d.mjs' }, default: './d.js' } } })).toBe('./d.mjs');
    expect(packageEntry({ exports: { '.': [{ import: './e.js' }, './e.cjs'] } })).toBe('./e.js');
    expect(packageEntry({ main: 'lib/f.js' })).toBe('lib/f.js');
    expect(packageEntry({})).toBe('index.js');
    expect(() => packageEntry({ exports: { '.': { require: './g.cjs' } } })).toThrow(/no importable "." entry/);
  });
});

describe('planCollectors precedence', () => {
  const input = (document: unknown, selection: PlanInput['selection'] = {}): PlanInput => ({
    config: parseConfigDocument(document, 'tessera.yaml'),
    file: 'tessera.yaml',
    supplied: {},
    builtins: ['node', 'dcgm'],
    selection,
  });
  const decisions = (planInput: PlanInput): Record<string, string> =>
    Object.fromEntries(planCollectors(planInput).map((collector) => [collector.reference.name, `${collector.source}:${collector.decision}`]));

  it('enables configured collectors, leaves unmentioned builtins to their default', () => {
    expect(decisions(input({ collectors: { fake: {}, off: { enabled: false } } }))).toEqual({
      fake: 'config:enabled',
      off: 'config:disabled',
      node: 'builtin:default',
      dcgm: 'builtin:default',
    });
  });

  it('lets flags beat the config: --no-collector, --collector, --collector.disable-defaults', () => {
    const document = { collectors: { fake: {}, off: { enabled: false } } };
    expect(decisions(input(document, { disable: ['fake', 'node'] }))).toMatchObject({ fake: 'config:disabled', node: 'builtin:disabled' });
    expect(decisions(input(document, { disableDefaults: true, enable: ['off', 'extra'] }))).toEqual({
      fake: 'config:disabled',
      off: 'config:enabled',
      extra: 'flag:enabled',
      node: 'builtin:disabled',
      dcgm: 'builtin:disabled',
    });
    const forced = planCollectors(input({ collectors: { fb: [{ instance: 'a', enabled: false }, { instance: 'b' }] } }, { enable: ['fb'] }));
    expect(forced[0]?.instances.map((instance) => instance.enabled)).toEqual([true, true]);
  });

  it('refuses two keys naming the same collector', () => {
    expect(() => planCollectors(input({ collectors: { foo: {}, 'tessera-collector-foo': {} } }))).toThrow(
      'tessera.yaml: collectors.tessera-collector-foo: collector "foo" is already configured as collectors.foo',
    );
  });
});
