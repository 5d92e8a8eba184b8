import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startPrometheus, startPushgateway, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runTrainingJob } from '../examples/training-job.js';
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
}, 20_000); // the first scrape after Prometheus starts can take several seconds on a loaded machine

test('the PromQL the README shows reads the training example, and the alert expression stays quiet', async () => {
  expect(await runTrainingJob({ gateway: gateway.url, epochs: 2, stepsPerEpoch: 2, pushIntervalMs: 1000, logger: captureLogger().logger })).toMatchObject({ ok: true });
  await prometheus.waitFor('resnet_training_epoch', (samples) => samples[0]?.value === 2, 12_000);
  const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const block = /```promql\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const queries = block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  expect(queries.length).toBeGreaterThanOrEqual(8);
  for (const query of queries) {
    const samples = await prometheus.query(query);
    // Only the "did the last run fail?" comparison is empty after a successful run.
    if (query.includes('last_failure_timestamp_seconds >')) expect(samples, query).toEqual([]);
    else expect(samples.length, query).toBeGreaterThan(0);
  }
  const alert = /expr: (time\(\) - .*last_success_timestamp_seconds.*)/.exec(await readFile(fileURLToPath(new URL('../examples/alert-rules.yml', import.meta.url)), 'utf8'))?.[1];
  expect(alert).toBeDefined();
  expect(await prometheus.query(alert!)).toEqual([]);
  expect(await prometheus.query(alert!.replace('26 * 3600', '-60'))).not.toEqual([]);
});
