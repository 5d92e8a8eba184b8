import type { HistogramValue, MetricType, SummaryValue } from '@tessera/collector-api';
import { parseText, parseValue, SampleCollection, type ParsedFamily, type ParsedSample } from '@tessera/exposition';

/** One series of a textfile family: its labels as written (no `le`/`quantile`) and its value. */
export interface TextfileSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | HistogramValue | SummaryValue;
}

/** A family as one textfile declares it. */
export interface TextfileFamily {
  readonly name: string;
  readonly type: MetricType;
  /** `undefined` when the file has no HELP line for it. */
  readonly help: string | undefined;
  /** The label names its series use, sorted. */
  readonly labelNames: readonly string[];
  readonly series: readonly TextfileSeries[];
}

/** Why a textfile is skipped. */
export class TextfileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TextfileError';
  }
}

/**
 * Parses one `*.prom` file (text format 0.0.4) into families. The file is refused as a whole —
 * {@link TextfileError} — when it does not parse, repeats a series, carries client-side
 * timestamps (node_exporter refuses those: Prometheus would drop such samples as out of order),
 * or holds a histogram or summary the exposition format cannot carry (buckets that are not
 * cumulative, a `+Inf` bucket that is not the count, a quantile outside [0, 1]).
 */
export function parseTextfile(text: string): TextfileFamily[] {
  let parsed: ParsedFamily[];
  try {
    parsed = parseText(text);
  } catch (error) {
    throw new TextfileError((error as Error).message, { cause: error });
  }
  const families = parsed.map(convertFamily);
  assertExpressible(families);
  return families;
}

function convertFamily(family: ParsedFamily): TextfileFamily {
  const stamped = family.samples.find((sample) => sample.timestampMs !== undefined);
  if (stamped !== undefined) throw new TextfileError(`line ${stamped.lineNumber}: client-side timestamps are not supported (${family.name})`);
  const series =
    family.type === 'histogram' ? convertHistogram(family) : family.type === 'summary' ? convertSummary(family) : family.samples.map(({ labels, value }) => ({ labels, value }));
  const names = new Set<string>();
  for (const entry of series) for (const name of Object.keys(entry.labels)) names.add(name);
  // An empty HELP line says nothing: treated as absent, so the family gets the default HELP.
  const help = family.help?.trim() === '' ? undefined : family.help;
  return { name: family.name, type: family.type, help, labelNames: [...names].sort(), series };
}

/** The series key of a label set: its names and values in name order. */
export function labelKey(labels: Readonly<Record<string, string>>, omit?: string): string {
  return Object.keys(labels)
    .filter((name) => name !== omit)
    .sort()
    .map((name) => `${name}\u0001${labels[name] ?? ''}`)
    .join('\u0000');
}

function withoutLabel(labels: Readonly<Record<string, string>>, omit: string): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) if (name !== omit) copy[name] = value;
  return copy;
}

interface Accumulating {
  readonly labels: Record<string, string>;
  readonly points: [number, number][];
  sum: number;
  count: number;
}

/** Groups a family's samples by series (labels without `reserved`): `_sum` and `_count` set those, `onPoint` takes the rest. */
function groupSeries(family: ParsedFamily, reserved: string, onPoint: (sample: ParsedSample, series: Accumulating) => void): Accumulating[] {
  const bySeries = new Map<string, Accumulating>();
  for (const sample of family.samples) {
    const key = labelKey(sample.labels, reserved);
    let series = bySeries.get(key);
    if (series === undefined) {
      series = { labels: withoutLabel(sample.labels, reserved), points: [], sum: 0, count: 0 };
      bySeries.set(key, series);
    }
    if (sample.name === `${family.name}_sum`) series.sum = sample.value;
    else if (sample.name === `${family.name}_count`) series.count = sample.value;
    else onPoint(sample, series);
  }
  return [...bySeries.values()];
}

function convertHistogram(family: ParsedFamily): TextfileSeries[] {
  const series = groupSeries(family, 'le', (sample, accumulating) => {
    const bound = sample.name === `${family.name}_bucket` ? parseValue(sample.labels.le ?? '') : undefined;
    if (bound === undefined) throw new TextfileError(`line ${sample.lineNumber}: histogram ${family.name} sample ${sample.name} needs an _bucket name and a numeric le label`);
    accumulating.points.push([bound, sample.value]);
  });
  return series.map(({ labels, points, sum, count }) => ({ labels, value: { buckets: points.sort((a, b) => a[0] - b[0]), sum, count } }));
}

function convertSummary(family: ParsedFamily): TextfileSeries[] {
  const series = groupSeries(family, 'quantile', (sample, accumulating) => {
    const quantile = sample.name === family.name ? parseValue(sample.labels.quantile ?? '') : undefined;
    if (quantile === undefined) throw new TextfileError(`line ${sample.lineNumber}: summary ${family.name} sample ${sample.name} needs a numeric quantile label`);
    accumulating.points.push([quantile, sample.value]);
  });
  return series.map(({ labels, points, sum, count }) => ({ labels, value: { quantiles: points, sum, count } }));
}

/**
 * Runs the file's families through the same validating sink the host uses, so anything it would
 * refuse at scrape time (illegal label names, inconsistent histograms) refuses the file now.
 */
function assertExpressible(families: readonly TextfileFamily[]): void {
  const scratch = new SampleCollection([], 'textfile');
  try {
    for (const family of families) {
      const declared = { name: family.name, type: family.type, help: family.help ?? 'textfile', labelNames: family.labelNames };
      scratch.declare(declared);
      for (const { labels, value } of family.series) {
        const complete = Object.fromEntries(family.labelNames.map((name) => [name, labels[name] ?? '']));
        if (family.type === 'histogram') scratch.addHistogram(declared, complete, value as HistogramValue);
        else if (family.type === 'summary') scratch.addSummary(declared, complete, value as SummaryValue);
        else scratch.add(declared, complete, value as number);
      }
    }
  } catch (error) {
    throw new TextfileError((error as Error).message.replace(/^textfile: /, ''), { cause: error });
  } finally {
    scratch.seal();
  }
}
