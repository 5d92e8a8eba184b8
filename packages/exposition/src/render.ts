import type { HistogramValue, SummaryValue } from '@tessera/collector-api';
import type { CollectedFamily, Series } from './collected.js';
import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatValue } from './format-value.js';

/** The Content-Type of text format 0.0.4, exactly as Prometheus expects it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Renders families as text format 0.0.4. Families are written in the order given; series within a
 * family in the order given. Use {@link sortCollectedFamilies} first for deterministic output.
 * Families without series are omitted (Prometheus' own clients do the same).
 */
export function renderText(families: readonly CollectedFamily[]): string {
  const lines: string[] = [];
  for (const { family, series } of families) {
    if (series.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const entry of series) {
      if (family.type === 'histogram') renderHistogram(lines, family.name, family.labelNames, entry);
      else if (family.type === 'summary') renderSummary(lines, family.name, family.labelNames, entry);
      else lines.push(`${family.name}${renderLabels(family.labelNames, entry.labels)} ${formatValue(entry.value as number)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function renderLabels(labelNames: readonly string[], labels: Readonly<Record<string, string>>, extra?: string): string {
  let text = '';
  for (const name of labelNames) {
    const value = labels[name] ?? '';
    text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  if (extra !== undefined) text += `${text === '' ? '' : ','}${extra}`;
  return text === '' ? '' : `{${text}}`;
}

function renderHistogram(lines: string[], name: string, labelNames: readonly string[], entry: Series): void {
  const value = entry.value as HistogramValue;
  let sawInfinity = false;
  for (const [bound, count] of value.buckets) {
    if (bound === Infinity) sawInfinity = true;
    lines.push(`${name}_bucket${renderLabels(labelNames, entry.labels, `le="${formatValue(bound)}"`)} ${formatValue(count)}`);
  }
  if (!sawInfinity) lines.push(`${name}_bucket${renderLabels(labelNames, entry.labels, 'le="+Inf"')} ${formatValue(value.count)}`);
  lines.push(`${name}_sum${renderLabels(labelNames, entry.labels)} ${formatValue(value.sum)}`);
  lines.push(`${name}_count${renderLabels(labelNames, entry.labels)} ${formatValue(value.count)}`);
}

function renderSummary(lines: string[], name: string, labelNames: readonly string[], entry: Series): void {
  const value = entry.value as SummaryValue;
  for (const [quantile, quantileValue] of value.quantiles) {
    lines.push(`${name}${renderLabels(labelNames, entry.labels, `quantile="${formatValue(quantile)}"`)} ${formatValue(quantileValue)}`);
  }
  lines.push(`${name}_sum${renderLabels(labelNames, entry.labels)} ${formatValue(value.sum)}`);
  lines.push(`${name}_count${renderLabels(labelNames, entry.labels)} ${formatValue(value.count)}`);
}

/**
 * Sorts families by name and each family's series by label values (in declared label order), as
 * Prometheus' Go client does, so output is stable across runs. Returns new arrays.
 */
export function sortCollectedFamilies(families: readonly CollectedFamily[]): CollectedFamily[] {
  return [...families]
    .sort((a, b) => compareStrings(a.family.name, b.family.name))
    .map(({ family, series }) => ({
      family,
      series: [...series].sort((a, b) => {
        for (const label of family.labelNames) {
          const order = compareStrings(a.labels[label] ?? '', b.labels[label] ?? '');
          if (order !== 0) return order;
        }
        return 0;
      }),
    }));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
