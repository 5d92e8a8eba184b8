import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../src/client/concurrency-limit.js';
import { FlashBladeConnectionError, FlashBladeHttpError, FlashBladeLoginError, FlashBladeResponseError, FlashBladeTimeoutError } from '../src/client/errors.js';
import { rateLimitDelayMs } from '../src/client/flashblade-client.js';
import { clientOf, NEVER, newAgent, startSimulator } from './support/simulators.js';

/** A reason object that can only come from the test's own AbortController. */
class TestAbort extends Error {}

describe('FlashBladeClient against the simulator', () => {
  describe('versions and sessions', () => {
    it('uses the newest REST 2.x version the array serves, or the one configured', async () => {
      const simulator = await startSimulator({ apiVersion: '2.7' });
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      expect(client.apiVersion).toBe('2.7');
      const { client: pinned } = clientOf(simulator, { apiVersion: '2.3' });
      await pinned.first('/arrays', {}, NEVER);
      expect(pinned.apiVersion).toBe('2.3');
      expect(simulator.stats.calls('GET /arrays')).toBe(2);
    });

    it('refuses a configured version the array does not serve, naming both', async () => {
      const simulator = await startSimulator({ apiVersion: '2.4' });
      const { client } = clientOf(simulator, { apiVersion: '2.9' });
      const error = await client.first('/arrays', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeResponseError);
      expect((error as Error).message).toMatch(/^FlashBlade 127\.0\.0\.1:\d+: GET \/api\/api_version answered with versions 1\.0, .*2\.4: REST 2\.9, set in apiVersion, is not among them$/);
    });

    it('logs in once and keeps the session across calls and collections', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      await Promise.all([client.first('/arrays', {}, NEVER), client.list('/hardware', {}, NEVER), client.list('/alerts', {}, NEVER)]);
      await client.list('/file-systems', {}, NEVER);
      expect(simulator.stats.logins).toBe(1);
      expect(simulator.stats.calls('GET /api_version')).toBe(1);
      expect(client.logins).toBe(1);
    });

    it('logs in again once when the session expired, and the call that met the 401 still returns its data', async () => {
      const simulator = await startSimulator({ fileSystems: 4 });
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      simulator.expireSessions();
      const names = (await client.list('/file-systems', {}, NEVER)).map((item) => item.name);
      expect(names).toEqual(['fs-00000', 'fs-00001', 'fs-00002', 'fs-00003']);
      expect(simulator.stats.calls('GET /file-systems', 401)).toBe(1);
      expect(simulator.stats.logins).toBe(2);
      expect(simulator.stats.calls('GET /api_version')).toBe(1);
    });

    it('shares one new login among every call that met the expired session', async () => {
      const simulator = await startSimulator({ latencyMs: 20 });
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      simulator.expireSessions();
      await Promise.all(['/arrays', '/hardware', '/alerts', '/object-store-accounts', '/nfs-export-policies'].map((path) => client.list(path, {}, NEVER)));
      expect(simulator.stats.logins).toBe(2);
    });

    it('gives up after one re-login: a second 401 is an error, not a loop', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      simulator.setFault({ kind: 'status', endpoint: '/hardware', status: 401, message: 'Not allowed.' });
      const error = await client.list('/hardware', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeHttpError);
      expect((error as FlashBladeHttpError).status).toBe(401);
      expect(simulator.stats.calls('GET /hardware')).toBe(2);
      expect(simulator.stats.logins).toBe(2);
    });

    it('reads the token at each login, so a rotated token file is used after the session expires', async () => {
      const simulator = await startSimulator();
      const tokens = ['T-stale', simulator.apiToken];
      let reads = 0;
      const { client } = clientOf(simulator, { apiToken: () => Promise.resolve(tokens[Math.min(reads++, 1)] ?? '') });
      await expect(client.first('/arrays', {}, NEVER)).rejects.toBeInstanceOf(FlashBladeLoginError);
      await expect(client.first('/arrays', {}, NEVER)).resolves.toMatchObject({ name: 'fb-sim01' });
      expect(reads).toBe(2);
    });

    it('reports a refused token with the array and the login call, never the token', async () => {
      const simulator = await startSimulator();
      const token = 'T-11111111-2222-3333-4444-555555555555';
      const { client } = clientOf(simulator, { apiToken: () => Promise.resolve(token) });
      const error = await client.list('/hardware', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeLoginError);
      expect((error as Error).message).toMatch(/^FlashBlade 127\.0\.0\.1:\d+: POST \/api\/login refused the login with HTTP 401: The API token is not valid\. \(check the API token and its user's role\)$/);
      expect((error as Error).message).not.toContain(token);
      expect(JSON.stringify(error)).not.toContain(token);
      expect(simulator.stats.calls('GET /hardware')).toBe(0);
    });

    it('logs out at close, once, and refuses calls afterwards', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      expect(simulator.activeSessions).toBe(1);
      await client.close();
      await client.close();
      expect(simulator.activeSessions).toBe(0);
      expect(simulator.stats.logouts).toBe(1);
      await expect(client.first('/arrays', {}, NEVER)).rejects.toThrow(/closed/);
    });

    it('closes without a logout when it never logged in', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      await client.close();
      expect(simulator.stats.calls()).toBe(0);
    });
  });

  describe('lists', () => {
    it('follows continuation_token to the end of a list longer than a page', async () => {
      const simulator = await startSimulator({ fileSystems: 25, pageSize: 10 });
      const { client } = clientOf(simulator);
      const items = await client.list('/file-systems', {}, NEVER);
      expect(new Set(items.map((item) => item.name)).size).toBe(25);
      expect(simulator.stats.calls('GET /file-systems', 200)).toBe(3);
    });

    it('sends its own page size as limit', async () => {
      const simulator = await startSimulator({ fileSystems: 25, record: true });
      const { client } = clientOf(simulator, { pageSize: 4 });
      expect(await client.list('/file-systems', { destroyed: false }, NEVER)).toHaveLength(25);
      const pages = simulator.exchanges.filter((exchange) => exchange.path.startsWith('/api/2.12/file-systems'));
      expect(pages).toHaveLength(7);
      expect(pages[0]?.path).toBe('/api/2.12/file-systems?destroyed=false&limit=4');
    });

    it('pages by offset where the endpoint has no continuation token, and warns when a list cannot page', async () => {
      const simulator = await startSimulator({ pageSize: 3, clients: 5 });
      const { client, logs } = clientOf(simulator);
      expect(await client.list('/hardware-connectors/performance', {}, NEVER, { paging: 'offset' })).toHaveLength(8);
      expect(await client.list('/arrays/clients/performance', {}, NEVER, { paging: 'none', identity: (item) => String(item.name) })).toHaveLength(3);
      expect(logs.map((log) => log.message)).toContainEqual(expect.stringMatching(/\/arrays\/clients\/performance has no paging and returned 3 of 5 items/));
    });

    it('splits a names list so that every request target fits the bound, each name asked once', async () => {
      const simulator = await startSimulator({ fileSystems: 300, record: true });
      const { client } = clientOf(simulator, { maxRequestTargetLength: 600 });
      const names = Array.from({ length: 300 }, (_unused, index) => `fs-${String(index).padStart(5, '0')}`);
      const items = await client.listNamed('/file-systems/performance', { protocol: 'NFS' }, 'names', names, NEVER);
      expect(items.map((item) => item.name).sort()).toEqual(names);
      const calls = simulator.exchanges.filter((exchange) => exchange.path.includes('/file-systems/performance'));
      expect(calls.length).toBeGreaterThan(5);
      expect(Math.max(...calls.map((call) => call.path.length))).toBeLessThanOrEqual(600);
    });

    it('asks for a batch again without an object that disappeared since it was listed', async () => {
      const simulator = await startSimulator({ buckets: 4 });
      const { client } = clientOf(simulator);
      const items = await client.listNamed('/buckets/performance', {}, 'names', ['bucket-00000', 'bucket-gone', 'bucket-00003'], NEVER);
      expect(items.map((item) => item.name)).toEqual(['bucket-00000', 'bucket-00003']);
      expect(simulator.stats.calls('GET /buckets/performance', 400)).toBe(1);
    });

    it('makes no call for an empty names list', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      expect(await client.listNamed('/buckets/performance', {}, 'names', [], NEVER)).toEqual([]);
      expect(simulator.stats.calls()).toBe(0);
    });
  });

  describe('failures', () => {
    it('fails a call that answers 500 with the array, the call and the API message; other calls go on', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      simulator.setFault({ kind: 'status', endpoint: '/buckets', status: 500, message: 'Buckets are unavailable.' });
      const error = await client.list('/buckets', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeHttpError);
      expect((error as Error).message).toMatch(/^FlashBlade 127\.0\.0\.1:\d+: GET \/api\/2\.12\/buckets answered HTTP 500: Buckets are unavailable\.$/);
      expect(await client.list('/hardware', {}, NEVER)).not.toHaveLength(0);
      expect(client.requestCounts()).toContainEqual({ endpoint: '/buckets', outcome: '500', count: 1 });
    });

    it('tries a 503 once more', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      simulator.setFault({ kind: 'status', endpoint: '/hardware', status: 503, times: 1 });
      await expect(client.list('/hardware', {}, NEVER)).resolves.not.toHaveLength(0);
      expect(simulator.stats.calls('GET /hardware')).toBe(2);
    });

    it('waits out a 429 as its headers say, then succeeds', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      simulator.setFault({ kind: 'rate-limit', endpoint: '/alerts', retryAfterSeconds: 0, times: 2 });
      await expect(client.list('/alerts', {}, NEVER)).resolves.not.toHaveLength(0);
      expect(simulator.stats.calls('GET /alerts', 429)).toBe(2);
      expect(simulator.stats.calls('GET /alerts', 200)).toBe(1);
    });

    it('gives up on a call the array keeps rate-limiting', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      simulator.setFault({ kind: 'rate-limit', endpoint: '/alerts', retryAfterSeconds: 0 });
      const error = await client.list('/alerts', {}, NEVER).catch((caught: unknown) => caught);
      expect((error as FlashBladeHttpError).status).toBe(429);
      expect(simulator.stats.calls('GET /alerts', 429)).toBe(4);
    });

    it('times a hung call out after the request timeout, and counts it', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator, { requestTimeoutMs: 300 });
      await client.first('/arrays', {}, NEVER);
      simulator.setFault({ kind: 'hang', endpoint: '/hardware' });
      const error = await client.list('/hardware', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeTimeoutError);
      expect((error as Error).message).toMatch(/GET \/api\/2\.12\/hardware got no answer within 0\.3 s$/);
      expect(client.requestCounts()).toContainEqual({ endpoint: '/hardware', outcome: 'timeout', count: 1 });
    });

    it('reports a body that is not JSON, and goes on with the next call', async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      simulator.setFault({ kind: 'malformed-json', endpoint: '/alerts', times: 1 });
      await expect(client.list('/alerts', {}, NEVER)).rejects.toThrow(/GET \/api\/2\.12\/alerts answered with a body that is not JSON/);
      await expect(client.list('/alerts', {}, NEVER)).resolves.not.toHaveLength(0);
    });

    it('reports a refused connection', async () => {
      const simulator = await startSimulator();
      await simulator.close();
      const { client } = clientOf(simulator);
      const error = await client.first('/arrays', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeConnectionError);
      expect((error as Error).message).toMatch(/GET \/api\/api_version failed: .*ECONNREFUSED/);
    });

    it('verifies the array certificate against the configured CA, and refuses it without', async () => {
      const simulator = await startSimulator({ tls: true });
      const { client } = clientOf(simulator);
      await expect(client.first('/arrays', {}, NEVER)).resolves.toMatchObject({ name: 'fb-sim01' });
      const { client: untrusting } = clientOf(simulator, { dispatcher: newAgent() });
      const error = await untrusting.first('/arrays', {}, NEVER).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FlashBladeConnectionError);
      expect((error as Error).message).toMatch(/certificate|self[- ]signed/i);
    });
  });

  describe('cancellation and concurrency', () => {
    it("rejects with the caller's reason when its signal fires mid-call, and the next call works", async () => {
      const simulator = await startSimulator();
      const { client } = clientOf(simulator);
      await client.first('/arrays', {}, NEVER);
      simulator.setFault({ kind: 'hang', endpoint: '/hardware', times: 1 });
      const controller = new AbortController();
      const pending = client.list('/hardware', {}, controller.signal);
      const reason = new TestAbort('stop');
      await expect.poll(() => simulator.stats.inFlight, { timeout: 5000 }).toBe(1);
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await expect(client.list('/hardware', {}, NEVER)).resolves.not.toHaveLength(0);
    });

    it("rejects with the caller's reason while a login it waits for is under way, without spoiling that login", async () => {
      const simulator = await startSimulator();
      simulator.setFault({ kind: 'latency', endpoint: '/login', ms: 300, times: 1 });
      const { client } = clientOf(simulator);
      const controller = new AbortController();
      const waiting = client.first('/arrays', {}, controller.signal);
      const patient = client.first('/hardware', {}, NEVER);
      const reason = new TestAbort('deadline');
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      await expect(patient).resolves.toBeDefined();
      expect(simulator.stats.logins).toBe(1);
    });

    it('keeps at most maxConcurrentRequests calls in flight', async () => {
      const simulator = await startSimulator({ fileSystems: 200, latencyMs: 30 });
      const { client } = clientOf(simulator, { maxConcurrentRequests: 3, maxRequestTargetLength: 300 });
      await client.first('/arrays', {}, NEVER);
      simulator.stats.reset();
      const names = Array.from({ length: 200 }, (_unused, index) => `fs-${String(index).padStart(5, '0')}`);
      await client.listNamed('/file-systems/performance', {}, 'names', names, NEVER);
      expect(simulator.stats.calls()).toBeGreaterThan(10);
      expect(simulator.stats.maxInFlight).toBe(3);
    });
  });
});

describe('rateLimitDelayMs', () => {
  it('follows Retry-After in seconds or as a date, then the spent window', () => {
    expect(rateLimitDelayMs({ 'retry-after': '3' })).toBe(3000);
    expect(rateLimitDelayMs({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() })).toBeGreaterThan(50_000);
    expect(rateLimitDelayMs({ 'x-ratelimit-remaining-minute': '0', 'x-ratelimit-remaining-second': '0' })).toBe(60_000);
    expect(rateLimitDelayMs({ 'x-ratelimit-remaining-second': '0', 'x-ratelimit-remaining-minute': '12' })).toBe(1000);
    expect(rateLimitDelayMs({})).toBe(1000);
  });
});

describe('ConcurrencyLimit', () => {
  it('hands slots out in arrival order and lets an aborted waiter leave the queue', async () => {
    const limit = new ConcurrencyLimit(1);
    const first = await limit.acquire(NEVER);
    const controller = new AbortController();
    const order: string[] = [];
    const aborted = limit.acquire(controller.signal).then(() => order.push('aborted'));
    const second = limit.acquire(NEVER).then((release) => {
      order.push('second');
      return release;
    });
    controller.abort(new TestAbort('gone'));
    await expect(aborted).rejects.toBeInstanceOf(TestAbort);
    first();
    first();
    (await second)();
    expect(order).toEqual(['second']);
    expect(limit.held).toBe(0);
  });
});
