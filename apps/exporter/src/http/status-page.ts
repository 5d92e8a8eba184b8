import type { TaskState } from '@tessera/collector-api';
import type { InstanceStatus } from '../runtime/collector-instance.js';

/** One collector instance on the status page. */
export interface StatusRow {
  readonly collector: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly description: string;
  readonly cacheTtlSeconds: number | undefined;
  /** Whether the collector's series carry an instance label the host adds (`instanceLabel`), so `/probe` applies. */
  readonly probeable: boolean;
  readonly status: InstanceStatus;
}

/** Everything the status page shows. Error texts in it are already redacted. */
export interface StatusPage {
  readonly version: string;
  readonly nodejsVersion: string;
  /** Wall-clock ms now, and when the exporter started. */
  readonly now: number;
  readonly startedAt: number;
  /** The config file as shown in messages, `undefined` when running on defaults. */
  readonly configFile: string | undefined;
  /** Where the server listens (`[::]:8900`), empty before `listen()`. */
  readonly listenAddresses: readonly string[];
  readonly rows: readonly StatusRow[];
}

// How often the page reloads itself (no JavaScript: a meta refresh).
const REFRESH_SECONDS = 15;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A duration in the largest unit that keeps it readable. */
function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function ago(now: number, at: number): string {
  return `${duration(Math.max(0, (now - at) / 1000))} ago`;
}

/** The health of an instance: what its badge says, and why. */
function health(row: StatusRow): { readonly state: 'ok' | 'degraded' | 'failing' | 'waiting'; readonly summary: string } {
  const { last, createError } = row.status;
  if (createError !== undefined) return { state: 'failing', summary: `cannot be created: ${createError}` };
  if (last === undefined) return { state: 'waiting', summary: 'not scraped yet' };
  if (!last.success) return { state: 'failing', summary: `failed: ${last.error ?? 'unknown error'}` };
  const failedParts = last.parts.filter((part) => !part.success).length;
  const failingTasks = row.status.tasks.filter((task) => task.consecutiveFailures > 0).length;
  if (failedParts > 0) return { state: 'degraded', summary: `partly failed: ${failedParts} of ${last.parts.length} parts` };
  if (failingTasks > 0) return { state: 'degraded', summary: `ok, but ${failingTasks} background task${failingTasks === 1 ? ' is' : 's are'} failing` };
  return { state: 'ok', summary: last.cached ? 'ok (cached)' : 'ok' };
}

function taskLine(task: TaskState, now: number): string {
  const state = task.lastError === undefined ? 'ok' : `failing ${task.consecutiveFailures}× — ${task.lastError}`;
  const success = task.lastSuccessAt === undefined ? 'never succeeded' : `last success ${ago(now, task.lastSuccessAt)}`;
  const extras = [
    task.lastDurationSeconds === undefined ? '' : `last run ${duration(task.lastDurationSeconds)}`,
    task.running ? 'running now' : '',
    task.abandonedRuns > 0 ? `${task.abandonedRuns} hung run${task.abandonedRuns === 1 ? '' : 's'}` : '',
  ].filter((text) => text !== '');
  return `task ${task.name} (every ${duration(task.intervalMs / 1000)}): ${state}; ${success}${extras.length === 0 ? '' : `; ${extras.join(', ')}`}`;
}

function instanceCard(row: StatusRow, now: number): string {
  const { last } = row.status;
  const { state, summary } = health(row);
  const failingParts = (last?.parts ?? []).filter((part) => !part.success);
  const details: string[] = [];
  if (failingParts.length > 0) {
    details.push(`<p>Failing parts:</p><ul>${failingParts.map((part) => `<li><code>${escapeHtml(part.name)}</code>: ${escapeHtml(part.error ?? 'unknown error')}</li>`).join('')}</ul>`);
  }
  if (row.status.tasks.length > 0) details.push(`<p>Background tasks:</p><ul>${row.status.tasks.map((task) => `<li>${escapeHtml(taskLine(task, now))}</li>`).join('')}</ul>`);
  const facts = [
    ['Last scrape', last === undefined ? '—' : ago(now, last.at)],
    ['Duration', last === undefined ? '—' : duration(last.durationSeconds)],
    ['Parts', last === undefined || last.parts.length === 0 ? '—' : `${last.parts.length - failingParts.length} of ${last.parts.length} ok`],
    ['Ready', row.status.ready ? 'yes' : 'not yet'],
    ['Cache', row.cacheTtlSeconds === undefined || row.cacheTtlSeconds === 0 ? 'none' : `${row.cacheTtlSeconds} s`],
    ['Package', `${row.packageName} ${row.version}`],
  ];
  const collector = encodeURIComponent(row.collector);
  const links = [`<a href="metrics/${collector}">/metrics/${escapeHtml(row.collector)}</a>`];
  if (row.probeable) links.push(`<a href="probe?collector=${collector}&amp;target=${encodeURIComponent(row.instance)}">/probe?collector=${escapeHtml(row.collector)}&amp;target=${escapeHtml(row.instance)}</a>`);
  return [
    `<section class="card ${state}" data-state="${state}" data-collector="${escapeHtml(row.collector)}" data-instance="${escapeHtml(row.instance)}">`,
    `<h2><span class="badge">${state}</span> ${escapeHtml(row.collector)} <small>${escapeHtml(row.instance)}</small></h2>`,
    `<p class="summary">${escapeHtml(summary)}</p>`,
    `<dl>${facts.map(([term, value]) => `<div><dt>${escapeHtml(term ?? '')}</dt><dd>${escapeHtml(value ?? '')}</dd></div>`).join('')}</dl>`,
    ...details,
    `<p class="links">${links.join(' · ')}</p>`,
    `<p class="description">${escapeHtml(row.description)}</p>`,
    '</section>',
  ].join('');
}

const STYLE = `
:root{color-scheme:light dark;--ok:#1b7f3b;--degraded:#a15c00;--failing:#b3261e;--waiting:#5f6368;--line:#8884}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1rem}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.05rem;margin:0 0 .3rem;overflow-wrap:anywhere}h2 small{font-weight:normal;opacity:.75}
header p,nav{margin:.3rem 0}nav a{margin-right:.8rem;white-space:nowrap}
.totals span{margin-right:1rem}.cards{display:grid;gap:.8rem;grid-template-columns:repeat(auto-fill,minmax(19rem,1fr));margin-top:1rem}
.card{border:1px solid var(--line);border-left:.4rem solid var(--waiting);border-radius:.4rem;padding:.7rem .8rem;overflow-wrap:anywhere}
.card.ok{border-left-color:var(--ok)}.card.degraded{border-left-color:var(--degraded)}.card.failing{border-left-color:var(--failing)}
.badge{border-radius:.3rem;color:#fff;font-size:.75rem;padding:.05rem .4rem;text-transform:uppercase;vertical-align:middle;background:var(--waiting)}
.ok .badge{background:var(--ok)}.degraded .badge{background:var(--degraded)}.failing .badge{background:var(--failing)}
.summary{font-weight:600;margin:.2rem 0}.failing .summary{color:var(--failing)}.degraded .summary{color:var(--degraded)}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(8rem,1fr));gap:.2rem .8rem;margin:.4rem 0}dt{font-size:.75rem;opacity:.7}dd{margin:0}
ul{margin:.2rem 0 .4rem;padding-left:1.2rem}.description{font-size:.85rem;opacity:.75;margin:.3rem 0 0}.links{margin:.3rem 0}
code{font-size:.9em}footer{font-size:.8rem;opacity:.7;margin-top:1.2rem}
`;

/**
 * The landing page at `/`: every collector instance with its health, last scrape, failing parts and
 * background tasks; the exporter's version, uptime, config file and listen addresses; links to
 * every route. Plain HTML and inline CSS (no scripts, no external assets), readable on a phone,
 * reloading itself every 15 s. Every value is escaped.
 */
export function renderStatusPage(page: StatusPage): string {
  const counts = { ok: 0, degraded: 0, failing: 0, waiting: 0 };
  for (const row of page.rows) counts[health(row).state]++;
  const probeExample = page.rows.find((row) => row.probeable);
  const nav = [
    '<a href="metrics">/metrics</a>',
    ...[...new Set(page.rows.map((row) => row.collector))].map((collector) => `<a href="metrics/${encodeURIComponent(collector)}">/metrics/${escapeHtml(collector)}</a>`),
    ...(probeExample === undefined
      ? []
      : [`<a href="probe?collector=${encodeURIComponent(probeExample.collector)}&amp;target=${encodeURIComponent(probeExample.instance)}">/probe?collector=${escapeHtml(probeExample.collector)}&amp;target=${escapeHtml(probeExample.instance)}</a>`]),
    '<a href="-/healthy">/-/healthy</a>',
    '<a href="-/ready">/-/ready</a>',
  ];
  const overall = counts.failing > 0 ? 'failing' : counts.degraded > 0 ? 'degraded' : counts.waiting > 0 ? 'waiting' : 'ok';
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="refresh" content="${REFRESH_SECONDS}">`,
    `<title>${overall === 'ok' ? '' : `(${overall}) `}Tessera exporter</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body data-state="${overall}">`,
    '<header>',
    `<h1>Tessera exporter ${escapeHtml(page.version)}</h1>`,
    `<p>Up ${duration((page.now - page.startedAt) / 1000)} · Node.js ${escapeHtml(page.nodejsVersion)} · config ${page.configFile === undefined ? 'defaults (no file)' : `<code>${escapeHtml(page.configFile)}</code>`} · listening on ${page.listenAddresses.length === 0 ? '—' : page.listenAddresses.map((address) => `<code>${escapeHtml(address)}</code>`).join(', ')}</p>`,
    `<p class="totals"><span>${page.rows.length} instance${page.rows.length === 1 ? '' : 's'}</span><span>${counts.ok} ok</span><span>${counts.degraded} degraded</span><span>${counts.failing} failing</span><span>${counts.waiting} not scraped yet</span></p>`,
    `<nav>${nav.join(' ')}</nav>`,
    '</header>',
    page.rows.length === 0 ? '<p>No collector is enabled.</p>' : `<main class="cards">${page.rows.map((row) => instanceCard(row, page.now)).join('\n')}</main>`,
    `<footer>Reloads every ${REFRESH_SECONDS} s · ${escapeHtml(new Date(page.now).toISOString())}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
