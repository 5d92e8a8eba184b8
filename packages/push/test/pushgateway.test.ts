import { startPushgateway, type RunningPeer } from '@tessera/test-support';
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJob, type JobOptions } from '../src/index.js';
import { captureLogger, familyOf, findGroup, readGroups } from './helpers.js';

let gateway: RunningPeer;

beforeAll(async () => {
  gateway = await startPushgateway();
});

afterAll(async () => {
  await gateway.stop();
});

function job(options: Omit<JobOptions, 'gateway' | 'logger'>) {
  const { logger, warnings } = captureLogger();
  return { job: createJob({ gateway: gateway.url, logger, ...options }), warnings };
}

describe('Pushgateway semantics against the real Pushgateway', () => {
  test('PUT replaces the whole group, POST replaces same-named metrics only, DELETE removes the group', async () => {
    const first = job({ job: 'semantics', groupingKey: { model: 'a' } }).job;
    first.gauge({ name: 'loss', help: 'Training loss.' }).set(0.9);
    first.gauge({ name: 'accuracy', help: 'Validation accuracy.' }).set(0.1);
    expect(await first.push()).toMatchObject({ ok: true, method: 'PUT', status: 200, attempts: 1 });
    let group = await findGroup(gateway.url, { job: 'semantics', model: 'a' });
    expect(familyOf(group, 'semantics_loss')?.metrics[0]?.value).toBe('0.9');
    expect(familyOf(group, 'semantics_accuracy')?.metrics[0]?.value).toBe('0.1');

    const second = job({ job: 'semantics', groupingKey: { model: 'a' } }).job;
    second.gauge({ name: 'loss', help: 'Training loss.' }).set(0.5);
    expect(await second.pushAdd()).toMatchObject({ ok: true, method: 'POST', status: 200 });
    group = await findGroup(gateway.url, { job: 'semantics', model: 'a' });
    expect(familyOf(group, 'semantics_loss')?.metrics[0]?.value).toBe('0.5');
    expect(familyOf(group, 'semantics_accuracy')?.metrics[0]?.value).toBe('0.1');

    expect(await second.push()).toMatchObject({ ok: true, method: 'PUT' });
    group = await findGroup(gateway.url, { job: 'semantics', model: 'a' });
    expect(familyOf(group, 'semantics_loss')?.metrics[0]?.value).toBe('0.5');
    expect(familyOf(group, 'semantics_accuracy')).toBeUndefined();

    expect(await second.delete()).toMatchObject({ ok: true, method: 'DELETE', status: 202 });
    expect(await findGroup(gateway.url, { job: 'semantics', model: 'a' })).toBeUndefined();
  });

  test('grouping values with "/", empty values, dots and unicode arrive intact', async () => {
    const groupingKey = { path: '/data/imagenet/train', empty: '', dots: '..', unicode: 'naïve → ✓ 模型', percent: '100% a+b' };
    const { job: handle, warnings } = job({ job: 'team/ingest', groupingKey });
    expect(handle.namespace).toBe('team_ingest');
    handle.gauge({ name: 'files', help: 'Files read.' }).set(7);
    const result = await handle.push();
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.url).toContain('/job@base64/');
    expect(result.url).toContain('/path@base64/');
    expect(result.url).toContain('/empty@base64/=');
    const group = await findGroup(gateway.url, { job: 'team/ingest', ...groupingKey });
    expect(group?.labels).toEqual({ job: 'team/ingest', ...groupingKey });
    expect(familyOf(group, 'team_ingest_files')?.metrics[0]).toMatchObject({ value: '7', labels: { job: 'team/ingest', path: '/data/imagenet/train', empty: '', unicode: 'naïve → ✓ 模型' } });
    expect(warnings()).toEqual([]);
    expect(await handle.delete()).toMatchObject({ ok: true });
  });

  test('for contrast: prom-client percent-encodes "/", gets a 301 and resolves as if it had pushed', async () => {
    const registry = new Registry();
    new Gauge({ name: 'contrast_files', help: 'Files read.', registers: [registry] }).set(1);
    const promClient = new Pushgateway(gateway.url, {}, registry);
    const { resp } = (await promClient.push({ jobName: 'contrast', groupings: { path: '/data/x' } })) as { resp?: { statusCode?: number } };
    expect(resp?.statusCode).toBe(301);
    expect((await readGroups(gateway.url)).some((group) => group.labels.job === 'contrast')).toBe(false);

    const { job: handle } = job({ job: 'contrast', groupingKey: { path: '/data/x' } });
    handle.gauge({ name: 'files', help: 'Files read.' }).set(1);
    expect(await handle.push()).toMatchObject({ ok: true, status: 200 });
    expect(await findGroup(gateway.url, { job: 'contrast', path: '/data/x' })).toBeDefined();
  });

  test('every metric type reads back from the Pushgateway with its type and values', async () => {
    const { job: handle } = job({ job: 'types', labels: { team: 'vision' } });
    handle.gauge({ name: 'loss', help: 'Training loss.', labelNames: ['split'] }).set({ split: 'validation' }, 0.25);
    handle.counter({ name: 'samples_total', help: 'Samples seen.' }).inc(1024);
    const histogram = handle.histogram({ name: 'batch_seconds', help: 'Time per batch.', buckets: [0.1, 1] });
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(3);
    const summary = handle.summary({ name: 'step_seconds', help: 'Time per step.', percentiles: [0.5, 0.9] });
    for (const value of [1, 2, 3, 4]) summary.observe(value);
    await handle.time('evaluate', () => Promise.resolve());
    handle.succeed();
    expect(await handle.push()).toMatchObject({ ok: true });

    const group = await findGroup(gateway.url, { job: 'types' });
    expect(group?.last_push_successful).toBe(true);
    const loss = familyOf(group, 'types_loss');
    expect(loss).toMatchObject({ type: 'GAUGE', help: 'Training loss.' });
    expect(loss?.metrics[0]).toMatchObject({ value: '0.25', labels: { split: 'validation', team: 'vision', job: 'types' } });
    expect(familyOf(group, 'types_samples_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '1024' }] });
    expect(familyOf(group, 'types_batch_seconds')).toMatchObject({
      type: 'HISTOGRAM',
      metrics: [{ buckets: { '0.1': '1', '1': '2', '+Inf': '3' }, count: '3', sum: '3.55' }],
    });
    const step = familyOf(group, 'types_step_seconds');
    expect(step).toMatchObject({ type: 'SUMMARY', metrics: [{ count: '4', sum: '10' }] });
    expect(Object.keys(step?.metrics[0]?.quantiles ?? {}).sort()).toEqual(['0.5', '0.9']);
    expect(familyOf(group, 'types_evaluate_duration_seconds')).toMatchObject({ type: 'SUMMARY', metrics: [{ count: '1' }] });
    expect(familyOf(group, 'types_evaluate_failures_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '0' }] });
    const success = Number(familyOf(group, 'types_last_success_timestamp_seconds')?.metrics[0]?.value);
    expect(Math.abs(success - Date.now() / 1000)).toBeLessThan(60);
    expect(familyOf(group, 'types_last_completion_timestamp_seconds')?.metrics[0]?.value).toBe(familyOf(group, 'types_last_success_timestamp_seconds')?.metrics[0]?.value);
  });
});
