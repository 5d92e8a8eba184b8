import { promtoolCheckMetrics } from '@tessera/test-support';
import { register as globalRegistry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { createJob, DURATION_BUCKETS, MetricDefinitionError, MetricUpdateError, type JobOptions } from '../src/index.js';
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

describe('histogram buckets are checked when the histogram is declared', () => {
  test.each([
    ['unsorted, with a duplicate', [1, 0.5, 0.5], /bucket bounds must increase: 0.5 comes after 1/],
    ['a duplicate', [0.5, 0.5, 1], /bucket bound 0.5 is listed twice/],
    ['NaN', [0.5, Number.NaN], /NaN is not a finite number/],
    ['-Infinity', [Number.NEGATIVE_INFINITY, 1], /-Infinity is not a finite number/],
    ['+Infinity before the end', [1, Number.POSITIVE_INFINITY, 2], /Infinity is not a finite number/],
    ['only +Inf', [Number.POSITIVE_INFINITY], /at least one finite bucket bound/],
    ['no bounds at all', [], /at least one finite bucket bound/],
  ])('%s is refused with MetricDefinitionError', (_case, buckets, message) => {
    const declare = () => newJob().histogram({ name: 'batch_seconds', help: 'Batch time.', buckets });
    expect(declare).toThrow(MetricDefinitionError);
    expect(declare).toThrow(message);
  });

  test('a trailing +Inf is accepted and rendered once, since every histogram has that bucket', async () => {
    const job = newJob();
    job.histogram({ name: 'batch_seconds', help: 'Batch time.', buckets: [0.5, 1, Number.POSITIVE_INFINITY] }).observe(0.7);
    const text = await job.metrics();
    expect(text.match(/le="\+Inf"/g)).toHaveLength(1);
    expect(text).toContain('nightly_train_batch_seconds_bucket{le="0.5"} 0');
    expect(text).toContain('nightly_train_batch_seconds_bucket{le="1"} 1');
  });

  test('without buckets, a histogram gets bounds for durations from 10 ms to a day', async () => {
    const job = newJob();
    job.histogram({ name: 'epoch_seconds', help: 'Epoch time.' }).observe(2400);
    const text = await job.metrics();
    const bounds = [...text.matchAll(/le="([^"]+)"/g)].map((match) => match[1]);
    expect(bounds).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(text).toContain('nightly_train_epoch_seconds_bucket{le="1800"} 0');
    expect(text).toContain('nightly_train_epoch_seconds_bucket{le="3600"} 1');
  });
});

describe('metric updates never throw into the job', () => {
  test('a counter decreased, an undeclared label, a wrong label count, a value that is no number: dropped, one warning per kind of problem', async () => {
    const { logger, warnings, records } = captureLogger();
    const job = newJob({ logger });
    const images = job.counter({ name: 'images_total', help: 'Images.' });
    const loss = job.gauge({ name: 'loss', help: 'Loss.', labelNames: ['split'] });
    const batch = job.histogram({ name: 'batch_seconds', help: 'Batch time.', buckets: [1] });
    const latency = job.summary({ name: 'latency_seconds', help: 'Latency.', labelNames: ['stage'] });
    images.inc(5);
    expect(() => images.inc(-1)).not.toThrow();
    expect(() => images.inc(-2)).not.toThrow();
    expect(() => loss.set({ splt: 'train' } as never, 0.5)).not.toThrow();
    expect(() => loss.labels('train', 'extra').set(0.4)).not.toThrow();
    expect(() => loss.set({ split: 'train' }, 'high' as never)).not.toThrow();
    expect(() => batch.observe(Number.NaN)).not.toThrow();
    expect(() => latency.startTimer({ stge: 'load' } as never)()).not.toThrow();
    loss.set({ split: 'validation' }, 0.3);

    const text = await job.metrics();
    expect(text).toContain('nightly_train_images_total 5\n');
    expect(text).toContain('nightly_train_loss{split="validation"} 0.3\n');
    expect(text).not.toContain('splt');
    expect(text).toContain('nightly_train_batch_seconds_count 0\n');
    const messages = warnings().map((record) => record.msg);
    expect(messages).toHaveLength(6);
    expect(messages[0]).toMatch(/^metric update dropped, the job goes on: nightly_train_images_total\.inc\(\): It is not possible to decrease a counter/);
    expect(messages.some((message) => message.includes('nightly_train_loss.set(): Added label "splt"'))).toBe(true);
    expect(messages.some((message) => message.includes('nightly_train_loss.labels(): Invalid number of arguments'))).toBe(true);
    // The second decrease is the same problem: logged at debug, not warned again.
    expect(records.filter((record) => record.level === 20 && record.msg.includes('decrease a counter'))).toHaveLength(1);
  });

  test('strict: true throws MetricUpdateError naming the metric, with the original error as cause', () => {
    const job = newJob({ strict: true });
    const images = job.counter({ name: 'images_total', help: 'Images.' });
    let caught: unknown;
    try {
      images.inc(-1);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricUpdateError);
    expect((caught as MetricUpdateError).metric).toBe('nightly_train_images_total');
    expect((caught as MetricUpdateError).cause).toBeInstanceOf(Error);
    expect((caught as Error).message).toBe('nightly_train_images_total.inc(): It is not possible to decrease a counter');
  });
});

describe('summaries', () => {
  test('report _sum and _count only unless quantiles are asked for, as Python does', async () => {
    const job = newJob();
    job.summary({ name: 'latency_seconds', help: 'Latency.' }).observe(2);
    job.summary({ name: 'step_seconds', help: 'Step time.', percentiles: [0.5, 0.9] }).observe(3);
    const text = await job.metrics();
    expect(text).not.toMatch(/nightly_train_latency_seconds\{quantile/);
    expect(text).toContain('nightly_train_latency_seconds_sum 2\nnightly_train_latency_seconds_count 1\n');
    expect(text).toContain('nightly_train_step_seconds{quantile="0.5"} 3\n');
    expect(text).toContain('nightly_train_step_seconds{quantile="0.9"} 3\n');
  });
});

describe('info()', () => {
  test('one series with value 1 whose labels carry the facts; a second call replaces them; promtool accepts it', async () => {
    const job = newJob();
    job.info('model', { version: '1.2.0', learning_rate: 0.001, augment: true });
    let text = await job.metrics();
    expect(text).toContain('# TYPE nightly_train_model_info gauge\n');
    expect(text).toContain('nightly_train_model_info{version="1.2.0",learning_rate="0.001",augment="true"} 1\n');
    job.info('model', { version: '1.3.0' });
    job.info('build_info', { commit: 'abc123' });
    text = await job.metrics();
    expect(text.match(/nightly_train_model_info\{/g)).toHaveLength(1);
    expect(text).toContain('nightly_train_model_info{version="1.3.0"} 1\n');
    expect(text).toContain('nightly_train_build_info{commit="abc123"} 1\n');
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, findings: [] });
  });

  test('a label name Prometheus refuses, or one the grouping key owns, drops the update with a warning (strict: throws)', async () => {
    const { logger, warnings } = captureLogger();
    const job = newJob({ logger, groupingKey: { model: 'resnet' } });
    job.info('hyperparameters', { batch_size: 256 });
    expect(() => job.info('hyperparameters', { 'learning-rate': 0.1 })).not.toThrow();
    job.info('hyperparameters', { model: 'other' });
    expect(await job.metrics()).toContain('nightly_train_hyperparameters_info{batch_size="256"} 1\n');
    expect(warnings().map((record) => record.msg)).toEqual([
      expect.stringContaining('nightly_train_hyperparameters_info.info(): "learning-rate" is not a valid label name'),
      expect.stringContaining('label model is part of the grouping key'),
    ]);
    expect(() => newJob({ strict: true }).info('hyperparameters', { 'learning-rate': 0.1 })).toThrow(MetricUpdateError);
    expect(() => newJob().info('bad name', {})).toThrow(MetricDefinitionError);
  });
});
