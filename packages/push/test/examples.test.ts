import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { promtoolCheckMetrics, requireBinary, startPushgateway, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseMetricFile } from '../src/index.js';
import { runTrainingJob } from '../examples/training-job.js';
import { captureLogger, familyOf, findGroup } from './helpers.js';

const run = promisify(execFile);
const examples = (path: string): string => fileURLToPath(new URL(`../examples/${path}`, import.meta.url));

const BIN = fileURLToPath(new URL('../dist/bin/tessera-push.js', import.meta.url));

let gateway: RunningPeer;
let scratch: string;

beforeAll(async () => {
  gateway = await startPushgateway();
  scratch = await mkdtemp(join(tmpdir(), 'tessera-push-examples-'));
});

afterAll(async () => {
  await gateway.stop();
  await rm(scratch, { recursive: true, force: true });
});

const GROUP = { job: 'resnet_training', model: 'resnet50', dataset: 'imagenet-1k' };

describe('examples/training-job.ts', () => {
  test('a successful run pushes epochs, loss, accuracy, throughput, stage timings and the success timestamp', async () => {
    const { logger, warnings } = captureLogger();
    const result = await runTrainingJob({ gateway: gateway.url, epochs: 3, stepsPerEpoch: 5, pushIntervalMs: 20, logger });
    expect(result).toMatchObject({ ok: true, method: 'POST' });
    expect(warnings()).toEqual([]);
    const group = await findGroup(gateway.url, GROUP);
    const value = (name: string): number => Number(familyOf(group, `resnet_training_${name}`)?.metrics[0]?.value);
    expect(value('epoch')).toBe(3);
    expect(value('samples_total')).toBe(3 * 5 * 256);
    expect(value('accuracy_ratio')).toBeGreaterThan(0);
    expect(value('samples_per_second')).toBeGreaterThan(0);
    expect(familyOf(group, 'resnet_training_loss')?.metrics.map((metric) => metric.labels.split).sort()).toEqual(['train', 'validation']);
    expect(familyOf(group, 'resnet_training_train_epoch_duration_seconds')?.metrics[0]?.count).toBe('3');
    for (const stage of ['load_data', 'evaluate', 'save_checkpoint']) expect(familyOf(group, `resnet_training_${stage}_duration_seconds`)).toBeDefined();
    expect(Math.abs(value('last_success_timestamp_seconds') - Date.now() / 1000)).toBeLessThan(60);
  });

  test('a failed run records the failure and keeps the earlier success in the group', async () => {
    const before = familyOf(await findGroup(gateway.url, GROUP), 'resnet_training_last_success_timestamp_seconds')?.metrics[0]?.value;
    expect(before).toBeDefined();
    const result = await runTrainingJob({ gateway: gateway.url, epochs: 3, stepsPerEpoch: 2, pushIntervalMs: 20, failAtEpoch: 2, logger: captureLogger().logger });
    expect(result).toMatchObject({ ok: true });
    const group = await findGroup(gateway.url, GROUP);
    expect(familyOf(group, 'resnet_training_last_success_timestamp_seconds')?.metrics[0]?.value).toBe(before);
    expect(Number(familyOf(group, 'resnet_training_last_failure_timestamp_seconds')?.metrics[0]?.value)).toBeGreaterThanOrEqual(Number(before));
    expect(familyOf(group, 'resnet_training_train_epoch_failures_total')?.metrics[0]?.value).toBe('1');
  });

  test('with the Pushgateway down, the training still completes', async () => {
    const { logger, warnings } = captureLogger();
    const result = await runTrainingJob({ gateway: 'http://127.0.0.1:9', epochs: 2, stepsPerEpoch: 2, pushIntervalMs: 1000, logger });
    expect(result).toMatchObject({ ok: false, reason: 'connection' });
    expect(warnings()).toHaveLength(1);
  });
});

describe('examples/workflow-step', () => {
  test('the sample metric file is valid and its exposition passes promtool', async () => {
    const file = parseMetricFile(await readFile(examples('workflow-step/metrics.json'), 'utf8'));
    expect(file.job).toBe('nightly_etl');
    expect(await promtoolCheckMetrics(file.text)).toEqual({ exitCode: 0, findings: [] });
  });

  test('the Argo step runs tessera-push with --best-effort on the artifact the work step writes', async () => {
    const workflow = await readFile(examples('workflow-step/argo-workflow.yaml'), 'utf8');
    expect(workflow).toMatch(/command: \[tessera-push\]/);
    const args = /args: \[(.*)\]/.exec(workflow)?.[1]?.split(',').map((arg) => JSON.parse(arg.trim()) as string);
    expect(args).toContain('--best-effort');
    expect(args?.at(-1)).toBe('/tmp/metrics.json');
    expect(workflow).toMatch(/cat > \/tmp\/metrics\.json/);
  });
});

describe('examples/python-training', () => {
  test('the Argo step runs the script under tessera-push exec as its entrypoint', async () => {
    const workflow = await readFile(examples('python-training/argo-workflow.yaml'), 'utf8');
    expect(workflow).toMatch(/command: \[tessera-push\]/);
    const args = /args: \[(.*)\]/.exec(workflow)?.[1]?.split(',').map((arg) => JSON.parse(arg.trim()) as string) ?? [];
    expect(args[0]).toBe('exec');
    expect(args.slice(args.indexOf('--') + 1)).toEqual(['python3', '/app/train.py']);
    expect(args[args.indexOf('--metrics-file') + 1]).toBe('/tmp/metrics.json');
  });

  test('a run that fails at epoch 2: exec exits 1 as Python did, the epoch-1 metrics and the failure are pushed', async () => {
    const outcome = await run(process.execPath, [BIN, 'exec', '--gateway', gateway.url, '--job', 'bert_finetune', '--label', 'model=failing', '--metrics-file', join(scratch, 'metrics.json'), '--interval', '200ms', '--', 'python3', examples('python-training/train.py')], {
      env: { PATH: process.env.PATH ?? '', EPOCHS: '3', EPOCH_SECONDS: '0.3', FAIL_AT_EPOCH: '2' },
      timeout: 20_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('loss diverged at epoch 2');
    const group = await findGroup(gateway.url, { job: 'bert_finetune', model: 'failing' });
    expect(familyOf(group, 'bert_finetune_epoch')?.metrics[0]?.value).toBe('1');
    expect(familyOf(group, 'bert_finetune_exit_code')?.metrics[0]?.value).toBe('1');
    expect(familyOf(group, 'bert_finetune_last_failure_timestamp_seconds')).toBeDefined();
  });
});

describe('examples/prometheus.yml and alert-rules.yml', () => {
  test('promtool accepts the scrape config (honor_labels: true) and the alert rules', async () => {
    const promtool = requireBinary('promtool');
    const config = await run(promtool, ['check', 'config', examples('prometheus.yml')]);
    expect(config.stdout).toMatch(/SUCCESS: 1 rule files found/);
    expect(await readFile(examples('prometheus.yml'), 'utf8')).toMatch(/job_name: pushgateway\n\s+honor_labels: true\n/);
    const rules = await run(promtool, ['check', 'rules', examples('alert-rules.yml')]);
    expect(rules.stdout).toMatch(/SUCCESS: 4 rules found/);
  });
});
