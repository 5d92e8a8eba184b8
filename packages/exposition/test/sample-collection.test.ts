import { defineMetric, MetricContractError } from '@tessera/collector-api';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { parseText, renderText, SampleCollection, sortCollectedFamilies } from '../src/index.js';

const cpuSeconds = defineMetric({
  name: 'demo_cpu_seconds_total',
  type: 'counter',
  help: 'Seconds the CPUs spent in each mode.',
  labelNames: ['cpu', 'mode'],
  unit: 'seconds',
});
const latency = defineMetric({ name: 'demo_latency_seconds', type: 'histogram', help: 'Request latency.', labelNames: ['route'] });
const sizes = defineMetric({ name: 'demo_size_bytes', type: 'summary', help: 'Object sizes.', labelNames: [] });
const load = defineMetric({ name: 'demo_load1', type: 'gauge', help: 'Load "average"\nover 1 minute \\ ok.', labelNames: [] });

describe('SampleCollection', () => {
  it('records every type and renders output that promtool accepts and the parser reads back', async () => {
    const collection = new SampleCollection([cpuSeconds, latency, sizes, load]);
    collection.add(cpuSeconds, { cpu: '1', mode: 'user' }, 12.5);
    collection.add(cpuSeconds, { cpu: '0', mode: 'user' }, 3);
    collection.add(cpuSeconds, { cpu: '0', mode: 'idle' }, 1e7);
    collection.addHistogram(latency, { route: '/a "b"\n' }, { buckets: [[0.1, 1], [1, 3]], count: 4, sum: 2.5 });
    collection.addSummary(sizes, {}, { quantiles: [[0.5, 10], [0.99, 40]], count: 3, sum: 60 });
    collection.add(load, {}, 0.25);
    const text = renderText(sortCollectedFamilies(collection.seal()));
    expect(text).toBe(
      [
        '# HELP demo_cpu_seconds_total Seconds the CPUs spent in each mode.',
        '# TYPE demo_cpu_seconds_total counter',
        'demo_cpu_seconds_total{cpu="0",mode="idle"} 1e+07',
        'demo_cpu_seconds_total{cpu="0",mode="user"} 3',
        'demo_cpu_seconds_total{cpu="1",mode="user"} 12.5',
        '# HELP demo_latency_seconds Request latency.',
        '# TYPE demo_latency_seconds histogram',
        'demo_latency_seconds_bucket{route="/a \\"b\\"\\n",le="0.1"} 1',
        'demo_latency_seconds_bucket{route="/a \\"b\\"\\n",le="1"} 3',
        'demo_latency_seconds_bucket{route="/a \\"b\\"\\n",le="+Inf"} 4',
        'demo_latency_seconds_sum{route="/a \\"b\\"\\n"} 2.5',
        'demo_latency_seconds_count{route="/a \\"b\\"\\n"} 4',
        '# HELP demo_load1 Load "average"\\nover 1 minute \\\\ ok.',
        '# TYPE demo_load1 gauge',
        'demo_load1 0.25',
        '# HELP demo_size_bytes Object sizes.',
        '# TYPE demo_size_bytes summary',
        'demo_size_bytes{quantile="0.5"} 10',
        'demo_size_bytes{quantile="0.99"} 40',
        'demo_size_bytes_sum 60',
        'demo_size_bytes_count 3',
        '',
      ].join('\n'),
    );
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, findings: [] });
    const reparsed = parseText(text);
    expect(reparsed.find((family) => family.name === 'demo_latency_seconds')?.samples[0]?.labels).toEqual({ route: '/a "b"\n', le: '0.1' });
    expect(reparsed.find((family) => family.name === 'demo_load1')?.help).toBe(load.help);
  });

  it.each([
    ['an undeclared family', (c: SampleCollection) => c.add(defineMetric({ name: 'other', type: 'gauge', help: 'x', labelNames: [] }), {}, 1), /other was not declared/],
    ['a missing label', (c: SampleCollection) => c.add(cpuSeconds, { cpu: '0' } as never, 1), /label mode is missing/],
    ['an extra label', (c: SampleCollection) => c.add(load, { host: 'x' } as never, 1), /label host is not declared/],
    ['a non-string label value', (c: SampleCollection) => c.add(cpuSeconds, { cpu: 0, mode: 'user' } as never, 1), /not a string/],
    ['a non-number value', (c: SampleCollection) => c.add(load, {}, '1' as never), /not a number/],
    ['a duplicate series', (c: SampleCollection) => { c.add(load, {}, 1); c.add(load, {}, 2); }, /duplicate series/],
    ['a histogram through add()', (c: SampleCollection) => c.add(latency, { route: 'a' }, 1), /use addHistogram/],
    ['non-cumulative buckets', (c: SampleCollection) => c.addHistogram(latency, { route: 'a' }, { buckets: [[1, 3], [2, 1]], count: 3, sum: 1 }), /cumulative/],
    ['decreasing bounds', (c: SampleCollection) => c.addHistogram(latency, { route: 'a' }, { buckets: [[2, 1], [1, 1]], count: 3, sum: 1 }), /increase/],
    ['a quantile above 1', (c: SampleCollection) => c.addSummary(sizes, {}, { quantiles: [[1.5, 1]], count: 1, sum: 1 }), /outside/],
    ['a quantile given twice', (c: SampleCollection) => c.addSummary(sizes, {}, { quantiles: [[0.5, 1], [0.9, 2], [0.5, 3]], count: 3, sum: 6 }), /quantile 0\.5 appears twice/],
    ['a family that differs from its declaration', (c: SampleCollection) => c.add({ ...load, help: 'changed' }, {}, 1), /differs/],
  ])('rejects %s with a MetricContractError naming the collector', (_name, act, message) => {
    const collection = new SampleCollection([cpuSeconds, latency, sizes, load], 'collector demo');
    let caught: unknown;
    try {
      act(collection);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MetricContractError);
    expect((caught as Error).message).toMatch(/^collector demo: /);
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts runtime declarations but not a clashing redeclaration', () => {
    const collection = new SampleCollection([load]);
    const fromFile = { name: 'textfile_metric', type: 'gauge', help: 'From a file.', labelNames: ['a'] } as const;
    collection.declare(fromFile);
    collection.declare({ ...fromFile, labelNames: ['a'] });
    collection.add(fromFile, { a: 'x' }, 1);
    expect(() => collection.declare({ ...load, type: 'counter' })).toThrow(/already declared/);
  });

  it('keeps what was added when the collector later reuses its histogram and summary objects', () => {
    const collection = new SampleCollection([latency, sizes]);
    const buckets: [number, number][] = [[0.1, 1], [1, 3]];
    const histogram = { buckets, count: 4, sum: 2.5 };
    const quantiles: [number, number][] = [[0.5, 10]];
    const summary = { quantiles, count: 3, sum: 60 };
    collection.addHistogram(latency, { route: 'a' }, histogram);
    collection.addSummary(sizes, {}, summary);
    // The next collection's values, written into the same objects.
    buckets[0]![1] = 7;
    buckets.push([5, 2]);
    histogram.count = 1;
    quantiles[0]![1] = 99;
    summary.sum = 0;
    const text = renderText(sortCollectedFamilies(collection.seal()));
    expect(text).toContain('demo_latency_seconds_bucket{route="a",le="0.1"} 1\n');
    expect(text).not.toContain('le="5"');
    expect(text).toContain('demo_latency_seconds_count{route="a"} 4\n');
    expect(text).toContain('demo_size_bytes{quantile="0.5"} 10\n');
    expect(text).toContain('demo_size_bytes_sum 60\n');
  });

  it('tells apart series whose label values differ only in where a NUL character sits', () => {
    const collection = new SampleCollection([cpuSeconds]);
    collection.add(cpuSeconds, { cpu: 'a\u0000', mode: 'b' }, 1);
    collection.add(cpuSeconds, { cpu: 'a', mode: '\u0000b' }, 2);
    expect(collection.seal()[0]?.series.map((series) => series.value)).toEqual([1, 2]);
  });

  it('refuses use after seal', () => {
    const collection = new SampleCollection([load]);
    collection.seal();
    expect(() => collection.add(load, {}, 1)).toThrow(/after collect\(\) settled/);
  });
});

describe('SampleCollection used after seal with onLateUse', () => {
  it('drops the call and reports it instead of throwing', () => {
    const reports: string[] = [];
    const collection = new SampleCollection([load], 'collector late', { onLateUse: (message) => reports.push(message) });
    collection.add(load, {}, 1);
    const sealed = collection.seal();
    collection.add(load, {}, 2);
    collection.declare({ name: 'late_family', type: 'gauge', help: 'x', labelNames: [] });
    expect(reports).toEqual([
      'collector late: the collection is over: the sink was used after collect() settled',
      'collector late: the collection is over: the sink was used after collect() settled',
    ]);
    expect(sealed[0]?.series).toEqual([{ labels: {}, value: 1 }]);
  });
});
