import type { Collector, MetricSink } from '@tessera/collector-api';
import { collectOnce } from '@tessera/collector-testkit';
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS } from '../src/errors.js';
import { parseMetricRecords, parseServerInfo } from '../src/messages.js';
import plugin from '../src/index.js';
import { render, renderHealth } from '../src/render.js';
import { classifyRecords, looksRestarted, type ArkoudaSnapshot } from '../src/snapshot.js';

// Arkouda's timestamps are naive local times: read them in a fixed zone so the expected text holds everywhere.
process.env.TZ = 'UTC';

const record = (name: string, category: string, value: number, extra: Record<string, unknown> = {}) => ({
  name,
  category,
  scope: 'locale_num' in extra ? 'LOCALE' : 'user' in extra ? 'USER' : 'GLOBAL',
  timestamp: '2026-01-05T10:00:00.000002',
  value,
  ...extra,
});
const locale = (num: number) => ({ locale_num: num, locale_name: `n${num}`, locale_hostname: `n${num}.cluster` });

// Every category and scope Arkouda reports, in hash order (not grouped by command).
const RECORDS = parseMetricRecords(
  [
    record('sort', 'NUM_REQUESTS', 7),
    record('create', 'NUM_REQUESTS', 3),
    record('total', 'NUM_REQUESTS', 10),
    record('sort', 'RESPONSE_TIME', 0.25),
    record('sort', 'AVG_RESPONSE_TIME', 0.125),
    record('sort', 'TOTAL_RESPONSE_TIME', 0.875),
    record('sort', 'TOTAL_MEMORY_USED', 1.5),
    record('arkouda_memory_used_per_locale', 'SYSTEM', 1_048_576, locale(0)),
    record('arkouda_percent_memory_used_per_locale', 'SYSTEM', 0.5, locale(0)),
    record('num_connections', 'SERVER', 2),
    record('sort', 'NUM_REQUESTS', 7, { user: 'alice' }),
    record('total', 'NUM_REQUESTS', 7, { user: 'alice' }),
    record('OverMemoryLimitError', 'NUM_ERRORS', 1),
    record('total', 'NUM_ERRORS', 1),
    { ...record('pending', 'QUEUE_DEPTH', 3), timestamp: '2026-01-05T10:00:01' },
    record('arkouda_swap_used_per_locale', 'SYSTEM', 9, locale(0)),
  ],
  'metrics ALL',
);
const SERVER = parseServerInfo(
  {
    hostname: 'n0',
    version: 'v2024.04.19',
    server_port: 5555,
    locales: [{ name: 'n0', id: '0', hostname: 'n0.cluster', number_of_processing_units: 8, physical_memory: 2_147_483_648, max_number_of_tasks: 8 }],
  },
  'metrics SERVER_INFO',
);

/** The sorted exposition of what `emit` adds, checked against the declared families as the host checks it. */
async function text(emit: (sink: MetricSink) => void): Promise<string> {
  const collector: Collector = {
    collect: (sink) => {
      emit(sink);
      return Promise.resolve();
    },
  };
  return (await collectOnce(plugin, undefined, { collector })).text;
}

describe('classifying records', () => {
  it('sorts records by category, scope and name, and lists what it does not know once each', () => {
    const { metrics, ignored } = classifyRecords([...RECORDS, ...RECORDS]);
    expect(metrics.totalRequests).toBe(10);
    expect([...metrics.requestsPerCommand]).toEqual([
      ['sort', 7],
      ['create', 3],
    ]);
    expect(metrics.userCommandRequests).toEqual([{ user: 'alice', command: 'sort', value: 7 }]);
    expect(metrics.connections).toBe(2);
    expect(metrics.reportedTimestampMs).toBe(new Date(2026, 0, 5, 10, 0, 1).getTime());
    expect(ignored).toEqual(['category QUEUE_DEPTH', 'SYSTEM LOCALE record arkouda_swap_used_per_locale']);
  });

  it('tells a restarted server by its locales or by a request total that went down', () => {
    const { metrics } = classifyRecords(RECORDS);
    expect(looksRestarted(metrics, SERVER, 9)).toBe(false);
    expect(looksRestarted(metrics, SERVER, 11)).toBe(true);
    expect(looksRestarted(metrics, { ...SERVER, locales: [{ ...SERVER.locales[0]!, name: 'n9' }] }, undefined)).toBe(true);
    expect(looksRestarted({ ...metrics, memoryUsed: [] }, { ...SERVER, locales: [] }, undefined)).toBe(false);
  });
});

describe('render', () => {
  const snapshot: ArkoudaSnapshot = { ...classifyRecords(RECORDS).metrics, server: SERVER, serverName: 'research', sampledAtMs: 1_700_000_000_000, pollDurationSeconds: 0 };

  it('emits every series of a snapshot: the exporter-compatible gauges and the counters beside them', async () => {
    expect(await text((sink) => render(snapshot, sink))).toBe(`# HELP arkouda_avg_response_times_per_command Average response times of Arkouda commands
# TYPE arkouda_avg_response_times_per_command gauge
arkouda_avg_response_times_per_command{command="sort",arkouda_server_name="research"} 0.125
# HELP arkouda_command_requests_total Runs of each Arkouda command since the server started.
# TYPE arkouda_command_requests_total counter
arkouda_command_requests_total{command="create",arkouda_server_name="research"} 3
arkouda_command_requests_total{command="sort",arkouda_server_name="research"} 7
# HELP arkouda_command_response_time_seconds_total Seconds spent running each Arkouda command since the server started (TOTAL_RESPONSE_TIME).
# TYPE arkouda_command_response_time_seconds_total counter
arkouda_command_response_time_seconds_total{command="sort",arkouda_server_name="research"} 0.875
# HELP arkouda_errors_by_type_total Errors of each error class since the Arkouda server started (reported by Arkouda v2024.04.19 to v2024.06.21 only).
# TYPE arkouda_errors_by_type_total counter
arkouda_errors_by_type_total{arkouda_server_name="research",error_type="OverMemoryLimitError"} 1
# HELP arkouda_errors_total Errors the Arkouda server has counted since it started (NUM_ERRORS total).
# TYPE arkouda_errors_total counter
arkouda_errors_total{arkouda_server_name="research"} 1
# HELP arkouda_memory_per_locale System memory on each locale host
# TYPE arkouda_memory_per_locale gauge
arkouda_memory_per_locale{locale_name="n0",locale_num="0",locale_hostname="n0.cluster",arkouda_server_name="research"} 2.147483648e+09
# HELP arkouda_memory_used_per_locale Memory used by Arkouda on each locale
# TYPE arkouda_memory_used_per_locale gauge
arkouda_memory_used_per_locale{locale_name="n0",locale_num="0",locale_hostname="n0.cluster",arkouda_server_name="research"} 1.048576e+06
# HELP arkouda_number_of_connections Number of Arkouda connections
# TYPE arkouda_number_of_connections gauge
arkouda_number_of_connections{arkouda_server_name="research"} 2
# HELP arkouda_number_of_errors_per_error_type Number of Arkouda errors per error type
# TYPE arkouda_number_of_errors_per_error_type gauge
arkouda_number_of_errors_per_error_type{arkouda_server_name="research",error_type="OverMemoryLimitError"} 1
# HELP arkouda_number_of_requests Number of Arkouda requests
# TYPE arkouda_number_of_requests gauge
arkouda_number_of_requests{arkouda_server_name="research"} 10
# HELP arkouda_number_of_requests_per_command Total number of Arkouda requests per command
# TYPE arkouda_number_of_requests_per_command gauge
arkouda_number_of_requests_per_command{command="create",arkouda_server_name="research"} 3
arkouda_number_of_requests_per_command{command="sort",arkouda_server_name="research"} 7
# HELP arkouda_pct_memory_used_per_locale Percent of total memory used by Arkouda on each locale
# TYPE arkouda_pct_memory_used_per_locale gauge
arkouda_pct_memory_used_per_locale{locale_name="n0",locale_num="0",locale_hostname="n0.cluster",arkouda_server_name="research"} 0.5
# HELP arkouda_per_user_number_of_requests_per_command Total number of Arkouda requests per command, per user
# TYPE arkouda_per_user_number_of_requests_per_command gauge
arkouda_per_user_number_of_requests_per_command{command="sort",arkouda_server_name="research",user="alice"} 7
# HELP arkouda_per_user_total_number_of_requests Total number of Arkouda requests per user
# TYPE arkouda_per_user_total_number_of_requests gauge
arkouda_per_user_total_number_of_requests{arkouda_server_name="research",user="alice"} 7
# HELP arkouda_processing_units_per_locale Number of processing units on each locale host
# TYPE arkouda_processing_units_per_locale gauge
arkouda_processing_units_per_locale{locale_name="n0",locale_num="0",locale_hostname="n0.cluster",arkouda_server_name="research"} 8
# HELP arkouda_reported_timestamp Metric timestamp as reported by Arkouda
# TYPE arkouda_reported_timestamp gauge
arkouda_reported_timestamp{arkouda_server_name="research"} 1.767607201e+09
# HELP arkouda_requests_total Commands the Arkouda server has run since it started (NUM_REQUESTS total).
# TYPE arkouda_requests_total counter
arkouda_requests_total{arkouda_server_name="research"} 10
# HELP arkouda_response_times_per_command Response times of Arkouda commands
# TYPE arkouda_response_times_per_command gauge
arkouda_response_times_per_command{command="sort",arkouda_server_name="research"} 0.25
# HELP arkouda_server_information_info Arkouda server and locales configuration information
# TYPE arkouda_server_information_info gauge
arkouda_server_information_info{arkouda_server_name="research",arkouda_server_hostname="n0",arkouda_version="v2024.04.19",arkouda_number_of_locales="1"} 1
# HELP arkouda_total_memory_used_per_command Total memory used by each Arkouda command
# TYPE arkouda_total_memory_used_per_command gauge
arkouda_total_memory_used_per_command{command="sort",arkouda_server_name="research"} 1.5
# HELP arkouda_total_number_of_errors Total number of Arkouda errors
# TYPE arkouda_total_number_of_errors gauge
arkouda_total_number_of_errors{arkouda_server_name="research"} 1
# HELP arkouda_total_number_of_requests Total number of Arkouda requests
# TYPE arkouda_total_number_of_requests gauge
arkouda_total_number_of_requests{arkouda_server_name="research"} 10
# HELP arkouda_total_response_times_per_command Total response times of Arkouda commands
# TYPE arkouda_total_response_times_per_command gauge
arkouda_total_response_times_per_command{command="sort",arkouda_server_name="research"} 0.875
# HELP arkouda_user_command_requests_total Runs of each Arkouda command by each user since the server started.
# TYPE arkouda_user_command_requests_total counter
arkouda_user_command_requests_total{command="sort",arkouda_server_name="research",user="alice"} 7
# HELP arkouda_user_requests_total Commands each user has run on the Arkouda server since it started.
# TYPE arkouda_user_requests_total counter
arkouda_user_requests_total{arkouda_server_name="research",user="alice"} 7
`);
  });

  it('leaves out what a snapshot lacks: no total, no connections, no errors, no timestamp', async () => {
    const bare: ArkoudaSnapshot = { ...classifyRecords([]).metrics, server: { ...SERVER, locales: [] }, serverName: 'bare', sampledAtMs: 0, pollDurationSeconds: 0 };
    expect(await text((sink) => render(bare, sink))).toBe(`# HELP arkouda_server_information_info Arkouda server and locales configuration information
# TYPE arkouda_server_information_info gauge
arkouda_server_information_info{arkouda_server_name="bare",arkouda_server_hostname="n0",arkouda_version="v2024.04.19",arkouda_number_of_locales="0"} 1
`);
  });

  it('renders health with every failure reason from zero, and the age and last success only when known', async () => {
    const failures = Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, reason === 'timeout' ? 2 : 0])) as Record<(typeof FAILURE_REASONS)[number], number>;
    const down = await text((sink) => renderHealth({ serverName: 'research', up: false, polls: 2, failures, lastSuccessMs: undefined }, sink, undefined));
    expect(down).toContain('arkouda_up{arkouda_server_name="research"} 0\n');
    expect(down).toContain('arkouda_poll_failures_total{arkouda_server_name="research",reason="timeout"} 2\n');
    expect(down.match(/^arkouda_poll_failures_total\{/gm)).toHaveLength(FAILURE_REASONS.length);
    expect(down).not.toContain('arkouda_last_success_timestamp_seconds{');
    expect(down).not.toContain('arkouda_snapshot_age_seconds{');
    const upText = await text((sink) => renderHealth({ serverName: 'research', up: true, polls: 3, failures, lastSuccessMs: 1_700_000_000_500 }, sink, 1.5));
    expect(upText).toContain('arkouda_up{arkouda_server_name="research"} 1\n');
    expect(upText).toContain('arkouda_last_success_timestamp_seconds{arkouda_server_name="research"} 1.7000000005e+09\n');
    expect(upText).toContain('arkouda_snapshot_age_seconds{arkouda_server_name="research"} 1.5\n');
  });
});
