import { createServer, type Server } from 'node:net';
import { defineCollector, defineMetric, type CollectOptions } from '@tessera/collector-api';
import { parseText } from '@tessera/exposition';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { bearerToken } from '../src/http/compatibility-routes.js';
import { captureLogger } from './helpers.js';

// An array-like source whose anchor exporter served `/metrics/<group>?endpoint=<array>`: the plugin
// declares those shapes, each route a subset (a group), the instance chosen by its `endpoint`.
const capacity = defineMetric({ name: 'array_capacity_bytes', type: 'gauge', help: 'Capacity of the array.', labelNames: ['type'] });
const health = defineMetric({ name: 'array_health', type: 'gauge', help: 'Health of the array.', labelNames: [] });
const info = defineMetric({ name: 'array_info', type: 'gauge', help: 'Which array.', labelNames: ['name'] });

/** Every collect() call's options, per instance, in order. */
const calls: { instance: string; options: CollectOptions | undefined }[] = [];

/** The plugin; `takesBearer: false` leaves out the bearer check, so a request carrying a token is refused. */
function arraysPlugin({ takesBearer }: { readonly takesBearer: boolean }) {
  return defineCollector({
    specificationVersion: 'v1',
    name: 'arrays',
    description: 'Storage arrays, one instance each.',
    defaultEnabled: false,
    instanceLabel: 'array',
    compatibilityRoutes: { routes: { space: ['space'], health: ['health'] }, instanceParameter: 'endpoint', instanceConfigKey: 'endpoint' },
    configSchema: z.strictObject({ endpoint: z.string(), capacity: z.number(), token: z.string().optional() }),
    metrics: [capacity, health, info],
    create: (config, context) => ({
      async collect(sink, _signal, options) {
        calls.push({ instance: context.instance, options });
        const groups = options?.subset ?? ['space', 'health'];
        // The anchor's info family comes with every path.
        sink.add(info, { name: context.instance }, 1);
        if (groups.includes('space')) sink.add(capacity, { type: 'usable' }, config.capacity);
        if (groups.includes('health')) sink.add(health, {}, 1);
        return Promise.resolve();
      },
      // Accepts the array's own token when the config names one; refuses any other, and all without.
      ...(takesBearer
        ? { checkBearerToken: (token: string) => Promise.resolve(config.token === undefined ? 'this instance takes no bearer token' : token === config.token ? undefined : 'not the token configured for this array') }
        : {}),
    }),
  });
}
const arrays = arraysPlugin({ takesBearer: true });

let exporter: Exporter | undefined;
let listener: Server | undefined;
afterEach(async () => {
  calls.length = 0;
  await exporter?.close();
  exporter = undefined;
  await new Promise<void>((resolve) => (listener === undefined ? resolve() : listener.close(() => resolve())));
  listener = undefined;
});

async function start(plugin = arrays, entries: Record<string, unknown>[] = [
  { instance: 'a', endpoint: 'fb-a.example.com', capacity: 1000, token: 'T-a' },
  { instance: 'b', endpoint: 'fb-b.example.com', capacity: 2000 },
]): Promise<Exporter> {
  exporter = await createExporter({ config: { collectors: { arrays: entries } }, plugins: { arrays: plugin }, onlySuppliedPlugins: true, logger: captureLogger().logger });
  return exporter;
}

const samplesOf = (body: string, name: string) => parseText(body).find((family) => family.name === name)?.samples.map(({ labels, value }) => ({ labels, value }));

describe('compatibility routes', () => {
  it("serve the instance the parameter names, collecting only the route's subset, in the anchor's shape with its self-metrics", async () => {
    const served = await start();
    const response = await served.app.inject({ url: '/metrics/arrays/space?endpoint=fb-b.example.com' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samplesOf(response.body, 'array_capacity_bytes')).toEqual([{ labels: { type: 'usable' }, value: 2000 }]);
    expect(samplesOf(response.body, 'array_info')).toEqual([{ labels: { name: 'b' }, value: 1 }]);
    expect(samplesOf(response.body, 'array_health')).toBeUndefined();
    expect(response.body).not.toContain('array="');
    expect(response.body).not.toContain('process_');
    expect(samplesOf(response.body, 'tessera_scrape_collector_success')).toEqual([{ labels: { collector: 'arrays', collector_instance: 'b' }, value: 1 }]);
    expect(calls).toEqual([{ instance: 'b', options: { subset: ['space'] } }]);

    const health = await served.app.inject({ url: '/metrics/arrays/health?endpoint=fb-a.example.com' });
    expect(samplesOf(health.body, 'array_health')).toEqual([{ labels: {}, value: 1 }]);
    expect(samplesOf(health.body, 'array_capacity_bytes')).toBeUndefined();
    // /metrics still collects everything, without options, for every instance.
    const all = await served.app.inject({ url: '/metrics' });
    expect(all.body).toContain('array_capacity_bytes{array="a",type="usable"} 1000\n');
    expect(calls.slice(2).map(({ options }) => options)).toEqual([undefined, undefined]);
  });

  it('keep collections of different subsets apart, and share one among concurrent requests for the same subset', async () => {
    const served = await start(arrays, [{ instance: 'a', endpoint: 'fb-a.example.com', capacity: 1000, cacheTtlSeconds: 60 }]);
    const urls = ['/metrics/arrays/space?endpoint=fb-a.example.com', '/metrics/arrays/space?endpoint=fb-a.example.com', '/metrics/arrays/health?endpoint=fb-a.example.com', '/metrics'];
    const responses = await Promise.all(urls.map((url) => served.app.inject({ url })));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200]);
    expect(samplesOf(responses[2]?.body ?? '', 'array_capacity_bytes')).toBeUndefined();
    expect(calls.map(({ options }) => options?.subset?.join(',') ?? 'all').sort()).toEqual(['all', 'health', 'space']);
    await served.app.inject({ url: '/metrics/arrays/space?endpoint=fb-a.example.com' });
    expect(calls).toHaveLength(3);
  });

  it('refuse a missing parameter and an endpoint that is not configured with 400, naming the configured ones, and never connect anywhere', async () => {
    let connections = 0;
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener?.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = await (await start()).listen('127.0.0.1:0');
    const refusals: [string, RegExp][] = [
      [`/metrics/arrays/space?endpoint=127.0.0.1:${port}`, /^endpoint "127\.0\.0\.1:\d+" is not a configured arrays endpoint: configured are fb-a\.example\.com, fb-b\.example\.com\n$/],
      [`/metrics/arrays/space?endpoint=${encodeURIComponent(`http://127.0.0.1:${port}`)}`, /^endpoint "http:\/\/127\.0\.0\.1:\d+" is not a configured arrays endpoint/],
      // An instance name is not an endpoint.
      ['/metrics/arrays/space?endpoint=a', /^endpoint "a" is not a configured arrays endpoint/],
      ['/metrics/arrays/space', /^endpoint parameter is missing: \/metrics\/arrays\/space\?endpoint=<the endpoint of a configured arrays instance>\n$/],
      ['/metrics/arrays/space?endpoint=fb-a.example.com&endpoint=fb-b.example.com', /^endpoint parameter is missing/],
    ];
    for (const [path, expected] of refusals) {
      const response = await request(`${url}${path}`, { headers: { authorization: `Bearer T-b` } });
      expect(response.statusCode, path).toBe(400);
      expect(await response.body.text(), path).toMatch(expected);
    }
    const unknownRoute = await request(`${url}/metrics/arrays/volumes?endpoint=fb-a.example.com`);
    expect(unknownRoute.statusCode).toBe(404);
    await unknownRoute.body.dump();
    expect(connections).toBe(0);
    expect(calls).toEqual([]);
  });

  it("pass a bearer token to the collector to accept or refuse, and serve requests without one or with the host's own scheme", async () => {
    const served = await start();
    const inject = (endpoint: string, authorization?: string) => served.app.inject({ url: `/metrics/arrays/space?endpoint=${endpoint}`, headers: authorization === undefined ? {} : { authorization } });
    expect((await inject('fb-a.example.com', 'Bearer T-a')).statusCode).toBe(200);
    expect((await inject('fb-a.example.com', 'bearer   T-a ')).statusCode).toBe(200);
    const wrong = await inject('fb-a.example.com', 'Bearer T-b');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toBe('bearer token refused for arrays/a: not the token configured for this array\n');
    const notTaken = await inject('fb-b.example.com', 'Bearer T-b');
    expect(notTaken.statusCode).toBe(401);
    expect(notTaken.body).toBe('bearer token refused for arrays/b: this instance takes no bearer token\n');
    expect((await inject('fb-a.example.com', 'Bearer ')).body).toBe('bearer token refused for arrays/a: the bearer token is empty\n');
    expect((await inject('fb-b.example.com')).statusCode).toBe(200);
    expect((await inject('fb-b.example.com', 'Basic dXNlcjpwYXNz')).statusCode).toBe(200);
    // Only the accepted requests collected.
    expect(calls.map(({ instance }) => instance)).toEqual(['a', 'a', 'b', 'b']);
  });

  it('refuse a bearer token for a collector that takes none', async () => {
    const served = await start(arraysPlugin({ takesBearer: false }));
    const refused = await served.app.inject({ url: '/metrics/arrays/space?endpoint=fb-a.example.com', headers: { authorization: 'Bearer T-a' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toBe('bearer token refused for arrays/a: collector arrays takes no bearer token in the request: remove the authorization from the scrape config\n');
  });

  it('read the bearer token of an Authorization header, whatever the case of its scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('BEARER  abc ')).toBe('abc');
    expect(bearerToken('Bearer')).toBe('');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
