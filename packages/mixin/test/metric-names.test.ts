import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateWithSchema, type CollectorPlugin, type MetricFamily } from '@tessera/collector-api';
import arkouda from '@tessera/collector-arkouda';
import dcgm, { DCGM_FIELDS } from '@tessera/collector-dcgm';
import flashblade from '@tessera/collector-flashblade';
import node from '@tessera/collector-node';
import { createTestContext } from '@tessera/collector-testkit';
import { createExporter, SELF_METRIC_FAMILIES } from '@tessera/exporter';
import { createJob } from '@tessera/push';
import { runCommand, startPushgateway, type RunningPeer } from '@tessera/test-support';
import { DEFAULT_OPTIONS, type AlertingRule, type RecordingRule } from '@tessera/mixin';
import { dashboardQueries, metricNameReferences, readRuleFile, withVariablesResolved, type NameReference } from './promql-names.js';

/*
 * Every metric name a dashboard or rule reads must be one something emits: a family a collector
 * declares (imported from the collector packages, so a renamed family fails here), a self-metric
 * of the host, what a batch job under tessera-push pushes (run for real against the Debian
 * Pushgateway), or a series Prometheus or the Pushgateway make themselves.
 */

const REPOSITORY = new URL('../../../', import.meta.url).pathname;

/** The sample names of a family: a histogram `x` is read as `x_bucket`, `x_sum` and `x_count`. */
function sampleNames(family: MetricFamily): string[] {
  if (family.type === 'histogram') return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`];
  if (family.type === 'summary') return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}

/** The families a plugin declares up front, and those one instance declares at `create()` with this machine's /proc and /sys. */
async function declaredFamilies(plugin: CollectorPlugin): Promise<MetricFamily[]> {
  const context = createTestContext({ collector: plugin.name });
  const config = await validateWithSchema(plugin.configSchema, {});
  const collector = await plugin.create(config, context);
  try {
    return [...plugin.metrics, ...(collector.metrics ?? [])];
  } finally {
    await collector.close?.();
    await context.close();
  }
}

/** Names each source emits, for the failure message. */
const catalog = new Map<string, string>();
function add(names: Iterable<string>, source: string): void {
  for (const name of names) if (!catalog.has(name)) catalog.set(name, source);
}

let pushgateway: RunningPeer;
let workDirectory: string;

beforeAll(async () => {
  // node declares the kernel's meminfo, vmstat and netstat fields when it is created.
  add((await declaredFamilies(node as CollectorPlugin)).flatMap(sampleNames), 'collector node');
  for (const plugin of [flashblade, arkouda] as CollectorPlugin[]) add(plugin.metrics.flatMap(sampleNames), `collector ${plugin.name}`);
  add(
    DCGM_FIELDS.filter((field) => field.kind === 'metric').map((field) => field.name),
    `collector ${dcgm.name}`,
  );
  add(SELF_METRIC_FAMILIES.flatMap(sampleNames), 'tessera host');

  // The host's process metrics, as it serves them.
  const exporter = await createExporter({ config: {}, onlySuppliedPlugins: true, plugins: {} });
  try {
    const response = await exporter.app.inject({ url: '/metrics' });
    add(
      [...response.body.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((match) => match[1]!),
      'tessera host (process)',
    );
  } finally {
    await exporter.close();
  }

  // A training run under tessera-push exec, the way the example does it, and an SDK job.
  workDirectory = await mkdtemp(join(tmpdir(), 'tessera-mixin-names-'));
  pushgateway = await startPushgateway();
  const run = await runCommand(
    process.execPath,
    [
      `${REPOSITORY}packages/push/dist/bin/tessera-push.js`,
      'exec',
      '--gateway',
      pushgateway.url,
      '--job',
      'bert_finetune',
      '--label',
      'model=bert-base',
      '--metrics-file',
      join(workDirectory, 'metrics.json'),
      '--interval',
      '500ms',
      '--',
      'python3',
      `${REPOSITORY}packages/push/examples/python-training/train.py`,
    ],
    { env: { ...process.env, EPOCHS: '2', EPOCH_SECONDS: '0.2' }, timeoutMs: 60_000 },
  );
  expect(run.code, run.stderr).toBe(0);
  const job = createJob({ job: 'nightly_etl', gateway: pushgateway.url });
  await job.time('load', () => Promise.resolve());
  job.succeed();
  job.fail(new Error('for the names only'));
  expect((await job.push()).ok).toBe(true);
  const scraped = await (await fetch(`${pushgateway.url}/metrics`)).text();
  add(
    [...scraped.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)\{[^}]*job="(?:bert_finetune|nightly_etl)"/gm)].map((match) => match[1]!),
    'batch job pushed with @tessera/push',
  );
  add(['push_time_seconds', 'push_failure_time_seconds'].filter((name) => scraped.includes(`\n${name}{`)), 'Pushgateway');
}, 120_000);

afterAll(async () => {
  await pushgateway?.stop();
  if (workDirectory !== undefined) await rm(workDirectory, { recursive: true, force: true });
});

/** Series Prometheus makes itself: it records `up` and `scrape_*` per target, and `ALERTS` per alert. */
const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS'];

/**
 * Series no exporter emits, written by the services themselves: inference servers instrument their
 * own request latency (the alert's histogram name is an option).
 */
const APPLICATION_SERIES = [`${DEFAULT_OPTIONS.inferenceLatencyHistogram}_bucket`];

const recordingRules = readRuleFile<RecordingRule>('recording').flatMap((group) => group.rules);
const alerts = readRuleFile<AlertingRule>('alerts').flatMap((group) => group.rules);
const recorded = new Set(recordingRules.map((rule) => rule.record));

function unknownReferences(expr: string): string[] {
  const known = (name: string): boolean => catalog.has(name) || recorded.has(name) || PROMETHEUS_SERIES.includes(name) || APPLICATION_SERIES.includes(name);
  return metricNameReferences(expr)
    .filter((reference: NameReference) => (reference.kind === 'name' ? !known(reference.name) : ![...catalog.keys()].some((name) => reference.pattern.test(name))))
    .map((reference) => (reference.kind === 'name' ? reference.name : `{__name__=~"${reference.source}"}`));
}

describe('metric names the mixin reads', () => {
  it('knows the families of every collector, the host and a pushed batch job', () => {
    for (const name of ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'DCGM_FI_DEV_GPU_UTIL', 'purefb_array_space_bytes', 'arkouda_up', 'tessera_collector_part_success', 'process_resident_memory_bytes', 'bert_finetune_last_success_timestamp_seconds', 'bert_finetune_accuracy_ratio', 'nightly_etl_last_failure_timestamp_seconds', 'push_time_seconds']) {
      expect(catalog.has(name), name).toBe(true);
    }
  });

  it('finds names in PromQL, and fails on a name nothing emits', () => {
    expect(unknownReferences('rate(node_cpu_seconds_total[5m]) + DCGM_FI_DEV_GPU_UTIL')).toEqual([]);
    expect(unknownReferences('sum(node_cpu_seconds_totl) / {__name__=~".+_no_such_suffix"}')).toEqual(['node_cpu_seconds_totl', '{__name__=~".+_no_such_suffix"}']);
  });

  it.each(dashboardQueries().map((query) => [`${query.dashboard}: ${query.panel}`, query.expr] as const))('%s', (_where, expr) => {
    expect(unknownReferences(withVariablesResolved(expr))).toEqual([]);
  });

  it.each(recordingRules.map((rule) => [rule.record, rule.expr] as const))('recording rule %s', (_name, expr) => {
    expect(unknownReferences(expr)).toEqual([]);
  });

  it.each(alerts.map((rule) => [rule.alert, rule.expr] as const))('alert %s', (_name, expr) => {
    expect(unknownReferences(expr)).toEqual([]);
  });
});
