import { KernelFormatError, parseNumber, splitFields } from './fields.js';

/**
 * Parses `/proc/meminfo` into node_exporter's field names and values, in file order:
 * `Active(anon):  1544 kB` becomes `Active_anon_bytes` = 1581056 (a unit is taken to be kB, as the
 * kernel only ever prints kB), and a field without unit keeps its name and value
 * (`HugePages_Total: 0`). A field printed twice keeps its last value. Blank lines are skipped (old
 * CentOS kernels print them); any other malformed line throws {@link KernelFormatError}.
 */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const parts = splitFields(line);
    if (parts.length === 0) continue;
    if (parts.length > 3 || parts.length < 2 || !parts[0]?.endsWith(':')) throw new KernelFormatError(`/proc/meminfo: invalid line ${JSON.stringify(line)}`);
    let name = parts[0].slice(0, -1);
    if (name.includes('(')) name = name.replace(/\((.*)\)/, '_$1'); // Active(anon) → Active_anon
    let value = parseNumber(parts[1], `/proc/meminfo ${name}`);
    if (parts.length === 3) {
      value *= 1024;
      name += '_bytes';
    }
    fields.set(name, value);
  }
  return fields;
}
