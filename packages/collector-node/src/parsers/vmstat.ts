import { parseNumber, splitFields } from './fields.js';

/**
 * Parses `/proc/vmstat` (`name value` per line) into values by name in file order, keeping only
 * names `keep` accepts; a name printed twice keeps its last value. Values of kept fields must be
 * numbers ({@link KernelFormatError} otherwise); lines without a value are skipped.
 */
export function parseVmstat(text: string, keep: (name: string) => boolean): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const parts = splitFields(line);
    const name = parts[0];
    if (name === undefined || parts.length < 2 || !keep(name)) continue;
    fields.set(name, parseNumber(parts[1], `/proc/vmstat ${name}`));
  }
  return fields;
}
