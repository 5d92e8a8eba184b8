import { defineMetric, MetricContractError } from '@tessera/collector-api';
import { renderText } from '@tessera/exposition';
import { describe, expect, it } from 'vitest';
import { collectOnce, findDuplicateSeries } from '../src/index.js';
import { makePlugin } from './plugin-factory.js';

const waitSeconds = defineMetric({ name: 'demo_wait_seconds', type: 'histogram', help: 'Wait time.', labelNames: ['queue'] });
// Its samples render as demo_wait_seconds_count: the same series as the histogram's count.
const waitCount = defineMetric({ name: 'demo_wait_seconds_count', type: 'gauge', help: 'Waits so far.', labelNames: ['queue'] });

describe('findDuplicateSeries', () => {
  it('finds the same series emitted by two families, which promtool misses (two collectors, each with a clean sink)', () => {
    const text = renderText([
      { family: waitSeconds, series: [{ labels: { queue: 'fast' }, value: { buckets: [[0.1, 3]], count: 4, sum: 0.9 } }] },
      {
        family: waitCount,
        series: [
          { labels: { queue: 'fast' }, value: 4 },
          { labels: { queue: 'slow' }, value: 1 },
        ],
      },
    ]);
    expect(findDuplicateSeries(text)).toEqual(['duplicate series demo_wait_seconds_count{queue="fast"} on lines 6, 9']);
  });

  it('never sees such a pair from one collector: the contract refuses declaring both', async () => {
    const plugin = makePlugin({ metrics: [waitSeconds, waitCount], create: () => ({ collect: () => Promise.resolve() }) });
    await expect(collectOnce(plugin, {})).rejects.toThrow(/demo_wait_seconds_count clashes with the samples of demo_wait_seconds/);
  });

  it('treats label order as irrelevant and reports every duplicate, not only the first', () => {
    const text = ['a{x="1",y="2"} 1', 'a{y="2",x="1"} 2', 'b 1', 'b 2', 'b 3', 'c{x="1"} 1', 'c{x="2"} 1', ''].join('\n');
    expect(findDuplicateSeries(text)).toEqual(['duplicate series a{x="1",y="2"} on lines 1, 2', 'duplicate series b on lines 3, 4, 5']);
  });

  it('returns nothing for clean text and reports lines that do not parse', () => {
    expect(findDuplicateSeries('# HELP a A.\n# TYPE a gauge\na 1\n')).toEqual([]);
    expect(findDuplicateSeries('a 1\nb{x="1" 2\n')).toEqual(['line 2: expected "," or "}" after label x']);
  });

  it('is backed by the sink, which refuses an exact duplicate inside one family outright', async () => {
    const plugin = makePlugin({
      metrics: [waitCount],
      create: () => ({
        collect(sink) {
          sink.add(waitCount, { queue: 'fast' }, 1);
          sink.add(waitCount, { queue: 'fast' }, 2);
          return Promise.resolve();
        },
      }),
    });
    await expect(collectOnce(plugin, {})).rejects.toThrow(MetricContractError);
    await expect(collectOnce(plugin, {})).rejects.toThrow(/duplicate series/);
  });
});
