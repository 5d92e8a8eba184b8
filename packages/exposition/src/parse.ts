import { LABEL_NAME_PATTERN, METRIC_NAME_PATTERN, sampleNameSuffixes, type MetricType } from '@tessera/collector-api';

/** One sample line as written: the full sample name (with `_bucket`, `_sum`, … suffixes). */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the line carried a timestamp. */
  readonly timestampMs: number | undefined;
  /** 1-based line number in the input. */
  readonly lineNumber: number;
}

/** A family as the text declared it. Samples without a `# TYPE` form an `untyped` family. */
export interface ParsedFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly samples: readonly ParsedSample[];
}

/** The input is not valid text format 0.0.4. `lineNumber` is 1-based. */
export class ExpositionParseError extends Error {
  readonly lineNumber: number;

  constructor(lineNumber: number, message: string) {
    super(`line ${lineNumber}: ${message}`);
    this.name = 'ExpositionParseError';
    this.lineNumber = lineNumber;
  }
}

const METRIC_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'untyped', 'histogram', 'summary']);

interface MutableFamily {
  name: string;
  type: MetricType | undefined;
  help: string | undefined;
  samples: ParsedSample[];
  seriesKeys: Set<string>;
}

/**
 * Parses Prometheus text format 0.0.4 strictly: a bad line, a second HELP or TYPE for one name,
 * a TYPE after that family's samples, an unknown type, a bad escape or a duplicate series throws
 * {@link ExpositionParseError} naming the line. Families come back in order of first appearance.
 */
export function parseText(text: string): ParsedFamily[] {
  const families = new Map<string, MutableFamily>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = (lines[index] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.trimStart().startsWith('#')) {
      parseCommentLine(line.trimStart(), lineNumber, families);
      continue;
    }
    const sample = parseSampleLine(line, lineNumber);
    const family = familyForSample(sample.name, families);
    const key = seriesKey(sample);
    if (family.seriesKeys.has(key)) throw new ExpositionParseError(lineNumber, `duplicate series ${sample.name}${formatLabels(sample.labels)}`);
    family.seriesKeys.add(key);
    family.samples.push(sample);
  }
  return [...families.values()].map(({ name, type, help, samples }) => ({ name, type: type ?? 'untyped', help, samples }));
}

function getOrCreate(name: string, families: Map<string, MutableFamily>): MutableFamily {
  let family = families.get(name);
  if (family === undefined) {
    family = { name, type: undefined, help: undefined, samples: [], seriesKeys: new Set() };
    families.set(name, family);
  }
  return family;
}

function parseCommentLine(line: string, lineNumber: number, families: Map<string, MutableFamily>): void {
  // Fields are separated by spaces and tabs only, as in Go's parser; the `s` flag keeps U+2028 and
  // U+2029 (which `.` would not match) inside HELP text instead of demoting the line to a comment.
  const match = /^#[ \t]+(HELP|TYPE)[ \t]+([^ \t]+)(?:[ \t]+(.*))?$/s.exec(line);
  if (match === null) return; // an ordinary comment
  const [, keyword, name = '', rest = ''] = match;
  if (!METRIC_NAME_PATTERN.test(name)) throw new ExpositionParseError(lineNumber, `invalid metric name ${JSON.stringify(name)} in ${keyword}`);
  const family = getOrCreate(name, families);
  if (keyword === 'HELP') {
    if (family.help !== undefined) throw new ExpositionParseError(lineNumber, `second HELP line for ${name}`);
    family.help = unescapeHelp(rest, lineNumber);
    return;
  }
  const type = rest.trim();
  if (!METRIC_TYPES.has(type)) throw new ExpositionParseError(lineNumber, `unknown metric type ${JSON.stringify(type)} for ${name}`);
  if (family.type !== undefined) throw new ExpositionParseError(lineNumber, `second TYPE line for ${name}`);
  if (family.samples.length > 0) throw new ExpositionParseError(lineNumber, `TYPE line for ${name} must come before its samples`);
  family.type = type as MetricType;
}

/** Finds the family a sample belongs to: `x_bucket` to histogram `x`, `x_sum` to summary `x`, … */
function familyForSample(sampleName: string, families: Map<string, MutableFamily>): MutableFamily {
  for (const suffix of sampleNameSuffixes('histogram')) { // a histogram's suffixes include every other type's
    if (!sampleName.endsWith(suffix)) continue;
    const base = families.get(sampleName.slice(0, -suffix.length));
    if (base?.type !== undefined && sampleNameSuffixes(base.type).includes(suffix)) return base;
  }
  return getOrCreate(sampleName, families);
}

function parseSampleLine(line: string, lineNumber: number): ParsedSample {
  let position = 0;
  const skipSpaces = (): void => {
    while (line[position] === ' ' || line[position] === '\t') position++;
  };
  skipSpaces();
  const nameStart = position;
  while (position < line.length && /[a-zA-Z0-9_:]/.test(line[position] ?? '')) position++;
  const name = line.slice(nameStart, position);
  if (!METRIC_NAME_PATTERN.test(name)) throw new ExpositionParseError(lineNumber, `invalid metric name in ${JSON.stringify(line.slice(0, 80))}`);
  const labels: Record<string, string> = {};
  skipSpaces();
  if (line[position] === '{') {
    position++;
    for (;;) {
      skipSpaces();
      if (line[position] === '}') {
        position++;
        break;
      }
      const labelStart = position;
      while (position < line.length && /[a-zA-Z0-9_]/.test(line[position] ?? '')) position++;
      const labelName = line.slice(labelStart, position);
      if (!LABEL_NAME_PATTERN.test(labelName)) throw new ExpositionParseError(lineNumber, `invalid label name in ${name}`);
      skipSpaces();
      if (line[position] !== '=') throw new ExpositionParseError(lineNumber, `expected "=" after label ${labelName}`);
      position++;
      skipSpaces();
      if (line[position] !== '"') throw new ExpositionParseError(lineNumber, `expected a quoted value for label ${labelName}`);
      position++;
      let value = '';
      for (;;) {
        const char = line[position];
        if (char === undefined) throw new ExpositionParseError(lineNumber, `unterminated value for label ${labelName}`);
        position++;
        if (char === '"') break;
        if (char === '\\') {
          const escaped = line[position++];
          if (escaped === '\\' || escaped === '"') value += escaped;
          else if (escaped === 'n') value += '\n';
          else throw new ExpositionParseError(lineNumber, `invalid escape sequence "\\${escaped ?? ''}" in label ${labelName}`);
        } else {
          value += char;
        }
      }
      if (Object.hasOwn(labels, labelName)) throw new ExpositionParseError(lineNumber, `label ${labelName} appears twice in ${name}`);
      labels[labelName] = value;
      skipSpaces();
      if (line[position] === ',') position++;
      else if (line[position] !== '}') throw new ExpositionParseError(lineNumber, `expected "," or "}" after label ${labelName}`);
    }
  }
  const fields = line.slice(position).trim().split(/[ \t]+/);
  if (fields.length === 0 || fields[0] === '') throw new ExpositionParseError(lineNumber, `missing value for ${name}`);
  if (fields.length > 2) throw new ExpositionParseError(lineNumber, `unexpected text after the value of ${name}`);
  const value = parseValue(fields[0] ?? '');
  if (value === undefined) throw new ExpositionParseError(lineNumber, `invalid value ${JSON.stringify(fields[0])} for ${name}`);
  let timestampMs: number | undefined;
  if (fields[1] !== undefined) {
    if (!/^-?\d+$/.test(fields[1])) throw new ExpositionParseError(lineNumber, `invalid timestamp ${JSON.stringify(fields[1])} for ${name}`);
    timestampMs = Number(fields[1]);
  }
  return { name, labels, value, timestampMs, lineNumber };
}

/** Parses a value the way Go's ParseFloat does for exposition: decimals, exponents, ±Inf, NaN. */
export function parseValue(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string, lineNumber: number): string {
  return text.replace(/\\(.?)/g, (_match, escaped: string) => {
    if (escaped === '\\') return '\\';
    if (escaped === 'n') return '\n';
    throw new ExpositionParseError(lineNumber, `invalid escape sequence "\\${escaped}" in HELP`);
  });
}

function seriesKey(sample: ParsedSample): string {
  const names = Object.keys(sample.labels).sort();
  // Values are length-prefixed: a label value may itself contain any separator character.
  let key = sample.name;
  for (const name of names) {
    const value = sample.labels[name] ?? '';
    key += `,${name}=${value.length}:${value}`;
  }
  return key;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? '' : `{${entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}}`;
}
