import { checkMetricHygiene } from '@tessera/collector-testkit';
import { describe, expect, it } from 'vitest';
import { ARKOUDA_METRICS, COUNTER_FOR_GAUGE, FAMILY_GROUPS } from '../src/metrics.js';
import plugin from '../src/index.js';

/**
 * The families of Arkouda's Prometheus exporter (arkouda-contrib `arkouda_metrics_exporter/metrics.py`,
 * 2024-03-28), transcribed by hand: all gauges, plus prometheus_client's Info, exposed with `_info`.
 */
const EXPORTER_FAMILIES: readonly { name: string; help: string; labels: string[] }[] = [
  { name: 'arkouda_number_of_connections', help: 'Number of Arkouda connections', labels: ['arkouda_server_name'] },
  { name: 'arkouda_reported_timestamp', help: 'Metric timestamp as reported by Arkouda', labels: ['arkouda_server_name'] },
  { name: 'arkouda_total_number_of_requests', help: 'Total number of Arkouda requests', labels: ['arkouda_server_name'] },
  { name: 'arkouda_number_of_requests_per_command', help: 'Total number of Arkouda requests per command', labels: ['command', 'arkouda_server_name'] },
  { name: 'arkouda_response_times_per_command', help: 'Response times of Arkouda commands', labels: ['command', 'arkouda_server_name'] },
  { name: 'arkouda_avg_response_times_per_command', help: 'Average response times of Arkouda commands', labels: ['command', 'arkouda_server_name'] },
  { name: 'arkouda_total_response_times_per_command', help: 'Total response times of Arkouda commands', labels: ['command', 'arkouda_server_name'] },
  { name: 'arkouda_total_memory_used_per_command', help: 'Total memory used by each Arkouda command', labels: ['command', 'arkouda_server_name'] },
  { name: 'arkouda_memory_used_per_locale', help: 'Memory used by Arkouda on each locale', labels: ['locale_name', 'locale_num', 'locale_hostname', 'arkouda_server_name'] },
  { name: 'arkouda_pct_memory_used_per_locale', help: 'Percent of total memory used by Arkouda on each locale', labels: ['locale_name', 'locale_num', 'locale_hostname', 'arkouda_server_name'] },
  { name: 'arkouda_memory_per_locale', help: 'System memory on each locale host', labels: ['locale_name', 'locale_num', 'locale_hostname', 'arkouda_server_name'] },
  { name: 'arkouda_processing_units_per_locale', help: 'System memory on each locale host', labels: ['locale_name', 'locale_num', 'locale_hostname', 'arkouda_server_name'] },
  { name: 'arkouda_per_user_total_number_of_requests', help: 'Total number of Arkouda requests per user', labels: ['arkouda_server_name', 'user'] },
  { name: 'arkouda_per_user_number_of_requests_per_command', help: 'Total number of Arkouda requests per command, per user', labels: ['command', 'arkouda_server_name', 'user'] },
  { name: 'arkouda_total_number_of_errors', help: 'Total number of Arkouda errors', labels: ['arkouda_server_name'] },
  { name: 'arkouda_number_of_errors_per_error_type', help: 'Number of Arkouda errors per error type', labels: ['arkouda_server_name', 'error_type'] },
  { name: 'arkouda_number_of_errors_per_command', help: 'Number of Arkouda errors per command', labels: ['arkouda_server_name', 'command'] },
  {
    name: 'arkouda_server_information_info',
    help: 'Arkouda server and locales configuration information',
    labels: ['arkouda_server_name', 'arkouda_server_hostname', 'arkouda_version', 'arkouda_number_of_locales'],
  },
];

/** The first exporter's names (2021), with the label every series now carries. */
const FIRST_EXPORTER_FAMILIES = [
  { name: 'arkouda_number_of_requests', help: 'Number of Arkouda requests', labels: ['arkouda_server_name'] },
  { name: 'arkouda_number_of_connections', help: 'Number of Arkouda connections', labels: ['arkouda_server_name'] },
];

/** Where this collector deliberately differs, and why. */
const HELP_FIXED = { arkouda_processing_units_per_locale: 'Number of processing units on each locale host' };
/** Never set by that exporter, and no Arkouda release reports errors per command: left out rather than declared empty. */
const LEFT_OUT = ['arkouda_number_of_errors_per_command'];

describe('the metric table', () => {
  const declared = new Map(ARKOUDA_METRICS.map((family) => [family.name, family]));

  it('declares every family of Arkouda exporters with the same type, labels and HELP, except the fixed HELP and the family no release can fill', () => {
    for (const expected of [...EXPORTER_FAMILIES, ...FIRST_EXPORTER_FAMILIES]) {
      const family = declared.get(expected.name);
      if (LEFT_OUT.includes(expected.name)) {
        expect(family, expected.name).toBeUndefined();
        continue;
      }
      expect(family, expected.name).toBeDefined();
      expect({ type: family?.type, labels: family?.labelNames, help: family?.help }, expected.name).toEqual({
        type: 'gauge',
        labels: expected.labels,
        help: (HELP_FIXED as Record<string, string>)[expected.name] ?? expected.help,
      });
    }
  });

  it('offers a counter ending in _total with the same labels for every running total kept as a gauge', () => {
    for (const [gaugeName, counterName] of COUNTER_FOR_GAUGE) {
      const gauge = declared.get(gaugeName);
      const counter = declared.get(counterName);
      expect(gauge?.type, gaugeName).toBe('gauge');
      expect(counter?.type, counterName).toBe('counter');
      expect([...(counter?.labelNames ?? [])].sort(), counterName).toEqual([...(gauge?.labelNames ?? [])].sort());
    }
  });

  it('is the plugin table, grouped for the README without repeats, and follows the naming rules except for the exporter names', () => {
    expect(plugin.metrics.map((family) => family.name)).toEqual(ARKOUDA_METRICS.map((family) => family.name));
    expect(new Set(ARKOUDA_METRICS).size).toBe(Object.values(FAMILY_GROUPS).flat().length);
    const problems = checkMetricHygiene(ARKOUDA_METRICS);
    // Only the percent gauge breaks a rule (base unit ratio), and only because its name is the exporter's.
    expect(problems).toEqual(['arkouda_pct_memory_used_per_locale: use base unit "ratio" instead of "pct"']);
    expect(ARKOUDA_METRICS.every((family) => family.labelNames.includes('arkouda_server_name'))).toBe(true);
  });
});
