import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLASHBLADE_METRICS } from '../src/metrics.js';
import { ADDED_FAMILIES, readExporterFamilies } from './support/exporter-families.js';

describe('the metric table against pure-fb-openmetrics-exporter v1.1.4', () => {
  const exporter = readExporterFamilies();
  const declared = new Map(FLASHBLADE_METRICS.map((family) => [family.name, family]));

  it('transcribes all 47 of its families', () => {
    expect(exporter).toHaveLength(47);
    expect(new Set(exporter.map((family) => family.name)).size).toBe(47);
  });

  it.each(exporter.map((family) => [family.name, family] as const))('%s: same name, type, HELP and label names', (name, family) => {
    const ours = declared.get(name);
    expect(ours, `${name} is not declared`).toBeDefined();
    expect(ours?.type).toBe('gauge');
    expect(ours?.help).toBe(family.help);
    expect([...(ours?.labelNames ?? [])].sort()).toEqual([...family.labelNames].sort());
  });

  it('adds only documented purefb_ families, and its own under tessera_flashblade_', () => {
    const known = new Set(exporter.map((family) => family.name));
    const extra = FLASHBLADE_METRICS.map((family) => family.name).filter((name) => !known.has(name));
    expect(extra.filter((name) => name.startsWith('purefb_')).sort()).toEqual([...ADDED_FAMILIES].sort());
    expect(extra.filter((name) => !name.startsWith('purefb_')).every((name) => name.startsWith('tessera_flashblade_'))).toBe(true);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of ADDED_FAMILIES) expect(readme, `README.md does not mention ${name}`).toContain(name);
  });

  it('declares label names in alphabetical order, as the exporter prints them', () => {
    for (const family of FLASHBLADE_METRICS) expect([...family.labelNames], family.name).toEqual([...family.labelNames].sort());
  });
});
