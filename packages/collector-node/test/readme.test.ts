import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWithSchema, type MetricFamily } from '@tessera/collector-api';
import { isGoldenUpdateRequested, readSampleConfig } from '@tessera/collector-testkit';
import { checkGeneratedSection } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { FAMILIES_BY_SUB_COLLECTOR, NODE_METRICS } from '../src/metrics.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmeFile = join(packageDir, 'README.md');

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The README's table of every family declared up front, grouped by sub-collector. */
function renderMetricsTable(): string {
  const lines = ['| sub-collector | family | type | unit | labels | HELP |', '|---|---|---|---|---|---|'];
  for (const [group, families] of Object.entries(FAMILIES_BY_SUB_COLLECTOR) as [string, readonly MetricFamily[]][]) {
    for (const family of families) {
      const labels = family.labelNames.map((label) => `\`${label}\``).join(', ');
      lines.push(`| ${group === 'scrape' ? '(every one)' : group} | \`${family.name}\` | ${family.type} | ${family.unit ?? ''} | ${labels} | ${cell(family.help)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('README', () => {
  it('lists every declared family, as generated from src/metrics.ts', async () => {
    const { problem } = await checkGeneratedSection(readmeFile, 'metrics-table', renderMetricsTable(), isGoldenUpdateRequested());
    expect(problem).toBeUndefined();
    expect(NODE_METRICS.length).toBe(Object.values(FAMILIES_BY_SUB_COLLECTOR).flat().length);
  });

  it('sample.config.yaml shows the real defaults: uncommented, it means the same as an empty entry', async () => {
    const sample = await readFile(join(packageDir, 'sample.config.yaml'), 'utf8');
    const uncommented = sample.replace(/^# (\w+:.*)$/gm, '$1').replace(/^ {2}# (\w+: .*)$/gm, '  $1');
    expect(uncommented).not.toBe(sample);
    const directory = await mkdtemp(join(tmpdir(), 'tessera-sample-'));
    try {
      await writeFile(join(directory, 'sample.config.yaml'), uncommented);
      const [entry] = (await readSampleConfig(directory, 'node')).entries;
      // Every key of the entry is shown.
      expect(Object.keys(entry as object).sort()).toEqual(Object.keys(configSchema.shape).sort());
      expect(await validateWithSchema(configSchema, entry)).toEqual(await validateWithSchema(configSchema, {}));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
