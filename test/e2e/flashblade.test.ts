import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseText } from '@tessera/exposition';
import { startFlashBladeSimulator, type FlashBladeSimulator } from '@tessera/sim-flashblade';
import { startPrometheus, startTessera, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// Two simulated FlashBlade arrays behind the real `tessera` bin, scraped over loopback by undici and
// by a real Prometheus using the scrape configs the collector's README documents.

const README = fileURLToPath(new URL('../../packages/collector-flashblade/README.md', import.meta.url));

/** The YAML block following `<!-- <marker> … -->` in the collector's README, parsed. */
async function readmeScrapeConfig(marker: string): Promise<Record<string, unknown>[]> {
  const readme = await readFile(README, 'utf8');
  const at = readme.indexOf(`<!-- ${marker}`);
  if (at === -1) throw new Error(`the collector README has no <!-- ${marker} --> block`);
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at));
  const indented = block?.[1] ?? '';
  // Blocks inside list items are indented: strip the block's own indentation before parsing.
  const indent = /^( *)/.exec(indented)?.[1]?.length ?? 0;
  const text = indented
    .split('\n')
    .map((line) => line.slice(indent))
    .join('\n');
  return (parseYaml(text) as { scrape_configs: Record<string, unknown>[] }).scrape_configs;
}

/** A job of the README made to run here: every second, at this tessera. */
function localJob(job: Record<string, unknown>, tesseraAddress: string): Record<string, unknown> {
  const text = JSON.stringify({ ...job, scrape_interval: '1s', scrape_timeout: '1s' }).replaceAll('tessera.example.com:8900', tesseraAddress);
  return JSON.parse(text) as Record<string, unknown>;
}

let arrays: FlashBladeSimulator[] = [];
let tessera: RunningPeer;
let outsider: Server;
let outsiderConnections = 0;
let outsiderPort = 0;

beforeAll(async () => {
  arrays = await Promise.all(['fb-array-a', 'fb-array-b'].map((arrayName, index) => startFlashBladeSimulator({ arrayName, fileSystems: 3 + index, buckets: 2, clients: 2 })));
  const [a, b] = arrays as [FlashBladeSimulator, FlashBladeSimulator];
  tessera = await startTessera({
    config: {
      log: { level: 'warn' },
      collectors: {
        flashblade: [
          { instance: 'fb01', endpoint: a.url, apiToken: a.apiToken, acceptBearerToken: true },
          { instance: 'fb02', endpoint: b.url, apiToken: b.apiToken },
        ],
      },
    },
  });
  // Stands for an address nobody configured: it must never see a connection.
  outsider = createServer((socket) => {
    outsiderConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => outsider.listen(0, '127.0.0.1', resolve));
  const address = outsider.address();
  outsiderPort = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await tessera?.stop();
  await Promise.all(arrays.map((array) => array.close()));
  await new Promise<void>((resolve) => (outsider === undefined ? resolve() : outsider.close(() => resolve())));
});

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(`${tessera.url}${path}`, { headers });
  return { status: response.status, body: await response.text() };
}

const infoSeries = (body: string) =>
  parseText(body)
    .find((family) => family.name === 'purefb_info')
    ?.samples.map((sample) => sample.labels) ?? [];

describe('two FlashBlade arrays in one tessera', () => {
  it('/metrics serves both, told apart by the array label', async () => {
    const { status, body } = await get('/metrics');
    expect(status).toBe(200);
    expect(infoSeries(body).map(({ array, array_name }) => `${array}=${array_name}`)).toEqual(['fb01=fb-array-a', 'fb02=fb-array-b']);
    const fileSystems = parseText(body).find((family) => family.name === 'purefb_file_systems_space_data_reduction_ratio')?.samples ?? [];
    expect(fileSystems.filter((sample) => sample.labels.array === 'fb01')).toHaveLength(3);
    expect(fileSystems.filter((sample) => sample.labels.array === 'fb02')).toHaveLength(4);
    expect(body).toContain('tessera_scrape_collector_success{collector="flashblade",collector_instance="fb01"} 1\n');
    expect(body).toContain('tessera_scrape_collector_success{collector="flashblade",collector_instance="fb02"} 1\n');
  });

  it("/probe serves each array in the exporter's shape, without the array label", async () => {
    for (const [target, arrayName] of [
      ['fb01', 'fb-array-a'],
      ['fb02', 'fb-array-b'],
    ] as const) {
      const { status, body } = await get(`/probe?collector=flashblade&target=${target}`);
      expect(status).toBe(200);
      expect(infoSeries(body)).toEqual([expect.objectContaining({ array_name: arrayName })]);
      expect(body).not.toMatch(/\barray="/);
      expect(body).toContain('purefb_file_system_usage_users_bytes{');
    }
  });

  it("answers the exporter's URL shapes for a configured endpoint, one group, and takes the Bearer token only where the config allows it", async () => {
    const [a, b] = arrays as [FlashBladeSimulator, FlashBladeSimulator];
    const policies = await get(`/metrics/flashblade/policies?endpoint=${encodeURIComponent(a.url)}`, { authorization: `Bearer ${a.apiToken}` });
    expect(policies.status).toBe(200);
    expect(parseText(policies.body).filter((family) => family.name.startsWith('purefb_')).map((family) => family.name)).toEqual(['purefb_info', 'purefb_nfs_export_rule']);
    expect(policies.body).not.toMatch(/\barray="/);
    const wrongToken = await get(`/metrics/flashblade/policies?endpoint=${encodeURIComponent(a.url)}`, { authorization: `Bearer ${b.apiToken}` });
    expect(wrongToken).toEqual({ status: 401, body: "bearer token refused for flashblade/fb01: it is not this array's API token\n" });
    const notAllowed = await get(`/metrics/flashblade/array?endpoint=${encodeURIComponent(b.url)}`, { authorization: `Bearer ${b.apiToken}` });
    expect(notAllowed.status).toBe(401);
    expect(notAllowed.body).toMatch(/acceptBearerToken: true\n$/);
    const withoutToken = await get(`/metrics/flashblade/array?endpoint=${encodeURIComponent(b.url)}`);
    expect(withoutToken.status).toBe(200);
    expect(infoSeries(withoutToken.body)).toEqual([expect.objectContaining({ array_name: 'fb-array-b' })]);
  });

  it('refuses an endpoint nobody configured, without any connection to it', async () => {
    const callsBefore = arrays.map((array) => array.stats.calls());
    for (const endpoint of [`127.0.0.1:${outsiderPort}`, `http://127.0.0.1:${outsiderPort}`, 'fb01']) {
      const refused = await get(`/metrics/flashblade/array?endpoint=${encodeURIComponent(endpoint)}`, { authorization: 'Bearer T-anything' });
      expect(refused.status, endpoint).toBe(400);
      expect(refused.body, endpoint).toMatch(/^endpoint ".*" is not a configured flashblade endpoint: configured are http:\/\/127\.0\.0\.1:\d+, http:\/\/127\.0\.0\.1:\d+\n$/);
    }
    expect(outsiderConnections).toBe(0);
    expect(arrays.map((array) => array.stats.calls())).toEqual(callsBefore);
  });
});

describe('Prometheus scraping the arrays with the README scrape configs', () => {
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    const [a] = arrays as [FlashBladeSimulator];
    const [probeJob] = await readmeScrapeConfig('probe-scrape-config');
    const [exporterJob] = await readmeScrapeConfig('exporter-scrape-config');
    // The exporter-shaped job names fb01 by its endpoint, here the simulator's URL, with its token.
    const exporterStyle = JSON.parse(JSON.stringify(localJob(exporterJob ?? {}, `127.0.0.1:${tessera.port}`)).replaceAll('fb01.example.com', a.url).replaceAll('T-…', a.apiToken)) as Record<string, unknown>;
    prometheus = await startPrometheus({ scrapeConfigs: [localJob(probeJob ?? {}, `127.0.0.1:${tessera.port}`), exporterStyle] });
  });

  afterAll(async () => {
    await prometheus?.stop();
  });

  it('scrapes one target per array through /probe, each series under its instance', async () => {
    const up = await prometheus.waitFor('up{job="flashblade"}', (samples) => samples.length === 2 && samples.every((sample) => sample.value === 1));
    expect(up.map((sample) => sample.metric.instance).sort()).toEqual(['fb01', 'fb02']);
    const info = await prometheus.waitFor('purefb_info{job="flashblade"}', (samples) => samples.length === 2);
    expect(info.map((sample) => `${sample.metric.instance}=${sample.metric.array_name}/${sample.metric.env}`).sort()).toEqual(['fb01=fb-array-a/production', 'fb02=fb-array-b/production']);
    // The exporter's shape: no array label, nothing renamed exported_*.
    expect(await prometheus.query('{job="flashblade",array!=""} or {job="flashblade",exported_instance!=""}')).toEqual([]);
    const success = await prometheus.waitFor('tessera_scrape_collector_success{job="flashblade"}', (samples) => samples.length === 2);
    expect(success.map((sample) => `${sample.metric.instance}:${sample.metric.collector_instance}=${sample.value}`).sort()).toEqual(['fb01:fb01=1', 'fb02:fb02=1']);
  });

  it("scrapes the exporter's /metrics/array shape with its Bearer token", async () => {
    const up = await prometheus.waitFor('up{job="purefb_array_fb01"}', (samples) => samples.length === 1 && samples[0]?.value === 1);
    expect(up[0]?.metric.instance).toBe('fb01');
    const health = await prometheus.waitFor('purefb_hardware_health{job="purefb_array_fb01"}', (samples) => samples.length > 0);
    expect(new Set(health.map((sample) => sample.metric.instance))).toEqual(new Set(['fb01']));
    expect(await prometheus.query('purefb_file_systems_space_bytes{job="purefb_array_fb01"}')).toEqual([]);
  });
});
