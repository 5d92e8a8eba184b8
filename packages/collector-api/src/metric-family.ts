import { isValidLabelName, METRIC_NAME_PATTERN } from './naming.js';

/** The exposition types a family may have (text format 0.0.4). */
export type MetricType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

/**
 * How sample values are written. Prometheus reads them all alike; an exporter that must match an
 * anchor's output byte for byte (dashboards are not affected, text comparisons and strict tools are)
 * picks the anchor's:
 * - `shortest` (default): Go's `strconv.FormatFloat(v, 'g', -1, 64)`, as client_golang writes;
 * - `integer`: Go's `%d` of an int64 (`98765432100`, never an exponent; the value is truncated);
 * - `fixed6`: Go's `%f`, six decimals (`312.480000`), as dcgm-exporter writes its double fields.
 */
export type ValueFormat = 'shortest' | 'integer' | 'fixed6';

const VALUE_FORMATS: ReadonlySet<string> = new Set(['shortest', 'integer', 'fixed6']);

/**
 * A declared metric family: everything about a metric except its samples.
 *
 * Immutable once declared: the host compares families by name and fields, and may share one object
 * between concurrent collections. `TLabel` is the union of label names, so `sink.add` can check the
 * label set at compile time when the family is built with {@link defineMetric}.
 */
export interface MetricFamily<TLabel extends string = string> {
  /** Full metric name, e.g. `node_cpu_seconds_total`. Counters end in `_total`. */
  readonly name: string;
  readonly type: MetricType;
  /** One line of HELP text. Say where the value comes from and any conversion applied. */
  readonly help: string;
  /** Label names, exactly the keys every sample of this family carries. Order is the output order. */
  readonly labelNames: readonly TLabel[];
  /** The base unit, when the value has one (`seconds`, `bytes`, `celsius`, `ratio`, …). Informative. */
  readonly unit?: string | undefined;
  /**
   * Labels left out of a rendered series when their value is empty, as dcgm-exporter leaves out
   * `pod`/`namespace`/`container` on a GPU no pod holds. A subset of `labelNames`; samples still
   * pass every label (`''` for "does not apply"), and series are still told apart by every label.
   * Without it an empty label renders as `pod=""`, which Prometheus treats as absent anyway but
   * which breaks exact-match dashboards and text comparisons.
   */
  readonly optionalLabels?: readonly TLabel[] | undefined;
  /** How its values are written (see {@link ValueFormat}); histograms and summaries always use `shortest`. */
  readonly valueFormat?: ValueFormat | undefined;
}

/** The label object a family's samples take: one string per declared label name. */
export type LabelsOf<TFamily> = TFamily extends MetricFamily<infer TLabel> ? Readonly<Record<TLabel, string>> : never;

/**
 * Declares a metric family: checks the name and label names, then freezes it.
 * Throws `TypeError` on an illegal name or a duplicated label: that is a bug in the collector, found
 * at import time rather than at the first scrape.
 */
export function defineMetric<const TLabel extends string = never>(family: MetricFamily<TLabel>): MetricFamily<TLabel> {
  const problem = describeFamilyProblem(family);
  if (problem !== undefined) throw new TypeError(problem);
  return freezeFamily(family);
}

/** A frozen copy of a family, its label lists too, without checking it (see {@link describeFamilyProblem}). */
export function freezeFamily<const TLabel extends string = never>(family: MetricFamily<TLabel>): MetricFamily<TLabel> {
  return Object.freeze({
    ...family,
    labelNames: Object.freeze([...family.labelNames]),
    ...(family.optionalLabels === undefined ? {} : { optionalLabels: Object.freeze([...family.optionalLabels]) }),
  });
}

const SAMPLE_NAME_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [],
  gauge: [],
  untyped: [],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * The suffixes a family of `type` appends to its name for its own samples: a histogram `x` also
 * writes `x_bucket`, `x_sum` and `x_count`, a summary `x_sum` and `x_count`. Another family may not
 * use those names: every text-format parser would read its samples as part of `x`.
 */
export function sampleNameSuffixes(type: MetricType): readonly string[] {
  return SAMPLE_NAME_SUFFIXES[type];
}

/** True when two declarations agree on name, type, HELP, label names (in order), optional labels and value format. */
export function isSameFamily(a: MetricFamily, b: MetricFamily): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.help === b.help &&
    sameList(a.labelNames, b.labelNames) &&
    sameList(a.optionalLabels ?? [], b.optionalLabels ?? []) &&
    (a.valueFormat ?? 'shortest') === (b.valueFormat ?? 'shortest')
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => b[index] === item);
}

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);

/** Returns why a family declaration is illegal, or `undefined` when it is fine. Used by host and testkit. */
export function describeFamilyProblem(family: MetricFamily): string | undefined {
  if (!METRIC_NAME_PATTERN.test(family.name)) return `metric name ${JSON.stringify(family.name)} is not a legal Prometheus name`;
  if (!METRIC_TYPES.has(family.type)) return `metric ${family.name}: unknown type ${JSON.stringify(family.type)}`;
  if (typeof family.help !== 'string' || family.help.trim() === '') return `metric ${family.name}: HELP text is empty`;
  const seen = new Set<string>();
  for (const label of family.labelNames) {
    if (!isValidLabelName(label)) return `metric ${family.name}: label name ${JSON.stringify(label)} is not legal`;
    if (seen.has(label)) return `metric ${family.name}: label ${label} declared twice`;
    if ((family.type === 'histogram' && label === 'le') || (family.type === 'summary' && label === 'quantile')) {
      return `metric ${family.name}: label ${label} is reserved for the ${family.type} type`;
    }
    seen.add(label);
  }
  if (family.valueFormat !== undefined && !VALUE_FORMATS.has(family.valueFormat)) return `metric ${family.name}: unknown valueFormat ${JSON.stringify(family.valueFormat)}`;
  const optional: unknown = family.optionalLabels;
  if (optional !== undefined) {
    if (!Array.isArray(optional)) return `metric ${family.name}: optionalLabels must be a list of label names`;
    for (const label of optional as unknown[]) {
      if (typeof label !== 'string' || !seen.has(label)) return `metric ${family.name}: optional label ${JSON.stringify(label)} is not one of its label names`;
    }
  }
  return undefined;
}
