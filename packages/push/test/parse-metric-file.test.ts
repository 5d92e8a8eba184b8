import { describe, expect, test } from 'vitest';
import { MetricFileError, parseMetricFile, type MetricFileIssue } from '../src/index.js';

function issuesOf(content: string, options: Parameters<typeof parseMetricFile>[1] = {}): MetricFileIssue[] {
  try {
    parseMetricFile(content, options);
  } catch (error) {
    if (error instanceof MetricFileError) return [...error.issues];
    throw error;
  }
  throw new Error('the file was accepted');
}

const json = (document: unknown): string => JSON.stringify(document, null, 2);
const gauge = (extra: Record<string, unknown> = {}) => ({ name: 'loss', type: 'gauge', help: 'Loss.', value: 1, ...extra });

describe('JSON metric files: every problem is named by its JSON path', () => {
  test.each<[string, unknown, MetricFileIssue]>([
    ['a missing metrics array', { job: 'x' }, { path: '$', message: 'missing required property "metrics"' }],
    ['an unknown top-level property', { metrics: [], extra: 1 }, { path: '$.extra', message: 'unknown property' }],
    ['a value of the wrong type', { metrics: [gauge({ value: '0.5' })] }, { path: '$.metrics[0].value', message: 'must be a number, or one of "NaN", "+Inf", "-Inf"' }],
    ['help of the wrong type', { metrics: [gauge({ help: 3 })] }, { path: '$.metrics[0].help', message: 'must be string' }],
    ['an unknown metric type', { metrics: [gauge({ type: 'gage' })] }, { path: '$.metrics[0].type', message: 'must be one of "gauge", "counter", "untyped", "histogram", "summary"' }],
    ['a bad metric name', { metrics: [gauge({ name: 'loss-value' })] }, { path: '$.metrics[0].name', message: '"loss-value" is not a valid metric name (it must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$)' }],
    ['a bad label name', { metrics: [gauge({ value: undefined, samples: [{ labels: { 'data-set': 'a' }, value: 1 }] })] }, { path: '$.metrics[0].samples[0].labels["data-set"]', message: '"data-set" is not a valid label name (it must match ^[a-zA-Z_][a-zA-Z0-9_]*$)' }],
    ['both value and samples', { metrics: [gauge({ samples: [{ value: 2 }] })] }, { path: '$.metrics[0]', message: 'needs exactly one of "value" (a single series without labels) or "samples"' }],
    ['a negative counter', { metrics: [{ name: 'images_total', type: 'counter', help: 'Images.', value: -1 }] }, { path: '$.metrics[0].value', message: 'must be a number that is not negative (counters never go down), or "NaN" or "+Inf"' }],
    ['a counter without _total', { metrics: [{ name: 'images', type: 'counter', help: 'Images.', value: 1 }] }, { path: '$.metrics[0].name', message: 'counter images must end in "_total"' }],
    ['a bad bucket bound', { metrics: [{ name: 'batch_seconds', type: 'histogram', help: 'h', samples: [{ buckets: { fast: 1 }, sum: 1, count: 1 }] }] }, { path: '$.metrics[0].samples[0].buckets.fast', message: 'must be a decimal number (or "+Inf" for the last bucket)' }],
    ['decreasing buckets', { metrics: [{ name: 'batch_seconds', type: 'histogram', help: 'h', samples: [{ buckets: { '0.5': 3, '1': 2 }, sum: 1, count: 3 }] }] }, { path: '$.metrics[0].samples[0].buckets["1"]', message: 'bucket counts are cumulative and must not decrease (2 after 3)' }],
    ['a quantile above 1', { metrics: [{ name: 'latency_seconds', type: 'summary', help: 'h', samples: [{ quantiles: { '1.5': 3 }, sum: 1, count: 3 }] }] }, { path: '$.metrics[0].samples[0].quantiles["1.5"]', message: 'a quantile must be between 0 and 1' }],
    ['one bucket bound written twice', { metrics: [{ name: 'batch_seconds', type: 'histogram', help: 'h', samples: [{ buckets: { '0.5': 1, '0.50': 1 }, sum: 1, count: 1 }] }] }, { path: '$.metrics[0].samples[0].buckets["0.50"]', message: 'bucket bound 0.5 is already given as "0.5"' }],
    ['one quantile written twice', { metrics: [{ name: 'latency_seconds', type: 'summary', help: 'h', samples: [{ quantiles: { '0.5': 1, '5e-1': 2 }, sum: 1, count: 3 }] }] }, { path: '$.metrics[0].samples[0].quantiles["5e-1"]', message: 'quantile 0.5 is already given as "0.5"' }],
    ['a duplicate family', { metrics: [gauge(), gauge()] }, { path: '$.metrics[1].name', message: 'duplicate metric family loss (first declared at $.metrics[0])' }],
    ['a label the grouping key would overwrite', { metrics: [gauge({ value: undefined, samples: [{ labels: { job: 'other' }, value: 1 }] })] }, { path: '$.metrics[0].samples[0].labels.job', message: 'label job is part of the grouping key; the Pushgateway would replace its value with the grouping value' }],
  ])('%s', (_case, document, expected) => {
    expect(issuesOf(json(document))).toContainEqual(expected);
  });

  test('a duplicate series names both samples', () => {
    const document = { labels: { team: 'a' }, metrics: [gauge({ value: undefined, samples: [{ labels: { split: 'train' }, value: 1 }, { labels: { split: 'train' }, value: 2 }] })] };
    expect(issuesOf(json(document))).toEqual([{ path: '$.metrics[0].samples[1].labels', message: 'duplicate series loss{team="a",split="train"} (the same labels as $.metrics[0].samples[0])' }]);
  });

  test('bad JSON is reported with its line and column', () => {
    expect(issuesOf('{\n  "metrics": [\n    {"name": "loss",}\n  ]\n}')).toEqual([{ path: '$', message: expect.stringMatching(/^invalid JSON at line 3, column \d+: /) as string }]);
  });

  test('a grouping label given on the command line is reserved too', () => {
    const document = { metrics: [gauge({ value: undefined, samples: [{ labels: { pipeline: 'x' }, value: 1 }] })] };
    expect(issuesOf(json(document), { groupingLabelNames: ['pipeline'] })[0]?.path).toBe('$.metrics[0].samples[0].labels.pipeline');
  });

  test('every problem is reported at once, not just the first', () => {
    expect(issuesOf(json({ metrics: [gauge({ name: 'a-b' }), gauge({ name: 'c', value: 'x' })] }))).toHaveLength(2);
  });

  test('a valid file renders every type, with NaN and infinities', () => {
    const file = parseMetricFile(
      json({
        job: 'etl',
        groupingKey: { pipeline: 'alice' },
        metrics: [
          { name: 'rows_total', type: 'counter', help: 'Rows.', value: '+Inf' },
          { name: 'ratio', type: 'untyped', help: 'Ratio.', value: 'NaN' },
          { name: 'batch_seconds', type: 'histogram', help: 'Batch.', samples: [{ buckets: { '1': 1, '0.5': 0 }, sum: 0.7, count: 2 }] },
          { name: 'latency_seconds', type: 'summary', help: 'Latency.', samples: [{ labels: { stage: 'load' }, sum: 3, count: 2 }] },
        ],
      }),
    );
    expect(file).toMatchObject({ format: 'json', job: 'etl', groupingKey: { pipeline: 'alice' } });
    expect(file.text).toBe(
      [
        '# HELP rows_total Rows.',
        '# TYPE rows_total counter',
        'rows_total +Inf',
        '# HELP ratio Ratio.',
        '# TYPE ratio untyped',
        'ratio NaN',
        '# HELP batch_seconds Batch.',
        '# TYPE batch_seconds histogram',
        'batch_seconds_bucket{le="0.5"} 0',
        'batch_seconds_bucket{le="1"} 1',
        'batch_seconds_bucket{le="+Inf"} 2',
        'batch_seconds_sum 0.7',
        'batch_seconds_count 2',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds summary',
        'latency_seconds_sum{stage="load"} 3',
        'latency_seconds_count{stage="load"} 2',
        '',
      ].join('\n'),
    );
  });
});

describe('Prometheus text files', () => {
  test('are accepted as they are', () => {
    const text = '# HELP loss Loss.\n# TYPE loss gauge\nloss{split="train"} 0.5\n';
    expect(parseMetricFile(text)).toEqual({ format: 'text', job: undefined, groupingKey: {}, text, families: ['loss'] });
  });

  test.each([
    ['a syntax error', '# HELP loss Loss.\nloss{split="train" 0.5\n', 'line 2'],
    ['a timestamp', '# HELP loss Loss.\n# TYPE loss gauge\nloss 0.5 1700000000000\n', 'line 3'],
    ['no HELP', 'loss 0.5\n', 'line 1'],
    ['a job label', '# HELP loss Loss.\n# TYPE loss gauge\nloss{job="x"} 0.5\n', 'line 3'],
    ['a duplicate series', '# HELP loss Loss.\n# TYPE loss gauge\nloss 0.5\nloss 0.6\n', 'line 4'],
    ['a gauge named _total', '# HELP loss_total Loss.\n# TYPE loss_total gauge\nloss_total 1\n', 'line 3'],
    ['one bucket bound written twice', '# HELP t T.\n# TYPE t histogram\nt_bucket{le="1"} 1\nt_bucket{le="1.0"} 1\nt_bucket{le="+Inf"} 1\nt_sum 1\nt_count 1\n', 'line 4'],
    ['one quantile written twice', '# HELP q Q.\n# TYPE q summary\nq{quantile="0.5"} 1\nq{quantile="5e-1"} 1\nq_sum 1\nq_count 1\n', 'line 4'],
  ])('name the line of %s', (_case, text, line) => {
    expect(issuesOf(text)[0]?.path).toBe(line);
  });
});

describe('duplicate keys and byte order marks', () => {
  test('keys given twice are found at any depth, compared after unescaping, each with its path', () => {
    const text = '{"metrics": [{"name": "loss", "type": "gauge", "help": "Loss.", "samples": [{"labels": {"split": "a", "sp\\u006cit": "b"}, "value": 1}]}], "job": "x", "job": "y"}';
    expect(issuesOf(text)).toEqual([
      { path: '$.metrics[0].samples[0].labels.split', message: 'key given twice in one object (lines 1 and 1); JSON readers silently keep only the last value' },
      { path: '$.job', message: 'key given twice in one object (lines 1 and 1); JSON readers silently keep only the last value' },
    ]);
  });

  test('the same key in different objects is fine', () => {
    const file = parseMetricFile(json({ metrics: [gauge(), gauge({ name: 'accuracy' })] }));
    expect(file.families).toEqual(['loss', 'accuracy']);
  });

  test('a leading UTF-8 byte order mark is skipped, in JSON and in text', () => {
    expect(parseMetricFile(`\uFEFF${json({ metrics: [gauge()] })}`).families).toEqual(['loss']);
    expect(parseMetricFile('\uFEFF# HELP up Up.\n# TYPE up gauge\nup 1\n').families).toEqual(['up']);
  });
});
