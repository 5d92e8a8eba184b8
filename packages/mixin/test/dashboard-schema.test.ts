import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_FILES, panelsOf, readDashboard } from './promql-names.js';

/*
 * The dashboards are checked against Grafana's own schema, not against the builder that wrote
 * them: @grafana/schema publishes the dashboard model and each panel plugin's options as
 * TypeScript types generated from Grafana's CUE kinds. They are turned into JSON Schema here
 * (ts-json-schema-generator, additional properties refused) and every dashboard, every panel's
 * options and field config, is validated with ajv. Prometheus query targets are not in
 * @grafana/schema; they are checked against the foundation SDK's Prometheus data query type.
 */

const require = createRequire(import.meta.url);
const grafanaSchemaTypes = join(dirname(require.resolve('@grafana/schema/package.json')), 'dist/types/raw');
// The SDK's exports map has no ./package.json; its prometheus entry point lies in dist/prometheus.
const foundationSdkPrometheus = dirname(require.resolve('@grafana/grafana-foundation-sdk/prometheus'));

function schemaOf(path: string, type: string): object {
  return createGenerator({ path, type, skipTypeCheck: true, expose: 'export', additionalProperties: false, topRef: true }).createSchema(type);
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compile = (path: string, type: string): ValidateFunction => ajv.compile(schemaOf(path, type));

const validateDashboard = compile(join(grafanaSchemaTypes, 'dashboard/x/types.gen.d.ts'), 'Dashboard');
const validateTarget = compile(join(foundationSdkPrometheus, 'types.gen.d.ts'), 'Dataquery');
const panelKinds = ['timeseries', 'stat', 'table'] as const;
const validateOptions = Object.fromEntries(
  panelKinds.map((kind) => [kind, { options: compile(join(grafanaSchemaTypes, `composable/${kind}/panelcfg/x/types.gen.d.ts`), 'Options'), custom: compile(join(grafanaSchemaTypes, `composable/${kind}/panelcfg/x/types.gen.d.ts`), 'FieldConfig') }]),
) as Record<(typeof panelKinds)[number], { options: ValidateFunction; custom: ValidateFunction }>;

function errors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`).join('\n');
}

describe('dashboards against the Grafana dashboard schema (@grafana/schema)', () => {
  it('refuses a dashboard Grafana would not read', () => {
    const model = structuredClone(readDashboard('gpus')) as unknown as Record<string, unknown>;
    model.graphTooltip = 'sometimes';
    model.refreshEvery = '30s';
    expect(validateDashboard(model)).toBe(false);
    expect(errors(validateDashboard)).toMatch(/graphTooltip|additional properties/);
  });

  it.each(DASHBOARD_FILES)('%s validates as a Dashboard', (file) => {
    const model = readDashboard(file);
    expect(validateDashboard(model), errors(validateDashboard)).toBe(true);
  });

  it.each(DASHBOARD_FILES)('%s: panel options, field config and Prometheus targets validate', (file) => {
    for (const panel of panelsOf(readDashboard(file)) as unknown as { type: string; title: string; options?: unknown; fieldConfig?: { defaults?: { custom?: unknown } }; targets?: unknown[] }[]) {
      if (panel.type === 'row') continue;
      expect(panelKinds, `${panel.title}: unexpected panel type ${panel.type}`).toContain(panel.type);
      const validate = validateOptions[panel.type as (typeof panelKinds)[number]];
      expect(validate.options(panel.options ?? {}), `${panel.title} options: ${errors(validate.options)}`).toBe(true);
      expect(validate.custom(panel.fieldConfig?.defaults?.custom ?? {}), `${panel.title} field config: ${errors(validate.custom)}`).toBe(true);
      for (const target of panel.targets ?? []) expect(validateTarget(target), `${panel.title} target: ${errors(validateTarget)}`).toBe(true);
    }
  });
});
