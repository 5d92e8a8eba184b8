/**
 * Pure readers of the JSON documents inside Arkouda's replies (`src/MetricsMsg.chpl`): metric
 * records, SERVER_INFO and `getconfig`. Each throws an {@link ArkoudaError} `malformed_reply` that
 * names the offending element; unknown fields are ignored, because releases add them.
 */
import { ArkoudaError } from './errors.js';

/** A locale (one node of the server), as metric records label it. */
export interface LocaleLabels {
  /** `locale_num`, as a label value (`"0"`). */
  readonly num: string;
  readonly name: string;
  readonly hostname: string;
}

/** One metric record of a `metrics` reply. */
export interface MetricRecord {
  readonly name: string;
  /** The category name (`NUM_REQUESTS`, …), possibly one this client does not know. */
  readonly category: string;
  /** `GLOBAL`, `LOCALE`, `USER` or `REQUEST`. */
  readonly scope: string;
  readonly value: number;
  /** The record's timestamp in epoch milliseconds, or undefined when it does not read as one. */
  readonly timestampMs: number | undefined;
  /** Present on LOCALE-scope records. */
  readonly locale?: LocaleLabels;
  /** Present on USER-scope records. */
  readonly user?: string;
}

/** One locale as SERVER_INFO describes it. */
export interface LocaleInfo extends LocaleLabels {
  readonly processingUnits: number;
  readonly physicalMemoryBytes: number;
  readonly maxTasks: number;
}

/** The SERVER_INFO document. */
export interface ServerInfo {
  readonly hostname: string;
  readonly version: string;
  readonly serverPort: number;
  readonly locales: readonly LocaleInfo[];
}

/** What this client reads of `getconfig`. */
export interface ServerConfig {
  readonly arkoudaVersion: string;
  readonly numLocales: number;
}

type Fields = Record<string, unknown>;

function malformed(what: string, problem: string): ArkoudaError {
  return new ArkoudaError('malformed_reply', `${what}: ${problem}`);
}

function asObject(value: unknown, what: string, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(what, `${where} is not a JSON object`);
  return value as Fields;
}

function field<T extends 'string' | 'number'>(fields: Fields, key: string, type: T, what: string, where: string): T extends 'string' ? string : number {
  const value = fields[key];
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
    throw malformed(what, `${where} has no ${type} ${key}${value === undefined ? '' : ` (found ${JSON.stringify(value)})`}`);
  }
  return value as T extends 'string' ? string : number;
}

/** An integer the server writes as a number, or (LocaleInfo `id`) as a string. */
function integerLabel(fields: Fields, key: string, what: string, where: string): string {
  const value = fields[key];
  if ((typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^\d+$/.test(value))) return String(value);
  throw malformed(what, `${where} has no integer ${key}${value === undefined ? '' : ` (found ${JSON.stringify(value)})`}`);
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * Reads a Chapel `dateTime` as Arkouda writes it: the server's local time without a zone
 * (`2026-01-05T10:00:00.100001`, no fraction when the microseconds are zero). It is read in the
 * exporter's local time zone, as Arkouda's own exporter reads it: run both in the same zone (TZ)
 * for `arkouda_reported_timestamp` to be right. Undefined for anything else.
 */
export function parseArkoudaTimestamp(text: string): number | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = Number(`0.${match[7] ?? '0'}`);
  const date = new Date(year, month - 1, day, hour, minute, second);
  // Date rolls 2026-02-30 over into March; a real timestamp never needs that.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day || date.getHours() !== hour) return undefined;
  return date.getTime() + fraction * 1000;
}

/**
 * Reads the metric records of a `metrics` reply (`ALL` or one category). A record whose scope
 * needs labels it lacks (LOCALE without `locale_name`, USER without `user`) is malformed.
 */
export function parseMetricRecords(document: unknown, what: string): MetricRecord[] {
  if (!Array.isArray(document)) throw malformed(what, 'the metrics are not a JSON array');
  return document.map((item: unknown, index): MetricRecord => {
    const where = `record ${index}`;
    const fields = asObject(item, what, where);
    const name = field(fields, 'name', 'string', what, where);
    const category = field(fields, 'category', 'string', what, where);
    const scope = field(fields, 'scope', 'string', what, where);
    const named = `${where} (${category} ${name})`;
    const value = field(fields, 'value', 'number', what, named);
    const timestampMs = typeof fields.timestamp === 'string' ? parseArkoudaTimestamp(fields.timestamp) : undefined;
    const record = { name, category, scope, value, timestampMs };
    if (scope === 'LOCALE') {
      return {
        ...record,
        locale: {
          num: integerLabel(fields, 'locale_num', what, named),
          name: field(fields, 'locale_name', 'string', what, named),
          hostname: field(fields, 'locale_hostname', 'string', what, named),
        },
      };
    }
    if (scope === 'USER') return { ...record, user: field(fields, 'user', 'string', what, named) };
    return record;
  });
}

/** Reads a SERVER_INFO document. */
export function parseServerInfo(document: unknown, what: string): ServerInfo {
  const fields = asObject(document, what, 'the server info');
  const locales = fields.locales;
  if (!Array.isArray(locales)) throw malformed(what, 'the server info has no locales array');
  const seen = new Set<string>();
  return {
    hostname: field(fields, 'hostname', 'string', what, 'the server info'),
    version: field(fields, 'version', 'string', what, 'the server info'),
    serverPort: field(fields, 'server_port', 'number', what, 'the server info'),
    locales: locales.map((item: unknown, index): LocaleInfo => {
      const where = `locale ${index}`;
      const locale = asObject(item, what, where);
      const num = integerLabel(locale, 'id', what, where);
      if (seen.has(num)) throw malformed(what, `${where} repeats id ${num}`);
      seen.add(num);
      return {
        num,
        name: field(locale, 'name', 'string', what, where),
        hostname: field(locale, 'hostname', 'string', what, where),
        processingUnits: field(locale, 'number_of_processing_units', 'number', what, where),
        physicalMemoryBytes: field(locale, 'physical_memory', 'number', what, where),
        maxTasks: field(locale, 'max_number_of_tasks', 'number', what, where),
      };
    }),
  };
}

/** Reads what this client needs of a `getconfig` document. */
export function parseServerConfig(document: unknown, what: string): ServerConfig {
  const fields = asObject(document, what, 'the server config');
  return {
    arkoudaVersion: field(fields, 'arkoudaVersion', 'string', what, 'the server config'),
    numLocales: field(fields, 'numLocales', 'number', what, 'the server config'),
  };
}

/** The first release that reads `metrics` arguments as JSON; older ones take a plain string. */
export const FIRST_JSON_ARGUMENTS_RELEASE = 'v2022.09.30';

/**
 * Whether a server of `version` reads JSON arguments: true from v2022.09.30 on, false before
 * (sending them would end its metrics daemon's task), undefined when the version does not read as
 * Arkouda's `vYYYY.MM.DD` (a development build; treated as current by the caller).
 */
export function readsJsonArguments(version: string): boolean | undefined {
  const match = /^v?(\d{4})\.(\d{2})\.(\d{2})/.exec(version.trim());
  if (match === null) return undefined;
  return `${match[1]}.${match[2]}.${match[3]}` >= FIRST_JSON_ARGUMENTS_RELEASE.slice(1);
}
