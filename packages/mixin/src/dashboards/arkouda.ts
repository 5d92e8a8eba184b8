import { ARKOUDA } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const V = ['cluster', 'server'];
const LABELS = { server: 'arkouda_server_name' };
const sel = (metric: string, extra = ''): string => select(metric, V, extra, LABELS);

/** Arkouda: requests, response times, memory per locale, users. */
export const arkoudaDashboard: DashboardSpec = {
  uid: 'tessera-arkouda',
  title: 'Tessera / Arkouda',
  description: 'Arkouda servers polled by tessera: whether each answers, requests and errors, response times per command, memory per locale, activity per user.',
  variables: [{ name: 'server', label: 'Server', selector: 'arkouda_up{cluster=~"$cluster"}', labelName: 'arkouda_server_name' }],
  rows: [
    {
      title: 'Servers',
      panels: [
        { kind: 'stat', title: 'Server up', description: 'arkouda_up: whether the last poll of the metrics daemon succeeded.', unit: 'bool_yes_no', width: 8, queries: [{ expr: sel('arkouda_up'), legend: '{{arkouda_server_name}}' }] },
        { kind: 'stat', title: 'Age of the served metrics', description: 'arkouda_snapshot_age_seconds: how old the values served are.', unit: 's', width: 8, queries: [{ expr: sel('arkouda_snapshot_age_seconds'), legend: '{{arkouda_server_name}}' }] },
        { kind: 'table', title: 'Versions and locales', description: 'Arkouda version, host and number of locales of each server.', unit: 'none', width: 8, queries: [{ expr: sel('arkouda_server_information_info'), instant: true }] },
      ],
    },
    {
      title: 'Requests',
      panels: [
        { kind: 'timeseries', title: 'Requests', description: 'Commands run per second (recording rule).', unit: 'reqps', queries: [{ expr: select(ARKOUDA.requests.record, V, '', LABELS), legend: '{{arkouda_server_name}}' }] },
        { kind: 'timeseries', title: 'Errors', description: 'Errors per second.', unit: 'reqps', queries: [{ expr: `rate(${sel('arkouda_errors_total')}[$__rate_interval])`, legend: '{{arkouda_server_name}}' }] },
        { kind: 'timeseries', title: 'Requests per command', description: 'Runs per second of each command.', unit: 'reqps', queries: [{ expr: `sum by (arkouda_server_name, command) (rate(${sel('arkouda_command_requests_total')}[$__rate_interval]))`, legend: '{{arkouda_server_name}} {{command}}' }] },
        { kind: 'timeseries', title: 'Response time per command', description: 'Mean seconds per run of each command over 5 minutes (recording rule).', unit: 's', queries: [{ expr: select(ARKOUDA.commandResponseTime.record, V, '', LABELS), legend: '{{arkouda_server_name}} {{command}}' }] },
      ],
    },
    {
      title: 'Memory and users',
      panels: [
        { kind: 'timeseries', title: 'Memory used per locale', description: 'Percent of the locale memory Arkouda uses.', unit: 'percent', min: 0, max: 100, queries: [{ expr: sel('arkouda_pct_memory_used_per_locale'), legend: '{{arkouda_server_name}} {{locale_name}}' }] },
        { kind: 'timeseries', title: 'Bytes used per locale', description: 'arkouda_memory_used_per_locale.', unit: 'bytes', queries: [{ expr: sel('arkouda_memory_used_per_locale'), legend: '{{arkouda_server_name}} {{locale_name}}' }] },
        { kind: 'timeseries', title: 'Requests per user', description: 'Commands per second per user (recording rule).', unit: 'reqps', queries: [{ expr: select(ARKOUDA.userRequests.record, V, '', LABELS), legend: '{{arkouda_server_name}} {{user}}' }] },
        { kind: 'table', title: 'Commands per user', description: 'Runs of each command by each user since the server started.', unit: 'short', queries: [{ expr: sel('arkouda_user_command_requests_total'), instant: true }] },
      ],
    },
  ],
};
