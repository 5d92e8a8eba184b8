import type { ApiItem } from './client/flashblade-client.js';

/*
 * Readers for the fields of API objects. Arrays leave fields null (or out) when they do not apply
 * or when their Purity version predates them; a reader then answers `undefined` and the series is
 * left out, never reported as 0.
 */

/** A finite number, or undefined for null, absent or anything else. */
export function numberField(item: ApiItem | undefined, key: string): number | undefined {
  const value = item?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string, or '' for null, absent or anything else (the exporter's label for a missing name). */
export function stringField(item: ApiItem | undefined, key: string): string {
  const value = item?.[key];
  return typeof value === 'string' ? value : '';
}

/** A nested object (`space`, `nfs`, `account`), or undefined. */
export function objectField(item: ApiItem | undefined, key: string): ApiItem | undefined {
  const value = item?.[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ApiItem) : undefined;
}

/** `true`/`false` as a label, absent or null being `false` (as the exporter prints a Go bool). */
export function booleanLabel(item: ApiItem | undefined, key: string): string {
  return item?.[key] === true ? 'true' : 'false';
}

/** An integer as a label, absent or null being `0` (as the exporter prints a Go int). */
export function integerLabel(item: ApiItem | undefined, key: string): string {
  const value = item?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? String(Math.trunc(value)) : '0';
}
