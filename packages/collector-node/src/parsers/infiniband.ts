import { KernelFormatError, parseNumber } from './fields.js';

/** A port's `state` or `phys_state`: the number the InfiniBand specification gives it, and its name. */
export interface InfinibandState {
  readonly id: number;
  readonly name: string;
}

/**
 * Parses a port's `state` (`4: ACTIVE`) or `phys_state` (`5: LinkUp`), as the kernel's ib_core
 * writes them (Documentation/ABI/stable/sysfs-class-infiniband).
 */
export function parseInfinibandState(text: string, where: string): InfinibandState {
  const parts = text.split(':');
  if (parts.length !== 2) throw new KernelFormatError(`${where}: expected "<id>: <name>", got ${JSON.stringify(text.trim())}`);
  const id = (parts[0] ?? '').trim();
  if (!/^\d+$/.test(id)) throw new KernelFormatError(`${where}: invalid state number ${JSON.stringify(id)}`);
  return { id: Number(id), name: (parts[1] ?? '').trim() };
}

/**
 * Parses a port's `rate` (`100 Gb/sec (4X EDR)`, `2.5 Gb/sec (1X SDR)`) into bytes per second.
 * The number is read with single precision and the product truncated to an integer, exactly as
 * node_exporter does, so the two report the same value for every rate the kernel writes.
 */
export function parseInfinibandRate(text: string, where: string): number {
  const space = text.indexOf(' ');
  if (space === -1) throw new KernelFormatError(`${where}: expected "<Gb/s> Gb/sec …", got ${JSON.stringify(text.trim())}`);
  const gigabits = Math.fround(parseNumber(text.slice(0, space).trim(), where));
  return Math.trunc(gigabits * 125_000_000);
}
