import type { MetricFamily, MetricType } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { checkMetricHygiene } from '../src/index.js';

function family(name: string, type: MetricType, extra: Partial<MetricFamily> = {}): MetricFamily {
  return { name, type, help: 'Some help.', labelNames: [], ...extra };
}

describe('checkMetricHygiene', () => {
  it('passes families that follow the rules', () => {
    expect(
      checkMetricHygiene([
        family('node_cpu_seconds_total', 'counter', { labelNames: ['cpu', 'mode'], unit: 'seconds' }),
        family('node_memory_free_bytes', 'gauge', { unit: 'bytes' }),
        family('node_load1', 'gauge'),
        family('demo_request_duration_seconds', 'histogram', { labelNames: ['route'] }),
        family('demo_info', 'gauge', { labelNames: ['version'] }),
      ]),
    ).toEqual([]);
  });

  it('reports a camelCase counter without _total on both counts', () => {
    expect(checkMetricHygiene([family('demo_pageFaults', 'counter')])).toEqual([
      "demo_pageFaults: metric names should be written in 'snake_case' not 'camelCase'",
      'demo_pageFaults: counter metrics should have "_total" suffix',
    ]);
  });

  it('reports _total on a non-counter', () => {
    expect(checkMetricHygiene([family('demo_errors_total', 'gauge')])).toEqual(['demo_errors_total: non-counter metrics should not have "_total" suffix']);
  });

  it.each([
    ['demo_latency_ms', 'seconds', 'ms'],
    ['demo_uptime_minutes', 'seconds', 'minutes'],
    ['demo_usage_percent', 'ratio', 'percent'],
    ['demo_entropy_available_bits', 'bytes', 'bits'],
    ['demo_memory_mb', 'bytes', 'mb'],
    ['demo_clock_mhz', 'hertz', 'mhz'],
  ])('reports %s as not in base units', (name, base, token) => {
    expect(checkMetricHygiene([family(name, 'gauge')])).toEqual([`${name}: use base unit "${base}" instead of "${token}"`]);
  });

  it('requires the declared unit to be the name suffix, before _total for counters', () => {
    expect(checkMetricHygiene([family('demo_read_total', 'counter', { unit: 'bytes' }), family('demo_temp', 'gauge', { unit: 'celsius' })])).toEqual([
      'demo_read_total: unit "bytes" must be the name\'s suffix (before _total)',
      'demo_temp: unit "celsius" must be the name\'s suffix',
    ]);
    expect(checkMetricHygiene([family('demo_read_bytes_total', 'counter', { unit: 'bytes' })])).toEqual([]);
  });

  it('reports reserved, camelCase and host-colliding label names', () => {
    const problems = checkMetricHygiene([
      family('demo_a', 'gauge', { labelNames: ['le'] }),
      family('demo_b', 'gauge', { labelNames: ['quantile'] }),
      family('demo_c', 'gauge', { labelNames: ['__meta'] }),
      family('demo_d', 'gauge', { labelNames: ['deviceName'] }),
      family('demo_e', 'gauge', { labelNames: ['instance', 'job', 'collector'] }),
      family('demo_f_seconds', 'histogram', { labelNames: ['le'] }),
    ]);
    expect(problems).toEqual([
      'demo_a: label le is reserved for histogram buckets',
      'demo_b: label quantile is reserved for summary quantiles',
      'metric demo_c: label name "__meta" is not legal',
      "demo_d: label deviceName: label names should be snake_case (list it in allowLabels to keep an anchor's name)",
      'demo_e: label instance: Prometheus attaches instance to every scraped series (yours would become exported_instance) (list the name in allow to keep it for compatibility)',
      'demo_e: label job: Prometheus attaches job to every scraped series (yours would become exported_job) (list the name in allow to keep it for compatibility)',
      'demo_e: label collector: the host uses collector on its self-metrics (tessera_scrape_collector_*) (list the name in allow to keep it for compatibility)',
      'metric demo_f_seconds: label le is reserved for the histogram type',
    ]);
  });

  it('reports missing HELP, colons, reserved prefixes, histogram suffixes and double declarations', () => {
    expect(
      checkMetricHygiene([
        family('demo_empty', 'gauge', { help: ' ' }),
        family('demo:rate5m', 'gauge'),
        family('__demo', 'gauge'),
        family('demo_wait_seconds_count', 'histogram'),
        family('demo_empty', 'gauge'),
      ]),
    ).toEqual([
      'metric demo_empty: HELP text is empty',
      'demo:rate5m: colons are reserved for recording rules',
      '__demo: names starting with "__" are reserved for Prometheus',
      'demo_wait_seconds_count: a histogram name must not end in _bucket, _count or _sum (its samples add those suffixes)',
      'demo_empty: declared more than once',
    ]);
  });

  it('exempts allowed names from the naming and host-label rules only', () => {
    const families = [
      family('node_memory_MemTotal_bytes', 'gauge'),
      family('node_netstat_Tcp_InSegs', 'untyped', { labelNames: ['le'] }),
      family('node_entropy_available_bits', 'gauge'),
      family('node_scrape_collector_success', 'gauge', { labelNames: ['collector'] }),
      family('node_HELPless', 'gauge', { help: '' }),
    ];
    const allow = [/^node_memory_[A-Za-z]+_bytes$/g, 'node_netstat_Tcp_InSegs', 'node_entropy_available_bits', 'node_scrape_collector_success', 'node_HELPless'];
    expect(checkMetricHygiene(families, { allow })).toEqual(['node_netstat_Tcp_InSegs: label le is reserved for histogram buckets', 'metric node_HELPless: HELP text is empty']);
    // A global RegExp keeps lastIndex between test() calls; the check must not depend on it.
    const twice = [family('node_memory_MemFree_bytes', 'gauge'), family('node_memory_Cached_bytes', 'gauge')];
    expect(checkMetricHygiene(twice, { allow: [/^node_memory_/g] })).toEqual([]);
  });

  it('exempts allowed label names (an anchor\'s camelCase labels) from the label rules, and only those', () => {
    const families = [family('DCGM_FI_DEV_GPU_UTIL', 'gauge', { labelNames: ['gpu', 'UUID', 'modelName', 'Hostname', 'GPU_I_PROFILE', 'podName'] })];
    const allow = ['DCGM_FI_DEV_GPU_UTIL'];
    expect(checkMetricHygiene(families, { allow, allowLabels: ['UUID', 'modelName', 'Hostname', /^GPU_I_/, 'podName'] })).toEqual([]);
    // An allowed family name does not let a camelCase label through that allowLabels does not list.
    expect(checkMetricHygiene(families, { allow, allowLabels: ['UUID', 'modelName', 'Hostname', /^GPU_I_/] })).toEqual([
      "DCGM_FI_DEV_GPU_UTIL: label podName: label names should be snake_case (list it in allowLabels to keep an anchor's name)",
    ]);
    const strict = checkMetricHygiene([family('dcgm_gpu_utilization_ratio', 'gauge', { labelNames: ['UUID', 'podName', 'le'] })], { allowLabels: ['UUID'] });
    expect(strict).toEqual([
      "dcgm_gpu_utilization_ratio: label podName: label names should be snake_case (list it in allowLabels to keep an anchor's name)",
      'dcgm_gpu_utilization_ratio: label le is reserved for histogram buckets',
    ]);
  });
});
