import { KernelFormatError, parseNumber, splitFields } from './fields.js';

/** Parses `/proc/loadavg` into the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [load1: number, load5: number, load15: number] {
  const parts = splitFields(text);
  if (parts.length < 3) throw new KernelFormatError(`/proc/loadavg: unexpected content ${JSON.stringify(text.slice(0, 80))}`);
  return [parseNumber(parts[0], '/proc/loadavg 1m'), parseNumber(parts[1], '/proc/loadavg 5m'), parseNumber(parts[2], '/proc/loadavg 15m')];
}
