import { afterEach, describe, expect, it } from 'vitest';
import { startArkoudaSimulator, type ArkoudaSimulator, type ArkoudaSimulatorOptions } from '../src/index.js';
import { TestClient } from './helpers.js';

const FIXED_NOW = new Date(2026, 0, 5, 10, 0, 0).getTime();

let simulator: ArkoudaSimulator | undefined;
let client: TestClient | undefined;

afterEach(() => {
  client?.close();
  simulator?.close();
  client = undefined;
  simulator = undefined;
});

async function start(options: ArkoudaSimulatorOptions = {}): Promise<TestClient> {
  simulator = await startArkoudaSimulator(options);
  client = new TestClient(simulator.servers[0]!.url);
  return client;
}

type MetricRecord = { name: string; category: string; scope: string; timestamp: string; value: number; user?: string; locale_num?: number };

describe('the simulated metrics daemon', () => {
  it('answers getconfig with the server config, in the newest era as a MsgTuple whose user is empty', async () => {
    const ask = await start({ locales: 3 });
    const reply = await ask.ask('getconfig');
    expect(Object.keys(reply)).toEqual(['msg', 'msgType', 'msgFormat', 'user', 'payload']);
    expect(reply).toMatchObject({ msgType: 'NORMAL', msgFormat: 'STRING', user: '', payload: '' });
    const config = JSON.parse(reply.msg) as { arkoudaVersion: string; numLocales: number; LocaleConfigs: { id: number; name: string }[] };
    expect(config.arkoudaVersion).toBe('v2024.10.02');
    expect(config.numLocales).toBe(3);
    expect(config.LocaleConfigs.map((locale) => locale.id)).toEqual([0, 1, 2]);
  });

  it('echoes the user in the ReplyMsg of the eras before v2024.10.02', async () => {
    const ask = await start({ era: '2024.04' });
    const reply = await ask.ask('connect', undefined, 'bob');
    expect(Object.keys(reply)).toEqual(['msg', 'msgType', 'msgFormat', 'user']);
    expect(reply).toMatchObject({ msg: 'connected to arkouda metrics server tcp://*:5556', msgType: 'NORMAL', user: 'bob' });
  });

  it('answers an unknown command with an empty NORMAL message, as the daemon has no otherwise case', async () => {
    const ask = await start();
    expect(await ask.ask('getRegistrationConfig')).toMatchObject({ msg: '', msgType: 'NORMAL' });
    expect((await ask.ask('getconfig')).msg).not.toBe('');
  });

  it('writes ALL in the server order, every section, with locale and user records and the total always present', async () => {
    const ask = await start({ locales: 2, users: 3, commands: 5, connections: 4 });
    const records = (await ask.metrics('ALL')) as MetricRecord[];
    const sections = records.map((record) => (record.scope === 'USER' ? 'USER' : record.category));
    const order = [...new Set(sections)];
    expect(order).toEqual(['NUM_REQUESTS', 'RESPONSE_TIME', 'AVG_RESPONSE_TIME', 'TOTAL_RESPONSE_TIME', 'TOTAL_MEMORY_USED', 'SYSTEM', 'SERVER', 'USER', 'NUM_ERRORS']);
    // A section is contiguous: a category never comes back after another one started.
    expect(order.length).toBe(sections.filter((section, index) => section !== sections[index - 1]).length);

    const global = records.filter((record) => record.category === 'NUM_REQUESTS' && record.scope === 'GLOBAL');
    const total = global.find((record) => record.name === 'total')!;
    expect(global).toHaveLength(6);
    expect(total.value).toBe(global.filter((record) => record.name !== 'total').reduce((sum, record) => sum + record.value, 0));

    const system = records.filter((record) => record.category === 'SYSTEM');
    expect(system.map((record) => [record.name, record.locale_num])).toEqual([
      ['arkouda_memory_used_per_locale', 0],
      ['arkouda_percent_memory_used_per_locale', 0],
      ['arkouda_memory_used_per_locale', 1],
      ['arkouda_percent_memory_used_per_locale', 1],
    ]);
    expect(records.find((record) => record.category === 'SERVER')).toMatchObject({ name: 'num_connections', value: 4 });
    const users = records.filter((record) => record.scope === 'USER' && record.name === 'total').map((record) => record.user);
    expect(users.sort()).toEqual(['alice', 'bob', 'carol']);
    expect(records.filter((record) => record.category === 'NUM_ERRORS')).toEqual([expect.objectContaining({ name: 'total', value: 0 })]);
  });

  it('writes the bytes the Chapel serializer writes: %e reals and naive local timestamps a microsecond apart', async () => {
    simulator = await startArkoudaSimulator({ clock: () => FIXED_NOW, commands: 1 });
    client = new TestClient(simulator.servers[0]!.url);
    const text = (await client.ask('metrics', 'NUM_REQUESTS')).msg;
    expect(text).toBe(
      '[{"name":"create", "category":"NUM_REQUESTS", "scope":"GLOBAL", "timestamp":"2026-01-05T10:00:00", "value":2.000000e+00}, ' +
        '{"name":"total", "category":"NUM_REQUESTS", "scope":"GLOBAL", "timestamp":"2026-01-05T10:00:00.000001", "value":2.000000e+00}]',
    );
  });

  it('answers SERVER_INFO with locale ids as strings', async () => {
    const ask = await start({ locales: 2 });
    const info = JSON.parse((await ask.ask('metrics', 'SERVER_INFO')).msg) as { hostname: string; number_of_locales: number; locales: { id: unknown; hostname: string }[] };
    expect(info.number_of_locales).toBe(2);
    expect(info.locales.map((locale) => locale.id)).toEqual(['0', '1']);
    expect(info.hostname).toBe(info.locales[0]!.hostname);
  });

  it('counts more commands on every metrics request, and never counts the metrics requests themselves', async () => {
    const ask = await start({ users: 2, commands: 4 });
    const total = async (): Promise<number> => (await ask.metrics('NUM_REQUESTS')).find((record) => record.name === 'total')!.value as number;
    const first = await total();
    const second = await total();
    expect(second).toBe(first + 2);
    expect((await ask.metrics('NUM_REQUESTS')).map((record) => record.name)).not.toContain('metrics');
    expect(simulator!.servers[0]!.requests).toEqual({ 'metrics:NUM_REQUESTS': 3 });
  });

  it('keeps the categories of older eras: v2022.09.30 has no AVG, TOTAL or NUM_ERRORS sections and an empty RESPONSE_TIME', async () => {
    const ask = await start({ era: '2022.09', users: 2 });
    const categories = new Set((await ask.metrics('ALL')).map((record) => record.category));
    expect([...categories].sort()).toEqual(['NUM_REQUESTS', 'SYSTEM']);
  });

  it('counts errors per error class only in the v2024.04.19 era', async () => {
    const ask = await start({ era: '2024.04', users: 4, commands: 10 });
    for (let round = 0; round < 5; round++) await ask.metrics('NUM_REQUESTS');
    const errors = (await ask.metrics('NUM_ERRORS')) as MetricRecord[];
    const perClass = errors.filter((record) => record.name !== 'total');
    expect(perClass.length).toBeGreaterThan(0);
    expect(errors.find((record) => record.name === 'total')!.value).toBe(perClass.reduce((sum, record) => sum + record.value, 0));
  });

  it('appends the records of categories no release has when asked to (a newer server)', async () => {
    const ask = await start({ extraCategories: ['QUEUE_DEPTH'] });
    const records = await ask.metrics('ALL');
    expect(records.at(-1)).toMatchObject({ name: 'pending', category: 'QUEUE_DEPTH', scope: 'GLOBAL' });
  });

  it('starts fifty servers that all answer, on fifty ports', async () => {
    simulator = await startArkoudaSimulator({ servers: 50, locales: 2 });
    expect(new Set(simulator.servers.map((server) => server.port)).size).toBe(50);
    expect(simulator.config).toHaveLength(50);
    expect(simulator.config[49]).toEqual({ instance: 'arkouda-50', host: '127.0.0.1', port: simulator.servers[49]!.port });
    const clients = simulator.servers.map((server) => new TestClient(server.url));
    try {
      const replies = await Promise.all(clients.map((each) => each.ask('getconfig')));
      expect(replies.every((reply) => reply.msgType === 'NORMAL' && reply.msg.startsWith('{"arkoudaVersion"'))).toBe(true);
    } finally {
      for (const each of clients) each.close();
    }
  });
});
