import { readFileSync } from 'node:fs';
import { ExpositionParseError, parseText, renderText, type CollectedFamily, type ParsedFamily, type Series } from '@tessera/exposition';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { appendKey, findDuplicateKeys } from './find-duplicate-keys.js';
import { describeGroupingProblem } from './grouping-path.js';
import { describeLabelNameProblem, describeMetricNameProblem, type MetricKind } from './metric-definition.js';

/** A metric file that passed validation, ready to push. */
export interface MetricFile {
  /** `json` for the schema'd JSON format, `text` for Prometheus text format 0.0.4. */
  readonly format: 'json' | 'text';
  /** The job name the file names (JSON `job`), if any. */
  readonly job: string | undefined;
  /** The grouping key the file names (JSON `groupingKey`), without `job`. */
  readonly groupingKey: Readonly<Record<string, string>>;
  /** The exposition text to push, in text format 0.0.4. */
  readonly text: string;
  /** Names of the families that have at least one series; empty for a file with no metrics. */
  readonly families: readonly string[];
}

/** One problem in a metric file. `path` is a JSON path (`$.metrics[0].name`) or `line N` for text input. */
export interface MetricFileIssue {
  readonly path: string;
  readonly message: string;
}

/** The file cannot be pushed. `issues` lists every problem found (up to 50), each with its path. */
export class MetricFileError extends Error {
  readonly code = 'ERR_TESSERA_METRIC_FILE';
  readonly issues: readonly MetricFileIssue[];

  constructor(issues: readonly MetricFileIssue[]) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
    this.name = 'MetricFileError';
    this.issues = issues;
  }
}

/** Options of {@link parseMetricFile}. */
export interface ParseMetricFileOptions {
  /** `auto` (default) reads JSON when the first non-blank character is `{`, text otherwise. */
  readonly format?: 'auto' | 'json' | 'text';
  /**
   * Label names of the grouping key the file will be pushed with, besides `job` and the file's own
   * `groupingKey`: a series label of the same name would be silently replaced by the Pushgateway.
   */
  readonly groupingLabelNames?: Iterable<string>;
}

const MAX_ISSUES = 50;

const BYTE_ORDER_MARK = '\uFEFF';

/** The format `auto` picks: JSON when the first character that is not blank is `{` (or `[`), text otherwise. */
export function detectMetricFileFormat(content: string): 'json' | 'text' {
  return /^\s*[[{]/.test(content) ? 'json' : 'text';
}

/**
 * Decodes the bytes of a metric file as UTF-8, without a leading UTF-8 byte order mark. Throws
 * {@link MetricFileError} for text that is not UTF-8, naming a UTF-16 or UTF-32 byte order mark
 * (what Windows tools write for "Unicode") when there is one.
 */
export function decodeMetricFile(bytes: Uint8Array): string {
  const startsWith = (...marker: number[]): boolean => marker.every((byte, index) => bytes[index] === byte);
  const wide = startsWith(0xff, 0xfe, 0, 0) || startsWith(0, 0, 0xfe, 0xff) ? 'UTF-32' : startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff) ? 'UTF-16' : undefined;
  if (wide !== undefined) throw new MetricFileError([{ path: 'line 1', message: `the file is ${wide} (it starts with a ${wide} byte order mark); save it as UTF-8` }]);
  try {
    // The decoder drops a leading UTF-8 byte order mark itself.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new MetricFileError([{ path: 'line 1', message: 'the file is not valid UTF-8 text' }]);
  }
}

/**
 * Validates a metric file against `schema/metrics.schema.json` (JSON) or the strict text-format
 * parser (text), then against the rules the Pushgateway and `promtool check metrics` apply: help
 * text, `_total` on counters only, no duplicate series, no labels the grouping key would overwrite,
 * no timestamps, cumulative histogram buckets. Throws {@link MetricFileError} naming each problem's
 * JSON path or line.
 */
export function parseMetricFile(text: string, options: ParseMetricFileOptions = {}): MetricFile {
  // Windows editors (Notepad, PowerShell's Out-File) start UTF-8 files with a byte order mark.
  const content = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  const format = options.format === undefined || options.format === 'auto' ? detectMetricFileFormat(content) : options.format;
  const groupingLabelNames = [...(options.groupingLabelNames ?? [])];
  return format === 'json' ? parseJsonFile(content, groupingLabelNames) : parseTextFile(content, groupingLabelNames);
}

// ---------------------------------------------------------------------------------------------
// JSON

interface JsonLabels {
  readonly [name: string]: string;
}

interface JsonSample {
  readonly labels?: JsonLabels;
  readonly value?: number | string;
  readonly buckets?: Readonly<Record<string, number>>;
  readonly quantiles?: Readonly<Record<string, number | string>>;
  readonly sum?: number | string;
  readonly count?: number;
}

interface JsonMetric {
  readonly name: string;
  readonly type: 'gauge' | 'untyped' | 'counter' | 'histogram' | 'summary';
  readonly help: string;
  readonly value?: number | string;
  readonly samples?: readonly JsonSample[];
}

interface JsonDocument {
  readonly job?: string;
  readonly groupingKey?: JsonLabels;
  readonly labels?: JsonLabels;
  readonly metrics: readonly JsonMetric[];
}

let validateDocument: ValidateFunction<JsonDocument> | undefined;

/** Compiles the shipped schema once; the CLI and the tests read the very file the package publishes. */
function getValidator(): ValidateFunction<JsonDocument> {
  if (validateDocument === undefined) {
    const schema = JSON.parse(readFileSync(new URL('../schema/metrics.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, discriminator: true, allowUnionTypes: true, strictTypes: false });
    validateDocument = ajv.compile<JsonDocument>(schema);
  }
  return validateDocument;
}

function parseJsonFile(content: string, groupingLabelNames: readonly string[]): MetricFile {
  let document: unknown;
  try {
    document = JSON.parse(content);
  } catch (error) {
    throw new MetricFileError([{ path: '$', message: describeJsonSyntaxError(content, error) }]);
  }
  const duplicates = findDuplicateKeys(content);
  if (duplicates.length > 0) {
    throw new MetricFileError(
      duplicates.slice(0, MAX_ISSUES).map((duplicate) => ({
        path: duplicate.path,
        message: `key given twice in one object (lines ${duplicate.firstLine} and ${duplicate.line}); JSON readers silently keep only the last value`,
      })),
    );
  }
  const validate = getValidator();
  if (!validate(document)) throw new MetricFileError(formatSchemaErrors(document, validate.errors ?? []));
  return new JsonChecker(document, groupingLabelNames).run();
}

/** Node's JSON.parse messages give a character position; people want a line and a column. */
function describeJsonSyntaxError(content: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return `invalid JSON: ${message}`;
  const before = content.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `invalid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
}

/** Turns ajv's errors into one message per problem, each named by its JSON path. */
function formatSchemaErrors(document: unknown, errors: readonly ErrorObject[]): MetricFileIssue[] {
  const issues: MetricFileIssue[] = [];
  const seen = new Set<string>();
  // The errors of a `value`/`samples` choice that failed are summarised by the oneOf error itself.
  const choiceErrors = new Set(errors.filter((error) => error.keyword === 'oneOf' && !error.schemaPath.startsWith('#/$defs/metric/')).map((error) => error.instancePath));
  for (const error of errors) {
    if (error.keyword === 'required' && /\/oneOf\/\d+\/required$/.test(error.schemaPath) && choiceErrors.has(error.instancePath)) continue;
    // A propertyNames failure comes as a pattern error on the name plus a summary; keep the first.
    if (error.keyword === 'propertyNames') continue;
    const issue = describeSchemaError(document, error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    if (issues.length === MAX_ISSUES) break;
  }
  return issues;
}

function describeSchemaError(document: unknown, error: ErrorObject): MetricFileIssue {
  const path = toJsonPath(document, error.instancePath);
  const params = error.params as Record<string, unknown>;
  const definition = /#\/\$defs\/(\w+)\//.exec(error.schemaPath)?.[1];
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required property ${JSON.stringify(params.missingProperty)}` };
    case 'additionalProperties':
      return { path: appendKey(path, String(params.additionalProperty)), message: 'unknown property' };
    case 'discriminator':
      return { path: appendKey(path, 'type'), message: 'must be one of "gauge", "counter", "untyped", "histogram", "summary"' };
    case 'oneOf':
      return { path, message: 'needs exactly one of "value" (a single series without labels) or "samples"' };
    case 'type':
    case 'pattern':
    case 'minimum':
      if (error.propertyName !== undefined) {
        const where = appendKey(path, error.propertyName);
        return definition === 'bound'
          ? { path: where, message: 'must be a decimal number (or "+Inf" for the last bucket)' }
          : { path: where, message: `${JSON.stringify(error.propertyName)} is not a valid label name (it must match ^[a-zA-Z_][a-zA-Z0-9_]*$)` };
      }
      if (definition === 'number') return { path, message: 'must be a number, or one of "NaN", "+Inf", "-Inf"' };
      if (definition === 'counterNumber') return { path, message: 'must be a number that is not negative (counters never go down), or "NaN" or "+Inf"' };
      if (definition === 'count') return { path, message: 'must be a count: a number that is not negative' };
      if (definition === 'metricName' && error.keyword === 'pattern') {
        return { path, message: `${JSON.stringify(valueAt(document, error.instancePath))} is not a valid metric name (it must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$)` };
      }
      return { path, message: error.message ?? error.keyword };
    default:
      return { path, message: error.message ?? error.keyword };
  }
}

/** `/metrics/0/buckets/1` → `$.metrics[0].buckets["1"]`, reading the document to tell indexes from keys. */
function toJsonPath(document: unknown, pointer: string): string {
  let path = '$';
  let current: unknown = document;
  if (pointer === '') return path;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      path += `[${key}]`;
      current = current[Number(key)] as unknown;
    } else {
      path = appendKey(path, key);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function valueAt(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function toNumber(value: number | string): number {
  if (typeof value === 'number') return value;
  return value === 'NaN' ? NaN : value.startsWith('-') ? -Infinity : Infinity;
}

/** The checks a schema cannot express: names against conventions, duplicates, bucket order. */
class JsonChecker {
  readonly #document: JsonDocument;
  readonly #issues: MetricFileIssue[] = [];
  readonly #reserved: Set<string>;
  readonly #constantLabels: JsonLabels;

  constructor(document: JsonDocument, groupingLabelNames: readonly string[]) {
    this.#document = document;
    this.#constantLabels = document.labels ?? {};
    this.#reserved = new Set(['job', ...groupingLabelNames, ...Object.keys(document.groupingKey ?? {})]);
  }

  run(): MetricFile {
    const document = this.#document;
    const groupingKey = document.groupingKey ?? {};
    const groupingProblem = describeGroupingProblem(document.job ?? 'job', groupingKey);
    if (groupingProblem !== undefined) this.#issue('$.groupingKey', groupingProblem);
    for (const name of Object.keys(this.#constantLabels)) {
      const problem = describeLabelNameProblem(name, 'gauge', this.#reserved);
      if (problem !== undefined) this.#issue(appendKey('$.labels', name), problem);
    }
    const families: CollectedFamily[] = [];
    const familyPaths = new Map<string, string>();
    const sampleNamePaths = new Map<string, string>();
    document.metrics.forEach((metric, index) => {
      const path = `$.metrics[${index}]`;
      const kind: MetricKind = metric.type;
      const nameProblem = describeMetricNameProblem(metric.name, kind);
      if (nameProblem !== undefined) this.#issue(`${path}.name`, nameProblem);
      const firstPath = familyPaths.get(metric.name);
      if (firstPath !== undefined) this.#issue(`${path}.name`, `duplicate metric family ${metric.name} (first declared at ${firstPath})`);
      else familyPaths.set(metric.name, path);
      for (const sampleName of firstPath === undefined ? sampleNames(metric) : []) {
        const owner = sampleNamePaths.get(sampleName);
        if (owner !== undefined && owner !== path) this.#issue(`${path}.name`, `its samples are named ${sampleName}, like those of ${owner}`);
        sampleNamePaths.set(sampleName, path);
      }
      const family = this.#checkFamily(metric, path);
      if (family !== undefined) families.push(family);
    });
    if (this.#issues.length > 0) throw new MetricFileError(this.#issues.slice(0, MAX_ISSUES));
    return { format: 'json', job: document.job, groupingKey, text: renderText(families), families: families.filter((family) => family.series.length > 0).map((family) => family.family.name) };
  }

  #checkFamily(metric: JsonMetric, path: string): CollectedFamily | undefined {
    const samples: readonly JsonSample[] = metric.samples ?? [{ value: metric.value ?? 0 }];
    const samplesPath = metric.samples === undefined ? undefined : `${path}.samples`;
    const series: Series[] = [];
    const seriesPaths = new Map<string, string>();
    let labelNames: readonly string[] | undefined;
    let labelNamesPath = '';
    samples.forEach((sample, index) => {
      const samplePath = samplesPath === undefined ? path : `${samplesPath}[${index}]`;
      const ownLabels = sample.labels ?? {};
      for (const name of Object.keys(ownLabels)) {
        const problem = describeLabelNameProblem(name, metric.type, this.#reserved);
        if (problem !== undefined) this.#issue(appendKey(`${samplePath}.labels`, name), problem);
        else if (Object.hasOwn(this.#constantLabels, name)) this.#issue(appendKey(`${samplePath}.labels`, name), `label ${name} is already set for every series by $.labels`);
      }
      const labels = { ...this.#constantLabels, ...ownLabels };
      const names = Object.keys(labels).sort();
      if (labelNames === undefined) {
        labelNames = names;
        labelNamesPath = samplePath;
      } else if (names.join(',') !== labelNames.join(',')) {
        this.#issue(`${samplePath}.labels`, `has labels [${names.join(', ')}] but ${labelNamesPath} has [${labelNames.join(', ')}]; every series of a family carries the same label names`);
      }
      const key = JSON.stringify(names.map((name) => [name, labels[name]]));
      const first = seriesPaths.get(key);
      if (first !== undefined) this.#issue(samplesPath === undefined ? samplePath : `${samplePath}.labels`, `duplicate series ${metric.name}${formatLabels(labels)} (the same labels as ${first})`);
      seriesPaths.set(key, samplePath);
      const value = this.#checkValue(metric, sample, samplePath);
      if (value !== undefined) series.push({ labels, value });
    });
    if (labelNames === undefined) return undefined;
    return { family: { name: metric.name, type: metric.type, help: metric.help, labelNames }, series };
  }

  #checkValue(metric: JsonMetric, sample: JsonSample, path: string): Series['value'] | undefined {
    if (metric.type === 'histogram') {
      const count = sample.count ?? 0;
      const buckets = Object.entries(sample.buckets ?? {})
        .map(([bound, cumulative]) => ({ key: bound, bound: bound === '+Inf' ? Infinity : Number(bound), cumulative }))
        .sort((a, b) => a.bound - b.bound);
      let previous = 0;
      let previousBucket: (typeof buckets)[number] | undefined;
      for (const bucket of buckets) {
        const where = appendKey(`${path}.buckets`, bucket.key);
        // "0.5" and "0.50" are one bound: rendered, they would be two series with the same le.
        if (previousBucket !== undefined && bucket.bound === previousBucket.bound) {
          this.#issue(where, `bucket bound ${formatBound(bucket.bound)} is already given as ${JSON.stringify(previousBucket.key)}`);
          continue;
        }
        previousBucket = bucket;
        if (bucket.cumulative < previous) this.#issue(where, `bucket counts are cumulative and must not decrease (${bucket.cumulative} after ${previous})`);
        if (bucket.cumulative > count) this.#issue(where, `bucket count ${bucket.cumulative} exceeds the total count ${count}`);
        if (bucket.bound === Infinity && bucket.cumulative !== count) this.#issue(where, `the +Inf bucket must equal count (${count})`);
        previous = bucket.cumulative;
      }
      return { buckets: buckets.filter((bucket) => bucket.bound !== Infinity).map((bucket) => [bucket.bound, bucket.cumulative] as const), sum: toNumber(sample.sum ?? 0), count };
    }
    if (metric.type === 'summary') {
      const quantiles = Object.entries(sample.quantiles ?? {})
        .map(([quantile, value]) => ({ key: quantile, quantile: Number(quantile), value: toNumber(value) }))
        .sort((a, b) => a.quantile - b.quantile);
      quantiles.forEach((entry, index) => {
        const where = appendKey(`${path}.quantiles`, entry.key);
        const before = quantiles[index - 1];
        if (before !== undefined && before.quantile === entry.quantile) this.#issue(where, `quantile ${entry.quantile} is already given as ${JSON.stringify(before.key)}`);
        else if (!(entry.quantile >= 0 && entry.quantile <= 1)) this.#issue(where, 'a quantile must be between 0 and 1');
      });
      return { quantiles: quantiles.map((entry) => [entry.quantile, entry.value] as const), sum: toNumber(sample.sum ?? 0), count: sample.count ?? 0 };
    }
    return toNumber(sample.value ?? 0);
  }

  #issue(path: string, message: string): void {
    this.#issues.push({ path, message });
  }
}

function formatBound(bound: number): string {
  return bound === Infinity ? '+Inf' : String(bound);
}

/** A bound as Go's ParseFloat reads it (what the Pushgateway does with `le` and `quantile`), or the text itself. */
function parseBound(text: string): number | string {
  // Number() reads "0x10" as 16, ParseFloat refuses it: kept as text, it cannot pass for a duplicate of 16.
  if (/^[+-]?0x/i.test(text)) return text;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  const value = Number(text);
  return text.trim() === '' || Number.isNaN(value) ? text : value;
}

function sampleNames(metric: JsonMetric): string[] {
  if (metric.type === 'histogram') return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
  if (metric.type === 'summary') return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
  return [metric.name];
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Prometheus text

function parseTextFile(content: string, groupingLabelNames: readonly string[]): MetricFile {
  let families: ParsedFamily[];
  try {
    families = parseText(content);
  } catch (error) {
    if (error instanceof ExpositionParseError) throw new MetricFileError([{ path: `line ${error.lineNumber}`, message: error.message.replace(/^line \d+: /, '') }]);
    throw error;
  }
  const reserved = new Set(['job', ...groupingLabelNames]);
  const issues: MetricFileIssue[] = [];
  for (const family of families) {
    const firstLine = family.samples[0]?.lineNumber;
    const where = firstLine === undefined ? `metric ${family.name}` : `line ${firstLine}`;
    const nameProblem = describeMetricNameProblem(family.name, family.type);
    if (nameProblem !== undefined) issues.push({ path: where, message: nameProblem });
    if (family.help === undefined || family.help.trim() === '') issues.push({ path: where, message: `metric ${family.name} has no # HELP line` });
    const boundLabel = family.type === 'histogram' ? 'le' : family.type === 'summary' ? 'quantile' : undefined;
    const bounds = new Map<string, number>();
    for (const sample of family.samples) {
      const bound = boundLabel === undefined ? undefined : sample.labels[boundLabel];
      if (boundLabel !== undefined && bound !== undefined) {
        // The parser rejects identical series; "1" and "1.0" differ as text but are one bucket (or quantile).
        const others = Object.entries(sample.labels).filter(([name]) => name !== boundLabel).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const key = JSON.stringify([sample.name, others, String(parseBound(bound))]);
        const firstLine = bounds.get(key);
        if (firstLine !== undefined) issues.push({ path: `line ${sample.lineNumber}`, message: `${boundLabel}="${bound}" is the same ${boundLabel === 'le' ? 'bucket bound' : 'quantile'} as on line ${firstLine}` });
        else bounds.set(key, sample.lineNumber);
      }
      if (sample.timestampMs !== undefined) issues.push({ path: `line ${sample.lineNumber}`, message: 'the Pushgateway rejects samples with timestamps' });
      for (const name of Object.keys(sample.labels)) {
        if ((family.type === 'histogram' && name === 'le') || (family.type === 'summary' && name === 'quantile')) continue;
        const problem = describeLabelNameProblem(name, family.type, reserved);
        if (problem !== undefined) issues.push({ path: `line ${sample.lineNumber}`, message: problem });
      }
    }
  }
  if (issues.length > 0) throw new MetricFileError(issues.slice(0, MAX_ISSUES));
  // The parser reads CRLF lines as LF ones, the Pushgateway does not ("unknown metric type \"gauge\r\""):
  // send the text as it was validated.
  const text = content.replace(/\r\n/g, '\n');
  return {
    format: 'text',
    job: undefined,
    groupingKey: {},
    text: text.endsWith('\n') || text === '' ? text : `${text}\n`,
    families: families.filter((family) => family.samples.length > 0).map((family) => family.name),
  };
}
