import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWithSchema, type MetricFamily } from '@tessera/collector-api';
import { isGoldenUpdateRequested, sampleConfigEntries } from '@tessera/collector-testkit';
import { checkGeneratedSection } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../src/config.js';
import { COUNTER_FOR_GAUGE, FAMILY_GROUPS } from '../src/metrics.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmeFile = join(packageDir, 'README.md');

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The README's table of every declared family, by group, with the counter to use for each running-total gauge. */
function renderMetricsTable(): string {
  const lines = ['| group | family | type | labels | HELP | for `rate()` |', '|---|---|---|---|---|---|'];
  for (const [group, families] of Object.entries(FAMILY_GROUPS) as [string, readonly MetricFamily[]][]) {
    for (const family of families) {
      const labels = family.labelNames.map((label) => `\`${label}\``).join(', ');
      const counter = COUNTER_FOR_GAUGE.get(family.name);
      lines.push(`| ${group} | \`${family.name}\` | ${family.type} | ${labels} | ${cell(family.help)} | ${counter === undefined ? '' : `\`${counter}\``} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('README', () => {
  it('lists every declared family, as generated from src/metrics.ts', async () => {
    const { problem } = await checkGeneratedSection(readmeFile, 'metrics-table', renderMetricsTable(), isGoldenUpdateRequested());
    expect(problem).toBeUndefined();
  });

  it('sample.config.yaml shows the real defaults: uncommented, its first entry means the same as one naming only its host', async () => {
    const sample = await readFile(join(packageDir, 'sample.config.yaml'), 'utf8');
    const uncommented = sample.replace(/^ {2}# (\w+: .*)$/gm, '  $1');
    expect(uncommented).not.toBe(sample);
    const [entry] = sampleConfigEntries(parse(uncommented), 'arkouda') as Record<string, unknown>[];
    expect(Object.keys(entry!).sort()).toEqual(['host', 'pollIntervalSeconds', 'port', 'requestTimeoutSeconds', 'serverName']);
    // serverName shows the default: the instance name of the entry.
    expect(entry!.serverName).toBe('research');
    const { serverName: _, ...withDefaults } = await validateWithSchema(configSchema, entry);
    expect(withDefaults).toEqual(await validateWithSchema(configSchema, { host: entry!.host }));
  });
});
