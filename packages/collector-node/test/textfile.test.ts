import { describe, expect, it } from 'vitest';
import { parseTextfile, TextfileError } from '../src/parsers/textfile.js';
import { mergeTextfiles } from '../src/merge-textfiles.js';

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

describe('parseTextfile', () => {
  it('reads counters, gauges and untyped samples with their label names', () => {
    const families = parseTextfile(
      lines('# HELP jobs_total Jobs run.', '# TYPE jobs_total counter', 'jobs_total{queue="a"} 3', 'jobs_total{queue="b",shard="1"} 4', 'plain 1'),
    );
    expect(families).toEqual([
      {
        name: 'jobs_total',
        type: 'counter',
        help: 'Jobs run.',
        labelNames: ['queue', 'shard'],
        series: [
          { labels: { queue: 'a' }, value: 3 },
          { labels: { queue: 'b', shard: '1' }, value: 4 },
        ],
      },
      { name: 'plain', type: 'untyped', help: undefined, labelNames: [], series: [{ labels: {}, value: 1 }] },
    ]);
  });

  it('assembles histograms and summaries per series', () => {
    const [histogram, summary] = parseTextfile(
      lines(
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{path="/",le="1"} 2',
        'latency_seconds_bucket{path="/",le="0.1"} 1',
        'latency_seconds_bucket{path="/",le="+Inf"} 3',
        'latency_seconds_sum{path="/"} 2.5',
        'latency_seconds_count{path="/"} 3',
        '# TYPE size_bytes summary',
        'size_bytes{quantile="0.5"} 10',
        'size_bytes{quantile="0.9"} 20',
        'size_bytes_sum 100',
        'size_bytes_count 7',
      ),
    );
    expect(histogram).toMatchObject({
      labelNames: ['path'],
      series: [{ labels: { path: '/' }, value: { buckets: [[0.1, 1], [1, 2], [Infinity, 3]], sum: 2.5, count: 3 } }],
    });
    expect(summary).toMatchObject({ labelNames: [], series: [{ labels: {}, value: { quantiles: [[0.5, 10], [0.9, 20]], sum: 100, count: 7 } }] });
  });

  it('refuses a file with client-side timestamps', () => {
    expect(() => parseTextfile(lines('a 1', 'b 2 1700000000000'))).toThrow(/line 2: client-side timestamps are not supported \(b\)/);
  });

  it('refuses a file that does not parse or repeats a series', () => {
    expect(() => parseTextfile(lines('a{x="1"} 1', 'a{x="1"} 2'))).toThrow(TextfileError);
    expect(() => parseTextfile(lines('a{x="1" 1'))).toThrow(/line 1/);
  });

  it('refuses series that only differ by an empty label (the same series to Prometheus)', () => {
    expect(() => parseTextfile(lines('a{x="1"} 1', 'a{x="1",y=""} 2'))).toThrow(/duplicate series/);
  });

  it('refuses histograms the exposition format cannot carry', () => {
    expect(() => parseTextfile(lines('# TYPE h histogram', 'h_bucket{le="1"} 5', 'h_bucket{le="2"} 3', 'h_sum 1', 'h_count 5'))).toThrow(/cumulative/);
    expect(() => parseTextfile(lines('# TYPE h histogram', 'h_bucket{le="+Inf"} 5', 'h_sum 1', 'h_count 4'))).toThrow(/\+Inf bucket must equal count/);
    expect(() => parseTextfile(lines('# TYPE h histogram', 'h_bucket{le="x"} 5'))).toThrow(/numeric le label/);
    expect(() => parseTextfile(lines('# TYPE s summary', 's{quantile="2"} 1', 's_sum 1', 's_count 1'))).toThrow(/outside \[0, 1\]/);
  });

  it('refuses label names the host reserves', () => {
    expect(() => parseTextfile(lines('a{__meta="1"} 1'))).toThrow(TextfileError);
  });

  it('treats an empty HELP line as no HELP', () => {
    expect(parseTextfile(lines('# HELP a ', 'a 1'))[0]?.help).toBeUndefined();
  });
});

describe('mergeTextfiles', () => {
  const file = (path: string, ...text: string[]) => ({ path, families: parseTextfile(lines(...text)) });

  it('unions label names across files, filling missing values with ""', () => {
    const merge = mergeTextfiles([file('/t/a.prom', '# TYPE x gauge', 'x{a="1"} 1'), file('/t/b.prom', '# TYPE x gauge', 'x{b="2"} 2')], () => false);
    expect(merge.rejected).toEqual([]);
    expect(merge.families).toEqual([
      {
        family: { name: 'x', type: 'gauge', help: 'Metric read from /t/a.prom, /t/b.prom', labelNames: ['a', 'b'] },
        series: [
          { labels: { a: '1', b: '' }, value: 1 },
          { labels: { a: '', b: '2' }, value: 2 },
        ],
      },
    ]);
  });

  it('keeps the first HELP and reports a different one', () => {
    const merge = mergeTextfiles(
      [file('/t/a.prom', '# HELP x First.', 'x{a="1"} 1'), file('/t/b.prom', 'x{a="2"} 2'), file('/t/c.prom', '# HELP x Second.', 'x{a="3"} 3')],
      () => false,
    );
    expect(merge.families[0]?.family.help).toBe('First.');
    expect(merge.families[0]?.series).toHaveLength(3);
    expect(merge.helpConflicts).toEqual([{ name: 'x', kept: 'First.', ignored: 'Second.', path: '/t/c.prom' }]);
  });

  it('takes HELP from a later file when the first has none', () => {
    const merge = mergeTextfiles([file('/t/a.prom', 'x{a="1"} 1'), file('/t/b.prom', '# HELP x Later.', 'x{a="2"} 2')], () => false);
    expect(merge.families[0]?.family.help).toBe('Later.');
    expect(merge.helpConflicts).toEqual([]);
  });

  it('refuses a whole file that reuses a built-in name, changes a type or repeats a series', () => {
    const merge = mergeTextfiles(
      [
        file('/t/a.prom', '# TYPE x gauge', 'x{a="1"} 1', 'y 1'),
        file('/t/b.prom', 'node_load1 5', 'z 1'),
        file('/t/c.prom', '# TYPE x counter', 'x{a="2"} 2', 'w 1'),
        file('/t/d.prom', '# TYPE x gauge', 'x{a="1",b=""} 9', 'v 1'),
        file('/t/e.prom', '# TYPE x gauge', 'x{a="3"} 3'),
      ],
      (name) => name === 'node_load1',
    );
    expect(merge.accepted).toEqual(['/t/a.prom', '/t/e.prom']);
    expect(merge.rejected).toEqual([
      { path: '/t/b.prom', reason: 'node_load1 is a family of the node collector itself' },
      { path: '/t/c.prom', reason: 'x is a counter here but a gauge in /t/a.prom' },
      { path: '/t/d.prom', reason: 'x{a="1"} is already in /t/a.prom' },
    ]);
    expect(merge.families.map(({ family }) => family.name)).toEqual(['x', 'y']);
  });
});
