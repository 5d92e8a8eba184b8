import type { TaskState } from '@tessera/collector-api';
import type { InstanceStatus } from '../runtime/collector-instance.js';

/** One row of the status page: one collector instance. */
export interface StatusRow {
  readonly collector: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly description: string;
  readonly cacheTtlSeconds: number | undefined;
  readonly status: InstanceStatus;
}

/** Everything the status page shows. Error texts in it are already redacted. */
export interface StatusPage {
  readonly version: string;
  readonly now: number;
  readonly rows: readonly StatusRow[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function ago(now: number, at: number): string {
  const seconds = Math.max(0, (now - at) / 1000);
  return seconds < 120 ? `${seconds.toFixed(1)} s ago` : `${(seconds / 60).toFixed(1)} min ago`;
}

/** What the "Result" cell says about an instance. */
function describeResult(row: StatusRow): { readonly text: string; readonly failing: boolean } {
  const { last, createError } = row.status;
  if (createError !== undefined) return { text: `cannot be created: ${createError}`, failing: true };
  if (last === undefined) return { text: 'not scraped yet', failing: false };
  if (!last.success) return { text: `failed: ${last.error ?? 'unknown error'}`, failing: true };
  const failedParts = last.parts.filter((part) => !part.success);
  if (failedParts.length > 0) return { text: `partly failed: ${failedParts.length} of ${last.parts.length} parts`, failing: true };
  return { text: last.cached ? 'ok (cached)' : 'ok', failing: false };
}

function describeTask(task: TaskState, now: number): string {
  const health = task.lastError === undefined ? 'ok' : `failing (${task.consecutiveFailures}×): ${task.lastError}`;
  const success = task.lastSuccessAt === undefined ? 'never succeeded' : `last success ${ago(now, task.lastSuccessAt)}`;
  const extras = [task.running ? 'running now' : '', task.abandonedRuns > 0 ? `${task.abandonedRuns} hung run${task.abandonedRuns === 1 ? '' : 's'}` : ''].filter((text) => text !== '');
  return `task ${task.name} every ${task.intervalMs / 1000} s: ${health}; ${success}${extras.length === 0 ? '' : `; ${extras.join(', ')}`}`;
}

/** The landing page at `/`: plain HTML, no scripts, every value escaped. */
export function renderStatusPage(page: StatusPage): string {
  const rows = page.rows.map((row) => {
    const { last } = row.status;
    const result = describeResult(row);
    const details = [
      ...(last?.parts ?? []).filter((part) => !part.success).map((part) => `part ${part.name} failed: ${part.error ?? 'unknown error'}`),
      ...row.status.tasks.map((task) => describeTask(task, page.now)),
    ];
    const cells = [
      `<a href="metrics/${encodeURIComponent(row.collector)}">${escapeHtml(row.collector)}</a>`,
      escapeHtml(row.instance),
      escapeHtml(`${row.packageName} ${row.version}`),
      row.status.ready ? 'yes' : 'no',
      last === undefined ? '' : `${last.durationSeconds.toFixed(3)} s`,
      `<span class="${result.failing ? 'failing' : 'ok'}">${escapeHtml(result.text)}</span>${details.length === 0 ? '' : `<ul>${details.map((detail) => `<li>${escapeHtml(detail)}</li>`).join('')}</ul>`}`,
      last === undefined ? '' : escapeHtml(ago(page.now, last.at)),
      row.cacheTtlSeconds === undefined || row.cacheTtlSeconds === 0 ? '' : `${row.cacheTtlSeconds} s`,
      escapeHtml(row.description),
    ];
    return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Tessera exporter</title>',
    '<style>body{font-family:sans-serif}td{vertical-align:top}.failing{color:#b00020;font-weight:bold}.ok{color:#1b5e20}</style></head>',
    '<body>',
    `<h1>Tessera exporter ${escapeHtml(page.version)}</h1>`,
    '<p><a href="metrics">Metrics</a> · <a href="-/healthy">Health</a> · <a href="-/ready">Readiness</a></p>',
    '<table border="1" cellpadding="4">',
    '<thead><tr><th>Collector</th><th>Instance</th><th>Package</th><th>Ready</th><th>Last duration</th><th>Last result</th><th>Last scrape</th><th>Cache TTL</th><th>Description</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    page.rows.length === 0 ? '<p>No collector is enabled.</p>' : '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
