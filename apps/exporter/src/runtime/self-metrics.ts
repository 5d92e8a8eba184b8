import { defineMetric, type TaskState } from '@tessera/collector-api';
import { SampleCollection, type CollectedFamily, type PartRecord } from '@tessera/exposition';

/**
 * The label that names a collector instance in the host's own metrics. Not `instance`, which
 * Prometheus sets on every target (it would arrive as `exported_instance`).
 */
export const INSTANCE_LABEL = 'collector_instance';

/** `tessera_scrape_collector_duration_seconds{collector,collector_instance}`: node_exporter's per-collector gauge. */
export const scrapeDurationFamily = defineMetric({
  name: 'tessera_scrape_collector_duration_seconds',
  type: 'gauge',
  help: 'tessera: Duration of a collector scrape.',
  labelNames: ['collector', INSTANCE_LABEL],
  unit: 'seconds',
});

/** `tessera_scrape_collector_success{collector,collector_instance}`: 1 when the collection succeeded. */
export const scrapeSuccessFamily = defineMetric({
  name: 'tessera_scrape_collector_success',
  type: 'gauge',
  help: 'tessera: Whether a collector succeeded.',
  labelNames: ['collector', INSTANCE_LABEL],
});

/** `tessera_collector_part_success{collector,collector_instance,part}`: 1 when the part succeeded. */
export const partSuccessFamily = defineMetric({
  name: 'tessera_collector_part_success',
  type: 'gauge',
  help: 'tessera: Whether a part of a collection (a sub-collector, an endpoint group, a device) succeeded; a failed part costs only its own series.',
  labelNames: ['collector', INSTANCE_LABEL, 'part'],
});

/** `tessera_collector_part_duration_seconds{collector,collector_instance,part}`. */
export const partDurationFamily = defineMetric({
  name: 'tessera_collector_part_duration_seconds',
  type: 'gauge',
  help: 'tessera: Duration of a part of a collection (for a part served from a background snapshot: of the sampling).',
  labelNames: ['collector', INSTANCE_LABEL, 'part'],
  unit: 'seconds',
});

/** `tessera_collector_part_sample_timestamp_seconds`: when a snapshot-served part was sampled. */
export const partSampleTimestampFamily = defineMetric({
  name: 'tessera_collector_part_sample_timestamp_seconds',
  type: 'gauge',
  help: 'tessera: When the background snapshot a part was served from was taken, in seconds since the Unix epoch.',
  labelNames: ['collector', INSTANCE_LABEL, 'part'],
  unit: 'seconds',
});

/** `tessera_collector_task_last_success_timestamp_seconds{collector,collector_instance,task}`. */
export const taskLastSuccessFamily = defineMetric({
  name: 'tessera_collector_task_last_success_timestamp_seconds',
  type: 'gauge',
  help: 'tessera: When a background sampling task last succeeded, in seconds since the Unix epoch (absent before its first success).',
  labelNames: ['collector', INSTANCE_LABEL, 'task'],
  unit: 'seconds',
});

/** `tessera_collector_task_consecutive_failures{collector,collector_instance,task}`. */
export const taskFailuresFamily = defineMetric({
  name: 'tessera_collector_task_consecutive_failures',
  type: 'gauge',
  help: 'tessera: Runs of a background sampling task that failed (or timed out) since its last success.',
  labelNames: ['collector', INSTANCE_LABEL, 'task'],
});

/** `tessera_collector_task_last_duration_seconds{collector,collector_instance,task}`. */
export const taskDurationFamily = defineMetric({
  name: 'tessera_collector_task_last_duration_seconds',
  type: 'gauge',
  help: 'tessera: Duration of the last finished run of a background sampling task.',
  labelNames: ['collector', INSTANCE_LABEL, 'task'],
  unit: 'seconds',
});

/** `tessera_collector_info{collector,package,version}`: which package provides each collector. */
export const collectorInfoFamily = defineMetric({
  name: 'tessera_collector_info',
  type: 'gauge',
  help: 'A metric with a constant 1 value labeled by the package and version providing each enabled collector.',
  labelNames: ['collector', 'package', 'version'],
});

/** `tessera_build_info{version,nodejs_version}`: the host's own build. */
export const buildInfoFamily = defineMetric({
  name: 'tessera_build_info',
  type: 'gauge',
  help: 'A metric with a constant 1 value labeled by the version of tessera and the Node.js version it runs on.',
  labelNames: ['version', 'nodejs_version'],
});

/** Every family the host itself emits; a collector emitting one of these names fails. */
export const SELF_METRIC_FAMILIES = [
  scrapeDurationFamily,
  scrapeSuccessFamily,
  partSuccessFamily,
  partDurationFamily,
  partSampleTimestampFamily,
  taskLastSuccessFamily,
  taskFailuresFamily,
  taskDurationFamily,
  collectorInfoFamily,
  buildInfoFamily,
] as const;

/** One instance's part of a scrape, as the self-metrics report it. */
export interface InstanceReport {
  readonly collector: string;
  readonly instance: string;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly parts: readonly PartRecord[];
  readonly tasks: readonly TaskState[];
}

/** One collector's provenance, for `tessera_collector_info`. */
export interface CollectorProvenance {
  readonly collector: string;
  readonly packageName: string;
  readonly version: string;
}

/** Builds the self-metric families of one scrape (fresh every time, never stored between scrapes). */
export function selfMetricFamilies(
  reports: readonly InstanceReport[],
  collectors: readonly CollectorProvenance[],
  build: { readonly version: string; readonly nodejsVersion: string },
): CollectedFamily[] {
  const sink = new SampleCollection(SELF_METRIC_FAMILIES, 'tessera self-metrics');
  for (const report of reports) {
    const labels = { collector: report.collector, [INSTANCE_LABEL]: report.instance };
    sink.add(scrapeDurationFamily, labels, report.durationSeconds);
    sink.add(scrapeSuccessFamily, labels, report.success ? 1 : 0);
    for (const part of report.parts) {
      const partLabels = { ...labels, part: part.name };
      sink.add(partSuccessFamily, partLabels, part.success ? 1 : 0);
      sink.add(partDurationFamily, partLabels, part.durationSeconds);
      if (part.sampledAt !== undefined) sink.add(partSampleTimestampFamily, partLabels, part.sampledAt / 1000);
    }
    for (const task of report.tasks) {
      const taskLabels = { ...labels, task: task.name };
      if (task.lastSuccessAt !== undefined) sink.add(taskLastSuccessFamily, taskLabels, task.lastSuccessAt / 1000);
      sink.add(taskFailuresFamily, taskLabels, task.consecutiveFailures);
      if (task.lastDurationSeconds !== undefined) sink.add(taskDurationFamily, taskLabels, task.lastDurationSeconds);
    }
  }
  for (const collector of collectors) {
    sink.add(collectorInfoFamily, { collector: collector.collector, package: collector.packageName, version: collector.version }, 1);
  }
  sink.add(buildInfoFamily, { version: build.version, nodejs_version: build.nodejsVersion }, 1);
  return sink.seal();
}
