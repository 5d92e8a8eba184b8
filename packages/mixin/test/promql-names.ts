import { parser } from '@prometheus-io/lezer-promql';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { AlertingRule, RecordingRule, RuleGroup } from '../src/index.js';

/** The package directory, where the generated files are. */
export const PACKAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));

/** How a query names the series it reads: by name, or by a regex on `__name__`. */
export type NameReference = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'regex'; readonly pattern: RegExp; readonly source: string };

/** Every metric name (or `__name__` regex) a PromQL expression reads. Throws on a syntax error. */
export function metricNameReferences(expression: string): NameReference[] {
  const tree = parser.parse(expression);
  const references: NameReference[] = [];
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) throw new Error(`PromQL syntax error at ${cursor.from} in ${expression}`);
    if (cursor.name !== 'VectorSelector') continue;
    const selector = expression.slice(cursor.from, cursor.to);
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(selector)?.[0];
    if (name !== undefined) {
      references.push({ kind: 'name', name });
      continue;
    }
    const matcher = /__name__\s*(=~|=)\s*"((?:[^"\\]|\\.)*)"/.exec(selector);
    if (matcher === undefined || matcher === null) throw new Error(`selector without a metric name: ${selector}`);
    const value = matcher[2]!;
    references.push(matcher[1] === '=' ? { kind: 'name', name: value } : { kind: 'regex', pattern: new RegExp(`^(?:${value})$`), source: value });
  } while (cursor.next());
  return references;
}

/** A query a dashboard runs: a panel target, or the selector of a template variable. */
export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

interface PanelJson {
  readonly title?: string;
  readonly type?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly PanelJson[];
  readonly fieldConfig?: { readonly defaults?: { readonly unit?: string } };
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

/** A dashboard JSON model, as far as the tests read it. */
export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelJson[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly type: string; readonly query?: unknown; readonly datasource?: { readonly uid?: string } }[] };
}

export const DASHBOARD_FILES = ['cluster-overview', 'hosts', 'gpus', 'flashblade', 'arkouda', 'batch-jobs', 'tessera'] as const;

export function readDashboard(name: string): DashboardJson {
  return JSON.parse(readFileSync(`${PACKAGE_DIRECTORY}/dashboards/${name}.json`, 'utf8')) as DashboardJson;
}

/** Every panel of a dashboard, rows' nested panels included. */
export function panelsOf(model: DashboardJson): PanelJson[] {
  return model.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every panel query of every shipped dashboard, and the selector inside each `label_values()` variable. */
export function dashboardQueries(): DashboardQuery[] {
  return DASHBOARD_FILES.flatMap((file) => {
    const model = readDashboard(file);
    const panels = panelsOf(model).flatMap((panel) => (panel.targets ?? []).map((target) => ({ dashboard: file, panel: panel.title ?? '', expr: target.expr ?? '' })));
    const variables = model.templating.list.flatMap((variable) => {
      const match = typeof variable.query === 'string' ? /^label_values\((.*), *([a-zA-Z_]+)\)$/.exec(variable.query) : null;
      return match === null ? [] : [{ dashboard: file, panel: `variable ${variable.name} (label ${match[2]!})`, expr: match[1]! }];
    });
    return [...panels, ...variables];
  });
}

/** The shipped rule files. */
export function readRuleFile<TRule extends AlertingRule | RecordingRule>(name: 'alerts' | 'recording'): RuleGroup<TRule>[] {
  return (parse(readFileSync(`${PACKAGE_DIRECTORY}/rules/${name}.yaml`, 'utf8')) as { groups: RuleGroup<TRule>[] }).groups;
}

/** Grafana's built-in variables as a query sees them when a dashboard shows "All" and the last hour. */
export function withVariablesResolved(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '30s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, '.*');
}
