import { startPrometheus, startTessera, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { startArkoudaSimulator, type ArkoudaSimulator } from '@tessera/sim-arkouda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real Prometheus (Debian) scrapes the real `tessera` bin, whose arkouda collector polls three
// simulated Arkouda servers.
describe('Prometheus scraping tessera with the arkouda collector', () => {
  let simulator: ArkoudaSimulator;
  let tessera: RunningPeer;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    simulator = await startArkoudaSimulator({ servers: 3, locales: 2, users: 2, pollIntervalSeconds: 0.5 });
    tessera = await startTessera({ config: { collectors: { node: { enabled: false }, arkouda: simulator.config } } });
    prometheus = await startPrometheus({
      scrapeInterval: '1s',
      scrapeConfigs: [{ job_name: 'tessera', static_configs: [{ targets: [`127.0.0.1:${tessera.port}`] }] }],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await tessera?.stop();
    simulator?.close();
  });

  it('computes rate(arkouda_requests_total[1m]) for every server, from the counter', async () => {
    const rates = await prometheus.waitFor('rate(arkouda_requests_total{job="tessera"}[1m])', (samples) => samples.length === 3 && samples.every((sample) => sample.value > 0));
    expect(rates.map((sample) => sample.metric.arkouda_server_name).sort()).toEqual(['arkouda-1', 'arkouda-2', 'arkouda-3']);
    const metadata = (await (await fetch(`${prometheus.url}/api/v1/metadata?metric=arkouda_requests_total`)).json()) as { data: Record<string, { type: string }[]> };
    expect(metadata.data.arkouda_requests_total?.[0]?.type).toBe('counter');
  });

  it('stores the exporter-compatible gauges and one up series per server', async () => {
    const up = await prometheus.waitFor('arkouda_up{job="tessera"}', (samples) => samples.length === 3 && samples.every((sample) => sample.value === 1));
    expect(up).toHaveLength(3);
    const perLocale = await prometheus.query('arkouda_pct_memory_used_per_locale{job="tessera"}');
    expect(perLocale).toHaveLength(6);
    expect(new Set(perLocale.map((sample) => Object.keys(sample.metric).sort().join()))).toEqual(
      new Set(['__name__,arkouda_server_name,instance,job,locale_hostname,locale_name,locale_num']),
    );
  });
});
