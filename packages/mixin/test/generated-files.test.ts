import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildMixin, DEFAULT_OPTIONS, type AlertingRule } from '@tessera/mixin';
import { DASHBOARD_FILES, PACKAGE_DIRECTORY, panelsOf, readDashboard, readRuleFile } from './promql-names.js';

// The files users import are committed; they must be exactly what the TypeScript generates.
// After a change: pnpm --filter @tessera/mixin generate.
describe('generated files', () => {
  const mixin = buildMixin();

  it.each(Object.keys(mixin.files))('%s is up to date', (path) => {
    expect(readFileSync(`${PACKAGE_DIRECTORY}/${path}`, 'utf8'), `${path} differs from the generator: run pnpm --filter @tessera/mixin generate`).toBe(mixin.files[path]);
  });

  it('writes one file per dashboard and both rule files', () => {
    expect(Object.keys(mixin.files).sort()).toEqual([...DASHBOARD_FILES.map((name) => `dashboards/${name}.json`), 'rules/alerts.yaml', 'rules/recording.yaml'].sort());
  });

  it('applies options: thresholds and the runbook location', () => {
    const custom = buildMixin({ gpuTemperatureCelsius: 80, runbookBaseUrl: 'https://wiki.example/tessera' });
    const rules = custom.alerts.flatMap((group) => group.rules);
    const temperature = rules.find((rule) => rule.alert === 'GpuTemperatureHigh');
    expect(temperature?.expr).toBe('DCGM_FI_DEV_GPU_TEMP > 80');
    expect(temperature?.annotations.runbook_url).toBe('https://wiki.example/tessera#gputemperaturehigh');
    expect(buildMixin().files['rules/alerts.yaml']).toContain(`DCGM_FI_DEV_GPU_TEMP > ${DEFAULT_OPTIONS.gpuTemperatureCelsius}`);
  });
});

describe('alerts', () => {
  const alerts = readRuleFile<AlertingRule>('alerts').flatMap((group) => group.rules);
  const readme = readFileSync(`${PACKAGE_DIRECTORY}/README.md`, 'utf8');
  const headings = new Set([...readme.matchAll(/^#{2,4} (.+)$/gm)].map((match) => match[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));

  it('has a unique name for every alert', () => {
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
  });

  it.each(alerts.map((rule) => [rule.alert, rule] as const))('%s has a severity, a summary, a description and a runbook in the README', (_name, rule) => {
    expect(['critical', 'warning']).toContain(rule.labels.severity);
    expect(rule.annotations.summary.length).toBeGreaterThan(10);
    expect(rule.annotations.description.length).toBeGreaterThan(30);
    const [base, anchor] = rule.annotations.runbook_url.split('#');
    expect(base).toBe(DEFAULT_OPTIONS.runbookBaseUrl);
    expect(headings.has(anchor!), `README.md has no heading for #${anchor}`).toBe(true);
  });
});

describe('dashboards', () => {
  it.each(DASHBOARD_FILES)('%s: every panel reads the chosen data source and has a unit', (file) => {
    const model = readDashboard(file);
    const panels = panelsOf(model).filter((panel) => panel.type !== 'row');
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.fieldConfig?.defaults?.unit, `${panel.title} has no unit`).toMatch(/\S/);
      expect(panel.targets?.length, `${panel.title} has no query`).toBeGreaterThan(0);
    }
    // No data source UID of anyone's Grafana is written anywhere in the model.
    expect(JSON.stringify(model)).not.toMatch(/"uid":"(?!\$\{datasource\}|tessera-)[^"]*"/);
  });

  it.each(DASHBOARD_FILES)('%s: starts with the data source and cluster variables', (file) => {
    const variables = readDashboard(file).templating.list;
    expect(variables.slice(0, 2).map((variable) => [variable.name, variable.type])).toEqual([
      ['datasource', 'datasource'],
      ['cluster', 'query'],
    ]);
  });

  it('offers the variables an operator filters by: instance, gpu, pod, array, server, job', () => {
    const names = new Set(DASHBOARD_FILES.flatMap((file) => readDashboard(file).templating.list.map((variable) => variable.name)));
    for (const name of ['cluster', 'instance', 'gpu', 'pod', 'array', 'server', 'job']) expect(names).toContain(name);
  });

  it('gives every dashboard a stable, distinct uid', () => {
    const uids = DASHBOARD_FILES.map((file) => readDashboard(file).uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^tessera-[a-z-]+$/);
  });
});
