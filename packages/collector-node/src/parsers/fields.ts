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
