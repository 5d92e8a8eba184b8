/**
 * A snapshot of one Arkouda server: what one poll read, sorted by meaning. Built by pure
 * functions from the parsed records, so it can be tested without a socket and kept by a
 * background task until a scrape renders it.
 */
import type { LocaleLabels, MetricRecord, ServerInfo } from './messages.js';

/** A per-locale value. */
export interface LocaleValue {
  readonly locale: LocaleLabels;
  readonly value: number;
}

/** A per-user, per-command count. */
export interface UserCommandValue {
  readonly user: string;
  readonly command: string;
  readonly value: number;
}

/** What the `metrics ALL` records say, by meaning. Maps are keyed by command, user or error class. */
export interface ServerMetrics {
  /** NUM_REQUESTS GLOBAL `total`: commands run on the main port since the server started. */
  readonly totalRequests: number | undefined;
  /** NUM_REQUESTS GLOBAL per command. */
  readonly requestsPerCommand: ReadonlyMap<string, number>;
  /** RESPONSE_TIME: seconds the last run of each command took. */
  readonly responseTimes: ReadonlyMap<string, number>;
  /** AVG_RESPONSE_TIME: mean seconds per run. */
  readonly averageResponseTimes: ReadonlyMap<string, number>;
  /** TOTAL_RESPONSE_TIME: seconds summed over every run. */
  readonly totalResponseTimes: ReadonlyMap<string, number>;
  /** TOTAL_MEMORY_USED: GB of memory in use after each run, summed over the runs. */
  readonly totalMemoryUsed: ReadonlyMap<string, number>;
  /** SYSTEM `arkouda_memory_used_per_locale`, bytes. */
  readonly memoryUsed: readonly LocaleValue[];
  /** SYSTEM `arkouda_percent_memory_used_per_locale`, percent. */
  readonly memoryPercent: readonly LocaleValue[];
  /** SERVER `num_connections` (filled only by early builds; absent upstream). */
  readonly connections: number | undefined;
  /** NUM_REQUESTS USER `total`, by user. */
  readonly userTotals: ReadonlyMap<string, number>;
  /** NUM_REQUESTS USER per command. */
  readonly userCommandRequests: readonly UserCommandValue[];
  /** NUM_ERRORS `total`. */
  readonly totalErrors: number | undefined;
  /** NUM_ERRORS per error class (v2024.04.19 – v2024.06.21 only). */
  readonly errorsPerType: ReadonlyMap<string, number>;
  /** The newest record timestamp, epoch milliseconds. */
  readonly reportedTimestampMs: number | undefined;
}

/** One successful poll of one server. */
export interface ArkoudaSnapshot extends ServerMetrics {
  /** The `arkouda_server_name` label of every series. */
  readonly serverName: string;
  /** SERVER_INFO, read after (re)connecting. */
  readonly server: ServerInfo;
  /** Wall-clock milliseconds when the poll completed. */
  readonly sampledAtMs: number;
  /** How long the poll took. */
  readonly pollDurationSeconds: number;
}

/** The records sorted by meaning, and what was left out because this client does not know it. */
interface ClassifiedRecords {
  readonly metrics: ServerMetrics;
  /** Descriptions of the kinds of records ignored (`category QUEUE_DEPTH`), each once. */
  readonly ignored: readonly string[];
}

const GLOBAL_PER_COMMAND = {
  RESPONSE_TIME: 'responseTimes',
  AVG_RESPONSE_TIME: 'averageResponseTimes',
  TOTAL_RESPONSE_TIME: 'totalResponseTimes',
  TOTAL_MEMORY_USED: 'totalMemoryUsed',
} as const;

/** Categories this client reads: a record of one it cannot place is ignored by name, not by category. */
const KNOWN_CATEGORIES: ReadonlySet<string> = new Set(['NUM_REQUESTS', ...Object.keys(GLOBAL_PER_COMMAND), 'SYSTEM', 'SERVER', 'NUM_ERRORS']);

/**
 * Sorts records by (category, scope, name), as Arkouda's exporter dispatches them, without relying
 * on their order (per-command and per-user lists come out in hash order). Records of categories,
 * scopes or SYSTEM/SERVER names this client does not know are ignored and listed in `ignored`.
 * A repeated record overrides the earlier one.
 */
export function classifyRecords(records: readonly MetricRecord[]): ClassifiedRecords {
  const perCommand = {
    requestsPerCommand: new Map<string, number>(),
    responseTimes: new Map<string, number>(),
    averageResponseTimes: new Map<string, number>(),
    totalResponseTimes: new Map<string, number>(),
    totalMemoryUsed: new Map<string, number>(),
  };
  const memoryUsed = new Map<string, LocaleValue>();
  const memoryPercent = new Map<string, LocaleValue>();
  const userTotals = new Map<string, number>();
  const userCommands = new Map<string, UserCommandValue>();
  const errorsPerType = new Map<string, number>();
  const ignored = new Set<string>();
  let totalRequests: number | undefined;
  let totalErrors: number | undefined;
  let connections: number | undefined;
  let reportedTimestampMs: number | undefined;

  for (const record of records) {
    if (record.timestampMs !== undefined && (reportedTimestampMs === undefined || record.timestampMs > reportedTimestampMs)) {
      reportedTimestampMs = record.timestampMs;
    }
    const { category, scope, name, value } = record;
    if (category === 'NUM_REQUESTS' && scope === 'GLOBAL') {
      if (name === 'total') totalRequests = value;
      else perCommand.requestsPerCommand.set(name, value);
    } else if (category === 'NUM_REQUESTS' && scope === 'USER' && record.user !== undefined) {
      if (name === 'total') userTotals.set(record.user, value);
      else userCommands.set(JSON.stringify([record.user, name]), { user: record.user, command: name, value });
    } else if (Object.hasOwn(GLOBAL_PER_COMMAND, category) && scope === 'GLOBAL') {
      perCommand[GLOBAL_PER_COMMAND[category as keyof typeof GLOBAL_PER_COMMAND]].set(name, value);
    } else if (category === 'SYSTEM' && scope === 'LOCALE' && record.locale !== undefined && name === 'arkouda_memory_used_per_locale') {
      memoryUsed.set(record.locale.num, { locale: record.locale, value });
    } else if (category === 'SYSTEM' && scope === 'LOCALE' && record.locale !== undefined && name === 'arkouda_percent_memory_used_per_locale') {
      memoryPercent.set(record.locale.num, { locale: record.locale, value });
    } else if (category === 'SERVER' && name === 'num_connections') {
      connections = value;
    } else if (category === 'NUM_ERRORS' && scope === 'GLOBAL') {
      if (name === 'total') totalErrors = value;
      else errorsPerType.set(name, value);
    } else if (KNOWN_CATEGORIES.has(category)) {
      ignored.add(`${category} ${scope} record ${name}`);
    } else {
      ignored.add(`category ${category}`);
    }
  }
  return {
    metrics: {
      totalRequests,
      ...perCommand,
      memoryUsed: [...memoryUsed.values()],
      memoryPercent: [...memoryPercent.values()],
      connections,
      userTotals,
      userCommandRequests: [...userCommands.values()],
      totalErrors,
      errorsPerType,
      reportedTimestampMs,
    },
    ignored: [...ignored],
  };
}

/**
 * Whether the records come from another server process than the one `server` describes: their
 * locale set differs from SERVER_INFO's, or the request total went down (counters start from zero
 * on a restart). Then SERVER_INFO must be read again.
 */
export function looksRestarted(metrics: ServerMetrics, server: ServerInfo, previousTotalRequests: number | undefined): boolean {
  if (metrics.totalRequests !== undefined && previousTotalRequests !== undefined && metrics.totalRequests < previousTotalRequests) return true;
  if (metrics.memoryUsed.length === 0) return false;
  const key = (locale: LocaleLabels): string => JSON.stringify([locale.num, locale.name, locale.hostname]);
  const reported = new Set(metrics.memoryUsed.map(({ locale }) => key(locale)));
  return reported.size !== server.locales.length || server.locales.some((locale) => !reported.has(key(locale)));
}
