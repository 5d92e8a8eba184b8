import arkouda from '@tessera/collector-arkouda';
import { createExporter, type Exporter } from '@tessera/exporter';
import { parseText } from '@tessera/exposition';
import { startArkoudaSimulator, type ArkoudaSimulator } from '@tessera/sim-arkouda';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';

// The arkouda collector in the real host (scheduler, concurrent instances, merging), polling
// simulated Arkouda servers on loopback: what an operator sees in /metrics when servers wedge,
// restart and number fifty.

const POLL_INTERVAL_SECONDS = 0.25;
const REQUEST_TIMEOUT_SECONDS = 0.5;

let simulator: ArkoudaSimulator | undefined;
let exporter: Exporter | undefined;

afterEach(async () => {
  await exporter?.close();
  simulator?.close();
  exporter = undefined;
  simulator = undefined;
});

async function start(servers: number, options: { readonly locales?: number; readonly latencyMs?: number } = {}): Promise<{ simulator: ArkoudaSimulator; exporter: Exporter }> {
  simulator = await startArkoudaSimulator({ servers, locales: options.locales ?? 1, users: 2, commands: 4, latencyMs: options.latencyMs ?? 0 });
  const entries = simulator.config.map((entry) => ({ ...entry, pollIntervalSeconds: POLL_INTERVAL_SECONDS, requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS }));
  exporter = await createExporter({ config: { collectors: { arkouda: entries }, log: { level: 'error' } }, plugins: { arkouda }, onlySuppliedPlugins: true });
  return { simulator, exporter };
}

type Series = Map<string, number>;

/** One scrape of /metrics: `name{labels}` → value, labels in the order written. */
async function scrape(): Promise<Series> {
  const response = await exporter!.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  const series: Series = new Map();
  for (const family of parseText(response.body)) {
    for (const sample of family.samples) series.set(`${sample.name}${JSON.stringify(sample.labels)}`, sample.value);
  }
  return series;
}

const of = (name: string, server: string, extra: Record<string, string> = {}): string => `${name}${JSON.stringify({ arkouda_server_name: server, ...extra })}`;
const up = (series: Series, server: string): number | undefined => series.get(of('arkouda_up', server));
const requests = (series: Series, server: string): number | undefined => series.get(of('arkouda_requests_total', server));

/** Scrapes until `accept` holds (bounded: a condition that never comes fails the test with the last scrape). */
async function scrapeUntil(accept: (series: Series) => boolean, timeoutMs = 20_000): Promise<Series> {
  const deadline = Date.now() + timeoutMs;
  let series = await scrape();
  while (!accept(series)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last scrape:\n${[...series].map(([key, value]) => `${key} ${value}`).join('\n')}`);
    await delay(50);
    series = await scrape();
  }
  return series;
}

describe('the arkouda collector in the host', () => {
  it('reports a wedged server down within its timeout while the others keep serving fresh values, and up again once it answers, without a restart', async () => {
    const { simulator } = await start(3);
    const names = simulator.servers.map((server) => server.name);
    await scrapeUntil((series) => names.every((name) => up(series, name) === 1));
    const wedged = simulator.servers[1]!;
    const getconfigsBefore = wedged.requests.getconfig ?? 0;

    wedged.wedge();
    const wedgedAt = Date.now();
    const down = await scrapeUntil((series) => up(series, wedged.name) === 0);
    // One poll interval to start the poll, then its request timeout; generous for a loaded machine.
    expect(Date.now() - wedgedAt).toBeLessThan((POLL_INTERVAL_SECONDS + REQUEST_TIMEOUT_SECONDS) * 1000 + 5000);
    expect(down.get(of('arkouda_poll_failures_total', wedged.name, { reason: 'timeout' }))).toBeGreaterThanOrEqual(1);
    expect(down.get('tessera_scrape_collector_success{"collector":"arkouda","collector_instance":"arkouda-2"}')).toBe(1);

    // The others keep polling: their counters move on while the wedged server is down.
    const before = [names[0]!, names[2]!].map((name) => requests(down, name)!);
    const moving = await scrapeUntil((series) => up(series, wedged.name) === 0 && [names[0]!, names[2]!].every((name, index) => requests(series, name)! > before[index]!));
    expect(up(moving, names[0]!)).toBe(1);
    expect(up(moving, names[2]!)).toBe(1);

    // The host's own view: the poll task keeps failing, and once the snapshot is older than two
    // intervals and a poll's budget the server's data is no longer served and its poll part fails.
    const taskFailures = of('tessera_collector_task_consecutive_failures', wedged.name);
    const stale = await scrapeUntil((series) => requests(series, wedged.name) === undefined);
    expect(stale.get(`tessera_collector_task_consecutive_failures${JSON.stringify({ collector: 'arkouda', collector_instance: wedged.name, task: 'poll' })}`)).toBeGreaterThanOrEqual(1);
    expect(stale.get(`tessera_collector_part_success${JSON.stringify({ collector: 'arkouda', collector_instance: wedged.name, part: 'poll' })}`)).toBe(0);
    expect(up(stale, wedged.name)).toBe(0);
    expect(stale.get(of('arkouda_last_success_timestamp_seconds', wedged.name))).toBeGreaterThan(0);
    expect(stale.has(taskFailures)).toBe(false);
    expect([names[0]!, names[2]!].map((name) => up(stale, name))).toEqual([1, 1]);

    wedged.unwedge();
    const back = await scrapeUntil((series) => up(series, wedged.name) === 1);
    expect(requests(back, wedged.name)).toBeGreaterThan(0);
    // It came back on a new socket, which asked for the server info again.
    expect(wedged.requests.getconfig ?? 0).toBeGreaterThan(getconfigsBefore);
    expect(Object.keys(wedged.requests).filter((key) => !['getconfig', 'metrics:ALL', 'metrics:SERVER_INFO'].includes(key))).toEqual([]);
  });

  it('drops the series of the old locales and shows the new ones after a restart on other nodes', async () => {
    const { simulator } = await start(1, { locales: 2 });
    const server = simulator.servers[0]!;
    const localeNames = (series: Series): string[] =>
      [...series.keys()]
        .filter((key) => key.startsWith('arkouda_memory_used_per_locale{'))
        .map((key) => (JSON.parse(key.slice(key.indexOf('{'))) as { locale_name: string }).locale_name)
        .sort();
    const first = await scrapeUntil((series) => localeNames(series).length === 2);
    expect(localeNames(first)).toEqual(['nid00001', 'nid00002']);

    await server.restart({ locales: 3 });
    const after = await scrapeUntil((series) => localeNames(series).includes('nid00003'));
    expect(localeNames(after)).toEqual(['nid00003', 'nid00004', 'nid00005']);
    const perLocale = [...after.keys()].filter((key) => key.startsWith('arkouda_memory_per_locale{'));
    expect(perLocale).toHaveLength(3);
    expect(perLocale.join()).not.toContain('nid00001');
    expect(after.get(of('arkouda_server_information_info', server.name, { arkouda_server_hostname: 'nid00003', arkouda_version: 'v2024.10.02', arkouda_number_of_locales: '3' }))).toBe(1);
  });

  it('is not ready while a server does not answer its probe, and answers a scrape at once even with that server wedged', async () => {
    simulator = await startArkoudaSimulator({ servers: 3, users: 1, commands: 2 });
    const wedged = simulator.servers[2]!;
    wedged.wedge();
    // Long enough that a scrape waiting on the wedged server could not go unnoticed.
    const entries = simulator.config.map((entry) => ({ ...entry, pollIntervalSeconds: 1, requestTimeoutSeconds: 20 }));
    exporter = await createExporter({ config: { collectors: { arkouda: entries }, log: { level: 'error' } }, plugins: { arkouda }, onlySuppliedPlugins: true });

    // The probes ask each server for getconfig; the wedged one never answers.
    const waiting = async (): Promise<string> => (await exporter!.app.inject({ method: 'GET', url: '/-/ready' })).body;
    let notReady = await waiting();
    for (let attempt = 0; attempt < 20 && notReady.includes('arkouda/arkouda-1'); attempt++) notReady = await waiting();
    expect(notReady).toMatch(/^Not ready: waiting for the first successful collection or probe of arkouda\/arkouda-3\n$/);

    const started = Date.now();
    const first = await scrape();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(first.has(of('arkouda_up', wedged.name))).toBe(false);
    // A served collection is what readiness asks for: the wedged server now shows as such, not as a missing exporter.
    expect((await exporter.app.inject({ method: 'GET', url: '/-/ready' })).statusCode).toBe(200);

    // One configured server, in the collector's own shape.
    const others = simulator.servers.slice(0, 2).map((server) => server.name);
    await scrapeUntil((series) => others.every((name) => up(series, name) === 1));
    const probe = await exporter.app.inject({ method: 'GET', url: '/probe?collector=arkouda&target=arkouda-2' });
    expect(probe.statusCode).toBe(200);
    const servers = new Set(parseText(probe.body).flatMap((family) => family.samples.map((sample) => sample.labels.arkouda_server_name).filter((name) => name !== undefined)));
    expect([...servers]).toEqual(['arkouda-2']);
    wedged.unwedge();
  });

  it('serves fifty servers, and one wedged among them costs only its own series', async () => {
    const { simulator } = await start(50, { latencyMs: 5 });
    const names = simulator.servers.map((server) => server.name);
    const all = await scrapeUntil((series) => names.every((name) => up(series, name) === 1));
    expect(names.every((name) => (requests(all, name) ?? 0) > 0)).toBe(true);

    const wedged = simulator.servers[17]!;
    wedged.wedge();
    const stale = await scrapeUntil((series) => up(series, wedged.name) === 0);
    const others = names.filter((name) => name !== wedged.name);
    expect(others.filter((name) => up(stale, name) !== 1)).toEqual([]);
    // Every other server keeps its series, with values newer than before the wedge.
    const families = (series: Series, name: string): Set<string> =>
      new Set([...series.keys()].filter((key) => key.includes(`"arkouda_server_name":"${name}"`)).map((key) => key.slice(0, key.indexOf('{'))));
    expect(others.filter((name) => families(stale, name).size !== families(all, name).size)).toEqual([]);
    const fresh = await scrapeUntil((series) => others.every((name) => requests(series, name)! > requests(all, name)!));
    expect(up(fresh, wedged.name)).toBe(0);
    expect([...stale.keys()].filter((key) => key.startsWith('tessera_scrape_collector_success{') && stale.get(key) !== 1)).toEqual([]);
  });
});
