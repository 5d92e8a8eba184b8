import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWithSchema } from '@tessera/collector-api';
import { isGoldenUpdateRequested, readSampleConfig } from '@tessera/collector-testkit';
import { checkGeneratedSection } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import { DCGM_FIELDS } from '../src/dcgm-fields.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmeFile = join(packageDir, 'README.md');

const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The README's table of every field tessera can read, from src/dcgm-fields.ts. */
function renderMetricsTable(): string {
  const lines = ['| field | id | type | unit | default | on MIG | nvidia-smi | HELP |', '|---|---|---|---|---|---|---|---|'];
  const smiFree = new Set(['totalEnergyMillijoules', 'pcieReplays', 'nvlinkBandwidthMegabytesPerSecond', 'lastXid', 'powerViolationNanoseconds', 'thermalViolationNanoseconds', 'syncBoostViolationNanoseconds', 'boardLimitViolationNanoseconds', 'lowUtilizationViolationNanoseconds', 'reliabilityViolationNanoseconds']);
  for (const field of DCGM_FIELDS) {
    if (field.kind === 'label') {
      lines.push(`| \`${field.name}\` | ${field.id} | label | | ${field.default ? 'yes' : ''} | parent's | ${field.source === 'nvmlVersion' ? 'no' : 'yes'} | ${cell(field.help)} |`);
      continue;
    }
    const viaSmi = !smiFree.has(field.source) && !field.source.endsWith('Ratio') && !field.source.endsWith('BytesPerSecond');
    const mig = field.mig === 'device' ? "parent's" : field.mig === 'instance' ? 'per instance' : 'absent';
    lines.push(`| \`${field.name}\` | ${field.id} | ${field.type} | ${field.unit} | ${field.default ? 'yes' : ''} | ${mig} | ${viaSmi ? 'yes' : 'no'} | ${cell(field.help)} |`);
  }
  return `${lines.join('\n')}\n`;
}

describe('README', () => {
  it('lists every field tessera can read, as generated from src/dcgm-fields.ts', async () => {
    const { problem } = await checkGeneratedSection(readmeFile, 'metrics-table', renderMetricsTable(), isGoldenUpdateRequested());
    expect(problem).toBeUndefined();
  });

  it('the example output is what the pods golden case produces', async () => {
    const readme = await readFile(readmeFile, 'utf8');
    const example = /## Example output[\s\S]*?```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const golden = new Set((await readFile(join(packageDir, 'test/cases/pods/expected.prom'), 'utf8')).split('\n'));
    const lines = example.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => !golden.has(line))).toEqual([]);
  });

  it('sample.config.yaml shows the real defaults: it means the same as an empty entry', async () => {
    const [entry] = (await readSampleConfig(packageDir, 'dcgm')).entries;
    expect(await validateWithSchema(configSchema, entry)).toEqual(await validateWithSchema(configSchema, {}));
  });
});
