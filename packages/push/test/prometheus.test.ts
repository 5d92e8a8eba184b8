import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrometheus, startPushgateway, type RunningPeer, type RunningPrometheus } from '@tessera/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runTrainingJob } from '../examples/training-job.js';
import { createJob } from '../src/index.js';
import { captureLogger } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin/tessera-push.js', import.meta.url));
const TRAIN_PY = fileURLToPath(new URL('../examples/python-training/train.py', import.meta.url));

let gateway: RunningPeer;
let prometheus: RunningPrometheus;

/**
 * Runs every query of the README's PromQL block that begins with `heading`: each answers at least
 * one series, except those `expectEmpty` picks, which answer none. Returns how many there were.
 */
async function checkReadmeQueries(heading: string, expectEmpty: (query: string) => boolean): Promise<number> {
  const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const start = readme.indexOf(`\`\`\`promql\n${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const block = readme.slice(start + '```promql\n'.length, readme.indexOf('```', start + 3));
  const queries = block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  for (const query of queries) {
    const samples = await prometheus.query(query);
    if (expectEmpty(query)) expect(samples, query).toEqual([]);
    else expect(samples.length, query).toBeGreaterThan(0);
  }
  return queries.length;
}

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
  // Only the "did the last run fail?" comparison is empty after a successful run.
  expect(await checkReadmeQueries('# progress and quality', (query) => query.includes('last_failure_timestamp_seconds >'))).toBeGreaterThanOrEqual(8);
  const alert = /expr: (time\(\) - .*last_success_timestamp_seconds.*)/.exec(await readFile(fileURLToPath(new URL('../examples/alert-rules.yml', import.meta.url)), 'utf8'))?.[1];
  expect(alert).toBeDefined();
  expect(await prometheus.query(alert!)).toEqual([]);
  expect(await prometheus.query(alert!.replace('26 * 3600', '-60'))).not.toEqual([]);
});

test('a Python training script under tessera-push exec shows up in Prometheus while it runs and after it ends; the README queries and alerts read it', async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'tessera-push-python-'));
  const child = spawn(
    process.execPath,
    [BIN, 'exec', '--gateway', gateway.url, '--job', 'bert_finetune', '--label', 'model=bert-base', '--metrics-file', join(scratch, 'metrics.json'), '--interval', '300ms', '--', 'python3', TRAIN_PY],
    { env: { PATH: process.env.PATH ?? '', EPOCHS: '4', EPOCH_SECONDS: '1.5' }, stdio: 'ignore' },
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    // Live: the loop's own epoch, while the wrapper says the run is in progress.
    const live = await prometheus.waitFor('bert_finetune_epoch and on(job, model) bert_finetune_in_progress == 1', (samples) => samples.length === 1, 20_000);
    expect(live[0]?.metric).toMatchObject({ job: 'bert_finetune', model: 'bert-base' });
    expect(live[0]?.metric).not.toHaveProperty('exported_job');
    expect(await exited).toBe(0);
    await prometheus.waitFor('bert_finetune_exit_code', (samples) => samples[0]?.value === 0, 12_000);
    await prometheus.waitFor('bert_finetune_epoch', (samples) => samples[0]?.value === 4, 12_000);

    // Only "runs in progress" is empty once the run has ended.
    expect(await checkReadmeQueries('# a training script under tessera-push exec', (query) => query.includes('in_progress == 1'))).toBeGreaterThanOrEqual(6);
    const rules = await readFile(fileURLToPath(new URL('../examples/alert-rules.yml', import.meta.url)), 'utf8');
    for (const name of ['BatchJobCommandFailed', 'BatchJobStalled']) {
      const expression = new RegExp(`alert: ${name}\\n\\s+expr: '(.*)'`).exec(rules)?.[1];
      expect(expression, name).toBeDefined();
      expect(await prometheus.query(expression!), name).toEqual([]);
    }
  } finally {
    clearTimeout(killer);
    child.kill('SIGKILL');
    await rm(scratch, { recursive: true, force: true });
  }
}, 60_000);
