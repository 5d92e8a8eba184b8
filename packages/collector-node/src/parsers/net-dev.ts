import { KernelFormatError, parseNumber, splitFields } from './fields.js';

/** One interface of `/proc/net/dev`. */
export interface NetDevLine {
  readonly device: string;
  /** The 16 columns: 8 receive (bytes packets errs drop fifo frame compressed multicast), then 8 transmit (bytes packets errs drop fifo colls carrier compressed). */
  readonly values: readonly number[];
}

/**
 * Parses `/proc/net/dev`: two header lines, then `name: 16 numbers` per interface. The name is
 * everything before the last colon (names may contain colons, e.g. aliases); a name listed twice
 * keeps its last line, as prometheus/procfs does. Throws {@link KernelFormatError} for a
 * malformed line.
 */
export function parseNetDev(text: string): NetDevLine[] {
  const interfaces = new Map<string, NetDevLine>();
  const lines = text.split('\n');
  for (let index = 2; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    const colon = line.lastIndexOf(':');
    const device = colon === -1 ? '' : line.slice(0, colon).trim();
    if (device === '') throw new KernelFormatError(`/proc/net/dev: invalid line ${JSON.stringify(line.trim())}`);
    const columns = splitFields(line.slice(colon + 1));
    if (columns.length < 16) throw new KernelFormatError(`/proc/net/dev: ${device} has ${columns.length} columns, expected 16`);
    interfaces.set(device, { device, values: columns.slice(0, 16).map((token, column) => parseNumber(token, `/proc/net/dev ${device} column ${column + 1}`)) });
  }
  return [...interfaces.values()];
}
