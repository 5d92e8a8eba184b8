import type { HistogramValue, MetricFamily, SummaryValue } from '@tessera/collector-api';
import type { CollectedFamily, Series } from './collected.js';
import { escapeHelp, escapeLabelValue } from './escape.js';
import { formatFixed6, formatInteger, formatValue } from './format-value.js';

/** The Content-Type of text format 0.0.4, exactly as Prometheus expects it. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A label added to every series at render time (the host's instance label), written first. */
export interface ExtraLabel {
  readonly name: string;
  readonly value: string;
}

/** How series are written. */
export interface RenderOptions {
  /** Added to every series before its own labels. */
  readonly extraLabel?: ExtraLabel | undefined;
}

/**
 * Renders families as text format 0.0.4. Families are written in the order given; series within a
 * family in the order given. Use {@link sortCollectedFamilies} first for deterministic output.
 * Families without series are omitted (Prometheus' own clients do the same); a family's
 * `optionalLabels` are left out of a series whose value for them is empty.
 */
export function renderText(families: readonly CollectedFamily[], options: RenderOptions = {}): string {
  let text = '';
  for (const { family, series } of families) {
    if (series.length === 0) continue;
    text += renderFamilyHeader(family) + renderSeriesLines(family, series, 0, series.length, options);
  }
  return text;
}

/** The `# HELP` and `# TYPE` lines of a family, each ending in a line feed. */
export function renderFamilyHeader(family: MetricFamily): string {
  return `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
}

/**
 * The sample lines of `series[start..end)` of a family, each ending in a line feed. A slice at a
 * time lets a caller render a family of 100k series without holding the event loop for all of it.
 */
export function renderSeriesLines(family: MetricFamily, series: readonly Series[], start: number, end: number, options: RenderOptions = {}): string {
  const labels = labelRenderer(family, options.extraLabel);
  const { name } = family;
  const format = family.valueFormat === 'integer' ? formatInteger : family.valueFormat === 'fixed6' ? formatFixed6 : formatValue;
  let text = '';
  for (let index = start; index < end; index++) {
    const entry = series[index] as Series;
    const rendered = labels(entry.labels);
    if (family.type === 'histogram') text += histogramLines(name, rendered, entry.value as HistogramValue);
    else if (family.type === 'summary') text += summaryLines(name, rendered, entry.value as SummaryValue);
    else text += `${name}${rendered === '' ? '' : `{${rendered}}`} ${format(entry.value as number)}\n`;
  }
  return text;
}

/** Builds the function that writes a series' labels (without braces) for one family. */
function labelRenderer(family: MetricFamily, extraLabel: ExtraLabel | undefined): (labels: Readonly<Record<string, string>>) => string {
  const names = family.labelNames;
  const optional = names.map((name) => family.optionalLabels?.includes(name) === true);
  // `name="` with and without the comma before it, built once per family rather than per series.
  const openings = names.map((name) => `${name}="`);
  const separated = names.map((name) => `,${name}="`);
  const first = extraLabel === undefined ? '' : `${extraLabel.name}="${escapeLabelValue(extraLabel.value)}"`;
  return (labels) => {
    let text = first;
    for (let index = 0; index < names.length; index++) {
      const value = labels[names[index] as string] ?? '';
      if (value === '' && optional[index] === true) continue;
      text += `${text === '' ? openings[index] : separated[index]}${escapeLabelValue(value)}"`;
    }
    return text;
  };
}

function withLabel(labels: string, extra: string): string {
  return `{${labels === '' ? '' : `${labels},`}${extra}}`;
}

function histogramLines(name: string, labels: string, value: HistogramValue): string {
  let text = '';
  let sawInfinity = false;
  for (const [bound, count] of value.buckets) {
    if (bound === Infinity) sawInfinity = true;
    text += `${name}_bucket${withLabel(labels, `le="${formatValue(bound)}"`)} ${formatValue(count)}\n`;
  }
  if (!sawInfinity) text += `${name}_bucket${withLabel(labels, 'le="+Inf"')} ${formatValue(value.count)}\n`;
  const braces = labels === '' ? '' : `{${labels}}`;
  return `${text}${name}_sum${braces} ${formatValue(value.sum)}\n${name}_count${braces} ${formatValue(value.count)}\n`;
}

function summaryLines(name: string, labels: string, value: SummaryValue): string {
  let text = '';
  for (const [quantile, quantileValue] of value.quantiles) {
    text += `${name}${withLabel(labels, `quantile="${formatValue(quantile)}"`)} ${formatValue(quantileValue)}\n`;
  }
  const braces = labels === '' ? '' : `{${labels}}`;
  return `${text}${name}_sum${braces} ${formatValue(value.sum)}\n${name}_count${braces} ${formatValue(value.count)}\n`;
}

/**
 * Sorts families by name and each family's series by label values (in declared label order), as
 * Prometheus' Go client does, so output is stable across runs. Returns new arrays.
 */
export function sortCollectedFamilies(families: readonly CollectedFamily[]): CollectedFamily[] {
  return [...families].sort((a, b) => compareStrings(a.family.name, b.family.name)).map(({ family, series }) => ({ family, series: sortSeries(family, series) }));
}

/** A family's series in label-value order (declared label order), as a new array. */
export function sortSeries(family: MetricFamily, series: readonly Series[]): Series[] {
  return [...series].sort(compareSeries(family));
}

/** The order of a family's series: by label values, in declared label order. */
export function compareSeries(family: MetricFamily): (a: Series, b: Series) => number {
  const names = family.labelNames;
  return (a, b) => {
    for (let index = 0; index < names.length; index++) {
      const name = names[index] as string;
      const order = compareStrings(a.labels[name] ?? '', b.labels[name] ?? '');
      if (order !== 0) return order;
    }
    return 0;
  };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
