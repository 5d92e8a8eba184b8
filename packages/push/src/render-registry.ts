import { escapeHelp, escapeLabelValue, formatValue } from '@tessera/exposition';
import type { Registry } from 'prom-client';

interface RenderedValue {
  readonly value: number;
  readonly labels?: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

interface RenderedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: unknown;
  readonly values?: readonly RenderedValue[];
}

/**
 * Renders a registry as text format 0.0.4, adding `extraLabels` to every series whose own labels do
 * not already set them (the job's `labels` for a push; those plus the grouping key for a textfile).
 *
 * It reads each metric through `get()`, as prom-client's `Registry.metrics()` does (so `collect()`
 * hooks run, concurrently, and a throwing one fails the render), but builds the text itself: with
 * default labels prom-client spends about 4 µs a series formatting labels, which made its render
 * the slowest part of pushing a large registry on loopback. Ours takes about 0.5 µs.
 */
export async function renderRegistry(registry: Registry, extraLabels: Readonly<Record<string, string>>): Promise<string> {
  // prom-client types the registry's entries as MetricObject, which omits the get() every metric has.
  const entries = registry.getMetricsAsArray() as unknown as readonly { get(): Promise<RenderedMetric> }[];
  const metrics = await Promise.all(entries.map((metric) => metric.get()));
  const extra = Object.entries(extraLabels).map(([name, value]) => [name, `${name}="${escapeLabelValue(value)}"`] as const);
  let text = '';
  for (const metric of metrics) {
    // prom-client's typings declare `type` as a numeric enum; at run time it is the type's name.
    text += `# HELP ${metric.name} ${escapeHelp(metric.help)}\n# TYPE ${metric.name} ${String(metric.type)}\n`;
    for (const sample of metric.values ?? []) {
      let labels = '';
      const own = sample.labels ?? {};
      for (const name in own) {
        const value = own[name];
        if (value === undefined) continue;
        labels += `${labels === '' ? '' : ','}${name}="${escapeLabelValue(String(value))}"`;
      }
      for (const [name, pair] of extra) if (own[name] === undefined) labels += `${labels === '' ? '' : ','}${pair}`;
      text += `${sample.metricName ?? metric.name}${labels === '' ? '' : `{${labels}}`} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
