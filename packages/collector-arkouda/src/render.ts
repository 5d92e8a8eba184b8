/**
 * Turns a snapshot into samples. Pure: the same snapshot always renders the same series, which is
 * what lets a background poll feed any number of scrapes.
 */
import type { MetricSink } from '@tessera/collector-api';
import { FAILURE_REASONS, type FailureReason } from './errors.js';
import * as family from './metrics.js';
import type { ArkoudaSnapshot, LocaleValue } from './snapshot.js';

/** The state of the polling of one server, as plain data. */
export interface PollHealth {
  readonly serverName: string;
  /** Whether the last poll succeeded. */
  readonly up: boolean;
  /** Polls attempted. */
  readonly polls: number;
  /** Failed polls by reason. */
  readonly failures: Readonly<Record<FailureReason, number>>;
  /** Wall-clock milliseconds of the last successful poll. */
  readonly lastSuccessMs: number | undefined;
}

/** Emits every series a snapshot holds: the exporter-compatible gauges and the counters beside them. */
export function render(snapshot: ArkoudaSnapshot, sink: MetricSink): void {
  const server = snapshot.serverName;
  const perServer = { arkouda_server_name: server };

  if (snapshot.totalRequests !== undefined) {
    sink.add(family.totalNumberOfRequests, perServer, snapshot.totalRequests);
    sink.add(family.numberOfRequests, perServer, snapshot.totalRequests);
    sink.add(family.requestsTotal, perServer, snapshot.totalRequests);
  }
  for (const [command, value] of snapshot.requestsPerCommand) {
    sink.add(family.numberOfRequestsPerCommand, { command, arkouda_server_name: server }, value);
    sink.add(family.commandRequestsTotal, { command, arkouda_server_name: server }, value);
  }
  for (const [command, value] of snapshot.responseTimes) sink.add(family.responseTimesPerCommand, { command, arkouda_server_name: server }, value);
  for (const [command, value] of snapshot.averageResponseTimes) sink.add(family.avgResponseTimesPerCommand, { command, arkouda_server_name: server }, value);
  for (const [command, value] of snapshot.totalResponseTimes) {
    sink.add(family.totalResponseTimesPerCommand, { command, arkouda_server_name: server }, value);
    sink.add(family.commandResponseTimeSecondsTotal, { command, arkouda_server_name: server }, value);
  }
  for (const [command, value] of snapshot.totalMemoryUsed) sink.add(family.totalMemoryUsedPerCommand, { command, arkouda_server_name: server }, value);

  const localeLabels = ({ locale }: Pick<LocaleValue, 'locale'>) => ({
    locale_name: locale.name,
    locale_num: locale.num,
    locale_hostname: locale.hostname,
    arkouda_server_name: server,
  });
  for (const entry of snapshot.memoryUsed) sink.add(family.memoryUsedPerLocale, localeLabels(entry), entry.value);
  for (const entry of snapshot.memoryPercent) sink.add(family.pctMemoryUsedPerLocale, localeLabels(entry), entry.value);
  for (const locale of snapshot.server.locales) {
    sink.add(family.memoryPerLocale, localeLabels({ locale }), locale.physicalMemoryBytes);
    sink.add(family.processingUnitsPerLocale, localeLabels({ locale }), locale.processingUnits);
  }

  for (const [user, value] of snapshot.userTotals) {
    sink.add(family.perUserTotalNumberOfRequests, { arkouda_server_name: server, user }, value);
    sink.add(family.userRequestsTotal, { arkouda_server_name: server, user }, value);
  }
  for (const { user, command, value } of snapshot.userCommandRequests) {
    sink.add(family.perUserNumberOfRequestsPerCommand, { command, arkouda_server_name: server, user }, value);
    sink.add(family.userCommandRequestsTotal, { command, arkouda_server_name: server, user }, value);
  }

  if (snapshot.totalErrors !== undefined) {
    sink.add(family.totalNumberOfErrors, perServer, snapshot.totalErrors);
    sink.add(family.errorsTotal, perServer, snapshot.totalErrors);
  }
  for (const [errorType, value] of snapshot.errorsPerType) {
    sink.add(family.numberOfErrorsPerErrorType, { arkouda_server_name: server, error_type: errorType }, value);
    sink.add(family.errorsByTypeTotal, { arkouda_server_name: server, error_type: errorType }, value);
  }

  if (snapshot.connections !== undefined) sink.add(family.numberOfConnections, perServer, snapshot.connections);
  if (snapshot.reportedTimestampMs !== undefined) sink.add(family.reportedTimestamp, perServer, snapshot.reportedTimestampMs / 1000);
  sink.add(
    family.serverInformation,
    {
      arkouda_server_name: server,
      arkouda_server_hostname: snapshot.server.hostname,
      arkouda_version: snapshot.server.version,
      arkouda_number_of_locales: String(snapshot.server.locales.length),
    },
    1,
  );
}

/**
 * Emits the poll's health: `arkouda_up`, the poll and failure counters (every reason, from zero),
 * the last success time and, when a snapshot is served, its age.
 */
export function renderHealth(health: PollHealth, sink: MetricSink, snapshotAgeSeconds: number | undefined): void {
  const perServer = { arkouda_server_name: health.serverName };
  sink.add(family.up, perServer, health.up ? 1 : 0);
  sink.add(family.pollsTotal, perServer, health.polls);
  for (const reason of FAILURE_REASONS) sink.add(family.pollFailuresTotal, { arkouda_server_name: health.serverName, reason }, health.failures[reason]);
  if (health.lastSuccessMs !== undefined) sink.add(family.lastSuccessTimestampSeconds, perServer, health.lastSuccessMs / 1000);
  if (snapshotAgeSeconds !== undefined) sink.add(family.snapshotAgeSeconds, perServer, snapshotAgeSeconds);
}
