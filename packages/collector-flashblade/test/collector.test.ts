import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWithSchema, type Collector } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext, type TestContextOverrides } from '@tessera/collector-testkit';
import { parseText, type PartRecord } from '@tessera/exposition';
import type { FlashBladeSimulator } from '@tessera/sim-flashblade';
import { afterEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { Collected } from './support/collect-parts.js';
import { startSimulator } from './support/simulators.js';

const opened: { collector: Collector; context: TestContext }[] = [];
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map(async ({ collector, context }) => {
    await collector.close?.();
    await context.close();
  }));
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

/** A collector of `simulator` (its config overridden by `overrides`), kept open for several collections. */
async function open(simulator: FlashBladeSimulator, overrides: Record<string, unknown> = {}, contextOverrides: TestContextOverrides = {}): Promise<{ collector: Collector; context: TestContext }> {
  const context = createTestContext({ collector: plugin.name, realDispatchers: true, ...contextOverrides });
  const collector = await plugin.create(await validateWithSchema(plugin.configSchema, { ...simulator.config, ...overrides }), context);
  opened.push({ collector, context });
  return { collector, context };
}

/** One collection, parsed, with its parts. `runScheduled` runs the background refreshes first, as the host would have by then. */
async function collect(collector: Collector, context: TestContext, runScheduled = false): Promise<Collected & { parts: readonly PartRecord[] }> {
  const { families, parts } = await collectOnce(plugin, undefined, { context, collector, runScheduled });
  return Object.assign(new Collected(families), { parts });
}

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
    const hardware = collected.parts.find((part) => part.name === 'hardware');
    expect(hardware?.error).toMatch(/^FlashBlade 127\.0\.0\.1:\d+: GET \/api\/2\.12\/hardware answered HTTP 500: Hardware status is unavailable\.$/);
    expect(collected.parts.filter((part) => !part.success).map((part) => part.name)).toEqual(['hardware']);
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

  it('serves background groups from their last refresh, with its time, without calling the array at collection time', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator);
    expect(context.scheduler.tasks.map((task) => [task.state.name, task.intervalMs])).toEqual([
      ['clients-performance', 300_000],
      ['usage-users', 3_600_000],
      ['usage-groups', 3_600_000],
    ]);
    await context.scheduler.runScheduled();
    const refreshedAt = context.clock.now();
    context.clock.advance(20_000);
    simulator.stats.reset();
    const collected = await collect(collector, context);
    expect(collected.series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
    expect(collected.series('purefb_clients_performance_latency_usec').length).toBeGreaterThan(0);
    expect(simulator.stats.calls('GET /usage/users') + simulator.stats.calls('GET /arrays/clients/performance')).toBe(0);
    const served = collected.parts.filter((part) => part.sampledAt !== undefined);
    expect(served.map((part) => [part.name, part.sampledAt, part.success])).toEqual([
      ['clients-performance', refreshedAt, true],
      ['usage-users', refreshedAt, true],
      ['usage-groups', refreshedAt, true],
    ]);
  });

  it('serves a background result through failed refreshes while it is young enough, then fails its part until a refresh succeeds', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['usage'], refreshSeconds: { usage: 60 } });
    await context.scheduler.runScheduled();
    simulator.setFault({ kind: 'status', endpoint: '/usage/users', status: 500 });
    context.clock.advance(60_000);
    await context.scheduler.runScheduled();
    const kept = await collect(collector, context);
    expect(kept.series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
    // The task allows three intervals and its timeout (60 s each here): 240 s.
    context.clock.advance(181_000);
    await context.scheduler.runScheduled();
    const dropped = await collect(collector, context);
    expect(dropped.series('purefb_file_system_usage_users_bytes')).toEqual([]);
    expect(dropped.series('purefb_file_system_usage_groups_bytes').length).toBeGreaterThan(0);
    expect(dropped.parts.find((part) => part.name === 'usage-users')).toMatchObject({
      success: false,
      error: expect.stringMatching(/^the last successful run of background task usage-users was 241 s ago, more than the 240 s allowed/),
    });
    simulator.clearFaults();
    await context.scheduler.runScheduled();
    expect((await collect(collector, context)).series('purefb_file_system_usage_users_bytes').length).toBeGreaterThan(0);
  });

  it('does not hold a collection for a background refresh that has not finished once: that part fails, the rest is served', async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['array', 'usage'] });
    const collected = await collect(collector, context);
    expect(collected.series('purefb_hardware_health').length).toBeGreaterThan(0);
    expect(collected.parts.filter((part) => !part.success).map((part) => part.name)).toEqual(['usage-users', 'usage-groups']);
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

  it("collects only a route's groups that are configured, with purefb_info and the self-metrics, and none of the others' calls", async () => {
    const simulator = await startSimulator();
    const { collector, context } = await open(simulator, { groups: ['array', 'filesystems', 'usage', 'policies'] });
    await context.scheduler.runScheduled();
    simulator.stats.reset();
    const { families, parts } = await collectOnce(plugin, undefined, { context, collector, runScheduled: false, collectOptions: { subset: ['policies'] } });
    const names = families.map(({ family }) => family.name);
    expect(names.filter((name) => name.startsWith('purefb_'))).toEqual(['purefb_info', 'purefb_nfs_export_rule']);
    expect(names).toContain('tessera_flashblade_requests_total');
    expect(parts.map((part) => part.name)).toEqual(['info', 'nfs-export-policies']);
    expect(Object.keys(simulator.stats.byEndpoint()).sort()).toEqual(['GET /arrays', 'GET /nfs-export-policies']);

    const usage = await collectOnce(plugin, undefined, { context, collector, runScheduled: false, collectOptions: { subset: ['usage'] } });
    expect(usage.parts.map((part) => [part.name, part.sampledAt !== undefined])).toEqual([
      ['info', false],
      ['usage-users', true],
      ['usage-groups', true],
    ]);
    // A group the config leaves out is not read for a route that names it.
    const objectstore = await collectOnce(plugin, undefined, { context, collector, runScheduled: false, collectOptions: { subset: ['objectstore'] } });
    expect(objectstore.parts.map((part) => part.name)).toEqual(['info']);
  });

  it("accepts a bearer token only with acceptBearerToken, and only the array's own token, read as the collector reads it", async () => {
    const simulator = await startSimulator();
    const signal = new AbortController().signal;
    const closed = await open(simulator);
    await expect(closed.collector.checkBearerToken?.(simulator.apiToken, signal)).resolves.toMatch(/^this array's config does not accept the API token in the request: .*acceptBearerToken: true$/);
    const directory = await mkdtemp(join(tmpdir(), 'tessera-flashblade-bearer-'));
    directories.push(directory);
    await writeFile(join(directory, 'fb01.token'), `${simulator.apiToken}\n`);
    const accepting = await open(simulator, { apiToken: undefined, apiTokenFile: 'fb01.token', acceptBearerToken: true }, { configDirectory: directory });
    await expect(accepting.collector.checkBearerToken?.(simulator.apiToken, signal)).resolves.toBeUndefined();
    await expect(accepting.collector.checkBearerToken?.(`${simulator.apiToken}x`, signal)).resolves.toBe("it is not this array's API token");
    await expect(accepting.collector.checkBearerToken?.('T-other', signal)).resolves.toBe("it is not this array's API token");
    // Nothing was asked of the array.
    expect(simulator.stats.calls()).toBe(0);
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

  it('reads the token from apiTokenFile, relative to the config file, at each login, and names the file when it cannot', async () => {
    const simulator = await startSimulator();
    const directory = await mkdtemp(join(tmpdir(), 'tessera-flashblade-token-'));
    directories.push(directory);
    await writeFile(join(directory, 'fb01.token'), 'T-wrong\n');
    const { collector, context } = await open(simulator, { apiToken: undefined, apiTokenFile: 'fb01.token', groups: ['policies'] }, { configDirectory: directory });
    await expect(collect(collector, context)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_LOGIN' });
    await writeFile(join(directory, 'fb01.token'), `${simulator.apiToken}\n`);
    expect((await collect(collector, context)).series('purefb_nfs_export_rule').length).toBeGreaterThan(0);
    expect(context.secrets).toContain(simulator.apiToken);

    const missing = await open(simulator, { apiToken: undefined, apiTokenFile: 'absent.token' }, { configDirectory: directory });
    await expect(collect(missing.collector, missing.context)).rejects.toMatchObject({ code: 'ERR_TESSERA_CONFIG', path: ['apiTokenFile'], message: expect.stringMatching(/^cannot read apiTokenFile: .*absent\.token/) });
  });

  it('registers an inline token as a secret, so the host censors it', async () => {
    const simulator = await startSimulator();
    const { context } = await open(simulator);
    expect(context.secrets).toEqual([simulator.apiToken]);
  });

  it('verifies the array with the CA of caFile, refuses it without, and skips the check when told to', async () => {
    const simulator = await startSimulator({ tls: true });
    const directory = await mkdtemp(join(tmpdir(), 'tessera-flashblade-ca-'));
    directories.push(directory);
    await writeFile(join(directory, 'ca.pem'), simulator.ca ?? '');
    const groups = ['policies'];
    const trusting = await open(simulator, { ca: undefined, caFile: 'ca.pem', groups }, { configDirectory: directory });
    expect((await collect(trusting.collector, trusting.context)).series('purefb_info')).toHaveLength(1);
    const untrusting = await open(simulator, { ca: undefined, groups });
    await expect(collect(untrusting.collector, untrusting.context)).rejects.toMatchObject({ code: 'ERR_FLASHBLADE_CONNECTION', message: expect.stringMatching(/certificate|self[- ]signed/i) });
    const skipping = await open(simulator, { ca: undefined, insecureSkipVerify: true, groups });
    expect((await collect(skipping.collector, skipping.context)).series('purefb_info')).toHaveLength(1);
    await expect(open(simulator, { ca: undefined, caFile: 'absent.pem', groups }, { configDirectory: directory })).rejects.toMatchObject({ code: 'ERR_TESSERA_CONFIG', path: ['caFile'] });
  });

  it("asks the host for the array's dispatcher with its TLS settings, connection cap and request timeout", async () => {
    const simulator = await startSimulator({ tls: true });
    const { collector, context } = await open(simulator, { servername: 'localhost', maxConcurrentRequests: 4, requestTimeoutSeconds: 90, groups: ['policies'] });
    expect(context.dispatcherRequests).toEqual([{ ca: simulator.ca, rejectUnauthorized: true, servername: 'localhost', connections: 4, headersTimeoutMs: 90_000, bodyTimeoutMs: 90_000 }]);
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
