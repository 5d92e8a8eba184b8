import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { arkoudaDashboard } from './arkouda.js';
import { batchJobsDashboard } from './batch-jobs.js';
import { buildDashboard, type DashboardSpec } from './builder.js';
import { flashBladeDashboard } from './flashblade.js';
import { gpusDashboard } from './gpus.js';
import { hostsDashboard } from './hosts.js';
import { overviewDashboard } from './overview.js';
import { tesseraDashboard } from './tessera.js';

/** Every dashboard, by the file name it is written to (`dashboards/<name>.json`). */
export const DASHBOARD_SPECS: Readonly<Record<string, DashboardSpec>> = {
  'cluster-overview': overviewDashboard,
  hosts: hostsDashboard,
  gpus: gpusDashboard,
  flashblade: flashBladeDashboard,
  arkouda: arkoudaDashboard,
  'batch-jobs': batchJobsDashboard,
  tessera: tesseraDashboard,
};

/** The dashboards as Grafana JSON models, by file name. */
export function buildDashboards(): Record<string, Dashboard> {
  return Object.fromEntries(Object.entries(DASHBOARD_SPECS).map(([name, spec]) => [name, buildDashboard(spec)]));
}
