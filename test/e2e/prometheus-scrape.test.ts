import { startPrometheus, startTessera, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real Prometheus (Debian) scrapes the real `tessera` bin on loopback.
describe('Prometheus scraping tessera', () => {
  let tessera: RunningPeer;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    tessera = await startTessera({ config: { collectors: { node: {} } } });
    prometheus = await startPrometheus({
      scrapeInterval: '1s',
      scrapeConfigs: [{ job_name: 'tessera', static_configs: [{ targets: [`127.0.0.1:${tessera.port}`] }] }],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await tessera?.stop();
  });

  it('scrapes at least three times, all successful', async () => {
    const scrapes = await prometheus.waitFor('count_over_time(up{job="tessera"}[5m])', (samples) => (samples[0]?.value ?? 0) >= 3);
    expect(scrapes[0]?.value).toBeGreaterThanOrEqual(3);
    const worst = await prometheus.query('min_over_time(up{job="tessera"}[5m])');
    expect(worst.map((sample) => sample.value)).toEqual([1]);
    const up = await prometheus.query('up{job="tessera"}');
    expect(up.map((sample) => sample.value)).toEqual([1]);
  });

  it('stores node_cpu_seconds_total series for every CPU and mode', async () => {
    const series = await prometheus.waitFor('node_cpu_seconds_total{job="tessera"}', (samples) => samples.length > 0);
    const modes = new Set(series.map((sample) => sample.metric.mode));
    expect([...modes].sort()).toEqual(['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user']);
    const cpus = new Set(series.map((sample) => sample.metric.cpu));
    expect(cpus.size).toBeGreaterThan(0);
    expect(series.length).toBe(cpus.size * modes.size);
  });

  it('reports the node collector as successful', async () => {
    const success = await prometheus.waitFor('tessera_scrape_collector_success{job="tessera",collector="node"}', (samples) => samples.length > 0);
    expect(success.map((sample) => sample.value)).toEqual([1]);
    const duration = await prometheus.query('tessera_scrape_collector_duration_seconds{job="tessera",collector="node"}');
    expect(duration).toHaveLength(1);
    expect(duration[0]!.value).toBeGreaterThan(0);
  });

  it('keeps its own instance label: the self-metrics say collector_instance, Prometheus keeps instance, nothing arrives as exported_*', async () => {
    const success = await prometheus.waitFor('tessera_scrape_collector_success{job="tessera"}', (samples) => samples.length > 0);
    expect(success.map((sample) => sample.metric)).toEqual([
      { __name__: 'tessera_scrape_collector_success', job: 'tessera', instance: `127.0.0.1:${tessera.port}`, collector: 'node', collector_instance: 'default' },
    ]);
    const parts = await prometheus.waitFor('tessera_collector_part_success{job="tessera",collector="node"}', (samples) => samples.length > 0);
    // One part per sub-collector: the same names node_scrape_collector_success reports.
    const subCollectors = await prometheus.query('node_scrape_collector_success{job="tessera"}');
    expect(parts.map((sample) => sample.metric.part).sort()).toEqual(subCollectors.map((sample) => sample.metric.collector).sort());
    expect(parts.map((sample) => sample.metric.part)).toEqual(expect.arrayContaining(['cpu', 'meminfo', 'filesystem', 'textfile']));
    const exported = await prometheus.query('count({job="tessera",__name__=~"tessera_.+"}) by (__name__)');
    expect(exported.length).toBeGreaterThan(4);
    const withExportedLabels = await prometheus.query('{job="tessera",__name__=~"tessera_.+",exported_instance!=""} or {job="tessera",__name__=~"tessera_.+",exported_job!=""}');
    expect(withExportedLabels).toEqual([]);
  });
});
