import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseText } from '@tessera/exposition';
import { promtoolCheckMetrics, startNodeExporter } from '@tessera/test-support';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createJob, PushError } from '../src/index.js';
import { captureLogger } from './helpers.js';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tessera-textfile-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

function trainingJob() {
  const { logger, warnings } = captureLogger();
  const job = createJob({ job: 'nightly-train', groupingKey: { model: 'resnet50' }, labels: { team: 'vision' }, logger });
  job.gauge({ name: 'loss', help: 'Training loss.', labelNames: ['split'] }).set({ split: 'train' }, 0.5);
  job.counter({ name: 'samples_total', help: 'Samples seen.' }).inc(1000);
  job.histogram({ name: 'batch_seconds', help: 'Time per batch.', buckets: [0.1, 1] }).observe(0.3);
  job.summary({ name: 'step_seconds', help: 'Time per step.', percentiles: [0.5] }).observe(0.2);
  job.succeed();
  return { job, warnings };
}

describe('writeTextfile', () => {
  test('writes <job>_<grouping values>.prom with the grouping labels on every series, lint-clean, no temporary file left', async () => {
    const { job, warnings } = trainingJob();
    const result = await job.writeTextfile(directory);
    expect(result).toEqual({ ok: true, path: join(directory, 'nightly_train_resnet50.prom') });
    expect(await readdir(directory)).toEqual(['nightly_train_resnet50.prom']);
    const text = await readFile(join(directory, 'nightly_train_resnet50.prom'), 'utf8');
    expect(text).toContain('nightly_train_loss{split="train",team="vision",model="resnet50"} 0.5');
    expect(text).toContain('nightly_train_batch_seconds_bucket{le="+Inf",team="vision",model="resnet50"} 1');
    expect(text).toContain('nightly_train_step_seconds{quantile="0.5",team="vision",model="resnet50"} 0.2');
    expect(text).not.toMatch(/job=/);
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, findings: [] });
    expect(warnings()).toEqual([]);
  });

  test('the node_exporter textfile collector reads the file', async () => {
    const { job } = trainingJob();
    await job.writeTextfile(directory, { fileName: 'training.prom' });
    const exporter = await startNodeExporter(['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${directory}`]);
    try {
      const scrape = await (await fetch(`${exporter.url}/metrics`)).text();
      expect(scrape).toContain('node_textfile_scrape_error 0');
      expect(scrape).toContain('nightly_train_loss{model="resnet50",split="train",team="vision"} 0.5');
      expect(scrape).toContain('nightly_train_samples_total{model="resnet50",team="vision"} 1000');
    } finally {
      await exporter.stop();
    }
  });

  test('a reader never sees a half-written file while the job rewrites it', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'big', logger });
    const gauge = job.gauge({ name: 'shard_bytes', help: 'Bytes per shard.', labelNames: ['shard'] });
    for (let shard = 0; shard < 1000; shard++) gauge.set({ shard: String(shard) }, shard);
    const path = join(directory, 'big.prom');
    await writeFile(path, '');
    let writing = true;
    const writer = (async () => {
      for (let round = 0; round < 30; round++) {
        gauge.set({ shard: '0' }, round);
        expect(await job.writeTextfile(directory)).toMatchObject({ ok: true });
      }
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const text = await readFile(path, 'utf8');
      if (text !== '') {
        expect(parseText(text)[0]?.samples).toHaveLength(1000);
        reads++;
      }
    }
    await writer;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('a directory that does not exist is a failure result with one warning, not an exception', async () => {
    const { job, warnings } = trainingJob();
    const result = await job.writeTextfile(join(directory, 'missing'));
    expect(result).toMatchObject({ ok: false, reason: 'filesystem' });
    expect(result.ok ? '' : result.message).toMatch(/ENOENT/);
    expect(warnings()).toHaveLength(1);
  });

  test('strict: true turns the failure into a PushError; a bad file name is refused', async () => {
    const job = createJob({ job: 'strict_textfile', logger: captureLogger().logger, strict: true });
    await expect(job.writeTextfile(join(directory, 'missing'))).rejects.toBeInstanceOf(PushError);
    await expect(job.writeTextfile(directory, { fileName: '../escape.prom' })).rejects.toThrow(/plain file name ending in .prom/);
  });
});
