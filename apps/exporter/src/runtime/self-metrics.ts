import { defineMetric } from '@tessera/collector-api';
import { SampleCollection, type CollectedFamily } from '@tessera/exposition';

/** `tessera_scrape_collector_duration_seconds{collector,instance}`: node_exporter's per-collector gauge. */
export const scrapeDurationFamily = defineMetric({
  name: 'tessera_scrape_collector_duration_seconds',
  type: 'gauge',
  help: 'tessera: Duration of a collector scrape.',
  labelNames: ['collector', 'instance'],
  unit: 'seconds',
});

/** `tessera_scrape_collector_success{collector,instance}`: 1 when the collection succeeded. */
export const scrapeSuccessFamily = defineMetric({
  name: 'tessera_scrape_collector_success',
  type: 'gauge',
  help: 'tessera: Whether a collector succeeded.',
  labelNames: ['collector', 'instance'],
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
export const SELF_METRIC_FAMILIES = [scrapeDurationFamily, scrapeSuccessFamily, collectorInfoFamily, buildInfoFamily] as const;

/** One instance's part of a scrape, as the self-metrics report it. */
export interface InstanceReport {
  readonly collector: string;
  readonly instance: string;
  readonly success: boolean;
  readonly durationSeconds: number;
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
    const labels = { collector: report.collector, instance: report.instance };
    sink.add(scrapeDurationFamily, labels, report.durationSeconds);
    sink.add(scrapeSuccessFamily, labels, report.success ? 1 : 0);
  }
  for (const collector of collectors) {
    sink.add(collectorInfoFamily, { collector: collector.collector, package: collector.packageName, version: collector.version }, 1);
  }
  sink.add(buildInfoFamily, { version: build.version, nodejs_version: build.nodejsVersion }, 1);
  return sink.seal();
}
