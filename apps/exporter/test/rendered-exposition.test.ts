import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { defineCollector, defineMetric } from '@tessera/collector-api';
import { renderText, sortCollectedFamilies, type Series } from '@tessera/exposition';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { renderContributions } from '../src/runtime/rendered-exposition.js';
import { captureLogger } from './helpers.js';

const usage = defineMetric({ name: 'fs_usage_bytes', type: 'gauge', help: 'Usage per file system and user.', labelNames: ['name', 'user'] });

/** Series in a scrambled but repeatable order. */
function scrambled(count: number): (Series & { value: number })[] {
  return Array.from({ length: count }, (_, index) => {
    const n = (index * 7919) % count;
    return { labels: { name: `fs-${n % 97}`, user: `user-${n}` }, value: n };
  });
}

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

describe('rendering a scrape', () => {
  it('sorts a large family in runs merged step by step exactly as a plain sort would', async () => {
    const series = scrambled(20_000);
    const rendered = await renderContributions([{ families: [{ family: usage, series }] }]);
    expect(rendered.plain.toString('utf8')).toBe(renderText(sortCollectedFamilies([{ family: usage, series }])));
  });

  it('writes each family once across instances, each instance with its added label, in instance order', async () => {
    const rendered = await renderContributions([
      { families: [{ family: usage, series: [{ labels: { name: 'b', user: 'u' }, value: 2 }, { labels: { name: 'a', user: 'u' }, value: 1 }] }], extraLabel: { name: 'array', value: 'x' } },
      { families: [{ family: usage, series: [{ labels: { name: 'a', user: 'u' }, value: 3 }] }], extraLabel: { name: 'array', value: 'y' } },
    ]);
    expect(rendered.plain.toString('utf8')).toBe(
      '# HELP fs_usage_bytes Usage per file system and user.\n# TYPE fs_usage_bytes gauge\nfs_usage_bytes{array="x",name="a",user="u"} 1\nfs_usage_bytes{array="x",name="b",user="u"} 2\nfs_usage_bytes{array="y",name="a",user="u"} 3\n',
    );
  });

  it('gzips the cached head and a fresh tail into one standard gzip member that gzip(1) reads back', async () => {
    const rendered = await renderContributions([{ families: [{ family: usage, series: scrambled(5000) }] }]);
    for (const tail of ['tessera_build_info{version="1"} 1\n', 'tessera_build_info{version="2"} 1\n', '']) {
      const body = await rendered.gzip(Buffer.from(tail));
      const expected = rendered.plain.toString('utf8') + tail;
      expect(gunzipSync(body).toString('utf8')).toBe(expected);
      expect(execFileSync('gzip', ['-dc'], { input: body, maxBuffer: 64 * 1024 * 1024 }).toString('utf8')).toBe(expected);
    }
  });

  it('joins a body rendered in several chunks, and gzips it with the checksum taken chunk by chunk', async () => {
    const rendered = await renderContributions([{ families: [{ family: usage, series: scrambled(60_000) }] }]);
    expect(rendered.plain.length).toBeGreaterThan(2 * 2 ** 20);
    const lines = rendered.plain.toString('utf8').split('\n');
    expect(lines.filter((line) => line.startsWith('fs_usage_bytes{'))).toHaveLength(60_000);
    expect(lines.slice(2, 4)).toEqual(['fs_usage_bytes{name="fs-0",user="user-0"} 0', 'fs_usage_bytes{name="fs-0",user="user-10088"} 10088']);
    const body = await rendered.gzip(Buffer.from('tail 1\n'));
    expect(execFileSync('gzip', ['-dc'], { input: body, maxBuffer: 64 * 1024 * 1024 }).toString('utf8')).toBe(`${rendered.plain.toString('utf8')}tail 1\n`);
  });

  it('serves a cache hit from the bytes rendered for the first scrape, with fresh self-metrics', async () => {
    let collections = 0;
    const cached = defineCollector({
      specificationVersion: 'v1',
      name: 'cached',
      description: 'Cached for a minute.',
      defaultEnabled: false,
      cacheTtlSeconds: 60,
      configSchema: z.strictObject({}),
      metrics: [usage],
      create: () => ({
        collect(sink) {
          collections++;
          for (const entry of scrambled(2000)) sink.add(usage, entry.labels, entry.value);
          return Promise.resolve();
        },
      }),
    });
    exporter = await createExporter({ plugins: { cached }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const first = await exporter.app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    const second = await exporter.app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(collections).toBe(1);
    const [a, b] = [gunzipSync(first.rawPayload).toString('utf8'), gunzipSync(second.rawPayload).toString('utf8')];
    const head = (text: string): string => text.slice(0, text.indexOf('# HELP tessera_'));
    expect(head(b)).toBe(head(a));
    expect(head(a).split('\n').filter((line) => line.startsWith('fs_usage_bytes'))).toHaveLength(2000);
    expect(b).toContain('tessera_scrape_collector_success{collector="cached",collector_instance="default"} 1\n');
  });

  it('serves parts replayed from an unchanged snapshot from the bytes rendered for them, per instance, until the snapshot changes', async () => {
    const snapshots: Record<string, { readonly base: number }> = { a: { base: 0 }, b: { base: 100 } };
    const runs: string[] = [];
    const sampled = defineCollector({
      specificationVersion: 'v1',
      name: 'sampled',
      description: 'Replays a snapshot per instance.',
      defaultEnabled: false,
      instanceLabel: 'array',
      configSchema: z.strictObject({}),
      metrics: [usage],
      create: (_config, context) => ({
        async collect(sink) {
          const snapshot = snapshots[context.instance] as { readonly base: number };
          await sink.part(
            'usage',
            (part) => {
              runs.push(context.instance);
              for (const entry of scrambled(300)) part.add(usage, entry.labels, snapshot.base + entry.value);
            },
            { sampledAt: 1, reuseKey: snapshot },
          );
        },
      }),
    });
    exporter = await createExporter({ config: { collectors: { sampled: [{ instance: 'a' }, { instance: 'b' }] } }, plugins: { sampled }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const scrape = async (): Promise<{ plain: string; gzipped: string }> => {
      const plain = (await exporter?.app.inject({ url: '/metrics' }))?.payload ?? '';
      const gzipped = gunzipSync((await exporter?.app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } }))?.rawPayload ?? Buffer.alloc(0)).toString('utf8');
      return { plain, gzipped };
    };
    const samples = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('fs_usage_bytes{'));
    const expected = (base: Record<string, number>): string[] =>
      samples(
        renderText(
          sortCollectedFamilies([
            {
              family: { ...usage, labelNames: ['array', ...usage.labelNames] },
              series: Object.entries(base).flatMap(([array, offset]) => scrambled(300).map((entry) => ({ labels: { array, ...entry.labels }, value: offset + entry.value }))),
            },
          ]),
        ),
      );

    const first = await scrape();
    expect(runs.sort()).toEqual(['a', 'b']);
    expect(samples(first.plain)).toEqual(expected({ a: 0, b: 100 }));
    // The same replayed family, served for one target without the added label.
    const probe = (await exporter.app.inject({ url: '/probe?collector=sampled&target=a' })).payload;
    expect(samples(probe)).toEqual(samples(renderText(sortCollectedFamilies([{ family: usage, series: scrambled(300) }]))));
    const second = await scrape();
    expect(runs).toHaveLength(2);
    for (const text of [first.gzipped, second.plain, second.gzipped]) expect(samples(text)).toEqual(samples(first.plain));

    snapshots['b'] = { base: 1000 };
    const third = await scrape();
    expect(runs.sort()).toEqual(['a', 'b', 'b']);
    expect(samples(third.plain)).toEqual(expected({ a: 0, b: 1000 }));
    expect(samples(third.gzipped)).toEqual(samples(third.plain));
  });
});
