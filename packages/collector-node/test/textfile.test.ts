import { describe, expect, it } from 'vitest';
import { parseTextfile, TextfileError, TextfileParser } from '../src/parsers/textfile.js';
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
        seriesKeys: ['{queue="a"}', '{queue="b",shard="1"}'],
      },
      { name: 'plain', type: 'untyped', help: undefined, labelNames: [], series: [{ labels: {}, value: 1 }], seriesKeys: [''] },
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

  it('finds a repeated series however its labels are ordered, spaced, escaped or padded with empty ones', () => {
    for (const repeat of ['a{y="2",x="1"} 2', 'a{ x = "1" , y="2" , } 2', 'a{x="1",y="2",z=""} 2', 'a {x="1",y="2"} 2']) {
      expect(() => parseTextfile(lines('a{x="1",y="2"} 1', repeat)), repeat).toThrow(/line 2: duplicate series a\{x="1",y="2"\}/);
    }
    expect(() => parseTextfile(lines('a{x="q\\"uote\\\\n"} 1', 'a{x="q\\"uote\\\\n"} 2'))).toThrow(/duplicate series/);
    // Different values, and a backslash-n against a real backslash followed by n, are different series.
    expect(parseTextfile(lines('a{x="1"} 1', 'a{x="2"} 2', 'a{x="\\n"} 3', 'a{x="\\\\n"} 4'))[0]?.seriesKeys).toEqual(['{x="1"}', '{x="2"}', '{x="\\n"}', '{x="\\\\n"}']);
  });

  it('reads escaped label values and HELP texts', () => {
    const [family] = parseTextfile(lines('# HELP a Line one\\nline two \\\\ end', 'a{path="C:\\\\data",quote="say \\"hi\\"",text="a\\nb"} 1'));
    expect(family?.help).toBe('Line one\nline two \\ end');
    expect(family?.series[0]?.labels).toEqual({ path: 'C:\\data', quote: 'say "hi"', text: 'a\nb' });
    expect(() => parseTextfile(lines('a{x="\\t"} 1'))).toThrow(/line 1: invalid escape sequence "\\t" in label x/);
  });

  it('reads CRLF line endings and a last line without a newline', () => {
    expect(parseTextfile('# TYPE a gauge\r\na{x="1"} 1\r\na{x="2"} 2')[0]).toMatchObject({ type: 'gauge', series: [{ value: 1 }, { value: 2 }] });
  });

  it('gives the same families whatever pieces the text is fed in', () => {
    const text = lines(
      '# HELP jobs_total Jobs run.',
      '# TYPE jobs_total counter',
      'jobs_total{queue="a",shard="1"} 3',
      'jobs_total{queue="b \\"x\\"",shard="2"} 4',
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{le="0.5"} 1',
      'latency_seconds_bucket{le="+Inf"} 2',
      'latency_seconds_sum 0.75',
      'latency_seconds_count 2',
    );
    const whole = parseTextfile(text);
    for (let size = 1; size <= 17; size += 4) {
      const parser = new TextfileParser();
      for (let start = 0; start < text.length; start += size) parser.feed(text.slice(start, start + size));
      expect(parser.finish(), `pieces of ${size}`).toEqual(whole);
    }
  });

  it('names the line of an error even when it arrived in pieces', () => {
    const parser = new TextfileParser();
    parser.feed('a 1\nb 2\nc{');
    expect(() => {
      parser.feed('x="1" 3\n');
    }).toThrow(/^line 3: expected "," or "\}" after label x$/);
  });

  it('refuses a histogram with a bucket or sum given twice', () => {
    expect(() => parseTextfile(lines('# TYPE h histogram', 'h_bucket{le="1"} 1', 'h_bucket{le="1.0"} 1', 'h_sum 1', 'h_count 1'))).toThrow(/line 3: duplicate series: h has a second le="1.0"/);
    expect(() => parseTextfile(lines('# TYPE h histogram', 'h_bucket{le="+Inf"} 1', 'h_sum 1', 'h_sum 2', 'h_count 1'))).toThrow(/line 4: duplicate series: h has a second _sum/);
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
        contributions: [
          { path: '/t/a.prom', series: [{ labels: { a: '1', b: '' }, value: 1 }] },
          { path: '/t/b.prom', series: [{ labels: { a: '', b: '2' }, value: 2 }] },
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
    expect(merge.families[0]?.contributions.flatMap((contribution) => contribution.series)).toHaveLength(3);
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
      { path: '/t/b.prom', family: 'node_load1', reason: 'node_load1 is a family of the node collector itself' },
      { path: '/t/c.prom', family: 'x', reason: 'x is a counter here but a gauge in /t/a.prom' },
      { path: '/t/d.prom', family: 'x', reason: 'x{a="1"} is already in /t/a.prom' },
    ]);
    expect(merge.families.map(({ family }) => family.name)).toEqual(['x', 'y']);
  });

  it('refuses a file whose family writes a sample name another family writes', () => {
    const merge = mergeTextfiles(
      [
        file('/t/a.prom', '# TYPE job_seconds histogram', 'job_seconds_bucket{le="+Inf"} 1', 'job_seconds_sum 2', 'job_seconds_count 1'),
        file('/t/b.prom', 'job_seconds_count 5'),
        file('/t/c.prom', '# TYPE node_load1_sum summary', 'node_load1_sum_sum 1', 'node_load1_sum_count 1'),
        file('/t/d.prom', '# TYPE node_load histogram', 'node_load_bucket{le="+Inf"} 1', 'node_load_sum 1', 'node_load_count 1'),
      ],
      (name) => name === 'node_load_count',
    );
    expect(merge.accepted).toEqual(['/t/a.prom', '/t/c.prom']);
    expect(merge.rejected).toEqual([
      { path: '/t/b.prom', family: 'job_seconds_count', reason: 'job_seconds_count writes job_seconds_count, which job_seconds writes too' },
      { path: '/t/d.prom', family: 'node_load', reason: 'node_load (sample node_load_count) is a family of the node collector itself' },
    ]);
  });

  it('keeps the parsed series objects when a family needs no label filled in', () => {
    const a = file('/t/a.prom', 'x{a="1"} 1');
    const merge = mergeTextfiles([a, file('/t/b.prom', 'y 2')], () => false);
    expect(merge.families[0]?.contributions[0]?.series).toBe(a.families[0]?.series);
  });
});
