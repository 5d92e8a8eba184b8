import { parseValue } from '@tessera/exposition';
import { CARRIAGE_RETURN, LINE_FEED, NINE, SPACE, TAB, ZERO } from './char-codes.js';

/** A kernel file did not have the shape its parser expects. The message names the file and the problem. */
export class KernelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelFormatError';
  }
}


/** Splits a line on runs of whitespace (spaces, tabs, line ends), ignoring leading and trailing ones. */
export function splitFields(line: string): string[] {
  // A character loop: this runs for every line of every procfs file, and beats split(/\s+/) by far.
  const fields: string[] = [];
  let start = -1;
  for (let index = 0; index < line.length; index++) {
    const code = line.charCodeAt(index);
    if (code === SPACE || code === TAB || code === LINE_FEED || code === CARRIAGE_RETURN) {
      if (start !== -1) {
        fields.push(line.slice(start, index));
        start = -1;
      }
    } else if (start === -1) {
      start = index;
    }
  }
  if (start !== -1) fields.push(line.slice(start));
  return fields;
}

function isDigits(token: string): boolean {
  if (token.length === 0 || token.length > 15) return false; // longer ones may not be exact: the general path rounds them like Go
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code < ZERO || code > NINE) return false;
  }
  return true;
}

/**
 * Parses a number the way node_exporter's Go parsers do (`strconv.ParseFloat`, which also takes
 * every unsigned integer): throws {@link KernelFormatError} naming `where` when it is not one.
 * Integers beyond 2^53 round to the nearest double, exactly as Go's float64 conversion does.
 */
export function parseNumber(token: string | undefined, where: string): number {
  if (token !== undefined && isDigits(token)) return Number(token); // nearly every kernel value
  const value = token === undefined ? undefined : parseValue(token);
  if (value === undefined) throw new KernelFormatError(`${where}: ${token === undefined ? 'missing value' : `invalid number ${JSON.stringify(token)}`}`);
  return value;
}

/** Returns `text` without one trailing line feed: what a one-value sysfs or procfs file holds. */
export function stripNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * Parses a decimal unsigned integer as Go's `strconv.ParseUint(text, 10, 64)` does (procfs's
 * counters): digits only, at most 2^64 - 1, rounded to the nearest double beyond 2^53. Throws
 * {@link KernelFormatError} naming `where` otherwise.
 */
export function parseUnsigned(token: string | undefined, where: string): number {
  if (token !== undefined && isDigits(token)) return Number(token);
  if (token === undefined || !/^[0-9]+$/.test(token)) throw new KernelFormatError(`${where}: ${token === undefined ? 'missing value' : `invalid number ${JSON.stringify(token)}`}`);
  if (BigInt(token) > 0xffff_ffff_ffff_ffffn) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return Number(token);
}

/**
 * Parses an unsigned integer the way prometheus/procfs reads most sysfs attributes
 * (`strconv.ParseUint(text, 0, 64)`): decimal, or with a `0x`, `0o`, `0b` or a bare leading `0`
 * (octal) prefix, underscores allowed between digits after a prefix. Values beyond 2^53 round to
 * the nearest double. Throws {@link KernelFormatError} naming `where` for anything else.
 */
export function parseUnsignedPrefixed(token: string | undefined, where: string): number {
  if (token !== undefined && isDigits(token) && (token.length === 1 || token.charCodeAt(0) !== ZERO)) return Number(token);
  const invalid = (): KernelFormatError => new KernelFormatError(`${where}: ${token === undefined ? 'missing value' : `invalid number ${JSON.stringify(token)}`}`);
  // Go: decimal without a leading zero; 0x/0o/0b prefixes; a bare leading 0 is octal; "_" only between digits or after a prefix.
  const match = token === undefined ? null : /^(?:([1-9][0-9]*(?:_[0-9]+)*)|0[xX](_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[oO](_?[0-7]+(?:_[0-7]+)*)|0[bB](_?[01]+(?:_[01]+)*)|0(_?[0-7]+(?:_[0-7]+)*)?)$/.exec(token);
  if (match === null) throw invalid();
  const [, decimal, hex, octal, binary, bareOctal] = match;
  const literal =
    decimal !== undefined ? decimal : hex !== undefined ? `0x${hex}` : octal !== undefined ? `0o${octal}` : binary !== undefined ? `0b${binary}` : `0o${bareOctal ?? '0'}`;
  const value = BigInt(literal.replaceAll('_', ''));
  if (value > 0xffff_ffff_ffff_ffffn) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return Number(value);
}

/**
 * Reads a signed integer as prometheus/procfs reads sysfs attributes it does not check
 * (`strconv.ParseInt(text, 0, 64)`, its error ignored): decimal, `0x`/`0o`/`0b`/leading-`0`
 * prefixes, a sign; anything else, or a value beyond int64, reads as 0.
 */
export function parseSignedOrZero(text: string): number {
  const negative = text.startsWith('-');
  const magnitude = negative || text.startsWith('+') ? text.slice(1) : text;
  let value: number;
  try {
    value = parseUnsignedPrefixed(magnitude, '');
  } catch {
    return 0;
  }
  if (value > 2 ** 63 || (value === 2 ** 63 && !negative)) return 0; // beyond int64 (doubles round 2^63 - 1 up to 2^63)
  return negative ? -value : value;
}
