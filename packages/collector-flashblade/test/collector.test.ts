import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWithSchema, type Collector } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { parseText } from '@tessera/exposition';
import type { FlashBladeSimulator } from '@tessera/sim-flashblade';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { Collected } from './support/collect-parts.js';
import { newAgent, startSimulator } from './support/simulators.js';

const opened: { collector: Collector }[] = [];
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map(async ({ collector }) => collector.close?.()));
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

/** A collector of `simulator` (its config overridden by `overrides`), kept open for several collections. */
async function open(simulator: FlashBladeSimulator, overrides: Record<string, unknown> = {}): Promise<{ collector: Collector; context: TestContext }> {
  const context = createTestContext({ collector: plugin.name, dispatcher: newAgent() });
  const collector = await plugin.create(await validateWithSchema(plugin.configSchema, { ...simulator.config, ...overrides }), context);
  opened.push({ collector });
  return { collector, context };
}

/** One collection, parsed. `runScheduled` runs the background refreshes first, as the host would have by then. */
async function collect(collector: Collector, context: TestContext, runScheduled = false): Promise<Collected> {
  const { families } = await collectOnce(plugin, undefined, { context, collector, runScheduled });
  return new Collected(families);
}

const warnings = (context: TestContext): string[] => context.logs.filter((log) => log.level === 'warn').map((log) => log.message);

describe('the flashblade collector', () => {
  it('serves everything but the series of a failing endpoint, and says which call failed', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator);
    simulator.setFault({ kind: 'status', endpoint: '/hardware', status: 500, message: 'Hardware status is unavailable.' });
    const collected = await collect(collector, context, true);
    expect(collected.series('purefb_hardware_health')).toEqual([]);
    expect(collected.series('purefb_alerts_open').length).toBeGreaterThan(0);
    expect(collected.series('purefb_file_systems_space_bytes').length).toBeGreaterThan(0);
    expect(collected.value('tessera_flashblade_requests_total', { endpoint: '/hardware', outcome: '500' })).toBe(1);
    expect(warnings(context)).toContainEqual(expect.stringMatching(/^hardware failed: FlashBlade 127\.0\.0\.1:\d+: GET \/api\/2\.12\/hardware answered HTTP 500: Hardware status is unavailable\.$/));
  });

  it('fails the whole collection with the login error when the token is refused, without the token', async () => {
    const simulator = await startSimulator();
    const token = 'T-99999999-8888-7777-6666-555555555555';
    const { collector, context } = await open(simulator, { apiToken: token });
    const error = await collect(collector, context).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ERR_FLASHBLADE_LOGIN', status: 401 });
    expect((error as Error).message).toMatch(/^FlashBlade 127\.0\.0\.1:\d+: POST \/api\/login refused the login with HTTP 401/);
    expect(JSON.stringify(context.logs)).not.toContain(token);
  });

  it('fails the whole collection when the array cannot be reached', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator);
    await simulator.close();
    await expect(collect(collector, context)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_CONNECTION' });
  });

  it('logs in again once when the session expired between collections, losing nothing', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { refreshSeconds: {} });
    const first = await collect(collector, context);
    simulator.expireSessions();
    const second = await collect(collector, context);
    expect([...second.families.keys()].filter((name) => name.startsWith('purefb_')).sort()).toEqual([...first.families.keys()].filter((name) => name.startsWith('purefb_')).sort());
    expect(second.value('tessera_flashblade_logins_total', {})).toBe(2);
    expect(simulator.stats.logins).toBe(2);
  });

  it('serves background groups from their last refresh without calling the array at collection time', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator);
    expect(context.scheduler.tasks.map((task) => task.intervalMs)).toEqual([300_000, 3_600_000]);
    await context.scheduler.runScheduled();
    simulator.stats.reset();
    const collected = await collect(collector, context);
    expect(collected.series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
    expect(collected.series('purefb_clients_performance_latency_usec').length).toBeGreaterThan(0);
    expect(simulator.stats.calls('GET /usage/users') + simulator.stats.calls('GET /arrays/clients/performance')).toBe(0);
  });

  it('keeps a background result through one failed refresh, and drops it once it is too old', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['usage'], refreshSeconds: { usage: 60 } });
    await context.scheduler.runScheduled();
    simulator.setFault({ kind: 'status', endpoint: '/usage/users', status: 500 });
    context.clock.advance(60_000);
    await context.scheduler.runScheduled();
    const kept = await collect(collector, context);
    expect(kept.series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
    context.clock.advance(120_000);
    await context.scheduler.runScheduled();
    const dropped = await collect(collector, context);
    expect(dropped.series('purefb_file_system_usage_users_bytes')).toEqual([]);
    expect(dropped.series('purefb_file_system_usage_groups_bytes').length).toBeGreaterThan(0);
    expect(warnings(context)).toContainEqual('usage-users was last refreshed 180 s ago; not serving it until a refresh succeeds');
  });

  it('reads every group at every collection with refreshSeconds: {}', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { refreshSeconds: {} });
    expect(context.scheduler.tasks).toEqual([]);
    const collected = await collect(collector, context);
    expect(collected.series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
    expect(simulator.stats.calls('GET /usage/users')).toBe(1);
  });

  it('asks only for the configured groups, and always for purefb_info', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['policies'] });
    const collected = await collect(collector, context, true);
    expect([...collected.families.keys()].filter((name) => name.startsWith('purefb_')).sort()).toEqual(['purefb_info', 'purefb_nfs_export_rule']);
    expect(Object.keys(simulator.stats.byEndpoint()).sort()).toEqual(['GET /api_version', 'GET /arrays', 'GET /nfs-export-policies', 'POST /login']);
  });

  it('serves the rest when the array is too old for some endpoints', async () => {
    const simulator = await startSimulator({ apiVersion: '2.2' });
    const { collector, context } = await open(simulator, { groups: ['array', 'policies'] });
    const collected = await collect(collector, context);
    expect(collected.series('purefb_nfs_export_rule')).toEqual([]);
    expect(collected.series('purefb_hardware_connectors_performance_errors')).toEqual([]);
    expect(collected.series('purefb_hardware_health').length).toBeGreaterThan(0);
    expect(collected.value('tessera_flashblade_requests_total', { endpoint: '/nfs-export-policies', outcome: '404' })).toBe(1);
  });

  it('fails a hung endpoint after requestTimeoutSeconds and serves the rest', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['array'], requestTimeoutSeconds: 0.5 });
    simulator.setFault({ kind: 'hang', endpoint: '/alerts' });
    const collected = await collect(collector, context);
    expect(collected.series('purefb_alerts_open')).toEqual([]);
    expect(collected.series('purefb_hardware_health').length).toBeGreaterThan(0);
    expect(collected.value('tessera_flashblade_requests_total', { endpoint: '/alerts', outcome: 'timeout' })).toBe(1);
  });

  it('reads the token from apiTokenFile at each login, and names the file when it cannot', async () => {
    const simulator = await startSimulator();
    const directory = await mkdtemp(join(tmpdir(), 'tessera-flashblade-token-'));
    directories.push(directory);
    const tokenFile = join(directory, 'fb01.token');
    await writeFile(tokenFile, 'T-wrong\n');
    const { collector, context } = await open(simulator, { apiToken: undefined, apiTokenFile: tokenFile, groups: ['policies'] });
    await expect(collect(collector, context)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_LOGIN' });
    await writeFile(tokenFile, `${simulator.apiToken}\n`);
    expect((await collect(collector, context)).series('purefb_nfs_export_rule').length).toBeGreaterThan(0);

    const missing = await open(simulator, { apiToken: undefined, apiTokenFile: join(directory, 'absent.token') });
    await expect(collect(missing.collector, missing.context)).rejects.toMatchObject({ code: 'ERR_TESSERA_CONFIG', path: ['apiTokenFile'], message: expect.stringMatching(/^cannot read apiTokenFile .*absent\.token: ENOENT$/) });
  });

  it('verifies the array with the CA of caFile, refuses it without, and skips the check when told to', async () => {
    const simulator = await startSimulator({ tls: true });
    const directory = await mkdtemp(join(tmpdir(), 'tessera-flashblade-ca-'));
    directories.push(directory);
    await writeFile(join(directory, 'ca.pem'), simulator.ca ?? '');
    const groups = ['policies'];
    const trusting = await open(simulator, { ca: undefined, caFile: join(directory, 'ca.pem'), groups });
    expect((await collect(trusting.collector, trusting.context)).series('purefb_info')).toHaveLength(1);
    const untrusting = await open(simulator, { ca: undefined, groups });
    await expect(collect(untrusting.collector, untrusting.context)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_CONNECTION', message: expect.stringMatching(/certificate|self[- ]signed/i) });
    const skipping = await open(simulator, { ca: undefined, insecureSkipVerify: true, groups });
    expect((await collect(skipping.collector, skipping.context)).series('purefb_info')).toHaveLength(1);
  });

  it("asks the host for a dispatcher with the array's TLS settings when the host offers one", async () => {
    const simulator = await startSimulator({ tls: true });
    const requested: Record<string, unknown>[] = [];
    const context = createTestContext({ collector: plugin.name });
    const withFactory = Object.assign(context, {
      createDispatcher: (options: { ca?: string }) => {
        requested.push(options);
        return newAgent({ connect: { ca: options.ca } });
      },
    });
    const config = await validateWithSchema(plugin.configSchema, { ...simulator.config, servername: 'localhost', maxConcurrentRequests: 4, groups: ['policies'] });
    const collector = await plugin.create(config, withFactory);
    opened.push({ collector });
    expect(requested).toEqual([{ ca: simulator.ca, rejectUnauthorized: true, servername: 'localhost', connections: 4 }]);
    expect((await collect(collector, context)).series('purefb_info')).toHaveLength(1);
  });

  it('probes reachability with the token, for /-/ready', async () => {
    const simulator = await startSimulator();
    const good = await open(simulator);
    await expect(good.collector.probe?.(new AbortController().signal)).resolves.toBeUndefined();
    const refused = await open(simulator, { apiToken: 'T-refused' });
    await expect(refused.collector.probe?.(new AbortController().signal)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_LOGIN' });
  });

  it('logs out and stops its background refreshes at close', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator);
    await collect(collector, context, true);
    expect(simulator.activeSessions).toBe(1);
    await collector.close?.();
    expect(simulator.activeSessions).toBe(0);
    expect(context.scheduler.tasks.every((task) => task.cancelled)).toBe(true);
  });

  it('reports its REST calls, logins and session age', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['array'] });
    await collect(collector, context);
    context.clock.advance(42_000);
    const { text } = await collectOnce(plugin, undefined, { context, collector });
    const self = parseText(text).filter((family) => family.name.startsWith('tessera_flashblade_'));
    expect(self.map((family) => family.name)).toEqual(['tessera_flashblade_logins_total', 'tessera_flashblade_requests_total', 'tessera_flashblade_session_age_seconds']);
    const collected = new Collected((await collectOnce(plugin, undefined, { context, collector })).families);
    expect(collected.value('tessera_flashblade_requests_total', { endpoint: '/arrays/performance', outcome: '200' })).toBe(15);
    expect(collected.value('tessera_flashblade_session_age_seconds', {})).toBe(42);
    expect(collected.value('tessera_flashblade_logins_total', {})).toBe(1);
  });
});
