import { createServer } from 'node:net';
import { createRecordingLogger, type LogRecord } from '@tessera/collector-testkit';
import { startArkoudaSimulator, type ArkoudaSimulator, type ArkoudaSimulatorOptions, type EraName } from '@tessera/sim-arkouda';
import { afterEach, describe, expect, it } from 'vitest';
import { Reply } from 'zeromq';
import { ArkoudaClient } from '../src/arkouda-client.js';
import { ArkoudaError } from '../src/errors.js';
import type { ArkoudaSnapshot } from '../src/snapshot.js';

/** Long enough for a loaded 2-core machine to answer, short enough to keep the wedge tests quick. */
const TIMEOUT_MS = 1000;
const SAFE_REQUESTS = ['getconfig', 'metrics:ALL', 'metrics:SERVER_INFO'];

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

interface Setup {
  readonly simulator: ArkoudaSimulator;
  readonly client: ArkoudaClient;
  readonly logs: LogRecord[];
  readonly poll: (signal?: AbortSignal) => Promise<ArkoudaSnapshot>;
  readonly failure: () => Promise<ArkoudaError>;
}

function clientFor(url: string, logs: LogRecord[]): ArkoudaClient {
  const client = new ArkoudaClient({
    url,
    serverName: 'research',
    requestTimeoutMs: TIMEOUT_MS,
    logger: createRecordingLogger(logs, {}),
    clock: { now: () => Date.now(), monotonic: () => performance.now() },
  });
  cleanups.push(() => client.close());
  return client;
}

async function setUp(options: ArkoudaSimulatorOptions = {}): Promise<Setup> {
  const simulator = await startArkoudaSimulator(options);
  cleanups.push(() => simulator.close());
  const logs: LogRecord[] = [];
  const client = clientFor(simulator.servers[0]!.url, logs);
  const poll = (signal = new AbortController().signal): Promise<ArkoudaSnapshot> => client.poll(signal);
  const failure = async (): Promise<ArkoudaError> => {
    const error = await poll().then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ArkoudaError);
    return error as ArkoudaError;
  };
  return { simulator, client, logs, poll, failure };
}

function expectOnlySafeRequests(simulator: ArkoudaSimulator): void {
  for (const server of simulator.servers) {
    expect(Object.keys(server.requests).filter((key) => !SAFE_REQUESTS.includes(key)), server.name).toEqual([]);
    expect(server.wedgedBy, server.name).toBeUndefined();
  }
}

describe('polling a metrics daemon', () => {
  it('reads getconfig and SERVER_INFO once, then metrics ALL on every poll, and finds every category in it', async () => {
    const { simulator, poll } = await setUp({ locales: 4, users: 3, commands: 6, connections: 2 });
    const first = await poll();
    const second = await poll();
    expect(simulator.servers[0]!.requests).toEqual({ getconfig: 1, 'metrics:SERVER_INFO': 1, 'metrics:ALL': 2 });
    expect(first.server.locales.map((locale) => locale.num)).toEqual(['0', '1', '2', '3']);
    expect(first.memoryUsed.map(({ locale }) => locale.name)).toEqual(first.server.locales.map((locale) => locale.name));
    expect(first.requestsPerCommand.size).toBe(6);
    for (const perCommand of [first.responseTimes, first.averageResponseTimes, first.totalResponseTimes, first.totalMemoryUsed]) expect(perCommand.size).toBe(6);
    expect([...first.userTotals.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    expect(first.connections).toBe(2);
    expect(first.totalErrors).toBe(0);
    // Counters grow as the server works: three users ran one command each between the polls.
    expect(second.totalRequests).toBe(first.totalRequests! + 3);
    expect(Math.abs(first.reportedTimestampMs! - Date.now())).toBeLessThan(60_000);
    expectOnlySafeRequests(simulator);
  });

  it.each<EraName>(['2022.09', '2023.04', '2024.04'])('reads the replies of the %s era', async (era) => {
    const { simulator, poll } = await setUp({ era, users: 2, commands: 10 });
    for (let round = 0; round < 4; round++) await poll();
    const snapshot = await poll();
    expect(snapshot.totalRequests).toBeGreaterThan(0);
    expect(snapshot.userTotals.size).toBe(2);
    if (era === '2022.09') expect(snapshot.averageResponseTimes.size).toBe(0);
    else expect(snapshot.averageResponseTimes.size).toBe(10);
    if (era === '2024.04') expect(snapshot.errorsPerType.size).toBeGreaterThan(0);
    expectOnlySafeRequests(simulator);
  });

  it('never sends metrics to a server older than v2022.09.30, whose daemon JSON arguments would stop', async () => {
    const { simulator, failure } = await setUp({ era: '2022.08' });
    const error = await failure();
    expect(error.reason).toBe('unsupported_version');
    expect(error.message).toContain('Arkouda v2022.08.15 reads metrics arguments as a plain string (before v2022.09.30)');
    expect(simulator.servers[0]!.requests).toEqual({ getconfig: 1 });
    expect(simulator.servers[0]!.wedgedBy).toBeUndefined();
  });
});

describe('probing a metrics daemon', () => {
  it('asks getconfig on a connection of its own and leaves the polling socket alone', async () => {
    const { simulator, client, poll } = await setUp();
    await poll();
    const config = await client.probe(new AbortController().signal);
    expect(config.arkoudaVersion).toBe('v2024.10.02');
    expect(simulator.servers[0]!.requests).toEqual({ getconfig: 2, 'metrics:SERVER_INFO': 1, 'metrics:ALL': 1 });
    // The next poll goes on over the socket it had: no new getconfig.
    await poll();
    expect(simulator.servers[0]!.requests).toEqual({ getconfig: 2, 'metrics:SERVER_INFO': 1, 'metrics:ALL': 2 });
    expect(client.socketsOpened).toBe(1);
  });

  it('rejects with why the daemon cannot be polled: no reply, or a release that would be stopped by metrics arguments', async () => {
    const wedged = await setUp();
    wedged.simulator.servers[0]!.wedge();
    await expect(wedged.client.probe(new AbortController().signal)).rejects.toMatchObject({ reason: 'timeout', message: expect.stringMatching(/^getconfig: no reply within 1 s/) as unknown });
    const old = await setUp({ era: '2022.08' });
    await expect(old.client.probe(new AbortController().signal)).rejects.toMatchObject({ reason: 'unsupported_version' });
    expect(old.simulator.servers[0]!.requests).toEqual({ getconfig: 1 });
  });
});

describe('a server that fails', () => {
  it('times out on a wedged daemon, replaces the socket, and reads the server again once it answers', async () => {
    const { simulator, client, poll, failure } = await setUp();
    await poll();
    const server = simulator.servers[0]!;
    server.wedge();
    const started = performance.now();
    const error = await failure();
    expect(error.reason).toBe('timeout');
    expect(error.message).toBe('metrics ALL: no reply within 1 s (the metrics daemon is down, or wedged by a request it could not read)');
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    // The socket was closed; the next poll starts over on a new one, with getconfig (a new socket may reach a restarted server).
    expect(client.socketsOpened).toBe(1);
    expect(await failure()).toMatchObject({ reason: 'timeout', message: expect.stringMatching(/^getconfig: no reply within 1 s/) as unknown });
    expect(client.socketsOpened).toBe(2);
    server.unwedge();
    const snapshot = await poll();
    expect(snapshot.totalRequests).toBeGreaterThan(0);
    expect(client.socketsOpened).toBe(3);
    expect(server.requests['metrics:SERVER_INFO']).toBe(2);
    expectOnlySafeRequests(simulator);
  });

  it('notices a restart with another locale set and reads the server info again', async () => {
    const { simulator, poll, logs } = await setUp({ locales: 2 });
    await poll();
    await poll();
    const before = await poll();
    await simulator.servers[0]!.restart({ locales: 3 });
    // A request that went out just before the old process's socket closed is lost with it: that poll times out, the next one reads the new server.
    let after: ArkoudaSnapshot | undefined;
    for (let attempt = 0; attempt < 3 && after === undefined; attempt++) after = await poll().catch(() => undefined);
    if (after === undefined) throw new Error('no poll succeeded after the restart');
    expect(before.server.locales.map((locale) => locale.name)).toEqual(['nid00001', 'nid00002']);
    expect(after.server.locales.map((locale) => locale.name)).toEqual(['nid00003', 'nid00004', 'nid00005']);
    expect(after.memoryUsed.map(({ locale }) => locale.name)).toEqual(['nid00003', 'nid00004', 'nid00005']);
    expect(after.totalRequests).toBeLessThan(before.totalRequests!);
    expect(logs.filter((record) => record.message === 'read the Arkouda server info').length).toBeGreaterThanOrEqual(2);
  });

  it('fails with the server text on an ERROR reply, and on an empty msg, and recovers without reconnecting', async () => {
    const { simulator, client, poll, failure } = await setUp();
    await poll();
    const server = simulator.servers[0]!;
    server.setMetricsReply('error');
    const error = await failure();
    expect(error.reason).toBe('error_reply');
    expect(error.message).toBe('metrics ALL: the server answered ERROR: Error executing command metrics: the simulated server arkouda-1 refused category ALL');
    server.setMetricsReply('empty');
    expect((await failure()).reason).toBe('empty_reply');
    server.setMetricsReply('normal');
    await poll();
    expect(client.socketsOpened).toBe(1);
    expect(server.requests.getconfig).toBe(1);
  });

  it('ignores categories it does not know and logs each once', async () => {
    const { poll, logs } = await setUp({ extraCategories: ['QUEUE_DEPTH', 'GPU_USAGE'] });
    const snapshot = await poll();
    await poll();
    expect(snapshot.totalRequests).toBeGreaterThan(0);
    const warnings = logs.filter((record) => record.level === 'warn').map((record) => record.message);
    expect(warnings).toEqual([
      'ignoring category QUEUE_DEPTH: not among the Arkouda metrics this collector knows (a newer server?)',
      'ignoring category GPU_USAGE: not among the Arkouda metrics this collector knows (a newer server?)',
    ]);
  });

  it('reports a port nobody listens on as unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const client = clientFor(`tcp://127.0.0.1:${port}`, []);
    const error = (await client.poll(new AbortController().signal).catch((rejection: unknown) => rejection)) as ArkoudaError;
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe('getconfig: no connection within 1 s');
  });

  it('reports a peer that answers something else than Arkouda replies as malformed', async () => {
    const peer = new Reply({ linger: 0 });
    await peer.bind('tcp://127.0.0.1:0');
    cleanups.push(() => peer.close());
    void (async () => {
      for await (const _ of peer) await peer.send('HTTP/1.1 400 Bad Request');
    })().catch(() => undefined);
    const client = clientFor(peer.lastEndpoint!, []);
    const error = (await client.poll(new AbortController().signal).catch((rejection: unknown) => rejection)) as ArkoudaError;
    expect(error.reason).toBe('malformed_reply');
    expect(error.message).toMatch(/^getconfig: the reply is not JSON \(.*\): HTTP\/1\.1 400 Bad Request$/);
  });

  it('stops waiting as soon as its signal fires, and polls normally afterwards', async () => {
    const { simulator, client, poll } = await setUp();
    simulator.servers[0]!.setLatency(1500);
    const controller = new AbortController();
    const polling = poll(controller.signal);
    const reason = new Error('scrape deadline');
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    await expect(polling).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1000);
    simulator.servers[0]!.setLatency(0);
    // The daemon answers one request at a time: it finishes the abandoned one before it reads ours.
    let snapshot: ArkoudaSnapshot | undefined;
    for (let attempt = 0; attempt < 4 && snapshot === undefined; attempt++) snapshot = await poll().catch(() => undefined);
    expect(snapshot?.totalRequests).toBeGreaterThan(0);
    expect(client.socketsOpened).toBeGreaterThanOrEqual(2);
  });
});
