import { KernelFormatError, parseSigned, parseUnsigned, splitFields } from './fields.js';

/** kstat data types node_exporter reads: KSTAT_DATA_INT64 and KSTAT_DATA_UINT64. */
const INT64 = '3';
const UINT64 = '4';

/** The pool states node_exporter reports, one series each. */
export const ZFS_POOL_STATES = ['online', 'degraded', 'faulted', 'offline', 'removed', 'unavail', 'suspended'] as const;

/** A named kstat value of a ZFS kstat file. */
export interface ZfsKstat {
  readonly name: string;
  readonly value: number;
}

/**
 * The rows of a "named" kstat file of ZFS on Linux, after its `name type data` header: each as
 * its fields and the line it came from. A file without the header throws {@link KernelFormatError}.
 */
function namedKstatRows(text: string, where: string): { readonly fields: string[]; readonly line: string }[] {
  const rows: { fields: string[]; line: string }[] = [];
  let started = false;
  for (const line of text.split('\n')) {
    const fields = splitFields(line);
    if (!started) started = fields.length === 3 && fields[0] === 'name' && fields[1] === 'type' && fields[2] === 'data';
    else if (fields.length >= 3) rows.push({ fields, line });
  }
  if (!started) throw new KernelFormatError(`${where}: no "name type data" header`);
  return rows;
}

/**
 * Parses a "named" kstat file (`/proc/spl/kstat/zfs/arcstats` …): `name type value` rows; int64
 * and uint64 values are returned, others skipped.
 */
export function parseZfsKstats(text: string, where: string): ZfsKstat[] {
  const kstats: ZfsKstat[] = [];
  for (const { fields } of namedKstatRows(text, where)) {
    const [name = '', type, value = ''] = fields;
    if (type === UINT64) kstats.push({ name, value: parseUnsigned(value, `${where} ${name}`) });
    else if (type === INT64) kstats.push({ name, value: parseSigned(value, `${where} ${name}`) });
  }
  return kstats;
}

/**
 * Parses a pool's `io` kstat (`nread nwritten reads writes …` then a line of values), field by
 * field. A file without such a header yields nothing; a value that is not a number throws.
 */
export function parseZpoolIo(text: string, where: string): ZfsKstat[] {
  const kstats: ZfsKstat[] = [];
  let fields: string[] | undefined;
  for (const line of text.split('\n')) {
    const parts = splitFields(line);
    if (fields === undefined) {
      if (parts.length >= 12 && parts[0] === 'nread') fields = parts;
      continue;
    }
    if (parts.length === 0) continue;
    for (const [index, field] of fields.entries()) kstats.push({ name: field, value: parseUnsigned(parts[index], `${where} ${field}`) });
  }
  return kstats;
}

/**
 * Parses a dataset's `objset-0x…` kstat: the `dataset_name` row names the dataset, the uint64
 * rows are its counters.
 */
export function parseZpoolObjset(text: string, where: string): { dataset: string; kstats: ZfsKstat[] } {
  let dataset = '';
  const kstats: ZfsKstat[] = [];
  for (const { fields, line } of namedKstatRows(text, where)) {
    const [name = '', type = '', value = ''] = fields;
    // The dataset's name may contain spaces: everything from the value's start.
    if (name === 'dataset_name') dataset = line.slice(line.indexOf(value, line.indexOf(type) + type.length));
    else if (type === UINT64) kstats.push({ name, value: parseUnsigned(value, `${where} ${name}`) });
  }
  return { dataset, kstats };
}
