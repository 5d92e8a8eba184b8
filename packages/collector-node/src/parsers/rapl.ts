/**
 * Splits a RAPL zone's `name` into node_exporter's name and index: `package-1` is zone `package`
 * with index 1; a name without a numeric suffix (`dram`, `core`) takes the index after the last
 * zone of that name seen so far (`seen`, updated), so a second `dram` gets index 1.
 */
export function raplZoneIndex(name: string, seen: Map<string, number>): { name: string; index: number } {
  const parts = name.split('-');
  let zone = name;
  let index: number;
  if (parts.length === 2 && /^[+-]?\d+$/.test(parts[1] ?? '')) {
    zone = parts[0] ?? '';
    index = Number(parts[1]);
  } else {
    index = seen.get(name) ?? 0;
  }
  seen.set(zone, index + 1);
  return { name: zone, index };
}
