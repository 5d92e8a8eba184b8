import { TESSERA } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const V = ['cluster', 'instance', 'collector'];

/** tessera itself: collectors, parts, background tasks, scrape durations, the process. */
export const tesseraDashboard: DashboardSpec = {
  uid: 'tessera-exporter',
  title: 'Tessera / Exporter',
  description: 'The tessera exporters themselves: which collector instances and parts succeed, background tasks, collection and scrape durations, memory and CPU of the process.',
  variables: [
    { name: 'instance', label: 'Exporter', selector: 'tessera_build_info{cluster=~"$cluster"}' },
    { name: 'collector', label: 'Collector', selector: 'tessera_scrape_collector_success{cluster=~"$cluster", instance=~"$instance"}' },
  ],
  rows: [
    {
      title: 'Collectors',
      panels: [
        { kind: 'stat', title: 'Collector success', description: 'Share of collector instances whose last collection succeeded (recording rule).', unit: 'percentunit', width: 12, min: 0, max: 1, queries: [{ expr: select(TESSERA.collectorSuccess.record, ['cluster', 'collector']), legend: '{{collector}}' }] },
        { kind: 'stat', title: 'Part success', description: 'Share of parts (sub-collectors, GPUs, endpoint groups, polls) that succeeded (recording rule).', unit: 'percentunit', width: 12, min: 0, max: 1, queries: [{ expr: select(TESSERA.partSuccess.record, ['cluster', 'collector']), legend: '{{collector}}' }] },
        { kind: 'table', title: 'Failing collector instances', description: 'Collector instances whose last collection failed.', unit: 'none', queries: [{ expr: `${select('tessera_scrape_collector_success', V)} == 0`, instant: true }] },
        { kind: 'table', title: 'Failing parts', description: 'Parts whose last run failed; the status page says why.', unit: 'none', queries: [{ expr: `${select('tessera_collector_part_success', V)} == 0`, instant: true }] },
        { kind: 'timeseries', title: 'Collection duration', description: 'Duration of each collector instance\'s collection.', unit: 's', queries: [{ expr: select('tessera_scrape_collector_duration_seconds', V), legend: '{{instance}} {{collector}}/{{collector_instance}}' }] },
        { kind: 'timeseries', title: 'Slowest parts', description: 'The ten slowest parts.', unit: 's', queries: [{ expr: `topk(10, ${select('tessera_collector_part_duration_seconds', V)})`, legend: '{{instance}} {{collector}}/{{collector_instance}} {{part}}' }] },
      ],
    },
    {
      title: 'Background tasks and snapshots',
      panels: [
        { kind: 'timeseries', title: 'Consecutive task failures', description: 'Failed runs of each background task since its last success.', unit: 'short', queries: [{ expr: select('tessera_collector_task_consecutive_failures', V), legend: '{{instance}} {{collector}}/{{collector_instance}} {{task}}' }] },
        { kind: 'timeseries', title: 'Since last task success', description: 'Seconds since each background task last succeeded.', unit: 's', queries: [{ expr: `time() - ${select('tessera_collector_task_last_success_timestamp_seconds', V)}`, legend: '{{instance}} {{collector}}/{{collector_instance}} {{task}}' }] },
        { kind: 'timeseries', title: 'Snapshot age', description: 'Age of the values served for parts read in the background (GPUs, slow array groups, Arkouda polls).', unit: 's', queries: [{ expr: `time() - ${select('tessera_collector_part_sample_timestamp_seconds', V)}`, legend: '{{instance}} {{collector}}/{{collector_instance}} {{part}}' }] },
        { kind: 'timeseries', title: 'Task duration', description: 'Duration of the last run of each background task.', unit: 's', queries: [{ expr: select('tessera_collector_task_last_duration_seconds', V), legend: '{{instance}} {{collector}}/{{collector_instance}} {{task}}' }] },
      ],
    },
    {
      title: 'Scrapes and process',
      panels: [
        { kind: 'timeseries', title: 'Scrape duration', description: "Prometheus' own measure of each scrape of tessera, per target.", unit: 's', queries: [{ expr: `scrape_duration_seconds and on (instance, job) ${select('tessera_build_info', ['cluster', 'instance'])}`, legend: '{{job}} {{instance}}' }] },
        { kind: 'timeseries', title: 'Samples per scrape', description: 'Series returned per scrape, per target.', unit: 'short', queries: [{ expr: `scrape_samples_scraped and on (instance, job) ${select('tessera_build_info', ['cluster', 'instance'])}`, legend: '{{job}} {{instance}}' }] },
        { kind: 'timeseries', title: 'Resident memory', description: 'RSS of the tessera process.', unit: 'bytes', queries: [{ expr: `process_resident_memory_bytes and on (instance, job) ${select('tessera_build_info', ['cluster', 'instance'])}`, legend: '{{instance}}' }] },
        { kind: 'timeseries', title: 'CPU', description: 'CPU time used per second by the tessera process.', unit: 'percentunit', queries: [{ expr: `rate(process_cpu_seconds_total[$__rate_interval]) and on (instance, job) ${select('tessera_build_info', ['cluster', 'instance'])}`, legend: '{{instance}}' }] },
        { kind: 'table', title: 'Versions', description: 'tessera and Node.js version of each exporter, and the collector packages it runs.', unit: 'none', queries: [{ expr: select('tessera_build_info', ['cluster', 'instance']), instant: true }, { expr: select('tessera_collector_info', V), instant: true }] },
      ],
    },
  ],
};
