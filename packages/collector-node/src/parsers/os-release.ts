import { KernelFormatError } from './fields.js';

/**
 * Parses an os-release file (os-release(5)): `KEY=value` lines, values optionally in double quotes
 * (with `\"`, `\\`, `\$` and `` \` `` escapes) or single quotes; comments and blank lines skipped.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const key = line.slice(0, equals).trim();
    let value = line.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
    else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) value = value.slice(1, -1);
    values.set(key, value);
  }
  return values;
}

/** The major.minor number at the start of VERSION_ID (`12`, `22.04`, `9.3` from `9.3.1`), or 0 without one. */
export function osVersionNumber(versionId: string): number {
  const match = /^[0-9]+\.?[0-9]*/.exec(versionId);
  return match === null ? 0 : Number(match[0].endsWith('.') ? match[0].slice(0, -1) : match[0]);
}

/** SUPPORT_END (`2028-06-30`) as seconds since the epoch at UTC midnight; throws for another shape. */
export function supportEndSeconds(date: string, where: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const milliseconds = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(milliseconds) || new Date(milliseconds).getUTCDate() !== Number(match?.[3])) throw new KernelFormatError(`${where}: invalid SUPPORT_END ${JSON.stringify(date)}`);
  return milliseconds / 1000;
}
