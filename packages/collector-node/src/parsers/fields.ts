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

/** The error for a token that is not the number it should be. */
function invalidNumber(token: string | undefined, where: string): KernelFormatError {
  return new KernelFormatError(`${where}: ${token === undefined ? 'missing value' : `invalid number ${JSON.stringify(token)}`}`);
}

/**
 * Parses a number the way node_exporter's Go parsers do (`strconv.ParseFloat`, which also takes
 * every unsigned integer): throws {@link KernelFormatError} naming `where` when it is not one.
 * Integers beyond 2^53 round to the nearest double, exactly as Go's float64 conversion does.
 */
export function parseNumber(token: string | undefined, where: string): number {
  if (token !== undefined && isDigits(token)) return Number(token); // nearly every kernel value
  const value = token === undefined ? undefined : parseValue(token);
  if (value === undefined) throw invalidNumber(token, where);
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
  if (token === undefined || !/^[0-9]+$/.test(token)) throw invalidNumber(token, where);
  if (BigInt(token) > 0xffff_ffff_ffff_ffffn) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return Number(token);
}

/**
 * Parses a decimal signed integer as prometheus/procfs reads some sysfs and kstat values
 * (`strconv.ParseInt(text, 10, 64)`): an optional sign and digits, with no range check. Throws
 * {@link KernelFormatError} naming `where` otherwise.
 */
export function parseSigned(token: string | undefined, where: string): number {
  if (token === undefined || !/^[+-]?\d+$/.test(token)) throw invalidNumber(token, where);
  return Number(token);
}

/**
 * The value of an unsigned integer literal in the syntax of Go's `strconv.ParseUint(text, 0, 64)`:
 * decimal without a leading zero, `0x`, `0o`, `0b` or a bare leading `0` (octal) prefix, `_` only
 * between digits or after a prefix; `undefined` for anything else. No range check.
 */
function goUnsignedLiteral(token: string): bigint | undefined {
  const match = /^(?:([1-9][0-9]*(?:_[0-9]+)*)|0[xX](_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0[oO](_?[0-7]+(?:_[0-7]+)*)|0[bB](_?[01]+(?:_[01]+)*)|0(_?[0-7]+(?:_[0-7]+)*)?)$/.exec(token);
  if (match === null) return undefined;
  const [, decimal, hex, octal, binary, bareOctal] = match;
  const literal =
    decimal !== undefined ? decimal : hex !== undefined ? `0x${hex}` : octal !== undefined ? `0o${octal}` : binary !== undefined ? `0b${binary}` : `0o${bareOctal ?? '0'}`;
  return BigInt(literal.replaceAll('_', ''));
}

/**
 * {@link parseUnsignedPrefixed}, exactly: the value as a bigint, for the callers that must tell
 * 2^64 - 1 (the kernel's "not available" for some counters) from its neighbours.
 */
export function parseUnsignedPrefixedBigInt(token: string | undefined, where: string): bigint {
  const value = token === undefined ? undefined : goUnsignedLiteral(token);
  if (value === undefined) throw invalidNumber(token, where);
  if (value > 0xffff_ffff_ffff_ffffn) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return value;
}

/**
 * Parses an unsigned integer the way prometheus/procfs reads most sysfs attributes
 * (`strconv.ParseUint(text, 0, 64)`): decimal, or with a `0x`, `0o`, `0b` or a bare leading `0`
 * (octal) prefix, underscores allowed between digits after a prefix. Values beyond 2^53 round to
 * the nearest double. Throws {@link KernelFormatError} naming `where` for anything else.
 */
export function parseUnsignedPrefixed(token: string | undefined, where: string): number {
  if (token !== undefined && isDigits(token) && (token.length === 1 || token.charCodeAt(0) !== ZERO)) return Number(token);
  return Number(parseUnsignedPrefixedBigInt(token, where));
}

/**
 * Parses a signed integer the way prometheus/procfs reads signed sysfs attributes
 * (`strconv.ParseInt(text, 0, 64)`): an optional sign, then the syntax of
 * {@link parseUnsignedPrefixed}, within int64. Throws {@link KernelFormatError} naming `where`
 * for anything else.
 */
export function parseSignedPrefixed(token: string | undefined, where: string): number {
  const negative = token?.startsWith('-') === true;
  const magnitude = token !== undefined && (negative || token.startsWith('+')) ? token.slice(1) : token;
  const value = magnitude === undefined ? undefined : goUnsignedLiteral(magnitude);
  if (value === undefined) throw invalidNumber(token, where);
  if (value > (negative ? 2n ** 63n : 2n ** 63n - 1n)) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return Number(negative ? -value : value);
}

/**
 * Reads a signed integer as prometheus/procfs reads sysfs attributes it does not check
 * (`strconv.ParseInt(text, 0, 64)`, its error ignored): decimal, `0x`/`0o`/`0b`/leading-`0`
 * prefixes, a sign; anything else, or a value beyond int64, reads as 0.
 */
export function parseSignedOrZero(text: string): number {
  try {
    return parseSignedPrefixed(text, '');
  } catch {
    return 0;
  }
}
