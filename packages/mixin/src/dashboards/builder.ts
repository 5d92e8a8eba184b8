import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';

/*
 * A thin layer over Grafana's foundation SDK that keeps the dashboards alike: every panel reads the
 * data source chosen in the `datasource` variable (no data source UID is written into a dashboard),
 * every panel has a unit, every template variable is multi-valued with an "All" that matches series
 * without the label too (`.*`), so a cluster without a `cluster` label, or GPUs no pod holds, still
 * show.
 */

/** Every panel's data source: whichever Prometheus the viewer picks. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** One query of a panel. `legend` is a Grafana legend format (`{{instance}}`). */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
  /** An instant query (tables, stats of the latest value). */
  readonly instant?: boolean;
}

/** A panel: what it shows, in which unit, with which queries. */
export interface PanelSpec {
  readonly kind: 'timeseries' | 'stat' | 'table';
  readonly title: string;
  readonly description: string;
  /** A Grafana unit id: `percent`, `bytes`, `Bps`, `s`, `celsius`, `watt`, `short`, `dateTimeFromNow`, … */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Grid columns out of 24 (default 12). */
  readonly width?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Timeseries only: stack the series. */
  readonly stacked?: boolean;
}

/** A template variable filled from `label_values(<selector>, <label>)`. */
export interface VariableSpec {
  readonly name: string;
  readonly label: string;
  /** The series whose label values are offered; may refer to earlier variables. */
  readonly selector: string;
  /** The label whose values are offered (default: the variable's name). */
  readonly labelName?: string;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Stable, so that re-imports replace the dashboard and links between dashboards keep working. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariableSpec[];
  readonly rows: readonly RowSpec[];
}

/** The tag every dashboard carries; the dashboards link to each other through it. */
export const DASHBOARD_TAG = 'tessera';

/** The cluster variable every dashboard starts with (after the data source). */
export const CLUSTER_VARIABLE: VariableSpec = { name: 'cluster', label: 'Cluster', selector: 'up' };

function target(query: Query, index: number): prometheus.DataqueryBuilder {
  const builder = new prometheus.DataqueryBuilder()
    .expr(query.expr)
    .refId(String.fromCharCode(65 + index))
    .legendFormat(query.legend ?? '__auto');
  return query.instant === true ? builder.instant().format(prometheus.PromQueryFormat.Table) : builder.range();
}

function panel(spec: PanelSpec): timeseries.PanelBuilder | stat.PanelBuilder | table.PanelBuilder {
  const builder =
    spec.kind === 'timeseries'
      ? new timeseries.PanelBuilder().fillOpacity(spec.stacked === true ? 30 : 10).stacking(new common.StackingConfigBuilder().mode(spec.stacked === true ? common.StackingMode.Normal : common.StackingMode.None))
      : spec.kind === 'stat'
        ? new stat.PanelBuilder().graphMode(common.BigValueGraphMode.Area)
        : // Grafana's table field config requires alignment, cell options and inspect.
          new table.PanelBuilder().align(common.FieldTextAlignment.Auto).cellOptions({ type: common.TableCellDisplayMode.Auto }).inspect(false);
  builder
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  spec.queries.forEach((query, index) => builder.withTarget(target(query, index)));
  return builder;
}

function variable(spec: VariableSpec): dashboard.QueryVariableBuilder {
  const query = `label_values(${spec.selector}, ${spec.labelName ?? spec.name})`;
  return new dashboard.QueryVariableBuilder(spec.name)
    .label(spec.label)
    .datasource(DATASOURCE)
    .query(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });
}

/** The dashboard JSON a user imports into Grafana. */
export function buildDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('Tessera').type(dashboard.DashboardLinkType.Dashboards).tags([DASHBOARD_TAG]).asDropdown(true).includeVars(true).keepTime(true))
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const variableSpec of [CLUSTER_VARIABLE, ...spec.variables]) builder.withVariable(variable(variableSpec));
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const panelSpec of row.panels) builder.withPanel(panel(panelSpec));
  }
  return conformingToGrafanaSchema(builder.build());
}

/**
 * Drops what the SDK writes but Grafana's dashboard schema (@grafana/schema 13) no longer has: the
 * interval variable's `auto`, `auto_min` and `auto_count` on every variable, and the table panel's
 * `footer` option (table footers moved to the field config).
 */
function conformingToGrafanaSchema(built: dashboard.Dashboard): dashboard.Dashboard {
  const list = built.templating?.list?.map((entry) => {
    const { auto: _auto, auto_min: _autoMin, auto_count: _autoCount, ...rest } = entry;
    return rest;
  });
  const panels = built.panels?.map((entry) => {
    if (entry.type !== 'table' || !('options' in entry) || typeof entry.options !== 'object' || entry.options === null) return entry;
    const { footer: _footer, ...options } = entry.options as Record<string, unknown>;
    return { ...entry, options };
  });
  return { ...built, templating: { list }, ...(panels === undefined ? {} : { panels }) };
}
