import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/** bch_hprint's unit letters, powers of 1024 (drivers/md/bcache/util.c). */
const UNIT_MULTIPLIERS: Readonly<Record<string, number>> = { k: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60, Z: 2 ** 70, Y: 2 ** 80 };

/**
 * Reads a value bcache prints for people: a plain number (`3`), or bch_hprint's at most three
 * digits, a point, one digit and a unit letter of powers of 1024 (`1.5k`, `20.4G`). The digit after
 * the point is read as node_exporter reads it (prometheus/procfs: tenths of 1.024), so the values
 * are the same as its; either reading is within the print's resolution. Fractions of a unit are
 * truncated. Throws {@link KernelFormatError} naming `where` for anything else.
 */
export function parseBcacheHumanized(text: string, where: string): number {
  const match = /^([0-9]+)(?:\.([0-9]+))?([kMGTPEZY])?$/.exec(text.trim());
  if (match === null) throw new KernelFormatError(`${where}: invalid value ${JSON.stringify(text.trim())}`);
  const [, whole = '', fraction, unit] = match;
  if (unit === undefined) return Math.trunc(Number(fraction === undefined ? whole : `${whole}.${fraction}`));
  const mantissa = Number(whole) + (fraction === undefined ? 0 : Number(fraction) / 10.24);
  return Math.trunc(mantissa * (UNIT_MULTIPLIERS[unit] ?? 1));
}

/** {@link parseBcacheHumanized} with an optional leading minus (the writeback controller's terms). */
export function parseBcacheHumanizedSigned(text: string, where: string): number {
  const trimmed = text.trim();
  return trimmed.startsWith('-') ? -parseBcacheHumanized(trimmed.slice(1), where) : parseBcacheHumanized(trimmed, where);
}

/** What a backing device's `writeback_rate_debug` says about its writeback controller. */
export interface BcacheWritebackRate {
  /** Bytes per second. */
  readonly rate: number;
  /** Bytes. */
  readonly dirty: number;
  /** Bytes. */
  readonly target: number;
  readonly proportional: number;
  readonly integral: number;
  /** Bytes per second. */
  readonly change: number;
}

/**
 * Parses a backing device's `writeback_rate_debug` (`rate:\t\t1.1M/sec`, `dirty:`, `target:`,
 * `proportional:`, `integral:`, `change:` …, each value the line's last field). A line it does not
 * have reads as 0, as in node_exporter.
 */
export function parseWritebackRateDebug(text: string, where: string): BcacheWritebackRate {
  const values = { rate: 0, dirty: 0, target: 0, proportional: 0, integral: 0, change: 0 };
  for (const line of text.split('\n')) {
    const key = /^([a-z]+):/.exec(line)?.[1];
    const last = splitFields(line).at(-1) ?? '';
    const field = `${where} ${key ?? ''}`;
    switch (key) {
      case 'rate':
        values.rate = parseBcacheHumanized(last.replace(/\/sec$/, ''), field);
        break;
      case 'dirty':
      case 'target':
        values[key] = parseBcacheHumanized(last, field);
        break;
      case 'proportional':
      case 'integral':
        values[key] = parseBcacheHumanizedSigned(last, field);
        break;
      case 'change':
        values.change = parseBcacheHumanizedSigned(last.replace(/\/sec$/, ''), field);
        break;
      default:
        break; // next io, inflight, and whatever later kernels add
    }
  }
  return values;
}

/** The parts of a cache device's `priority_stats` node_exporter reports, in percent. */
export interface BcachePriorityStats {
  readonly unusedPercent: number;
  readonly metadataPercent: number;
}

/** Parses a cache device's `priority_stats` (`Unused:\t\t12%`, `Metadata:\t0%`, …); a line it does not have reads as 0. */
export function parseBcachePriorityStats(text: string, where: string): BcachePriorityStats {
  let unusedPercent = 0;
  let metadataPercent = 0;
  for (const line of text.split('\n')) {
    const percent = (): number => parseUnsigned((splitFields(line).at(-1) ?? '').replace(/%$/, ''), `${where} ${line.split(':')[0] ?? ''}`);
    if (line.startsWith('Unused:')) unusedPercent = percent();
    else if (line.startsWith('Metadata:')) metadataPercent = percent();
  }
  return { unusedPercent, metadataPercent };
}
