import { register as globalRegistry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { createJob, MetricDefinitionError, type JobOptions } from '../src/index.js';
import { captureLogger } from './helpers.js';

function newJob(options: Partial<JobOptions> = {}) {
  return createJob({ job: 'nightly-train', gateway: 'http://127.0.0.1:9', logger: captureLogger().logger, ...options });
}

describe('createJob', () => {
  test('each job has its own registry; the global one stays untouched', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const first = newJob();
    const second = newJob();
    first.gauge({ name: 'loss', help: 'Loss.' }).set(1);
    second.gauge({ name: 'loss', help: 'Loss.' }).set(2);
    expect(first.registry).not.toBe(globalRegistry);
    expect(first.registry).not.toBe(second.registry);
    expect(await first.metrics()).toContain('nightly_train_loss 1');
    expect(await second.metrics()).toContain('nightly_train_loss 2');
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
  });

  test('the namespace comes from the job name, can be set, or turned off', () => {
    expect(newJob().namespace).toBe('nightly_train');
    expect(newJob({ job: '2026-etl' }).namespace).toBe('_2026_etl');
    expect(newJob({ namespace: 'ml' }).gauge({ name: 'loss', help: 'Loss.' })).toBeDefined();
    expect(newJob({ namespace: '' }).counter({ name: 'images_total', help: 'Images.' })).toBeDefined();
  });

  test('labels are added to every series', async () => {
    const job = newJob({ labels: { team: 'vision', project: 'detector' } });
    job.gauge({ name: 'loss', help: 'Loss.' }).set(0.5);
    expect(await job.metrics()).toContain('nightly_train_loss{team="vision",project="detector"} 0.5');
  });

  test('options that can never work throw at creation', () => {
    expect(() => newJob({ job: '' })).toThrow(TypeError);
    expect(() => newJob({ groupingKey: { job: 'x' } })).toThrow(/must not contain "job"/);
    expect(() => newJob({ groupingKey: { 'bad-name': 'x' } })).toThrow(TypeError);
    expect(() => newJob({ namespace: 'not valid' })).toThrow(MetricDefinitionError);
    expect(() => newJob({ groupingKey: { model: 'a' }, labels: { model: 'b' } })).toThrow(/grouping key/);
  });
});

describe('metric helpers check names', () => {
  test.each([
    ['an illegal character', () => newJob().gauge({ name: 'loss-value', help: 'h' }), /not a valid metric name/],
    ['a counter without _total', () => newJob().counter({ name: 'images', help: 'h' }), /must end in "_total"/],
    ['a gauge with _total', () => newJob().gauge({ name: 'images_total', help: 'h' }), /must not end in "_total"/],
    ['a colon', () => newJob().gauge({ name: 'a:b', help: 'h' }), /reserved for recording rules/],
    ['a histogram ending in _count', () => newJob().histogram({ name: 'batch_count', help: 'h' }), /name its samples/],
    ['missing help', () => newJob().gauge({ name: 'loss', help: ' ' }), /needs help text/],
    ['le on a histogram', () => newJob().histogram({ name: 'latency_seconds', help: 'h', labelNames: ['le'] }), /reserved for histogram buckets/],
    ['quantile on a summary', () => newJob().summary({ name: 'latency_seconds', help: 'h', labelNames: ['quantile'] }), /reserved for summary quantiles/],
    ['a job label', () => newJob().gauge({ name: 'loss', help: 'h', labelNames: ['job'] }), /part of the grouping key/],
    ['a grouping-key label', () => newJob({ groupingKey: { model: 'a' } }).gauge({ name: 'loss', help: 'h', labelNames: ['model'] }), /part of the grouping key/],
    ['a label the job labels already set', () => newJob({ labels: { team: 'a' } }).gauge({ name: 'loss', help: 'h', labelNames: ['team'] }), /already set on every series/],
    ['a reserved __ label', () => newJob().gauge({ name: 'loss', help: 'h', labelNames: ['__name'] }), /reserves/],
    ['a label listed twice', () => newJob().gauge({ name: 'loss', help: 'h', labelNames: ['split', 'split'] }), /listed twice/],
  ])('rejects %s', (_case, declare, message) => {
    expect(declare).toThrow(MetricDefinitionError);
    expect(declare).toThrow(message);
  });

  test('declaring the same metric twice returns the first; a different declaration throws', () => {
    const job = newJob();
    const loss = job.gauge({ name: 'loss', help: 'Loss.', labelNames: ['split'] });
    expect(job.gauge({ name: 'loss', help: 'Loss.', labelNames: ['split'] })).toBe(loss);
    expect(() => job.counter({ name: 'loss', help: 'Loss.' })).toThrow(/already declared as a gauge/);
    expect(() => job.gauge({ name: 'loss', help: 'Loss.' })).toThrow(/already declared/);
  });

  test('a metric whose name is a histogram sample name is refused', () => {
    const job = newJob();
    job.histogram({ name: 'batch_seconds', help: 'Batch time.' });
    expect(() => job.gauge({ name: 'batch_seconds_count', help: 'h' })).toThrow(/clashes with the samples of histogram/);
  });
});
