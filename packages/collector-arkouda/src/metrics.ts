/**
 * Every family the arkouda collector emits. Names, types, labels and HELP texts of Arkouda's
 * Prometheus exporter (Bears-R-Us/arkouda-contrib `arkouda_metrics_exporter`) are kept so that
 * existing dashboards keep working, with its copy-paste HELP of `arkouda_processing_units_per_locale`
 * fixed, its never-set families filled from SERVER_INFO and NUM_ERRORS, and
 * `arkouda_number_of_errors_per_command` left out (no Arkouda release reports errors per command).
 * That exporter exposes every value as a gauge; the running totals also get a counter, so `rate()`
 * and `increase()` handle server restarts.
 */
import { defineMetric } from '@tessera/collector-api';

const SERVER = 'arkouda_server_name';
const LOCALE_LABELS = ['locale_name', 'locale_num', 'locale_hostname', SERVER] as const;

// Arkouda's exporter's families.

export const numberOfConnections = defineMetric({ name: 'arkouda_number_of_connections', type: 'gauge', help: 'Number of Arkouda connections', labelNames: [SERVER] });
export const reportedTimestamp = defineMetric({ name: 'arkouda_reported_timestamp', type: 'gauge', help: 'Metric timestamp as reported by Arkouda', labelNames: [SERVER] });
export const totalNumberOfRequests = defineMetric({ name: 'arkouda_total_number_of_requests', type: 'gauge', help: 'Total number of Arkouda requests', labelNames: [SERVER] });
export const numberOfRequestsPerCommand = defineMetric({
  name: 'arkouda_number_of_requests_per_command',
  type: 'gauge',
  help: 'Total number of Arkouda requests per command',
  labelNames: ['command', SERVER],
});
export const responseTimesPerCommand = defineMetric({ name: 'arkouda_response_times_per_command', type: 'gauge', help: 'Response times of Arkouda commands', labelNames: ['command', SERVER] });
export const avgResponseTimesPerCommand = defineMetric({
  name: 'arkouda_avg_response_times_per_command',
  type: 'gauge',
  help: 'Average response times of Arkouda commands',
  labelNames: ['command', SERVER],
});
export const totalResponseTimesPerCommand = defineMetric({
  name: 'arkouda_total_response_times_per_command',
  type: 'gauge',
  help: 'Total response times of Arkouda commands',
  labelNames: ['command', SERVER],
});
export const totalMemoryUsedPerCommand = defineMetric({
  name: 'arkouda_total_memory_used_per_command',
  type: 'gauge',
  help: 'Total memory used by each Arkouda command',
  labelNames: ['command', SERVER],
});
export const memoryUsedPerLocale = defineMetric({ name: 'arkouda_memory_used_per_locale', type: 'gauge', help: 'Memory used by Arkouda on each locale', labelNames: LOCALE_LABELS });
export const pctMemoryUsedPerLocale = defineMetric({
  name: 'arkouda_pct_memory_used_per_locale',
  type: 'gauge',
  help: 'Percent of total memory used by Arkouda on each locale',
  labelNames: LOCALE_LABELS,
});
export const memoryPerLocale = defineMetric({ name: 'arkouda_memory_per_locale', type: 'gauge', help: 'System memory on each locale host', labelNames: LOCALE_LABELS });
/** Arkouda's exporter declares it with the HELP of arkouda_memory_per_locale and never sets it. */
export const processingUnitsPerLocale = defineMetric({
  name: 'arkouda_processing_units_per_locale',
  type: 'gauge',
  help: 'Number of processing units on each locale host',
  labelNames: LOCALE_LABELS,
});
export const perUserTotalNumberOfRequests = defineMetric({
  name: 'arkouda_per_user_total_number_of_requests',
  type: 'gauge',
  help: 'Total number of Arkouda requests per user',
  labelNames: [SERVER, 'user'],
});
export const perUserNumberOfRequestsPerCommand = defineMetric({
  name: 'arkouda_per_user_number_of_requests_per_command',
  type: 'gauge',
  help: 'Total number of Arkouda requests per command, per user',
  labelNames: ['command', SERVER, 'user'],
});
export const totalNumberOfErrors = defineMetric({ name: 'arkouda_total_number_of_errors', type: 'gauge', help: 'Total number of Arkouda errors', labelNames: [SERVER] });
export const numberOfErrorsPerErrorType = defineMetric({
  name: 'arkouda_number_of_errors_per_error_type',
  type: 'gauge',
  help: 'Number of Arkouda errors per error type',
  labelNames: [SERVER, 'error_type'],
});
/** prometheus_client's Info `arkouda_server_information`, which it exposes with the `_info` suffix and value 1. */
export const serverInformation = defineMetric({
  name: 'arkouda_server_information_info',
  type: 'gauge',
  help: 'Arkouda server and locales configuration information',
  labelNames: [SERVER, 'arkouda_server_hostname', 'arkouda_version', 'arkouda_number_of_locales'],
});

/** The first Arkouda exporter's name for the request total, still on older dashboards. */
export const numberOfRequests = defineMetric({ name: 'arkouda_number_of_requests', type: 'gauge', help: 'Number of Arkouda requests', labelNames: [SERVER] });

// Counters for the running totals, so that rate() works across server restarts.

export const requestsTotal = defineMetric({
  name: 'arkouda_requests_total',
  type: 'counter',
  help: 'Commands the Arkouda server has run since it started (NUM_REQUESTS total).',
  labelNames: [SERVER],
});
export const commandRequestsTotal = defineMetric({
  name: 'arkouda_command_requests_total',
  type: 'counter',
  help: 'Runs of each Arkouda command since the server started.',
  labelNames: ['command', SERVER],
});
export const userRequestsTotal = defineMetric({
  name: 'arkouda_user_requests_total',
  type: 'counter',
  help: 'Commands each user has run on the Arkouda server since it started.',
  labelNames: [SERVER, 'user'],
});
export const userCommandRequestsTotal = defineMetric({
  name: 'arkouda_user_command_requests_total',
  type: 'counter',
  help: 'Runs of each Arkouda command by each user since the server started.',
  labelNames: ['command', SERVER, 'user'],
});
export const commandResponseTimeSecondsTotal = defineMetric({
  name: 'arkouda_command_response_time_seconds_total',
  type: 'counter',
  help: 'Seconds spent running each Arkouda command since the server started (TOTAL_RESPONSE_TIME).',
  labelNames: ['command', SERVER],
  unit: 'seconds',
});
export const errorsTotal = defineMetric({
  name: 'arkouda_errors_total',
  type: 'counter',
  help: 'Errors the Arkouda server has counted since it started (NUM_ERRORS total).',
  labelNames: [SERVER],
});
export const errorsByTypeTotal = defineMetric({
  name: 'arkouda_errors_by_type_total',
  type: 'counter',
  help: 'Errors of each error class since the Arkouda server started (reported by Arkouda v2024.04.19 to v2024.06.21 only).',
  labelNames: [SERVER, 'error_type'],
});

// Health of the poll, one series set per server.

export const up = defineMetric({
  name: 'arkouda_up',
  type: 'gauge',
  help: 'Whether the last poll of the Arkouda metrics daemon succeeded (1) or failed (0).',
  labelNames: [SERVER],
});
export const lastSuccessTimestampSeconds = defineMetric({
  name: 'arkouda_last_success_timestamp_seconds',
  type: 'gauge',
  help: 'When the Arkouda metrics daemon last answered a poll, as a Unix timestamp.',
  labelNames: [SERVER],
  unit: 'seconds',
});
export const snapshotAgeSeconds = defineMetric({
  name: 'arkouda_snapshot_age_seconds',
  type: 'gauge',
  help: 'Seconds since the poll that read the Arkouda metrics served.',
  labelNames: [SERVER],
  unit: 'seconds',
});
export const pollsTotal = defineMetric({
  name: 'arkouda_polls_total',
  type: 'counter',
  help: 'Polls of the Arkouda metrics daemon attempted.',
  labelNames: [SERVER],
});
export const pollFailuresTotal = defineMetric({
  name: 'arkouda_poll_failures_total',
  type: 'counter',
  help: 'Polls of the Arkouda metrics daemon that failed, by reason (unreachable, timeout, error_reply, empty_reply, malformed_reply, unsupported_version).',
  labelNames: [SERVER, 'reason'],
});

/** The families, grouped as the README lists them. */
export const FAMILY_GROUPS = {
  requests: [totalNumberOfRequests, numberOfRequests, requestsTotal, numberOfRequestsPerCommand, commandRequestsTotal],
  users: [perUserTotalNumberOfRequests, userRequestsTotal, perUserNumberOfRequestsPerCommand, userCommandRequestsTotal],
  'response times': [responseTimesPerCommand, avgResponseTimesPerCommand, totalResponseTimesPerCommand, commandResponseTimeSecondsTotal],
  memory: [totalMemoryUsedPerCommand, memoryUsedPerLocale, pctMemoryUsedPerLocale],
  errors: [totalNumberOfErrors, errorsTotal, numberOfErrorsPerErrorType, errorsByTypeTotal],
  server: [serverInformation, memoryPerLocale, processingUnitsPerLocale, numberOfConnections, reportedTimestamp],
  health: [up, lastSuccessTimestampSeconds, snapshotAgeSeconds, pollsTotal, pollFailuresTotal],
} as const;

/** Every family, declared up front. */
export const ARKOUDA_METRICS = Object.values(FAMILY_GROUPS).flat();

/**
 * The gauges of Arkouda's exporter that carry running totals, kept as gauges for dashboards, and
 * the counter to use with `rate()` instead.
 */
export const COUNTER_FOR_GAUGE: ReadonlyMap<string, string> = new Map([
  [totalNumberOfRequests.name, requestsTotal.name],
  [numberOfRequests.name, requestsTotal.name],
  [numberOfRequestsPerCommand.name, commandRequestsTotal.name],
  [perUserTotalNumberOfRequests.name, userRequestsTotal.name],
  [perUserNumberOfRequestsPerCommand.name, userCommandRequestsTotal.name],
  [totalResponseTimesPerCommand.name, commandResponseTimeSecondsTotal.name],
  [totalNumberOfErrors.name, errorsTotal.name],
  [numberOfErrorsPerErrorType.name, errorsByTypeTotal.name],
]);
