import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseConfigDocument } from '../src/index.js';
import { captureStreams } from './helpers.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tessera-config-defects-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

/** Runs `tessera check-config` on a config text: exit code and stderr lines. */
async function checkConfig(text: string): Promise<{ code: number; lines: string[]; stdout: string }> {
  const file = join(directory, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  const streams = captureStreams();
  const code = await main([`--config=${file}`, 'check-config'], streams);
  return { code, lines: streams.stderrText().split('\n').filter((line) => line !== ''), stdout: streams.stdoutText() };
}

describe('configuration documents that are not plain data', () => {
  it('refuses a __proto__ key instead of letting it set the settings of every section', async () => {
    const result = await checkConfig('__proto__: {web: {listenAddress: "127.0.0.1:18978"}}\n');
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([expect.stringMatching(/config-\w+\.yaml: __proto__: the key __proto__ is not allowed$/)]);
    const nested = await checkConfig('web:\n  __proto__: {listenAddress: "127.0.0.1:18978"}\n');
    expect(nested.lines).toEqual([expect.stringMatching(/: web\.__proto__: the key __proto__ is not allowed$/)]);
    // From a program too (JSON.parse makes __proto__ an own key).
    expect(() => parseConfigDocument(JSON.parse('{"__proto__": {"web": {"listenAddress": ":1"}}}'), 'tessera.yaml')).toThrow('tessera.yaml: __proto__: the key __proto__ is not allowed');
  });

  it('takes a key named like an Object.prototype member as the name it is', async () => {
    const result = await checkConfig('collectors:\n  constructor: {}\n');
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([expect.stringMatching(/: collectors\.constructor: collector "constructor" is not installed: no package @tessera\/collector-constructor or tessera-collector-constructor found/)]);
  });

  it('reports an alias cycle and an alias bomb on one line naming the file, with exit code 2', async () => {
    const cycle = await checkConfig('web: &w {a: *w}\n');
    expect(cycle.code).toBe(2);
    expect(cycle.lines).toEqual([expect.stringMatching(/config-\w+\.yaml: web\.a: this value contains itself \(a YAML alias that refers to its own ancestor\)$/)]);
    const levels = ['a: &a [1,1,1,1,1,1,1,1,1,1]'];
    for (const name of ['b', 'c', 'd', 'e', 'f']) {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      levels.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(',')}]`);
    }
    const bomb = await checkConfig(`${levels.join('\n')}\n`);
    expect(bomb.code).toBe(2);
    expect(bomb.lines).toEqual([expect.stringMatching(/config-\w+\.yaml: Excessive alias count indicates a resource exhaustion attack$/)]);
  });

  it('keeps a key with a line break on the one line of the message, quoted', async () => {
    const result = await checkConfig('collectors:\n  "no\\nde": {}\n');
    expect(result.code).toBe(2);
    expect(result.lines).toHaveLength(1);
    expect(result.lines[0]).toMatch(/: collectors\["no\\nde"\]: "no\\nde" does not name a collector/);
  });

  it('lists the valid keys of the section the unknown key is in, not of the entry', async () => {
    const nested = await checkConfig('collectors:\n  node:\n    netdev: {a: 1}\n');
    expect(nested.lines).toEqual([expect.stringMatching(/: collectors\.node\.netdev\.a: unknown key \(valid keys: deviceExclude, deviceInclude\)$/)]);
    const top = await checkConfig('collectors:\n  node:\n    bogus: 1\n');
    expect(top.lines).toEqual([expect.stringMatching(/: collectors\.node\.bogus: unknown key \(valid keys: collectors, cpu, .*, instance, enabled, timeoutSeconds, cacheTtlSeconds\)$/)]);
  });

  it('cuts a huge value to 80 characters in the message', async () => {
    const result = await checkConfig(`log:\n  format: "${'y'.repeat(10 * 1024 * 1024)}"\n`);
    expect(result.code).toBe(2);
    expect(result.lines).toEqual([expect.stringMatching(/: log\.format: .*received "y{80}"… \(10485760 characters\)$/)]);
  });
});
