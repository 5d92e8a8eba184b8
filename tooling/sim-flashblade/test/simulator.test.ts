import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlashBladeSimulator, type FlashBladeSimulator, type FlashBladeSimulatorOptions } from '../src/index.js';
import { RestSession } from './helpers.js';

const running: FlashBladeSimulator[] = [];

async function start(options: FlashBladeSimulatorOptions = {}): Promise<{ simulator: FlashBladeSimulator; session: RestSession }> {
  const simulator = await startFlashBladeSimulator(options);
  running.push(simulator);
  return { simulator, session: new RestSession(simulator) };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

describe('versions and sessions', () => {
  it('lists its REST versions in ascending order without a login, 1.x included', async () => {
    const { session } = await start({ apiVersion: '2.5' });
    const reply = await session.send('GET', '/api/api_version');
    expect(reply.status).toBe(200);
    expect(reply.body.versions.slice(-3)).toEqual(['2.3', '2.4', '2.5']);
    expect(reply.body.versions[0]).toBe('1.0');
  });

  it('logs in with the api-token header and answers x-auth-token; a wrong or missing token is a 401 with an errors body', async () => {
    const { simulator, session } = await start();
    const good = await session.login();
    expect(good.status).toBe(200);
    expect(session.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(good.body).toEqual({ items: [{ username: 'pureuser' }] });

    const wrong = await session.send('POST', '/api/login', { 'api-token': 'T-00000000-0000-0000-0000-000000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ errors: [{ context: null, message: 'The API token is not valid.' }] });
    expect(wrong.headers['x-auth-token']).toBeUndefined();
    expect((await session.send('POST', '/api/login')).status).toBe(401);
    expect(simulator.stats.logins).toBe(1);
  });

  it('refuses data calls without a session, with an expired one and after logout', async () => {
    const { simulator, session } = await start();
    expect((await session.get('/arrays')).status).toBe(401);
    await session.login();
    expect((await session.get('/arrays')).status).toBe(200);
    simulator.expireSessions();
    const expired = await session.get('/arrays');
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0]?.message).toMatch(/expired/);

    await session.login();
    expect(simulator.activeSessions).toBe(1);
    expect((await session.send('POST', '/api/logout', { 'x-auth-token': session.token ?? '' })).status).toBe(200);
    expect(simulator.activeSessions).toBe(0);
    expect(simulator.stats.logouts).toBe(1);
    expect((await session.get('/arrays')).status).toBe(401);
  });

  it('expires a session left idle longer than its idle timeout, on its own clock', async () => {
    let now = 1_700_000_000_000;
    const { session } = await start({ sessionIdleTimeoutMs: 60_000, clock: () => now });
    await session.login();
    now += 60_000;
    expect((await session.get('/arrays')).status).toBe(200);
    now += 60_001;
    expect((await session.get('/arrays')).status).toBe(401);
  });

  it('serves an endpoint only from the REST version that introduced it, and no version beyond its newest', async () => {
    const { session } = await start({ apiVersion: '2.2' });
    await session.login();
    const headers = { 'x-auth-token': session.token ?? '' };
    expect((await session.send('GET', '/api/2.2/hardware', headers)).status).toBe(200);
    expect((await session.send('GET', '/api/2.2/nfs-export-policies', headers)).status).toBe(404);
    expect((await session.send('GET', '/api/2.3/hardware', headers)).status).toBe(404);
    expect((await session.send('GET', '/api/2.2/no-such-thing', headers)).status).toBe(404);
  });
});

describe('list semantics', () => {
  it('pages with continuation_token to the end, each object once, at most pageSize per page', async () => {
    const { session } = await start({ fileSystems: 25, pageSize: 10 });
    await session.login();
    const first = await session.get('/file-systems?limit=1000');
    expect(first.body.items).toHaveLength(10);
    expect(first.body.total_item_count).toBe(25);
    expect(typeof first.body.continuation_token).toBe('string');
    const names = (await session.all('/file-systems')).map((item) => item.name);
    expect(names).toHaveLength(25);
    expect(new Set(names).size).toBe(25);
    expect((await session.get('/file-systems?limit=4')).body.items).toHaveLength(4);
  });

  it('refuses a continuation token used with another query, and a malformed one', async () => {
    const { session } = await start({ fileSystems: 5, pageSize: 2 });
    await session.login();
    const { continuation_token: token } = (await session.get('/file-systems')).body;
    expect((await session.get(`/buckets?continuation_token=${token}`)).status).toBe(400);
    expect((await session.get('/file-systems?continuation_token=garbage')).status).toBe(400);
  });

  it('selects by names and ids; an unknown name is a 400 whose context names it', async () => {
    const { session } = await start({ buckets: 3 });
    await session.login();
    const picked = await session.get('/buckets?names=bucket-00002,bucket-00000');
    expect(picked.body.items.map((item) => item.name)).toEqual(['bucket-00002', 'bucket-00000']);
    const byId = await session.get(`/buckets?ids=${picked.body.items[0]?.id}`);
    expect(byId.body.items[0]?.name).toBe('bucket-00002');
    const unknown = await session.get('/buckets?names=bucket-00000,nope');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ errors: [{ context: 'nope', message: 'The bucket does not exist.' }] });
    expect((await session.get('/buckets?names=a&ids=b')).status).toBe(400);
  });

  it('lists destroyed objects only as asked with destroyed=', async () => {
    const { session } = await start({ fileSystems: 3, destroyedFileSystems: 2, buckets: 2, destroyedBuckets: 1 });
    await session.login();
    expect((await session.all('/file-systems')).length).toBe(5);
    expect((await session.all('/file-systems?destroyed=false')).every((item) => item.destroyed === false)).toBe(true);
    expect((await session.all('/file-systems?destroyed=true')).map((item) => item.name)).toEqual(['fs-destroyed-00000', 'fs-destroyed-00001']);
    expect((await session.all('/buckets?destroyed=false')).length).toBe(2);
    expect((await session.get('/buckets?destroyed=maybe')).status).toBe(400);
  });

  it('applies filter expressions and refuses malformed ones', async () => {
    const { session } = await start();
    await session.login();
    const open = await session.all(`/alerts?filter=${encodeURIComponent("state='open'")}`);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((alert) => alert.state === 'open')).toBe(true);
    const all = await session.all('/alerts');
    expect(all.length).toBeGreaterThan(open.length);
    const critical = await session.all(`/alerts?filter=${encodeURIComponent("state='open' and (severity='critical' or code=1)")}`);
    expect(critical.map((alert) => alert.severity)).toEqual(['critical']);
    const malformed = await session.get(`/alerts?filter=${encodeURIComponent("state='open")}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]?.context).toBe('filter');
  });

  it('answers total_only and a summed total: an object for space lists, a one-element array for performance', async () => {
    const { session } = await start({ fileSystems: 4 });
    await session.login();
    const list = await session.get('/file-systems');
    const virtual = list.body.items.reduce((sum, item) => sum + (item.space.virtual ?? 0), 0);
    expect(list.body.total).toMatchObject({ name: null, space: { virtual } });
    const only = await session.get('/file-systems?total_only=true');
    expect(only.body.items).toEqual([]);
    expect(only.body.total_item_count).toBe(4);
    const performance = await session.get('/file-systems/performance?protocol=NFS');
    expect(Array.isArray(performance.body.total)).toBe(true);
    expect(performance.body.total).toHaveLength(1);
  });

  it('pages the clients list only by limit, and the connectors list by offset', async () => {
    const { session } = await start({ clients: 30, pageSize: 20 });
    await session.login();
    const clients = await session.get('/arrays/clients/performance');
    expect(clients.body.items).toHaveLength(20);
    expect(clients.body.total_item_count).toBe(30);
    expect(clients.body.continuation_token).toBeNull();
    expect((await session.get('/arrays/clients/performance?offset=20')).status).toBe(400);
    const connectors = await session.get('/hardware-connectors/performance?limit=3&offset=3');
    expect(connectors.body.items).toHaveLength(3);
    expect(connectors.body.continuation_token).toBeNull();
  });

  it('refuses parameters the endpoint does not take, bad enumerations and usage lists without a file system', async () => {
    const { session } = await start();
    await session.login();
    expect((await session.get('/arrays?colour=blue')).body.errors[0]).toEqual({ context: 'colour', message: 'Unsupported query parameter colour.' });
    expect((await session.get('/arrays/performance?protocol=nfs')).status).toBe(400);
    expect((await session.get('/arrays/space?type=disk')).status).toBe(400);
    expect((await session.get('/usage/users')).status).toBe(400);
    expect((await session.get('/usage/users?file_system_names=fs-00001')).status).toBe(200);
  });

  it('serves null space fields where asked, the array-level physical usage included', async () => {
    const { session } = await start({ fileSystems: 5, nullSpaceFields: true });
    await session.login();
    const fileSystems = await session.all('/file-systems');
    expect(fileSystems[1]?.space.data_reduction).toBeNull();
    expect(fileSystems[1]?.provisioned).toBeNull();
    expect(fileSystems[0]?.space.data_reduction).toEqual(expect.any(Number));
    expect((await session.get('/arrays/space?type=array')).body.items[0]?.space.total_physical).toBeNull();
    expect((await session.get('/arrays/space?type=file-system')).body.items[0]?.space.total_physical).toEqual(expect.any(Number));
  });

  it('decodes continuous replication like an array: periodic, continuous with its backlog, aggregate', async () => {
    const { session } = await start();
    await session.login();
    const sample = (await session.get('/arrays/performance/replication')).body.items[0]!;
    expect(sample.continuous.transmitted_bytes_per_sec).toBeGreaterThan(0);
    expect(sample.aggregate.transmitted_bytes_per_sec).toBeCloseTo((sample.periodic.transmitted_bytes_per_sec ?? 0) + (sample.continuous.transmitted_bytes_per_sec ?? 0), 1);
  });
});

describe('values over time', () => {
  it('answers the same at the same instant, and rates and space move as the clock does', async () => {
    let now = 1_700_000_000_000;
    const { session } = await start({ fileSystems: 2, clock: () => now });
    await session.login();
    const sample = async (): Promise<{ reads: number; virtual: number }> => ({
      reads: (await session.get('/file-systems/performance?names=fs-00000&protocol=NFS')).body.items[0]!.reads_per_sec,
      virtual: (await session.get('/file-systems?names=fs-00000')).body.items[0]!.space.virtual ?? 0,
    });
    const first = await sample();
    expect(await sample()).toEqual(first);
    now += 3 * 86_400_000 + 7_000;
    // Three days idle: the session expired with them.
    expect((await session.get('/arrays')).status).toBe(401);
    await session.login();
    const later = await sample();
    expect(later.reads).not.toBe(first.reads);
    expect(later.virtual).toBeGreaterThan(first.virtual);
  });
});

describe('faults', () => {
  it('answers a per-endpoint status with the API error body, for as many calls as asked', async () => {
    const { simulator, session } = await start();
    await session.login();
    simulator.setFault({ kind: 'status', endpoint: '/buckets', status: 500, times: 1 });
    const failed = await session.get('/buckets');
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ errors: [{ context: null, message: 'Internal error.' }] });
    expect((await session.get('/buckets')).status).toBe(200);
    simulator.setFault({ kind: 'status', endpoint: '/hardware', status: 404, message: 'Not here.' });
    expect((await session.get('/hardware')).status).toBe(404);
    expect((await session.get('/hardware')).status).toBe(404);
    expect((await session.get('/alerts')).status).toBe(200);
    simulator.clearFaults();
    expect((await session.get('/hardware')).status).toBe(200);
    expect(simulator.stats.calls('GET /buckets', 500)).toBe(1);
    expect(simulator.stats.calls('/hardware', 404)).toBe(2);
  });

  it('hangs an endpoint until the client gives up, counting the call as unanswered', async () => {
    const { simulator, session } = await start();
    await session.login();
    simulator.setFault({ kind: 'hang', endpoint: '/hardware' });
    await expect(session.get('/hardware', AbortSignal.timeout(300))).rejects.toThrow();
    await expect.poll(() => simulator.stats.calls('GET /hardware', 0), { timeout: 10_000 }).toBe(1);
    expect((await session.get('/alerts')).status).toBe(200);
  });

  it('answers 429 with the rate-limit headers, and Retry-After when given', async () => {
    const { simulator, session } = await start();
    await session.login();
    simulator.setFault({ kind: 'rate-limit', endpoint: '/arrays', window: 'minute', retryAfterSeconds: 2, times: 1 });
    const limited = await session.get('/arrays');
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-remaining-minute']).toBe('0');
    expect(limited.headers['x-ratelimit-limit-second']).toEqual(expect.any(String));
    expect(limited.headers['retry-after']).toBe('2');
    expect((await session.get('/arrays')).status).toBe(200);
  });

  it('rate-limits by a per-second budget when configured', async () => {
    const { session } = await start({ rateLimitPerSecond: 1 });
    await session.login();
    const replies = await Promise.all(Array.from({ length: 8 }, () => session.get('/arrays')));
    const limited = replies.filter((reply) => reply.status === 429);
    // The login took the second's budget, unless the calls crossed into the next second.
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]?.headers['x-ratelimit-remaining-second']).toBe('0');
    expect(limited[0]?.headers['x-ratelimit-limit-second']).toBe('1');
  });

  it('cuts a body in half, rejects every login, and delays answers when asked', async () => {
    const { simulator, session } = await start();
    await session.login();
    simulator.setFault({ kind: 'malformed-json', endpoint: '/alerts', times: 1 });
    const cut = await session.get('/alerts');
    expect(cut.status).toBe(200);
    expect(() => JSON.parse(cut.text) as unknown).toThrow(SyntaxError);
    simulator.setFault({ kind: 'reject-logins', times: 1 });
    expect((await session.login()).status).toBe(401);
    expect((await session.login()).status).toBe(200);
    simulator.setFault({ kind: 'latency', endpoint: '/arrays', ms: 400, times: 1 });
    await expect(session.get('/arrays', AbortSignal.timeout(100))).rejects.toThrow();
  });

  it('repeats the last object of a page at the start of the next when objects shift under a continuation token', async () => {
    const { simulator, session } = await start({ fileSystems: 5, pageSize: 2 });
    await session.login();
    simulator.setFault({ kind: 'shifted-pages', endpoint: '/file-systems', times: 1 });
    const names = (await session.all('/file-systems')).map((item) => item.name);
    expect(names).toEqual(['fs-00000', 'fs-00001', 'fs-00001', 'fs-00002', 'fs-00003', 'fs-00004']);
  });
});

describe('statistics, scale and TLS', () => {
  it('counts calls per endpoint and status, logins, and the most requests in flight at once', async () => {
    const { simulator, session } = await start({ latencyMs: 50 });
    await session.login();
    await Promise.all([session.get('/arrays'), session.get('/alerts'), session.get('/hardware')]);
    await session.get('/nope');
    expect(simulator.stats.byEndpoint()).toEqual({
      'GET /alerts': { 200: 1 },
      'GET /arrays': { 200: 1 },
      'GET /hardware': { 200: 1 },
      'GET /nope': { 404: 1 },
      'POST /login': { 200: 1 },
    });
    expect(simulator.stats.maxInFlight).toBeGreaterThanOrEqual(3);
    expect(simulator.stats.calls()).toBe(5);
    simulator.stats.reset();
    expect(simulator.stats.calls()).toBe(0);
  });

  it('holds 10k file systems and 10k buckets, and pages through them', async () => {
    const { session } = await start({ fileSystems: 10_000, buckets: 10_000 });
    await session.login();
    expect((await session.get('/file-systems?limit=1')).body.total_item_count).toBe(10_000);
    expect((await session.get('/buckets?limit=1')).body.total_item_count).toBe(10_000);
    const names = (await session.all('/buckets')).map((bucket) => bucket.name);
    expect(new Set(names).size).toBe(10_000);
  });

  it('serves HTTPS with a certificate its own CA signed, for 127.0.0.1 and localhost', async () => {
    const { simulator } = await start({ tls: true });
    expect(simulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(simulator.config.ca).toBe(simulator.ca);
    const trusting = new RestSession(simulator, new Agent({ connect: { ca: simulator.ca } }));
    expect((await trusting.send('GET', '/api/api_version')).status).toBe(200);
    const untrusting = new RestSession(simulator, new Agent());
    await expect(untrusting.send('GET', '/api/api_version')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });
});
