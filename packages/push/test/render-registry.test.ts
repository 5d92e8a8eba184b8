import { parseText, type ParsedFamily } from '@tessera/exposition';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { expect, test } from 'vitest';
import { createJob } from '../src/index.js';
import { captureLogger } from './helpers.js';

/** Families as sets of samples, independent of line and label order. */
function normalize(families: readonly ParsedFamily[]) {
  return families
    .map((family) => ({
      name: family.name,
      type: family.type,
      help: family.help,
      samples: family.samples.map((sample) => `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())} ${sample.value}`).sort(),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

test("the job renders its registry with the same families, series and values as prom-client's Registry.metrics()", async () => {
  const job = createJob({ job: 'render', labels: { team: 'vision "core"', project: 'a\\b' }, logger: captureLogger().logger });
  job.gauge({ name: 'loss', help: 'Loss,\nper split \\ epoch.', labelNames: ['split'] }).set({ split: 'line\nbreak "quoted"' }, -0.25);
  job.gauge({ name: 'unset', help: 'Declared with labels, never set.', labelNames: ['x'] });
  job.counter({ name: 'samples_total', help: 'Samples.' }).inc(1e21);
  const histogram = job.histogram({ name: 'batch_seconds', help: 'Batch.', labelNames: ['stage'], buckets: [0.005, 0.1, 1] });
  histogram.observe({ stage: 'train' }, 0.05);
  histogram.observe({ stage: 'eval' }, 7);
  job.summary({ name: 'step_seconds', help: 'Step.', percentiles: [0.5, 0.99] }).observe(0.3);
  job.gauge({ name: 'odd', help: 'Odd values.', labelNames: ['kind'] }).set({ kind: 'nan' }, NaN);
  await job.time('evaluate', () => Promise.resolve());
  job.succeed();

  const ours = await job.metrics();
  const theirs = await job.registry.metrics();
  // prom-client writes NaN as "Nan"; Go's parser accepts both spellings, ours is the canonical one.
  expect(normalize(parseText(ours))).toEqual(normalize(parseText(theirs.replace(/ Nan$/gm, ' NaN'))));
  expect(await promtoolCheckMetrics(ours)).toEqual({ exitCode: 0, findings: [] });
});
