/** The collectors one `/metrics` request covers, or why the request is refused (400). */
export type CollectorFilter = { readonly names: readonly string[] } | { readonly error: string };

function values(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * Applies node_exporter's per-request filters: `collect[]=a&collect[]=b` keeps only those,
 * `exclude[]=c` drops those. Both at once, or a name that is unknown or disabled, is an error.
 */
export function selectCollectors(query: Readonly<Record<string, unknown>>, enabled: readonly string[]): CollectorFilter {
  const collect = values(query['collect[]']);
  const exclude = values(query['exclude[]']);
  if (collect.length > 0 && exclude.length > 0) return { error: 'collect[] and exclude[] cannot be combined' };
  const available = new Set(enabled);
  for (const name of [...collect, ...exclude]) {
    if (!available.has(name)) {
      return { error: `missing collector: ${JSON.stringify(name)} is not an enabled collector (enabled: ${enabled.join(', ') || 'none'})` };
    }
  }
  if (collect.length > 0) return { names: enabled.filter((name) => collect.includes(name)) };
  return { names: enabled.filter((name) => !exclude.includes(name)) };
}
