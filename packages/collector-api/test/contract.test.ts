import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type {
  ConfigError} from '../src/index.js';
import {
  agentOptionsFor,
  defineCollector,
  defineMetric,
  describePluginProblem,
  formatConfigPath,
  isConfigError,
  isNoDataError,
  NoDataError,
  SPECIFICATION_VERSION,
  validateWithSchema,
  type CollectorPlugin,
} from '../src/index.js';

const requests = defineMetric({
  name: 'demo_requests_total',
  type: 'counter',
  help: 'Requests served.',
  labelNames: ['code'],
});

function demoPlugin(overrides: Partial<CollectorPlugin<{ url: string }>> = {}): CollectorPlugin<{ url: string }> {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'demo',
    description: 'A demo collector.',
    defaultEnabled: false,
    configSchema: z.strictObject({ url: z.string().default('http://127.0.0.1:1') }),
    metrics: [requests],
    create: () => ({ collect: () => Promise.resolve() }),
    ...overrides,
  };
}

describe('defineMetric', () => {
  it('freezes the family and its label list', () => {
    expect(Object.isFrozen(requests)).toBe(true);
    expect(Object.isFrozen(requests.labelNames)).toBe(true);
  });

  it.each([
    [{ name: '1bad', type: 'gauge', help: 'x', labelNames: [] }, /not a legal Prometheus name/],
    [{ name: 'ok', type: 'gauge', help: ' ', labelNames: [] }, /HELP text is empty/],
    [{ name: 'ok', type: 'gauge', help: 'x', labelNames: ['a', 'a'] }, /declared twice/],
    [{ name: 'ok', type: 'gauge', help: 'x', labelNames: ['__name'] }, /not legal/],
    [{ name: 'ok', type: 'histogram', help: 'x', labelNames: ['le'] }, /reserved/],
    [{ name: 'ok', type: 'meter', help: 'x', labelNames: [] }, /unknown type/],
  ] as const)('rejects %j', (family, message) => {
    expect(() => defineMetric(family as never)).toThrow(message);
  });
});

describe('defineCollector', () => {
  it('accepts a well-formed plugin and freezes it', () => {
    const plugin = defineCollector(demoPlugin());
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(describePluginProblem(plugin)).toBeUndefined();
  });

  it('refuses an unsupported specificationVersion with both versions named', () => {
    const problem = describePluginProblem({ ...demoPlugin(), specificationVersion: 'v0' });
    expect(problem).toBe('specificationVersion "v0" is not supported (this host supports "v1")');
  });

  it('refuses a family named like the samples of a declared histogram', () => {
    const latency = defineMetric({ name: 'demo_latency_seconds', type: 'histogram', help: 'Latency.', labelNames: [] });
    const count = defineMetric({ name: 'demo_latency_seconds_count', type: 'gauge', help: 'Clashes.', labelNames: [] });
    expect(() => defineCollector(demoPlugin({ metrics: [count, latency] }))).toThrow('metric demo_latency_seconds_count clashes with the samples of demo_latency_seconds');
  });

  it('refuses a bad name, a missing schema and a family declared twice', () => {
    expect(() => defineCollector(demoPlugin({ name: 'Demo' }))).toThrow(/must match/);
    expect(() => defineCollector(demoPlugin({ configSchema: {} as never }))).toThrow(/Standard Schema/);
    expect(() => defineCollector(demoPlugin({ metrics: [requests, requests] }))).toThrow(/declared twice/);
  });
});

describe('compatibilityRoutes', () => {
  const routes = { routes: { array: ['array'], all: [] }, instanceParameter: 'endpoint', instanceConfigKey: 'url' };

  it('accepts routes that map names to subsets, with the parameter and the config key that select an instance', () => {
    expect(describePluginProblem(demoPlugin({ compatibilityRoutes: routes }))).toBeUndefined();
  });

  it.each([
    [{ ...routes, routes: {} }, /must map at least one route name/],
    [{ ...routes, routes: { 'Array/x': ['array'] } }, /route name "Array\/x" must match/],
    [{ ...routes, routes: { array: 'array' } }, /the subset of route array must be a list of strings/],
    [{ ...routes, instanceParameter: '' }, /instanceParameter must be a query parameter name/],
    [{ routes: routes.routes, instanceParameter: 'endpoint' }, /instanceConfigKey must be a config key/],
  ])('refuses %j, naming the collector', (compatibilityRoutes, message) => {
    const problem = describePluginProblem(demoPlugin({ compatibilityRoutes: compatibilityRoutes as never }));
    expect(problem).toMatch(/^collector demo: compatibilityRoutes/);
    expect(problem).toMatch(message);
  });
});

describe('agentOptionsFor', () => {
  it('gives every dispatcher the documented timeouts unless it sets its own', () => {
    expect(agentOptionsFor()).toEqual({ connect: { timeout: 10_000 }, headersTimeout: 30_000, bodyTimeout: 30_000 });
    expect(agentOptionsFor({ connectTimeoutMs: 1000, headersTimeoutMs: 2000, bodyTimeoutMs: 3000 })).toEqual({ connect: { timeout: 1000 }, headersTimeout: 2000, bodyTimeout: 3000 });
  });

  it('passes TLS and connection settings on, copying a CA list', () => {
    const cas = ['-----BEGIN CERTIFICATE-----a', '-----BEGIN CERTIFICATE-----b'] as const;
    const options = agentOptionsFor({ ca: cas, cert: 'c', key: 'k', rejectUnauthorized: false, servername: 'array-a', connections: 4 });
    expect(options).toEqual({
      connect: { ca: [...cas], cert: 'c', key: 'k', rejectUnauthorized: false, servername: 'array-a', timeout: 10_000 },
      connections: 4,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    expect(options.connect.ca).not.toBe(cas);
  });
});

describe('validateWithSchema', () => {
  const schema = z.strictObject({ url: z.url(), retries: z.number().int().default(2) });

  it('applies defaults', async () => {
    await expect(validateWithSchema(schema, { url: 'http://127.0.0.1:9' })).resolves.toEqual({ url: 'http://127.0.0.1:9', retries: 2 });
  });

  it('throws a ConfigError whose path includes the base path', async () => {
    const error = await validateWithSchema(schema, { url: 'http://x', retries: 'two' }, ['collectors', 'demo', 0]).catch((e: unknown) => e);
    expect(isConfigError(error)).toBe(true);
    expect(formatConfigPath((error as ConfigError).path)).toBe('collectors.demo[0].retries');
  });

  it('names an unknown key', async () => {
    const error = (await validateWithSchema(schema, { url: 'http://x', colour: 'red' }).catch((e: unknown) => e)) as ConfigError;
    expect(error.message).toMatch(/colour/);
  });
});

describe('error recognition across package copies', () => {
  it('recognises errors by code, not by class identity', () => {
    const foreign = Object.assign(new Error('no GPU'), { code: 'ERR_TESSERA_NO_DATA' });
    expect(isNoDataError(foreign)).toBe(true);
    expect(isNoDataError(new NoDataError('absent'))).toBe(true);
    expect(isNoDataError(new Error('other'))).toBe(false);
    expect(isConfigError(null)).toBe(false);
  });

  it('formats config paths', () => {
    expect(formatConfigPath([])).toBe('(root)');
    expect(formatConfigPath(['collectors', 'flashblade', 1, 'apiTokenFile'])).toBe('collectors.flashblade[1].apiTokenFile');
  });
});
