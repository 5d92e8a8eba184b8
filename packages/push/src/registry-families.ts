import type { CollectedFamily, Series } from '@tessera/exposition';
import type { Registry } from 'prom-client';

type PlainType = 'counter' | 'gauge' | 'untyped' | 'histogram' | 'summary';

interface RegistryValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

/**
 * Reads a prom-client registry into exposition families, adding `extraLabels` to every series.
 * Used for the textfile channel, where no grouping key in a URL names the group, so the grouping
 * labels have to travel on the series themselves.
 */
export async function collectRegistryFamilies(registry: Registry, extraLabels: Readonly<Record<string, string>>): Promise<CollectedFamily[]> {
  const families: CollectedFamily[] = [];
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client's typings declare `type` as a numeric enum; at run time it is the type's name.
    const type = String(metric.type) as PlainType;
    const values = metric.values as readonly RegistryValue[];
    const series = type === 'histogram' || type === 'summary' ? groupDistribution(metric.name, type, values, extraLabels) : values.map((entry) => ({ labels: { ...stringLabels(entry.labels), ...extraLabels }, value: entry.value }));
    const labelNames = [...new Set(series.flatMap((entry) => Object.keys(entry.labels)))];
    families.push({ family: { name: metric.name, type, help: metric.help, labelNames }, series });
  }
  return families;
}

/** Folds the flat `_bucket`/quantile, `_sum` and `_count` values of each label set into one series. */
function groupDistribution(name: string, type: 'histogram' | 'summary', values: readonly RegistryValue[], extraLabels: Readonly<Record<string, string>>): Series[] {
  const groups = new Map<string, { labels: Record<string, string>; points: [number, number][]; sum: number; count: number }>();
  for (const entry of values) {
    const { le, quantile, ...rest } = stringLabels(entry.labels);
    const labels = { ...rest, ...extraLabels };
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let group = groups.get(key);
    if (group === undefined) {
      group = { labels, points: [], sum: 0, count: 0 };
      groups.set(key, group);
    }
    if (entry.metricName === `${name}_sum`) group.sum = entry.value;
    else if (entry.metricName === `${name}_count`) group.count = entry.value;
    else if (type === 'histogram' && le !== undefined) group.points.push([le === '+Inf' ? Infinity : Number(le), entry.value]);
    else if (type === 'summary' && quantile !== undefined) group.points.push([Number(quantile), entry.value]);
  }
  return [...groups.values()].map(({ labels, points, sum, count }) => ({
    labels,
    value: type === 'histogram' ? { buckets: points, sum, count } : { quantiles: points, sum, count },
  }));
}

function stringLabels(labels: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) if (value !== undefined) result[name] = String(value);
  return result;
}
