import { describe, expect, it } from 'vitest';
import { ExpositionParseError, parseText } from '../src/index.js';

describe('parseText', () => {
  it('parses families, escapes, timestamps and special values', () => {
    const families = parseText(
      [
        '# HELP jobs_total Jobs run, with a \\\\ and a\\nnewline.',
        '# TYPE jobs_total counter',
        'jobs_total{queue="a\\"b",path="C:\\\\x\\ny"} 3 1700000000000',
        'jobs_total{queue="c"} +Inf',
        '# a comment',
        '',
        'free_form{x="1",} NaN',
        'temperature -1.5e-3',
      ].join('\n'),
    );
    expect(families.map((family) => [family.name, family.type, family.samples.length])).toEqual([
      ['jobs_total', 'counter', 2],
      ['free_form', 'untyped', 1],
      ['temperature', 'untyped', 1],
    ]);
    const [jobs] = families;
    expect(jobs?.help).toBe('Jobs run, with a \\ and a\nnewline.');
    expect(jobs?.samples[0]).toMatchObject({ labels: { queue: 'a"b', path: 'C:\\x\ny' }, value: 3, timestampMs: 1700000000000 });
    expect(jobs?.samples[1]?.value).toBe(Infinity);
    expect(families[1]?.samples[0]?.value).toBeNaN();
    expect(families[2]?.samples[0]?.value).toBe(-0.0015);
  });

  it('groups histogram and summary samples under their family', () => {
    const families = parseText(
      [
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 1',
        'latency_seconds_bucket{le="+Inf"} 2',
        'latency_seconds_sum 0.3',
        'latency_seconds_count 2',
        '# TYPE size_bytes summary',
        'size_bytes{quantile="0.5"} 10',
        'size_bytes_sum 30',
        'size_bytes_count 3',
      ].join('\n'),
    );
    expect(families.map((family) => [family.name, family.samples.map((sample) => sample.name)])).toEqual([
      ['latency_seconds', ['latency_seconds_bucket', 'latency_seconds_bucket', 'latency_seconds_sum', 'latency_seconds_count']],
      ['size_bytes', ['size_bytes', 'size_bytes_sum', 'size_bytes_count']],
    ]);
  });

  it('keeps HELP text and label values with Unicode line and paragraph separators', () => {
    const [family] = parseText('# HELP a one\u2028two\u2029three\n# TYPE a gauge\na{b="x\u2028y"} 1\n');
    expect(family).toMatchObject({ name: 'a', type: 'gauge', help: 'one\u2028two\u2029three' });
    expect(family?.samples[0]?.labels).toEqual({ b: 'x\u2028y' });
  });

  it('does not mistake label values holding separator characters for a duplicate series', () => {
    const [family] = parseText('a{a="x\u0000b\u0001y"} 1\na{a="x",b="y"} 2\n');
    expect(family?.samples.map((sample) => sample.labels)).toEqual([{ a: 'x\u0000b\u0001y' }, { a: 'x', b: 'y' }]);
  });

  it.each([
    ['a{b="1"} 1\na{b="1"} 2', 2, /duplicate series/],
    ['# HELP a\u2028b text', 1, /invalid metric name/],
    ['# TYPE a gauge\n# TYPE a gauge', 2, /second TYPE/],
    ['# HELP a x\n# HELP a y', 2, /second HELP/],
    ['a 1\n# TYPE a gauge', 2, /before its samples/],
    ['# TYPE a meter', 1, /unknown metric type/],
    ['a{b="1} 1', 1, /unterminated/],
    ['a{b="\\x"} 1', 1, /invalid escape/],
    ['a{b="1",b="2"} 1', 1, /appears twice/],
    ['a{1b="1"} 1', 1, /invalid label name/],
    ['a', 1, /missing value/],
    ['a one', 1, /invalid value/],
    ['a 1 2 3', 1, /unexpected text/],
    ['a 1 1.5', 1, /invalid timestamp/],
    ['ok 1\n-bad 1', 2, /invalid metric name/],
  ])('rejects %j at line %i', (text, lineNumber, message) => {
    let caught: unknown;
    try {
      parseText(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpositionParseError);
    expect((caught as ExpositionParseError).lineNumber).toBe(lineNumber);
    expect((caught as Error).message).toMatch(message);
  });
});
