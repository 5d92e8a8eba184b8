import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkEmptyConfig,
  checkReadmeIncludesSample,
  checkReservedKeysRejected,
  checkSampleConfig,
  checkUnknownKeyRejected,
  readSampleConfig,
  sampleConfigEntries,
  UNKNOWN_KEY_PROBE,
} from '../src/index.js';
import { makePlugin } from './plugin-factory.js';

const scratch = await mkdtemp(join(tmpdir(), 'testkit-config-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const strict = makePlugin();

describe('checkUnknownKeyRejected', () => {
  it('passes a strict schema: the ConfigError names the key', async () => {
    expect(await checkUnknownKeyRejected(strict, {})).toEqual([]);
  });

  it('reports a schema that accepts unknown keys (z.object strips them silently)', async () => {
    const loose = makePlugin({ configSchema: z.object({ url: z.string().default('x') }) });
    expect(await checkUnknownKeyRejected(loose, {})).toEqual([
      `an unknown key ${UNKNOWN_KEY_PROBE} is accepted by configSchema; use a strict object schema (z.strictObject) so typos fail at startup`,
    ]);
  });

  it('reports a schema that throws instead of returning issues', async () => {
    const throwing = makePlugin({
      configSchema: {
        '~standard': {
          version: 1,
          vendor: 'hand-written',
          validate: (value: unknown) => {
            if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) throw new TypeError('cannot read that');
            return { value };
          },
        },
      },
    });
    expect(await checkUnknownKeyRejected(throwing, {})).toEqual([
      `an unknown key ${UNKNOWN_KEY_PROBE}: validation threw TypeError: cannot read that instead of a ConfigError`,
    ]);
  });

  it('reports a rejection that does not name the key', async () => {
    const vague = makePlugin({
      configSchema: {
        '~standard': {
          version: 1,
          vendor: 'hand-written',
          validate: (value: unknown) => (Object.keys(value as object).length > 0 ? { issues: [{ message: 'invalid' }] } : { value }),
        },
      },
    });
    expect(await checkUnknownKeyRejected(vague, {})).toEqual([
      `an unknown key ${UNKNOWN_KEY_PROBE} is rejected, but the error names neither it nor its path (path (root): invalid)`,
    ]);
  });
});

describe('checkReservedKeysRejected', () => {
  it('passes a schema without host keys', async () => {
    expect(await checkReservedKeysRejected(strict, {})).toEqual([]);
  });

  it('reports each host key the schema accepts', async () => {
    const plugin = makePlugin({ configSchema: z.strictObject({ instance: z.string().optional(), timeoutSeconds: z.number().optional() }) });
    expect(await checkReservedKeysRejected(plugin, {})).toEqual([
      'the host key instance is accepted by configSchema; use a strict object schema (z.strictObject) so typos fail at startup',
      'the host key timeoutSeconds is accepted by configSchema; use a strict object schema (z.strictObject) so typos fail at startup',
    ]);
  });
});

describe('checkEmptyConfig', () => {
  const required = makePlugin({ configSchema: z.strictObject({ url: z.string() }) });

  it('requires {} to validate by default', async () => {
    expect(await checkEmptyConfig(strict)).toEqual([]);
    expect(await checkEmptyConfig(required)).toEqual(['an empty config {} is rejected: url: Invalid input: expected string, received undefined']);
  });

  it('requires {} to be rejected when the collector declares required settings', async () => {
    expect(await checkEmptyConfig(required, false)).toEqual([]);
    expect(await checkEmptyConfig(strict, false)).toEqual(['an empty config {} validates, but emptyConfigValid: false says required settings exist']);
  });
});

describe('sample config', () => {
  it('accepts the entry, a list of entries and a tessera.yaml fragment, without host keys', () => {
    expect(sampleConfigEntries(null, 'demo')).toEqual([{}]);
    expect(sampleConfigEntries({ url: 'x', timeoutSeconds: 3 }, 'demo')).toEqual([{ url: 'x' }]);
    expect(sampleConfigEntries([{ instance: 'a', url: 'x' }, { instance: 'b' }], 'demo')).toEqual([{ url: 'x' }, {}]);
    expect(sampleConfigEntries({ collectors: { demo: { url: 'y' } } }, 'demo')).toEqual([{ url: 'y' }]);
    expect(sampleConfigEntries({ collectors: { demo: null } }, 'demo')).toEqual([{}]);
    expect(() => sampleConfigEntries({ collectors: { other: {} } }, 'demo')).toThrow('collectors has no demo entry');
  });

  it('reads, validates and finds the sample in the README', async () => {
    const text = '## Where the API lives.\nurl: http://array.example\n';
    await writeFile(join(scratch, 'sample.config.yaml'), text);
    const sample = await readSampleConfig(scratch, 'demo');
    expect(sample.entries).toEqual([{ url: 'http://array.example' }]);
    expect(await checkSampleConfig(strict, sample)).toEqual([]);
    expect(checkReadmeIncludesSample(`# Demo\n\n\`\`\`yaml\n${text}\`\`\`\n`, sample)).toEqual([]);
    expect(checkReadmeIncludesSample(undefined, sample)).toEqual(['README.md is missing: document the collector, with sample.config.yaml in its Configuration section']);
    expect(checkReadmeIncludesSample('# Demo\n\n```yaml\nurl: http://array.example\n```\n', sample)).toEqual([
      `README.md does not contain ${sample.file} verbatim: paste the whole file into the Configuration section (a yaml code block)`,
    ]);
  });

  it('reports sample entries that do not validate', async () => {
    const dir = await mkdtemp(join(scratch, 'bad-'));
    await writeFile(join(dir, 'sample.config.yaml'), '- instance: a\n  url: 5\n- instance: b\n  colour: red\n');
    const sample = await readSampleConfig(dir, 'demo');
    expect(await checkSampleConfig(strict, sample)).toEqual([
      `${sample.file} entry 0: url: Invalid input: expected string, received number`,
      `${sample.file} entry 1: (root): Unrecognized key: "colour"`,
    ]);
  });

  it('explains a missing or broken sample file', async () => {
    await expect(readSampleConfig(join(scratch, 'absent'), 'demo')).rejects.toThrow(/sample.config.yaml is missing: every collector ships a sample config/);
    const dir = await mkdtemp(join(scratch, 'broken-'));
    await writeFile(join(dir, 'sample.config.yaml'), 'url: [\n');
    await expect(readSampleConfig(dir, 'demo')).rejects.toThrow(/sample.config.yaml is not valid YAML/);
  });
});
