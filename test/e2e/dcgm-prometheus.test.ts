import { startGpuSimulator, type GpuSimulator } from '@tessera/sim-gpu';
import { startPrometheus, startTessera, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real Prometheus (Debian) scrapes the real `tessera` bin, whose dcgm collector reads simulated
// GPUs through the simulated libnvidia-ml.so.1: the alert-rule query dashboards use must work.
describe('Prometheus scraping tessera with the dcgm collector', () => {
  let simulator: GpuSimulator;
  let tessera: RunningPeer;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    simulator = await startGpuSimulator({ gpus: 3, mig: true });
    tessera = await startTessera({ config: { collectors: { dcgm: { ...simulator.config, intervalSeconds: 1, hostname: 'gpu-node-a' } } } });
    prometheus = await startPrometheus({
      scrapeInterval: '1s',
      scrapeConfigs: [{ job_name: 'dcgm', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${tessera.port}`] }] }],
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await tessera?.stop();
    await simulator?.close();
  });

  it('avg_over_time(DCGM_FI_DEV_GPU_UTIL[1m]) returns one series per GPU that reports utilisation', async () => {
    // GPU 0 is in MIG mode: like dcgm-exporter, no utilisation series for it (use DCGM_FI_PROF_GR_ENGINE_ACTIVE).
    const series = await prometheus.waitFor('avg_over_time(DCGM_FI_DEV_GPU_UTIL{job="dcgm"}[1m])', (samples) => samples.length >= 2);
    expect(series.map((sample) => sample.metric.gpu).sort()).toEqual(['1', '2']);
    expect(series.map((sample) => sample.value).sort()).toEqual([88, 89]);
    expect(series[0]?.metric).toMatchObject({ Hostname: 'gpu-node-a', modelName: 'NVIDIA H100 80GB HBM3', DCGM_FI_DRIVER_VERSION: '550.90.07' });
  });

  it('MIG instances are series of their own, with GPU_I_PROFILE and GPU_I_ID', async () => {
    const series = await prometheus.waitFor('DCGM_FI_PROF_GR_ENGINE_ACTIVE{job="dcgm",gpu="0"}', (samples) => samples.length === 3);
    expect(series.map((sample) => `${sample.metric.GPU_I_PROFILE}/${sample.metric.GPU_I_ID}`).sort()).toEqual(['1g.10gb/9', '2g.20gb/3', '3g.40gb/2']);
  });

  it('reports the dcgm collector as successful, with one part per GPU', async () => {
    const success = await prometheus.waitFor('tessera_scrape_collector_success{job="dcgm",collector="dcgm"}', (samples) => samples.length > 0);
    expect(success.map((sample) => sample.value)).toEqual([1]);
    const parts = await prometheus.waitFor('tessera_collector_part_success{job="dcgm",collector="dcgm"}', (samples) => samples.length === 3);
    expect(parts.map((sample) => `${sample.metric.part} ${sample.value}`).sort()).toEqual(['gpu/0 1', 'gpu/1 1', 'gpu/2 1']);
  });
});
