import { BATCH, FLASHBLADE, GPU, TESSERA } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const C = ['cluster'];

/** The single pane: every target and collector, GPUs, storage, Arkouda and job outcomes at a glance. */
export const overviewDashboard: DashboardSpec = {
  uid: 'tessera-overview',
  title: 'Tessera / Cluster overview',
  description: 'The whole AI cluster on one page: health of every scrape target and collector, GPU utilization and memory, storage capacity and throughput, Arkouda servers, batch job outcomes and the alerts firing now.',
  variables: [],
  rows: [
    {
      title: 'Health',
      panels: [
        { kind: 'stat', title: 'Targets up', description: 'Scrape targets Prometheus reached on its last scrape, out of all of them.', unit: 'short', width: 6, queries: [{ expr: `sum(${select('up', C)})`, legend: 'up' }, { expr: `count(${select('up', C)})`, legend: 'targets' }] },
        { kind: 'stat', title: 'Collectors succeeding', description: 'Share of collector instances whose last collection succeeded, per collector (recording rule).', unit: 'percentunit', width: 6, min: 0, max: 1, queries: [{ expr: select(TESSERA.collectorSuccess.record, C), legend: '{{collector}}' }] },
        { kind: 'stat', title: 'Alerts firing', description: 'Alerts of these rules firing now, by severity.', unit: 'short', width: 6, queries: [{ expr: `count by (severity) (${select('ALERTS', C, 'alertstate="firing"')}) or vector(0)`, legend: '{{severity}}' }] },
        { kind: 'stat', title: 'Arkouda servers up', description: 'Arkouda servers whose metrics daemon answers.', unit: 'short', width: 6, queries: [{ expr: `sum(${select('arkouda_up', C)})`, legend: 'up' }] },
        { kind: 'table', title: 'Targets down', description: 'Scrape targets Prometheus could not reach on its last scrape.', unit: 'none', queries: [{ expr: `${select('up', C)} == 0`, instant: true }] },
        { kind: 'table', title: 'Alerts', description: 'Alerts firing or pending now.', unit: 'none', queries: [{ expr: select('ALERTS', C), instant: true }] },
      ],
    },
    {
      title: 'GPUs',
      panels: [
        { kind: 'timeseries', title: 'GPU utilization', description: 'Mean utilization of all GPUs, and per node (recording rules).', unit: 'percent', min: 0, max: 100, queries: [{ expr: select(GPU.clusterUtilization.record, C), legend: 'cluster' }, { expr: select(GPU.instanceUtilization.record, C), legend: '{{instance}}' }] },
        { kind: 'timeseries', title: 'GPU memory', description: 'Framebuffer memory used, out of the total of all GPUs (recording rules).', unit: 'bytes', min: 0, queries: [{ expr: select(GPU.clusterMemoryUsed.record, C), legend: 'used' }, { expr: select(GPU.clusterMemoryTotal.record, C), legend: 'total' }] },
        { kind: 'timeseries', title: 'GPU power', description: 'Power drawn by all GPUs (recording rule).', unit: 'watt', min: 0, queries: [{ expr: select(GPU.clusterPower.record, C), legend: 'power' }] },
        { kind: 'timeseries', title: 'GPU utilization per pod', description: 'Mean utilization of the GPUs each pod holds (recording rule).', unit: 'percent', min: 0, max: 100, queries: [{ expr: select(GPU.podUtilization.record, C), legend: '{{namespace}}/{{pod}}' }] },
      ],
    },
    {
      title: 'Storage',
      panels: [
        { kind: 'stat', title: 'FlashBlade capacity used', description: 'Physical space used per array.', unit: 'percent', width: 8, min: 0, max: 100, queries: [{ expr: select('purefb_array_space_utilization', C, 'type="array"'), legend: '{{array}}' }] },
        { kind: 'timeseries', title: 'FlashBlade throughput', description: 'Bytes read and written per second per array (recording rule).', unit: 'Bps', width: 16, queries: [{ expr: select(FLASHBLADE.bandwidth.record, C), legend: '{{array}} {{dimension}}' }] },
      ],
    },
    {
      title: 'Batch jobs',
      panels: [
        { kind: 'table', title: 'Last success', description: 'When each pushed batch job last succeeded.', unit: 'dateTimeFromNow', queries: [{ expr: `${select(BATCH.lastSuccess.record, C)} * 1000`, instant: true }] },
        { kind: 'table', title: 'Failed last run', description: 'Jobs whose last run failed and have not succeeded since.', unit: 'dateTimeFromNow', queries: [{ expr: `(${select(BATCH.lastFailure.record, C)} > ${select(BATCH.lastSuccess.record, C)}) * 1000`, instant: true }] },
      ],
    },
  ],
};
