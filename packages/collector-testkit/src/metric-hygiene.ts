import { describeFamilyProblem, isValidLabelName, type MetricFamily } from '@tessera/collector-api';

/** Options of {@link checkMetricHygiene}. */
export interface MetricHygieneOptions {
  /**
   * Metric names exempt from the naming rules (snake_case, base units, `_total`, `unit` suffix) and
   * the host-label rule (`job`, `instance`, `collector` labels), for names kept for compatibility:
   * node_exporter's camelCase meminfo fields, its `node_scrape_collector_success{collector}`. A
   * string matches one name exactly; a RegExp is tested against the name. Legality, HELP and the
   * other label rules still apply.
   */
  readonly allow?: readonly (string | RegExp)[];
  /**
   * Label names exempt from the label rules (snake_case, host labels), for names an anchor uses and
   * dashboards match on: dcgm-exporter's `UUID`, `modelName`, `Hostname`, `GPU_I_PROFILE`. Same
   * matching as `allow`, against the label name; reserved and illegal names are still refused.
   */
  readonly allowLabels?: readonly (string | RegExp)[];
}

/**
 * Name tokens that are not base units, with the base unit to use instead (Prometheus naming
 * practices; promtool flags only some of these, e.g. it lets `_percent` through).
 */
const NON_BASE_UNITS: Readonly<Record<string, string>> = {
  ms: 'seconds',
  msec: 'seconds',
  millis: 'seconds',
  milliseconds: 'seconds',
  us: 'seconds',
  usec: 'seconds',
  microseconds: 'seconds',
  ns: 'seconds',
  nsec: 'seconds',
  nanoseconds: 'seconds',
  sec: 'seconds',
  secs: 'seconds',
  mins: 'seconds',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  kb: 'bytes',
  mb: 'bytes',
  gb: 'bytes',
  tb: 'bytes',
  kib: 'bytes',
  mib: 'bytes',
  gib: 'bytes',
  tib: 'bytes',
  kilobytes: 'bytes',
  megabytes: 'bytes',
  gigabytes: 'bytes',
  terabytes: 'bytes',
  bits: 'bytes',
  kbits: 'bytes',
  mbits: 'bytes',
  percent: 'ratio',
  percentage: 'ratio',
  pct: 'ratio',
  fahrenheit: 'celsius',
  millicelsius: 'celsius',
  khz: 'hertz',
  mhz: 'hertz',
  ghz: 'hertz',
  millivolts: 'volts',
  milliamperes: 'amperes',
  milliwatts: 'watts',
  kilowatts: 'watts',
  millijoules: 'joules',
  kilojoules: 'joules',
  milligrams: 'grams',
  kilograms: 'grams',
  millimeters: 'meters',
  kilometers: 'meters',
};

/** Labels the host or Prometheus attaches, which a collector must not emit itself. */
const HOST_LABELS: Readonly<Record<string, string>> = {
  job: 'Prometheus attaches job to every scraped series (yours would become exported_job)',
  instance: 'Prometheus attaches instance to every scraped series (yours would become exported_instance)',
  collector: 'the host uses collector on its self-metrics (tessera_scrape_collector_*)',
};

const SNAKE_CASE = /^[a-z_][a-z0-9_]*$/;

/**
 * Lints declared families against Prometheus naming practice and the Tessera contract. Returns one
 * line per problem (`<metric>: <problem>`), empty when all is well. Stricter than
 * `promtool check metrics`: it also checks units it misses, label names and host label collisions.
 *
 * Rules: the family is legal (name, HELP, labels); names are snake_case without colons or a `__`
 * prefix; counters end in `_total` and nothing else does; no non-base units (`_ms`, `_kb`,
 * `_percent`, `_bits`, `_minutes`, …); `unit`, when set, is the last word before any `_total`;
 * label names are snake_case and not reserved (`__*`, `le`, `quantile`); no `job`, `instance` or
 * `collector` label (they collide with what Prometheus and the host add); no name declared twice.
 * A name in `options.allow` skips the naming rules and the host-label rule; a label name in
 * `options.allowLabels` skips the label rules (snake_case, host labels).
 */
export function checkMetricHygiene(families: readonly MetricFamily[], options: MetricHygieneOptions = {}): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    const report = (problem: string): void => void problems.push(`${family.name}: ${problem}`);
    if (seen.has(family.name)) report('declared more than once');
    seen.add(family.name);
    // Illegal names, types, labels and an empty HELP; its text already starts with the name.
    const illegal = describeFamilyProblem(family);
    if (illegal !== undefined) problems.push(illegal);
    const allowed = isAllowed(family.name, options.allow);
    if (!allowed) checkName(family, report);
    for (const label of family.labelNames) checkLabel(family, label, { familyAllowed: allowed, labelAllowed: isAllowed(label, options.allowLabels) }, report);
  }
  return problems;
}

function isAllowed(name: string, allow: readonly (string | RegExp)[] | undefined): boolean {
  return (allow ?? []).some((entry) => (typeof entry === 'string' ? entry === name : matchesWhole(entry, name)));
}

function matchesWhole(pattern: RegExp, text: string): boolean {
  // A global or sticky RegExp keeps lastIndex between calls; a fresh copy answers the same every time.
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')).test(text);
}

function checkName(family: MetricFamily, report: (problem: string) => void): void {
  const { name, type, unit } = family;
  if (name.includes(':')) report('colons are reserved for recording rules');
  if (name.startsWith('__')) report('names starting with "__" are reserved for Prometheus');
  if (!SNAKE_CASE.test(name.replace(/:/g, '_'))) report("metric names should be written in 'snake_case' not 'camelCase'");
  if (type === 'counter' && !name.endsWith('_total')) report('counter metrics should have "_total" suffix');
  if (type !== 'counter' && name.endsWith('_total')) report('non-counter metrics should not have "_total" suffix');
  if ((type === 'histogram' || type === 'summary') && /_(bucket|count|sum)$/.test(name)) {
    report(`a ${type} name must not end in _bucket, _count or _sum (its samples add those suffixes)`);
  }
  for (const token of name.toLowerCase().split(/[_:]/)) {
    const base = NON_BASE_UNITS[token];
    if (base !== undefined) report(`use base unit "${base}" instead of "${token}"`);
  }
  if (unit !== undefined && unit !== '') {
    const stem = type === 'counter' ? name.replace(/_total$/, '') : name;
    if (!stem.endsWith(`_${unit}`)) report(`unit "${unit}" must be the name's suffix${type === 'counter' ? ' (before _total)' : ''}`);
  }
}

/**
 * The label rules. An allowed family keeps a host label of its anchor (`collector` on
 * `node_scrape_collector_success`); a label name breaking snake_case must itself be allowed, so
 * that an allowed family still cannot bring in a new camelCase label unnoticed.
 */
function checkLabel(family: MetricFamily, label: string, allowed: { readonly familyAllowed: boolean; readonly labelAllowed: boolean }, report: (problem: string) => void): void {
  if (!isValidLabelName(label)) return; // illegal and `__*` names: describeFamilyProblem reported them
  if (!SNAKE_CASE.test(label) && !allowed.labelAllowed) report(`label ${label}: label names should be snake_case (list it in allowLabels to keep an anchor's name)`);
  if (label === 'le' && family.type !== 'histogram') report('label le is reserved for histogram buckets');
  if (label === 'quantile' && family.type !== 'summary') report('label quantile is reserved for summary quantiles');
  const hostLabel = HOST_LABELS[label];
  if (hostLabel !== undefined && !allowed.familyAllowed && !allowed.labelAllowed) report(`label ${label}: ${hostLabel} (list the name in allow to keep it for compatibility)`);
}
