import { startPrometheus, startPushgateway, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createJob } from '../src/index.js';
import { captureLogger } from './helpers.js';

let gateway: RunningPeer;
let prometheus: RunningPrometheus;

beforeAll(async () => {
  gateway = await startPushgateway();
  // The scrape config the README recommends: honor_labels keeps the pushed job and grouping labels.
  prometheus = await startPrometheus({
    scrapeConfigs: [{ job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [new URL(gateway.url).host] }] }],
  });
});

afterAll(async () => {
  await Promise.all([prometheus?.stop(), gateway?.stop()]);
});

test("Prometheus scraping the Pushgateway with honor_labels: true returns the job's series under its own job and grouping labels", async () => {
  const job = createJob({ job: 'nightly_train', groupingKey: { model: 'resnet50' }, gateway: gateway.url, logger: captureLogger().logger });
  job.gauge({ name: 'accuracy', help: 'Validation accuracy.' }).set(0.91);
  job.counter({ name: 'samples_total', help: 'Samples seen.' }).inc(50_000);
  await job.time('train', () => new Promise((resolve) => setTimeout(resolve, 10)));
  job.succeed();
  expect(await job.push()).toMatchObject({ ok: true });

  const accuracy = await prometheus.waitFor('nightly_train_accuracy', (samples) => samples.length === 1, 12_000);
  expect(accuracy[0]?.metric).toMatchObject({ __name__: 'nightly_train_accuracy', job: 'nightly_train', model: 'resnet50' });
  expect(accuracy[0]?.metric).not.toHaveProperty('exported_job');
  expect(accuracy[0]?.value).toBe(0.91);

  // The queries the README shows.
  const age = await prometheus.query('time() - nightly_train_last_success_timestamp_seconds{job="nightly_train"}');
  expect(age).toHaveLength(1);
  expect(age[0]?.value).toBeGreaterThanOrEqual(-1);
  expect(age[0]?.value).toBeLessThan(60);
  expect(await prometheus.query('time() - nightly_train_last_success_timestamp_seconds > 26 * 3600')).toEqual([]);
  expect(await prometheus.query('push_failure_time_seconds{job="nightly_train"} > push_time_seconds{job="nightly_train"}')).toEqual([]);
  const trainSeconds = await prometheus.query('nightly_train_train_duration_seconds_sum / nightly_train_train_duration_seconds_count');
  expect(trainSeconds[0]?.value).toBeGreaterThan(0.005);
  expect((await prometheus.query('nightly_train_samples_total'))[0]?.value).toBe(50_000);
});
