import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext } from '@tessera/collector-testkit';
import { SampleCollection } from '@tessera/exposition';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CollectionFiles } from '../src/collection-files.js';
import { TextfileCollector } from '../src/collectors/textfile.js';
import { configSchema } from '../src/config.js';
import plugin from '../src/index.js';
import { textfileMetrics } from '../src/metrics.js';
import { NodeCollector } from '../src/node-collector.js';
import { TextfileParser } from '../src/parsers/textfile.js';
import { createTree, type ScratchTree } from './support/tree.js';

// A textfile is written by anyone in the textfile group: whatever it holds, it costs only itself.

const PROC = {
  'proc/stat': 'cpu0 100 0 50 1000 1 0 2 3 0 0\nbtime 1700000000\nctxt 10\nintr 5 0\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n',
  'proc/meminfo': 'MemTotal: 1000 kB\nMemFree: 500 kB\n',
  'proc/vmstat': 'pgfault 12\nnr_free_pages 3\n',
  'proc/loadavg': '0.5 0.25 0.125 1/100 42\n',
};

let tree: ScratchTree | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await tree?.remove();
  tree = undefined;
});

/** `count` lines of a gauge with a few labels, about 120 bytes each. */
function manySeries(count: number): string {
  const lines = ['# HELP batch_item_score Score of one evaluated item.', '# TYPE batch_item_score gauge'];
  for (let index = 0; index < count; index++) {
    lines.push(`batch_item_score{dataset="imagenet-val",item="${index}",path="/datasets/imagenet/val/n01440764/ILSVRC2012_val_${index}.JPEG"} ${index / 7}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Calls `before` ahead of every piece of text a {@link TextfileParser} is fed; the parser then runs as usual. */
function beforeEachPiece(before: (text: string) => void): void {
  const feed = Object.getOwnPropertyDescriptor(TextfileParser.prototype, 'feed')?.value as (this: TextfileParser, text: string) => void;
  vi.spyOn(TextfileParser.prototype, 'feed').mockImplementation(function (this: TextfileParser, text: string) {
    before(text);
    feed.call(this, text);
  });
}

async function textfileOnly(files: Record<string, string>, options: Record<string, unknown> = {}) {
  tree = await createTree(Object.fromEntries(Object.entries(files).map(([name, text]) => [`textfile/${name}`, text])));
  const directory = join(tree.root, 'textfile');
  const context = createTestContext({ collector: 'node', roots: tree.roots });
  const config = await validateWithSchema(configSchema, { collectors: ['textfile'], textfile: { directory, ...options } });
  const collector = await NodeCollector.create(config, context);
  return { directory, context, collector, collect: async (signal?: AbortSignal) => (await collectOnce(plugin, undefined, { context, collector, ...(signal ? { signal } : {}) })).text };
}

describe('a textfile that clashes with another family', () => {
  it.each([
    ['a meminfo field the kernel listed at creation', 'node_memory_MemTotal_bytes 1\n', 'node_memory_MemTotal_bytes'],
    ['a vmstat field the kernel listed at creation', '# TYPE node_vmstat_pgfault counter\nnode_vmstat_pgfault 1\n', 'node_vmstat_pgfault'],
    // The plugin declares every family of its table, so the host would refuse it too.
    ['a family of a sub-collector that is not enabled', 'node_load1 7\n', 'node_load1'],
  ])('skips only that file when it redefines %s', async (_what, text, family) => {
    tree = await createTree({ ...PROC, 'textfile/a.prom': text, 'textfile/b.prom': 'job_runs 3\n' });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const config = { collectors: ['cpu', 'meminfo', 'vmstat', 'textfile'], textfile: { directory: join(tree.root, 'textfile') } };
    // plugin.create, as the host does: meminfo's and vmstat's fields are declared up front.
    const { text: output } = await collectOnce(plugin, config, { context });
    expect(output).toContain('node_cpu_seconds_total{cpu="0",mode="user"} 1\n');
    expect(output).toContain('node_memory_MemTotal_bytes 1.024e+06\n');
    expect(output).toContain('node_vmstat_pgfault 12\n');
    expect(output).toContain('job_runs 3\n');
    expect(output).toContain('node_textfile_scrape_error 1\n');
    expect(output).toContain('node_scrape_collector_success{collector="textfile"} 1\n');
    expect(output).not.toContain('a.prom');
    const skipped = context.logs.filter((record) => record.level === 'error');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.fields).toMatchObject({ file: join(tree.root, 'textfile/a.prom'), family });
  });

  it('skips only the files defining a family the sink refuses to declare (a name the host keeps for itself)', async () => {
    const { directory, context } = await textfileOnly({
      'a.prom': 'process_cpu_seconds_total 5\nshared{from="a"} 1\n',
      'b.prom': 'job_runs 3\nshared{from="b"} 2\n',
    });
    const collector = new TextfileCollector({ directory, maxFileBytes: 1e6, logger: context.logger, clock: context.clock });
    // The host's sink: a part of the collection, which refuses in declare() the names the host owns.
    const sink = new SampleCollection(Object.values(textfileMetrics), 'collector node', { ownerOf: (name) => (name.startsWith('process_') ? 'the tessera host' : undefined) });
    const signal = new AbortController().signal;
    const read = await collector.read(new CollectionFiles(signal));
    const outcome = await sink.part('textfile', (part) => collector.emit(part, read, () => false, signal));
    expect(outcome.success).toBe(true);
    const served = Object.fromEntries(sink.seal().map(({ family, series }) => [family.name, series.map((entry) => [entry.labels, entry.value])]));
    expect(served).toEqual({
      job_runs: [[{}, 3]],
      // Declared with a's labels too, and served without a's series.
      shared: [[{ from: 'b' }, 2]],
      node_textfile_mtime_seconds: [[{ file: join(directory, 'b.prom') }, expect.any(Number)]],
      node_textfile_scrape_error: [[{}, 1]],
    });
    expect(context.logs.filter((record) => record.level === 'error').map((record) => record.fields)).toEqual([
      expect.objectContaining({ file: join(directory, 'a.prom'), family: 'process_cpu_seconds_total', error: 'collector node: part textfile: process_cpu_seconds_total belongs to the tessera host' }),
    ]);
  });
});

describe('a large textfile', () => {
  it('is skipped with a clear error beyond textfile.maxFileBytes, and the others are served', async () => {
    const { collect, context, directory } = await textfileOnly({ 'big.prom': manySeries(40), 'small.prom': 'job_runs 1\n' }, { maxFileBytes: 2000 });
    const text = await collect();
    expect(text).toContain('job_runs 1\n');
    expect(text).not.toContain('batch_item_score');
    expect(text).toContain('node_textfile_scrape_error 1\n');
    const skipped = context.logs.find((record) => record.level === 'error');
    expect(skipped?.fields).toMatchObject({
      file: join(directory, 'big.prom'),
      error: expect.stringMatching(/^the file is \d+ bytes, more than textfile\.maxFileBytes allows \(2000 bytes\)$/),
    });
  });

  it('is parsed in pieces, with the event loop running between them', async () => {
    const series = 30_000; // about 3.6 MB
    const { collect } = await textfileOnly({ 'big.prom': manySeries(series) });
    let ticks = 0;
    const ticksAtFeed: number[] = [];
    const longest = { characters: 0 };
    beforeEachPiece((text) => {
      ticksAtFeed.push(ticks);
      longest.characters = Math.max(longest.characters, text.length);
    });
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      const text = await collect();
      expect(text.match(/^batch_item_score\{/gm)).toHaveLength(series);
    } finally {
      running = false;
    }
    expect(longest.characters).toBeLessThanOrEqual(256 * 1024);
    // Every piece is parsed in an event-loop turn of its own.
    expect(new Set(ticksAtFeed).size).toBe(ticksAtFeed.length);
    expect(ticksAtFeed.length).toBeGreaterThan(10);
  });

  it('stops being parsed when the collection is aborted, and is parsed afresh by the next one', async () => {
    const { collect, directory } = await textfileOnly({ 'big.prom': manySeries(20_000) });
    const controller = new AbortController();
    const reason = new Error('deadline');
    let pieces = 0;
    beforeEachPiece(() => {
      if (++pieces === 3) controller.abort(reason);
    });
    await expect(collect(controller.signal)).rejects.toBe(reason);
    // Until the read left behind has noticed the abort, a collection skips the directory.
    const next = await vi.waitFor(async () => {
      const text = await collect();
      expect(text).toContain('node_textfile_scrape_error 0\n');
      return text;
    }, { timeout: 5000 });
    expect(next.match(/^batch_item_score\{/gm)).toHaveLength(20_000);
    const afterRetry = pieces;

    // How many pieces a whole parse takes: change the file so that it is parsed once more.
    await tree?.write({ 'textfile/big.prom': manySeries(20_000) });
    await utimes(join(directory, 'big.prom'), 1_800_000_000, 1_800_000_000);
    await collect();
    const wholeParse = pieces - afterRetry;
    expect(wholeParse).toBeGreaterThan(3);
    // The aborted parse stopped at its third piece.
    expect(afterRetry).toBe(3 + wholeParse);
  });

  it('is emitted in slices that give the event loop back', async () => {
    const { directory, context } = await textfileOnly({ 'big.prom': manySeries(20_000) });
    // A clock that moves one millisecond each time it is read: every 20th look starts a new slice.
    let now = 0;
    const clock = { now: () => now, monotonic: () => now++ };
    const collector = new TextfileCollector({ directory, maxFileBytes: 64e6, logger: context.logger, clock });
    const signal = new AbortController().signal;
    const read = await collector.read(new CollectionFiles(signal));
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const output = new SampleCollection(Object.values(textfileMetrics));
    let ticksDuringEmit: number;
    try {
      await collector.emit(output, read, () => false, signal);
      ticksDuringEmit = ticks;
    } finally {
      running = false;
    }
    // 20 000 series, the clock read every 512: a new slice at the 20th read.
    expect(ticksDuringEmit).toBeGreaterThanOrEqual(1);
    const aborted = new AbortController();
    aborted.abort(new Error('deadline'));
    await expect(collector.emit(new SampleCollection(Object.values(textfileMetrics)), read, () => false, aborted.signal)).rejects.toThrow('deadline');
  });
});
