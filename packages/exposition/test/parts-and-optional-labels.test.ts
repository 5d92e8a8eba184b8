import { defineMetric, MetricContractError, NoDataError } from '@tessera/collector-api';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { parseText, renderText, SampleCollection, sortCollectedFamilies } from '../src/index.js';

const utilization = defineMetric({
  name: 'DCGM_FI_DEV_GPU_UTIL',
  type: 'gauge',
  help: 'GPU utilization (in %).',
  labelNames: ['gpu', 'pod', 'namespace'],
  optionalLabels: ['pod', 'namespace'],
});
const items = defineMetric({ name: 'demo_items', type: 'gauge', help: 'Items per endpoint.', labelNames: ['endpoint'] });

describe('optional labels', () => {
  it('leave out an empty optional label at render time and keep a non-empty one; promtool accepts both', async () => {
    const sink = new SampleCollection([utilization]);
    sink.add(utilization, { gpu: '0', pod: '', namespace: '' }, 87);
    sink.add(utilization, { gpu: '1', pod: 'trainer-7c9f', namespace: 'ml' }, 12);
    const text = renderText(sortCollectedFamilies(sink.seal()));
    expect(text).toBe(
      '# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n# TYPE DCGM_FI_DEV_GPU_UTIL gauge\nDCGM_FI_DEV_GPU_UTIL{gpu="0"} 87\nDCGM_FI_DEV_GPU_UTIL{gpu="1",pod="trainer-7c9f",namespace="ml"} 12\n',
    );
    expect(await promtoolCheckMetrics(text)).toMatchObject({ exitCode: 0 });
  });

  it('still tell series apart by every label, empty or not', () => {
    const sink = new SampleCollection([utilization]);
    sink.add(utilization, { gpu: '0', pod: '', namespace: '' }, 1);
    sink.add(utilization, { gpu: '0', pod: 'p', namespace: '' }, 2);
    expect(() => sink.add(utilization, { gpu: '0', pod: '', namespace: '' }, 3)).toThrow(/duplicate series/);
    // All labels empty renders no braces at all.
    const bare = defineMetric({ name: 'demo_bare', type: 'gauge', help: 'x', labelNames: ['pod'], optionalLabels: ['pod'] });
    expect(renderText([{ family: bare, series: [{ labels: { pod: '' }, value: 1 }] }])).toBe('# HELP demo_bare x\n# TYPE demo_bare gauge\ndemo_bare 1\n');
  });

  it('must be declared labels of the family', () => {
    expect(() => defineMetric({ name: 'demo_bad', type: 'gauge', help: 'x', labelNames: ['gpu'], optionalLabels: ['pod' as 'gpu'] })).toThrow(/optional label "pod" is not one of its label names/);
  });

  it('are added before the family label on a histogram, le last', () => {
    const latency = defineMetric({ name: 'demo_latency_seconds', type: 'histogram', help: 'x', labelNames: ['pod'], optionalLabels: ['pod'] });
    const text = renderText([{ family: latency, series: [{ labels: { pod: '' }, value: { buckets: [[1, 2]], count: 3, sum: 4 } }] }], { extraLabel: { name: 'array', value: 'a' } });
    expect(text).toContain('demo_latency_seconds_bucket{array="a",le="1"} 2\n');
    expect(text).toContain('demo_latency_seconds_sum{array="a"} 4\n');
  });
});

describe('parts', () => {
  it('commit the samples of a part that succeeds and discard those of one that throws, reporting both', async () => {
    const failures: string[] = [];
    const sink = new SampleCollection([items], 'collector demo', { onPartFailed: (outcome) => failures.push(outcome.name) });
    const good = await sink.part('array', (part) => part.add(items, { endpoint: '/arrays' }, 1));
    const bad = await sink.part('usage', async (part) => {
      part.add(items, { endpoint: '/usage/users' }, 2);
      await Promise.resolve();
      throw new Error('HTTP 500 from /usage/users');
    });
    expect(good).toMatchObject({ name: 'array', success: true, error: undefined });
    expect(bad).toMatchObject({ name: 'usage', success: false, error: 'HTTP 500 from /usage/users' });
    expect(failures).toEqual(['usage']);
    const families = sink.seal();
    expect(families.flatMap((family) => family.series.map((series) => series.labels['endpoint']))).toEqual(['/arrays']);
    expect(sink.parts.map((part) => [part.name, part.success])).toEqual([
      ['array', true],
      ['usage', false],
    ]);
  });

  it('list in the order they started, whatever order they finish in, with the snapshot time of replayed ones', async () => {
    const sink = new SampleCollection([items]);
    let release: () => void = () => undefined;
    const slow = sink.part('slow', () => new Promise<void>((resolve) => (release = resolve)));
    await sink.part('fast', (part) => part.add(items, { endpoint: '/fast' }, 1), { sampledAt: 1_700_000_000_000, durationSeconds: 0.25 });
    release();
    await slow;
    expect(sink.parts.map(({ name, sampledAt, durationSeconds }) => ({ name, sampledAt, durationSeconds: name === 'fast' ? durationSeconds : 'measured' }))).toEqual([
      { name: 'slow', sampledAt: undefined, durationSeconds: 'measured' },
      { name: 'fast', sampledAt: 1_700_000_000_000, durationSeconds: 0.25 },
    ]);
  });

  it('refuse a series another part emitted (the later part fails), a repeated or malformed name, and nest with prefixed names', async () => {
    const sink = new SampleCollection([items]);
    await sink.part('one', (part) => part.add(items, { endpoint: '/same' }, 1));
    const clash = await sink.part('two', (part) => part.add(items, { endpoint: '/same' }, 2));
    expect(clash.success).toBe(false);
    expect(clash.error).toMatch(/duplicate series \{"endpoint":"\/same"\} \(another part emitted it\)/);
    await expect(sink.part('one', () => undefined)).rejects.toThrow(MetricContractError);
    await expect(sink.part('has space', () => undefined)).rejects.toThrow(/part name "has space" must match/);
    const outer = await sink.part('gpu0', async (part) => {
      const inner = await part.part('xid', (nested) => nested.add(items, { endpoint: '/xid' }, 3));
      expect(inner.name).toBe('gpu0/xid');
    });
    expect(outer.success).toBe(true);
    expect(sink.seal().flatMap((family) => family.series.map((series) => series.value))).toEqual([1, 3]);
    expect(sink.parts.map((part) => part.name)).toEqual(['one', 'two', 'gpu0', 'gpu0/xid']);
  });

  it('validate a family declared inside a part at once, refusing a name another owner has, so the part can skip it', async () => {
    const sink = new SampleCollection([items], 'collector node', { ownerOf: (name) => (name.startsWith('process_') ? 'the tessera host' : undefined) });
    const skipped: string[] = [];
    const outcome = await sink.part('textfile', (part) => {
      for (const name of ['job_last_success_timestamp_seconds', 'process_cpu_seconds_total']) {
        const family = defineMetric({ name, type: 'gauge', help: `Metric read from ${name}.prom`, labelNames: [] });
        try {
          part.declare(family);
          part.add(family, {}, 1);
        } catch (error) {
          skipped.push((error as Error).message);
        }
      }
    });
    expect(outcome.success).toBe(true);
    expect(skipped).toEqual(['collector node: part textfile: process_cpu_seconds_total belongs to the tessera host']);
    expect(parseText(renderText(sink.seal())).map((family) => family.name)).toEqual(['job_last_success_timestamp_seconds']);
  });

  it('ignore a part that finishes after the collection was sealed, and report a NoDataError like any failure', async () => {
    const late: string[] = [];
    const sink = new SampleCollection([items], 'collector demo', { onLateUse: (message) => late.push(message) });
    let release: () => void = () => undefined;
    const pending = sink.part('late', async (part) => {
      await new Promise<void>((resolve) => (release = resolve));
      part.add(items, { endpoint: '/late' }, 1);
    });
    expect(sink.seal()).toEqual([]);
    release();
    await pending;
    expect(late).toEqual(['collector demo: part late is over: the sink was used after the part settled']);
    const absent = await new SampleCollection([items]).part('gpu', () => Promise.reject(new NoDataError('no GPU')));
    expect(absent).toMatchObject({ success: false, error: 'no GPU' });
  });
});

describe('parts replayed from an unchanged snapshot', () => {
  it('are served from what they committed last time, as the same objects, without calling work again', async () => {
    const { PartReuseCache } = await import('../src/index.js');
    const reuse = new PartReuseCache();
    const snapshot = { value: 1 };
    let calls = 0;
    const collect = async (key: object, extra?: number) => {
      const sink = new SampleCollection([items], 'collector demo', { partReuse: reuse });
      await sink.part(
        'poll',
        (part) => {
          calls++;
          part.add(items, { endpoint: '/a' }, (key as { value: number }).value);
        },
        { sampledAt: 1, reuseKey: key },
      );
      // A series of the same family added outside the part must not reach the kept samples.
      if (extra !== undefined) sink.add(items, { endpoint: '/outside' }, extra);
      return sink.seal();
    };
    const first = await collect(snapshot);
    const second = await collect(snapshot);
    expect(calls).toBe(1);
    expect(second[0]).toBe(first[0]);
    expect(second[0]?.stable).toBe(true);
    const withExtra = await collect(snapshot, 5);
    expect(calls).toBe(1);
    expect(withExtra[0]?.series.map((series) => series.labels['endpoint'])).toEqual(['/a', '/outside']);
    // A family changed outside the part is this collection's own: not worth keeping.
    expect(withExtra[0]?.stable).toBeUndefined();
    const third = await collect(snapshot);
    expect(third[0]?.series.map((series) => series.labels['endpoint'])).toEqual(['/a']);
    // A new snapshot runs the part again.
    const fresh = await collect({ value: 2 });
    expect(calls).toBe(2);
    expect(fresh[0]?.series[0]?.value).toBe(2);
  });

  it('are forgotten when a collection does not run them', async () => {
    const { PartReuseCache } = await import('../src/index.js');
    const reuse = new PartReuseCache();
    const sink = new SampleCollection([items], 'collector demo', { partReuse: reuse });
    await sink.part('gpu/0', (part) => part.add(items, { endpoint: '/gpu0' }, 1), { reuseKey: {} });
    sink.seal();
    expect(reuse.size).toBe(1);
    new SampleCollection([items], 'collector demo', { partReuse: reuse }).seal();
    expect(reuse.size).toBe(0);
  });
  it('are not kept when the part finished after the collection ended, which may have cost it samples', async () => {
    const { PartReuseCache } = await import('../src/index.js');
    const reuse = new PartReuseCache();
    const snapshot = {};
    let release: () => void = () => undefined;
    let calls = 0;
    const late = new SampleCollection([items], 'collector demo', { partReuse: reuse, onLateUse: () => undefined });
    const running = late.part(
      'poll',
      async (part) => {
        calls++;
        part.add(items, { endpoint: '/before' }, 1);
        await new Promise<void>((resolve) => (release = resolve));
        part.add(items, { endpoint: '/after' }, 2);
      },
      { reuseKey: snapshot },
    );
    late.seal();
    release();
    await running;
    expect(reuse.size).toBe(0);
    const next = new SampleCollection([items], 'collector demo', { partReuse: reuse });
    await next.part(
      'poll',
      (part) => {
        calls++;
        part.add(items, { endpoint: '/before' }, 1);
        part.add(items, { endpoint: '/after' }, 2);
      },
      { reuseKey: snapshot },
    );
    expect(calls).toBe(2);
    expect(next.seal()[0]?.series).toHaveLength(2);
  });
});
