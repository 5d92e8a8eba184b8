import { afterEach, describe, expect, it } from 'vitest';
import { startArkoudaSimulator, type ArkoudaSimulator } from '../src/index.js';
import { encodeRequest, TestClient } from './helpers.js';

let simulator: ArkoudaSimulator | undefined;
const clients: TestClient[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  simulator?.close();
  simulator = undefined;
});

async function start(timeoutMs = 5000, locales = 1): Promise<{ client: TestClient; shortClient: () => TestClient }> {
  simulator = await startArkoudaSimulator({ locales });
  const url = simulator.servers[0]!.url;
  const open = (ms: number): TestClient => {
    const client = new TestClient(url, ms);
    clients.push(client);
    return client;
  };
  return { client: open(timeoutMs), shortClient: () => open(300) };
}

const NO_REPLY = expect.objectContaining({ code: 'EAGAIN' });

/**
 * The first answer `client` gets after a restart. A request it sends before it noticed the restart
 * goes down the closed connection and is lost, as with a real server; after that timeout the client
 * opens a new socket, which is answered.
 */
async function afterRestart<T>(client: TestClient, ask: () => Promise<T>): Promise<T> {
  client.timeoutMs = 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe('a wedged daemon', () => {
  it.each([
    ['RESPONSE_TIME, an enum member the daemon has no case for', encodeRequest('metrics', 'RESPONSE_TIME')],
    ['a category that is no enum member', encodeRequest('metrics', 'AVG_MEMORY_USED')],
    ['metrics without a category', JSON.stringify({ user: 'u', token: '', cmd: 'metrics', format: 'STRING', args: '[]', size: 0 })],
    ['a request without its size field', JSON.stringify({ user: 'u', token: '', cmd: 'getconfig', format: 'STRING', args: '' })],
    ['plain-string args sent to a JSON-args server', JSON.stringify({ user: 'u', token: '', cmd: 'metrics', format: 'STRING', args: 'ALL', size: 1 })],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
  ])('stops answering after %s, for every client, until restarted', async (_, frame) => {
    const { shortClient } = await start();
    const first = shortClient();
    await expect(first.raw(frame)).rejects.toEqual(NO_REPLY);
    expect(simulator!.servers[0]!.wedgedBy).toBeDefined();
    // A new connection is accepted, but its request is never answered.
    await expect(shortClient().ask('getconfig')).rejects.toEqual(NO_REPLY);
    await simulator!.servers[0]!.restart();
    expect(simulator!.servers[0]!.wedgedBy).toBeUndefined();
    expect((await afterRestart(first, () => first.ask('getconfig'))).msgType).toBe('NORMAL');
  });

  it('answers again after unwedge(), keeping its counters', async () => {
    const { client, shortClient } = await start();
    const total = async (each: TestClient): Promise<number> => (await each.metrics('NUM_REQUESTS')).find((record) => record.name === 'total')!.value as number;
    const before = await total(client);
    simulator!.servers[0]!.wedge();
    await expect(total(shortClient())).rejects.toEqual(NO_REPLY);
    simulator!.servers[0]!.unwedge();
    expect(await total(client)).toBe(before + 1);
    expect(simulator!.servers[0]!.requests).toEqual({ 'metrics:NUM_REQUESTS': 3 });
  });

  it('restarts with zeroed counters and a new set of locales on the same port', async () => {
    const { client } = await start(5000, 2);
    const server = simulator!.servers[0]!;
    const port = server.port;
    const localeNames = async (): Promise<string[]> =>
      (await client.metrics('SYSTEM')).filter((record) => record.name === 'arkouda_memory_used_per_locale').map((record) => record.locale_name as string);
    for (let round = 0; round < 3; round++) await client.metrics('NUM_REQUESTS');
    const before = await localeNames();
    expect(before).toEqual(['nid00001', 'nid00002']);
    await server.restart({ locales: 3 });
    expect(server.port).toBe(port);
    expect(await afterRestart(client, localeNames)).toEqual(['nid00003', 'nid00004', 'nid00005']);
    const total = (await client.metrics('NUM_REQUESTS')).find((record) => record.name === 'total')!.value as number;
    // The default 8 commands once at start, then one per metrics request since the restart.
    expect(total).toBe(8 + 2);
  });
});

describe('reply switches', () => {
  it('delays replies by the latency set', async () => {
    const { client } = await start();
    simulator!.servers[0]!.setLatency(150);
    const started = performance.now();
    await client.ask('getconfig');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers metrics with an ERROR reply or an empty msg when told to, and getconfig normally', async () => {
    const { client } = await start();
    const server = simulator!.servers[0]!;
    server.setMetricsReply('error');
    const error = await client.ask('metrics', 'ALL');
    expect(error.msgType).toBe('ERROR');
    expect(error.msg).toMatch(/^Error executing command metrics: /);
    server.setMetricsReply('empty');
    expect(await client.ask('metrics', 'ALL')).toMatchObject({ msg: '', msgType: 'NORMAL' });
    expect((await client.ask('getconfig')).msg).toMatch(/^\{"arkoudaVersion"/);
  });
});

describe('the v2022.08 era', () => {
  it('reads the category as a plain string, and is wedged by JSON arguments', async () => {
    simulator = await startArkoudaSimulator({ era: '2022.08' });
    const client = new TestClient(simulator.servers[0]!.url, 300);
    clients.push(client);
    const plain = JSON.parse(await client.raw(JSON.stringify({ user: 'u', token: '', cmd: 'metrics', format: 'STRING', args: 'ALL', size: -1 }))) as { msg: string };
    expect((JSON.parse(plain.msg) as unknown[]).length).toBeGreaterThan(0);
    expect(JSON.parse((await client.ask('getconfig')).msg)).toMatchObject({ arkoudaVersion: 'v2022.08.15' });
    await expect(client.ask('metrics', 'ALL')).rejects.toEqual(NO_REPLY);
    expect(simulator.servers[0]!.wedgedBy).toMatch(/illegal cast/);
  });
});
