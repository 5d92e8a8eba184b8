import { parseNumber, splitFields } from './fields.js';

/**
 * Parses `/proc/vmstat` (`name value` per line) into values by name in file order, keeping only
 * names `keep` accepts; a name printed twice keeps its last value. Values of kept fields must be
 * numbers ({@link KernelFormatError} otherwise); lines without a value are skipped.
 */
export function parseVmstat(text: string, keep: (name: string) => boolean): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    // Most of the ~180 fields are filtered out: look at the name before splitting the line.
    const space = line.indexOf(' ');
    if (space <= 0 || !keep(line.slice(0, space))) continue;
    const [name = '', value] = splitFields(line);
    if (value !== undefined) fields.set(name, parseNumber(value, `/proc/vmstat ${name}`));
  }
  return fields;
}
