import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { validateWithSchema, type MetricFamily } from '@tessera/collector-api';
import { isGoldenUpdateRequested } from '@tessera/collector-testkit';
import { checkGeneratedSection } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../src/config.js';
import { FAMILIES_BY_GROUP, FLASHBLADE_METRICS } from '../src/metrics.js';

const readmeFile = fileURLToPath(new URL('../README.md', import.meta.url));

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const GROUP_TITLES: Readonly<Record<keyof typeof FAMILIES_BY_GROUP, string>> = {
  info: '(always)',
  array: 'array',
  filesystems: 'filesystems',
  objectstore: 'objectstore',
  clients: 'clients',
  usage: 'usage',
  policies: 'policies',
  self: '(always)',
};

/** The README's table of every declared family, by group. */
function renderMetricsTable(): string {
  const lines = ['| group | family | type | labels | HELP |', '|---|---|---|---|---|'];
  for (const [group, families] of Object.entries(FAMILIES_BY_GROUP) as [keyof typeof FAMILIES_BY_GROUP, readonly MetricFamily[]][]) {
    for (const family of families) {
      const labels = family.labelNames.map((label) => `\`${label}\``).join(', ');
      lines.push(`| ${GROUP_TITLES[group]} | \`${family.name}\` | ${family.type} | ${labels} | ${cell(family.help)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('README', () => {
  it('lists every declared family, as generated from src/metrics.ts', async () => {
    const expected = renderMetricsTable();
    const { problem } = await checkGeneratedSection(readmeFile, 'metrics-table', expected, isGoldenUpdateRequested());
    expect(problem).toBeUndefined();
    expect(expected.split('\n').length - 3).toBe(FLASHBLADE_METRICS.length);
  });

  it('sample.config.yaml shows the real defaults: its commented defaults, uncommented, change nothing', async () => {
    const sample = await readFile(fileURLToPath(new URL('../sample.config.yaml', import.meta.url)), 'utf8');
    const defaults = ['insecureSkipVerify', 'groups', 'refreshSeconds', 'maxConcurrentRequests', 'requestTimeoutSeconds', 'pageSize', 'acceptBearerToken'];
    const uncommented = sample.replace(new RegExp(`^# ((${defaults.join('|')}):.*)$`, 'gm'), '$1');
    const entry = parseYaml(uncommented) as Record<string, unknown>;
    expect(Object.keys(entry).sort()).toEqual(['apiToken', 'endpoint', ...defaults].sort());
    expect(await validateWithSchema(configSchema, entry)).toEqual(await validateWithSchema(configSchema, { endpoint: entry.endpoint, apiToken: entry.apiToken }));
  });
});
