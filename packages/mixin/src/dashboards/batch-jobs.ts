import { BATCH, pushedJobSeries } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { byVariables, select } from './selectors.js';

const V = ['cluster', 'job'];
const JOB_LEGEND = '{{job}}';

/**
 * Batch jobs pushed to the Pushgateway with `@tessera/push` or `tessera-push exec`. Each job names
 * its own metrics (`<job>_duration_seconds`), so the panels read the recording rules that gather
 * them by suffix; accuracy and throughput follow the naming of the examples (`<job>_accuracy_ratio`,
 * `<job>_samples_per_second`).
 */
export const batchJobsDashboard: DashboardSpec = {
  uid: 'tessera-batch-jobs',
  title: 'Tessera / Batch jobs',
  description: 'Training runs, ETL steps and other finite jobs pushed to the Pushgateway: last success and failure, run durations, throughput, accuracy, and whether pushes get through.',
  variables: [{ name: 'job', label: 'Job', selector: 'push_time_seconds{cluster=~"$cluster"}' }],
  rows: [
    {
      title: 'Outcomes',
      panels: [
        { kind: 'stat', title: 'Since last success', description: 'Time since the last successful run of each job.', unit: 's', width: 8, queries: [{ expr: `time() - ${select(BATCH.lastSuccess.record, V)}`, legend: JOB_LEGEND }] },
        { kind: 'stat', title: 'Last run failed', description: '1 when the last run of the job failed and none succeeded since.', unit: 'bool_yes_no', width: 8, queries: [{ expr: `(${select(BATCH.lastFailure.record, V)} > bool ${select(BATCH.lastSuccess.record, V)}) or (${select(BATCH.lastSuccess.record, V)} * 0)`, legend: JOB_LEGEND }] },
        { kind: 'stat', title: 'In progress', description: 'Runs under way now (tessera-push exec, or the SDK in-progress gauges).', unit: 'short', width: 8, queries: [{ expr: select(BATCH.inProgress.record, V), legend: JOB_LEGEND }] },
        {
          kind: 'table',
          title: 'Last success and failure',
          description: 'When each job last succeeded and last failed.',
          unit: 'dateTimeFromNow',
          queries: [
            { expr: `${select(BATCH.lastSuccess.record, V)} * 1000`, instant: true },
            { expr: `${select(BATCH.lastFailure.record, V)} * 1000`, instant: true },
          ],
        },
        { kind: 'timeseries', title: 'Exit code', description: 'Exit status of the last run of commands under tessera-push exec (0: success).', unit: 'none', queries: [{ expr: select(BATCH.exitCode.record, V), legend: JOB_LEGEND }] },
      ],
    },
    {
      title: 'Runs',
      panels: [
        { kind: 'timeseries', title: 'Run duration', description: 'How long the current or last run has taken.', unit: 's', queries: [{ expr: select(BATCH.runDuration.record, V), legend: JOB_LEGEND }] },
        { kind: 'timeseries', title: 'Throughput', description: 'Samples per second the job reports (`<job>_samples_per_second`).', unit: 'short', queries: [{ expr: select(BATCH.samplesPerSecond.record, V), legend: JOB_LEGEND }] },
        { kind: 'timeseries', title: 'Accuracy', description: 'Model accuracy the job reports (`<job>_accuracy_ratio`).', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select(BATCH.accuracy.record, V), legend: JOB_LEGEND }] },
        { kind: 'timeseries', title: 'Peak memory', description: "Peak resident memory of the command's process tree (tessera-push exec).", unit: 'bytes', queries: [{ expr: pushedJobSeries('peak_memory_bytes', `, ${byVariables(V)}`), legend: JOB_LEGEND }] },
      ],
    },
    {
      title: 'Pushgateway',
      panels: [
        { kind: 'timeseries', title: 'Since last push', description: 'Seconds since each group was last pushed; a running job pushes every interval.', unit: 's', queries: [{ expr: `time() - ${select('push_time_seconds', V)}`, legend: JOB_LEGEND }] },
        { kind: 'stat', title: 'Failing pushes', description: 'Groups whose last push the Pushgateway refused.', unit: 'short', queries: [{ expr: `count(${select('push_failure_time_seconds', V)} > ${select('push_time_seconds', V)}) or vector(0)` }] },
      ],
    },
  ],
};
