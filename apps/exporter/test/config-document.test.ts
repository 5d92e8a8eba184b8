import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile, parseConfigDocument } from '../src/index.js';
import { substituteEnvironment } from '../src/config/substitute-environment.js';

function problem(document: unknown, environment: Record<string, string> = {}): string {
  try {
    parseConfigDocument(document, 'tessera.yaml', environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('parseConfigDocument', () => {
  it('applies defaults to an empty document and to YAML null', () => {
    const expected = {
      web: { listenAddress: ':8900', disableExporterMetrics: false, maxRequests: 40 },
      paths: { procfs: '/proc', sysfs: '/sys', rootfs: '/' },
      log: { level: 'info', format: 'json' },
      scrape: { timeoutSeconds: 10, timeoutMarginSeconds: 0.5 },
      collectors: {},
    };
    expect(parseConfigDocument(undefined, 'tessera.yaml')).toEqual(expected);
    expect(parseConfigDocument({ collectors: null }, 'tessera.yaml')).toEqual(expected);
  });

  it('keeps collector entries as the file has them, a null entry as {}', () => {
    const config = parseConfigDocument({ collectors: { node: null, flashblade: [{ instance: 'a', endpoint: 'x' }], bar: { enabled: false } } }, 'f.yaml');
    expect(config.collectors).toEqual({ node: {}, flashblade: [{ instance: 'a', endpoint: 'x' }], bar: { enabled: false } });
  });

  it('names the file, the key path and the expectation in one line', () => {
    expect(problem({ web: { maxRequests: -1 } })).toBe('tessera.yaml: web.maxRequests: expected number to be >=0');
    expect(problem({ web: { maxRequests: 1.5 } })).toBe('tessera.yaml: web.maxRequests: expected int, received number');
    expect(problem({ logs: {} })).toBe('tessera.yaml: logs: unknown key (valid keys: web, paths, log, scrape, collectors)');
    expect(problem({ log: { level: 'loud' } })).toBe('tessera.yaml: log.level: expected one of "trace"|"debug"|"info"|"warn"|"error", received "loud"');
    expect(problem({ web: { listenAddress: '8900' } })).toBe('tessera.yaml: web.listenAddress: expected host:port, :port or [ipv6]:port, received "8900"');
    expect(problem(['a'])).toBe('tessera.yaml: expected a mapping of sections, received a list');
    expect(problem({ collectors: ['node'] })).toBe('tessera.yaml: collectors: expected a mapping of collector names to settings, received a list');
    expect(problem({ collectors: { node: 'yes' } })).toBe('tessera.yaml: collectors.node: expected a mapping of settings (or a list of them), received "yes"');
    expect(problem({ collectors: { node: { timeoutSeconds: 0 } } })).toBe('tessera.yaml: collectors.node.timeoutSeconds: expected number to be >0');
    expect(problem({ collectors: { fb: [{ instance: 'a' }, { instance: 'a' }] } })).toBe('tessera.yaml: collectors.fb[1].instance: instance "a" is already used by entry [0]');
    expect(problem({ collectors: { fb: { apiToken: '${TOKEN}' } } })).toBe('tessera.yaml: collectors.fb.apiToken: environment variable TOKEN is not set');
  });

  it('substitutes ${NAME} in string values only, with $${ as an escape', () => {
    const environment = { TOKEN: 's3cret', HOST: 'array-a' };
    expect(substituteEnvironment({ a: 'https://${HOST}/x', b: ['${TOKEN}'], '${HOST}': 1, c: 'cost: $${HOST} $5' }, environment)).toEqual({
      a: 'https://array-a/x',
      b: ['s3cret'],
      '${HOST}': 1,
      c: 'cost: ${HOST} $5',
    });
  });
});

describe('tessera.example.yaml', () => {
  it('validates and documents exactly the defaults', async () => {
    const example = await loadConfigFile(fileURLToPath(new URL('../tessera.example.yaml', import.meta.url)), { required: true });
    const defaults = parseConfigDocument({}, 'tessera.yaml');
    expect({ ...example, collectors: {} }).toEqual(defaults);
    expect(Object.keys(example.collectors)).toEqual(['node', '@acme/tessera-collector-bar']);
  });
});

describe('loadConfigFile', () => {
  it('reports YAML syntax errors as file:line:col and reads a valid file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-config-'));
    try {
      const file = join(directory, 'broken.yaml');
      await writeFile(file, 'web:\n  listenAddress: ":1"\n collectors: {}\n');
      await expect(loadConfigFile(file, { required: true })).rejects.toThrow(/broken\.yaml:3:\d+: /);
      await writeFile(file, 'web:\n  listenAddress: "127.0.0.1:${PORT}"\n');
      expect((await loadConfigFile(file, { environment: { PORT: '9' } })).web.listenAddress).toBe('127.0.0.1:9');
      expect((await loadConfigFile(join(directory, 'absent.yaml'))).web.listenAddress).toBe(':8900');
      await expect(loadConfigFile(join(directory, 'absent.yaml'), { required: true })).rejects.toThrow(/absent\.yaml: file not found$/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
