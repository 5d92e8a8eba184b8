import { isValidLabelName, type HistogramValue, type MetricType, type SummaryValue } from '@tessera/collector-api';
import { escapeLabelValue, parseValue, SampleCollection } from '@tessera/exposition';
import { BACKSLASH, CARRIAGE_RETURN, CLOSE_BRACE, COMMA, EQUALS, HASH, NINE, OPEN_BRACE, QUOTE, SPACE, TAB, ZERO } from './char-codes.js';

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
  /**
   * The identity of each series, in `series` order: its non-empty labels in name order, escaped as
   * the text format writes them (`{a="1",b="x\"y"}`, `""` for none). Two series are the same to
   * Prometheus exactly when these are equal. For counters, gauges and untyped families only.
   */
  readonly seriesKeys: readonly string[];
}

/** Why a textfile is skipped. */
export class TextfileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TextfileError';
  }
}

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);

/** A histogram or summary sample before its series is assembled. */
interface RawSample {
  readonly suffix: '' | '_bucket' | '_sum' | '_count';
  readonly labels: Record<string, string>;
  readonly value: number;
  readonly lineNumber: number;
}

interface BuildingFamily {
  readonly name: string;
  type: MetricType | undefined;
  help: string | undefined;
  readonly labelNames: Set<string>;
  /** Counters, gauges, untyped: the series as parsed. */
  readonly series: TextfileSeries[];
  readonly seriesKeys: string[];
  readonly seen: Set<string>;
  /** Histograms and summaries: every sample, assembled into series at the end. */
  readonly raw: RawSample[];
}

/** {@link TextfileParser}'s next-backslash offset when it has not been looked for in the current text. */
const UNKNOWN = -2;

const isBlank = (code: number): boolean => code === SPACE || code === TAB;
const isNameStart = (code: number): boolean => (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
const isDigit = (code: number): boolean => code >= ZERO && code <= NINE;

/**
 * An incremental parser for one `*.prom` file (text format 0.0.4, as node_exporter reads
 * textfiles): {@link feed} it the file's text in pieces of any size, then {@link finish}.
 *
 * It is written for large files: lines are scanned in place by offset rather than split out, label
 * values without escapes are slices of the input (no copy), a series costs one label object, and
 * repeated series are found by their text form, which for a well-ordered line is a slice of the
 * line itself. The file is refused as a whole — {@link TextfileError}, naming the line — when it does
 * not parse, repeats a series, carries client-side timestamps (node_exporter refuses those:
 * Prometheus would drop such samples as out of order), or holds a histogram or summary the
 * exposition format cannot carry (buckets that are not cumulative, a `+Inf` bucket that is not the
 * count, a quantile outside [0, 1]).
 */
export class TextfileParser {
  readonly #families = new Map<string, BuildingFamily>();
  /** Label names already checked, so a name is validated once per file rather than once per line. */
  readonly #validLabelNames = new Set<string>();
  #pending = '';
  #lineNumber = 0;
  /** See {@link #nextBackslash}; reset whenever a new text is scanned. */
  #backslashAt = UNKNOWN;
  #finished = false;

  /** Parses the complete lines of `text`; an incomplete last line waits for the next piece. */
  feed(text: string): void {
    if (this.#finished) throw new Error('the textfile parser has finished');
    let start = 0;
    let source = text;
    if (this.#pending !== '') {
      const newline = text.indexOf('\n');
      if (newline === -1) {
        this.#pending += text;
        return;
      }
      source = this.#pending + text.slice(0, newline);
      this.#pending = '';
      this.#backslashAt = UNKNOWN;
      this.#line(source, 0, source.length);
      source = text;
      start = newline + 1;
    }
    this.#backslashAt = UNKNOWN;
    for (;;) {
      const newline = source.indexOf('\n', start);
      if (newline === -1) break;
      this.#line(source, start, newline);
      start = newline + 1;
    }
    if (start < source.length) this.#pending = source.slice(start);
  }

  /** Parses what remains and returns the file's families in order of first appearance, those without samples left out. */
  finish(): TextfileFamily[] {
    this.#backslashAt = UNKNOWN;
    if (this.#pending !== '') this.#line(this.#pending, 0, this.#pending.length);
    this.#pending = '';
    this.#finished = true;
    const families: TextfileFamily[] = [];
    const assembled: TextfileFamily[] = [];
    for (const family of this.#families.values()) {
      const type = family.type ?? 'untyped';
      // An empty HELP line says nothing: treated as absent, so the family gets the default HELP.
      const help = family.help?.trim() === '' ? undefined : family.help;
      const labelNames = [...family.labelNames].sort();
      if (type === 'histogram' || type === 'summary') {
        if (family.raw.length === 0) continue;
        const series = type === 'histogram' ? assembleHistograms(family) : assembleSummaries(family);
        const names = new Set<string>();
        for (const entry of series) for (const name in entry.labels) names.add(name);
        const built = { name: family.name, type, help, labelNames: [...names].sort(), series, seriesKeys: [] };
        families.push(built);
        assembled.push(built);
      } else if (family.series.length > 0) {
        families.push({ name: family.name, type, help, labelNames, series: family.series, seriesKeys: family.seriesKeys });
      }
    }
    assertExpressible(assembled);
    return families;
  }

  #line(text: string, start: number, end: number): void {
    this.#lineNumber++;
    if (end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN) end--;
    let position = start;
    while (position < end && isBlank(text.charCodeAt(position))) position++;
    if (position === end) return;
    if (text.charCodeAt(position) === HASH) this.#comment(text.slice(position, end));
    else this.#sample(text, position, end);
  }

  #fail(message: string): never {
    throw new TextfileError(`line ${this.#lineNumber}: ${message}`);
  }

  #comment(line: string): void {
    // Fields are separated by spaces and tabs only, as in Go's parser; the `s` flag keeps U+2028 and
    // U+2029 (which `.` would not match) inside HELP text instead of demoting the line to a comment.
    const match = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/s.exec(line);
    if (match === null) return; // an ordinary comment
    const [, keyword, name = '', rest = ''] = match;
    if (!isMetricName(name, 0, name.length)) this.#fail(`invalid metric name ${JSON.stringify(name)} in ${keyword}`);
    const family = this.#family(name);
    if (keyword === 'HELP') {
      if (family.help !== undefined) this.#fail(`second HELP line for ${name}`);
      family.help = this.#unescapeHelp(rest);
      return;
    }
    const type = rest.trim();
    if (!METRIC_TYPES.has(type)) this.#fail(`unknown metric type ${JSON.stringify(type)} for ${name}`);
    if (family.type !== undefined) this.#fail(`second TYPE line for ${name}`);
    if (family.series.length > 0 || family.raw.length > 0) this.#fail(`TYPE line for ${name} must come before its samples`);
    family.type = type as MetricType;
  }

  #family(name: string): BuildingFamily {
    let family = this.#families.get(name);
    if (family === undefined) {
      family = { name, type: undefined, help: undefined, labelNames: new Set(), series: [], seriesKeys: [], seen: new Set(), raw: [] };
      this.#families.set(name, family);
    }
    return family;
  }

  /** Finds the family a sample belongs to: `x_bucket` to histogram `x`, `x_sum` to summary `x`, … */
  #familyForSample(name: string): { family: BuildingFamily; suffix: RawSample['suffix'] } {
    for (const suffix of ['_bucket', '_sum', '_count'] as const) {
      if (!name.endsWith(suffix)) continue;
      const base = this.#families.get(name.slice(0, -suffix.length));
      if (base?.type === 'histogram' || (base?.type === 'summary' && suffix !== '_bucket')) return { family: base, suffix };
    }
    return { family: this.#family(name), suffix: '' };
  }

  #sample(text: string, start: number, end: number): void {
    let position = start;
    while (position < end && isMetricNameChar(text.charCodeAt(position))) position++;
    if (!isMetricName(text, start, position)) this.#fail(`invalid metric name in ${JSON.stringify(text.slice(start, Math.min(end, start + 80)))}`);
    const name = text.slice(start, position);
    const labels: Record<string, string> = {};
    // The line's label text is its series key when it is already in canonical form: names in
    // increasing order, no empty values, nothing between the tokens.
    let canonical = true;
    let labelsStart = -1;
    let labelsEnd = -1;
    while (position < end && isBlank(text.charCodeAt(position))) position++;
    if (text.charCodeAt(position) === OPEN_BRACE) {
      labelsStart = position;
      position++;
      let previousName = '';
      for (;;) {
        const before = position;
        while (position < end && isBlank(text.charCodeAt(position))) position++;
        if (position !== before) canonical = false;
        if (position >= end) this.#fail(`unterminated label set in ${name}`);
        if (text.charCodeAt(position) === CLOSE_BRACE) {
          if (previousName !== '' && text.charCodeAt(position - 1) === COMMA) canonical = false;
          labelsEnd = ++position;
          break;
        }
        const nameStart = position;
        while (position < end && isLabelNameChar(text.charCodeAt(position))) position++;
        const labelName = text.slice(nameStart, position);
        if (!this.#validLabelNames.has(labelName)) {
          if (!isValidLabelName(labelName)) this.#fail(`invalid label name ${JSON.stringify(labelName)} in ${name}`);
          this.#validLabelNames.add(labelName);
        }
        if (labelName <= previousName) canonical = false;
        previousName = labelName;
        const beforeEquals = position;
        while (position < end && isBlank(text.charCodeAt(position))) position++;
        if (text.charCodeAt(position) !== EQUALS) this.#fail(`expected "=" after label ${labelName}`);
        position++;
        while (position < end && isBlank(text.charCodeAt(position))) position++;
        if (position !== beforeEquals + 1) canonical = false;
        if (text.charCodeAt(position) !== QUOTE) this.#fail(`expected a quoted value for label ${labelName}`);
        const valueStart = position + 1;
        const { value, end: valueEnd } = this.#labelValue(text, valueStart, end, labelName);
        position = valueEnd + 1;
        if (value === '') canonical = false;
        if (Object.hasOwn(labels, labelName)) this.#fail(`label ${labelName} appears twice in ${name}`);
        labels[labelName] = value;
        const afterValue = position;
        while (position < end && isBlank(text.charCodeAt(position))) position++;
        if (position !== afterValue) canonical = false;
        const next = text.charCodeAt(position);
        if (next === COMMA) position++;
        else if (next !== CLOSE_BRACE) this.#fail(`expected "," or "}" after label ${labelName}`);
      }
    }
    const { value, timestamped } = this.#valueAndTimestamp(text, position, end, name);
    if (timestamped) this.#fail(`client-side timestamps are not supported (${name})`);

    const { family, suffix } = this.#familyForSample(name);
    if (family.type === 'histogram' || family.type === 'summary') {
      family.raw.push({ suffix, labels, value, lineNumber: this.#lineNumber });
      return;
    }
    const key = labelsStart === -1 ? '' : canonical ? text.slice(labelsStart, labelsEnd) : canonicalKey(labels);
    if (family.seen.has(key)) this.#fail(`duplicate series ${name}${key}`);
    family.seen.add(key);
    for (const labelName in labels) family.labelNames.add(labelName);
    family.series.push({ labels, value });
    family.seriesKeys.push(key);
  }

  /** Reads a quoted label value starting after its opening quote; `end` is the closing quote's offset. */
  #labelValue(text: string, start: number, lineEnd: number, labelName: string): { value: string; end: number } {
    // The common case, no escape before the closing quote: the value is a slice of the input.
    const quote = text.indexOf('"', start);
    const backslash = this.#nextBackslash(text, start);
    if (quote !== -1 && quote < lineEnd && (backslash === -1 || backslash > quote)) return { value: text.slice(start, quote), end: quote };
    let value = '';
    let position = start;
    for (;;) {
      if (position >= lineEnd) this.#fail(`unterminated value for label ${labelName}`);
      const code = text.charCodeAt(position);
      if (code === QUOTE) return { value, end: position };
      if (code === BACKSLASH) {
        const escaped = text.charCodeAt(position + 1);
        if (escaped === BACKSLASH) value += '\\';
        else if (escaped === QUOTE) value += '"';
        else if (escaped === 110) value += '\n';
        else this.#fail(`invalid escape sequence "\\${position + 1 < lineEnd ? text[position + 1] : ''}" in label ${labelName}`);
        position += 2;
        continue;
      }
      // Copy the run up to the next quote or backslash at once.
      let next = position + 1;
      while (next < lineEnd && text.charCodeAt(next) !== QUOTE && text.charCodeAt(next) !== BACKSLASH) next++;
      value += text.slice(position, next);
      position = next;
    }
  }

  /**
   * The offset of the first backslash in `text` at or after `from`, or -1. Remembered until a new
   * text is scanned, so a piece without escapes is searched once rather than once per label value.
   */
  #nextBackslash(text: string, from: number): number {
    if (this.#backslashAt === UNKNOWN || (this.#backslashAt !== -1 && this.#backslashAt < from)) this.#backslashAt = text.indexOf('\\', from);
    return this.#backslashAt;
  }

  #valueAndTimestamp(text: string, start: number, end: number, name: string): { value: number; timestamped: boolean } {
    const fields = text.slice(start, end).trim().split(/[ \t]+/);
    if (fields[0] === undefined || fields[0] === '') this.#fail(`missing value for ${name}`);
    if (fields.length > 2) this.#fail(`unexpected text after the value of ${name}`);
    const value = parseValue(fields[0]);
    if (value === undefined) this.#fail(`invalid value ${JSON.stringify(fields[0])} for ${name}`);
    const timestamp = fields[1];
    if (timestamp !== undefined && !/^-?\d+$/.test(timestamp)) this.#fail(`invalid timestamp ${JSON.stringify(timestamp)} for ${name}`);
    return { value, timestamped: timestamp !== undefined };
  }

  #unescapeHelp(text: string): string {
    return text.replace(/\\(.?)/gs, (_match, escaped: string) => {
      if (escaped === '\\') return '\\';
      if (escaped === 'n') return '\n';
      this.#fail(`invalid escape sequence "\\${escaped}" in HELP`);
    });
  }
}

/** Parses a whole file at once: {@link TextfileParser} fed one piece. */
export function parseTextfile(text: string): TextfileFamily[] {
  const parser = new TextfileParser();
  parser.feed(text);
  return parser.finish();
}

function isMetricNameChar(code: number): boolean {
  return isNameStart(code) || isDigit(code) || code === 58;
}

function isLabelNameChar(code: number): boolean {
  return isNameStart(code) || isDigit(code);
}

function isMetricName(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  const first = text.charCodeAt(start);
  if (!isNameStart(first) && first !== 58) return false;
  for (let position = start + 1; position < end; position++) if (!isMetricNameChar(text.charCodeAt(position))) return false;
  return true;
}

/**
 * The series key of a label set: its non-empty labels in name order as the text format writes
 * them. Empty labels are left out: to Prometheus `{a="1",b=""}` is `{a="1"}`.
 */
export function canonicalKey(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels)
    .filter((name) => labels[name] !== '')
    .sort();
  return names.length === 0 ? '' : `{${names.map((name) => `${name}="${escapeLabelValue(labels[name] ?? '')}"`).join(',')}}`;
}

function withoutLabel(labels: Readonly<Record<string, string>>, omit: string): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const name in labels) if (name !== omit) copy[name] = labels[name] ?? '';
  return copy;
}

interface Accumulating {
  readonly labels: Record<string, string>;
  readonly points: [number, number][];
  readonly bounds: Set<number>;
  sum: number | undefined;
  count: number | undefined;
}

/** Groups a family's samples by series (labels without `reserved`): `_sum` and `_count` set those, `onPoint` reads the rest. */
function groupSeries(family: BuildingFamily, reserved: 'le' | 'quantile', onPoint: (sample: RawSample) => number): Accumulating[] {
  const bySeries = new Map<string, Accumulating>();
  for (const sample of family.raw) {
    const labels = withoutLabel(sample.labels, reserved);
    const key = canonicalKey(labels);
    let series = bySeries.get(key);
    if (series === undefined) {
      series = { labels, points: [], bounds: new Set(), sum: undefined, count: undefined };
      bySeries.set(key, series);
    }
    const fail = (what: string): never => {
      throw new TextfileError(`line ${sample.lineNumber}: duplicate series: ${family.name}${key} has a second ${what}`);
    };
    if (sample.suffix === '_sum') series.sum = series.sum === undefined ? sample.value : fail('_sum');
    else if (sample.suffix === '_count') series.count = series.count === undefined ? sample.value : fail('_count');
    else {
      const point = onPoint(sample);
      if (series.bounds.has(point)) fail(`${reserved}="${sample.labels[reserved] ?? ''}"`);
      series.bounds.add(point);
      series.points.push([point, sample.value]);
    }
  }
  return [...bySeries.values()];
}

function assembleHistograms(family: BuildingFamily): TextfileSeries[] {
  const series = groupSeries(family, 'le', (sample) => {
    const bound = sample.suffix === '_bucket' ? parseValue(sample.labels.le ?? '') : undefined;
    if (bound === undefined) throw new TextfileError(`line ${sample.lineNumber}: histogram ${family.name} sample ${family.name}${sample.suffix} needs an _bucket name and a numeric le label`);
    return bound;
  });
  return series.map(({ labels, points, sum, count }) => ({ labels, value: { buckets: points.sort((a, b) => a[0] - b[0]), sum: sum ?? 0, count: count ?? 0 } }));
}

function assembleSummaries(family: BuildingFamily): TextfileSeries[] {
  const series = groupSeries(family, 'quantile', (sample) => {
    const quantile = sample.suffix === '' ? parseValue(sample.labels.quantile ?? '') : undefined;
    if (quantile === undefined) throw new TextfileError(`line ${sample.lineNumber}: summary ${family.name} sample ${family.name}${sample.suffix} needs a numeric quantile label`);
    return quantile;
  });
  return series.map(({ labels, points, sum, count }) => ({ labels, value: { quantiles: points, sum: sum ?? 0, count: count ?? 0 } }));
}

/**
 * Runs assembled histograms and summaries through the validating sink the host uses, so anything it
 * would refuse at scrape time (buckets that are not cumulative, a quantile outside [0, 1]) refuses
 * the file now. Counters, gauges and untyped families need no such check: every rule they are
 * subject to is enforced while parsing.
 */
function assertExpressible(families: readonly TextfileFamily[]): void {
  if (families.length === 0) return;
  const scratch = new SampleCollection([], 'textfile');
  try {
    for (const family of families) {
      const declared = { name: family.name, type: family.type, help: family.help ?? 'textfile', labelNames: family.labelNames };
      scratch.declare(declared);
      for (const { labels, value } of family.series) {
        const complete = Object.fromEntries(family.labelNames.map((name) => [name, labels[name] ?? '']));
        if (family.type === 'histogram') scratch.addHistogram(declared, complete, value as HistogramValue);
        else scratch.addSummary(declared, complete, value as SummaryValue);
      }
    }
  } catch (error) {
    throw new TextfileError((error as Error).message.replace(/^textfile: /, ''), { cause: error });
  } finally {
    scratch.seal();
  }
}
