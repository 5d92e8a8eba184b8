/** One row of the status page: one collector instance. */
export interface StatusRow {
  readonly collector: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly description: string;
  readonly cacheTtlSeconds: number | undefined;
  /** `undefined` before the first scrape. */
  readonly last: { readonly success: boolean; readonly durationSeconds: number; readonly error: string | undefined; readonly cached: boolean; readonly at: number } | undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The landing page at `/`: plain HTML, no scripts, every value escaped. */
export function renderStatusPage(page: { readonly version: string; readonly rows: readonly StatusRow[] }): string {
  const rows = page.rows.map((row) => {
    const last = row.last;
    const result = last === undefined ? 'not scraped yet' : last.success ? (last.cached ? 'ok (cached)' : 'ok') : `failed: ${last.error ?? 'unknown error'}`;
    const cells = [
      `<a href="metrics/${encodeURIComponent(row.collector)}">${escapeHtml(row.collector)}</a>`,
      escapeHtml(row.instance),
      escapeHtml(row.packageName),
      escapeHtml(row.version),
      last === undefined ? '' : `${last.durationSeconds.toFixed(3)} s`,
      escapeHtml(result),
      last === undefined ? '' : escapeHtml(new Date(last.at).toISOString()),
      row.cacheTtlSeconds === undefined || row.cacheTtlSeconds === 0 ? '' : `${row.cacheTtlSeconds} s`,
      escapeHtml(row.description),
    ];
    return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Tessera exporter</title></head>',
    '<body>',
    `<h1>Tessera exporter ${escapeHtml(page.version)}</h1>`,
    '<p><a href="metrics">Metrics</a> · <a href="-/healthy">Health</a> · <a href="-/ready">Readiness</a></p>',
    '<table border="1" cellpadding="4">',
    '<thead><tr><th>Collector</th><th>Instance</th><th>Package</th><th>Version</th><th>Last duration</th><th>Last result</th><th>Last scrape</th><th>Cache TTL</th><th>Description</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    page.rows.length === 0 ? '<p>No collector is enabled.</p>' : '',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
