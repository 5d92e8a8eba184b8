import { findField, type DcgmField } from './dcgm-fields.js';

/** The Prometheus types dcgm-exporter accepts in a counters file. */
const CSV_TYPES = new Set(['gauge', 'counter', 'histogram', 'summary', 'label']);

/** One usable row of a counters file. */
export interface CountersRow {
  readonly field: DcgmField;
  /** The type the file gives it (`gauge`/`counter` for metrics; `label`). */
  readonly type: 'gauge' | 'counter' | 'label';
  readonly help: string;
}

/** What a counters file asks for. */
export interface CountersFile {
  readonly rows: readonly CountersRow[];
  /** Field names tessera cannot read (unknown to it, or exporter-owned `DCGM_EXP_*` rows), once each, in file order. */
  readonly unsupported: readonly string[];
  /** Rows whose type tessera cannot honour, with what it does instead. */
  readonly notes: readonly string[];
}

/** A malformed counters file: the message names the line. */
export class CountersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CountersFileError';
  }
}

/**
 * Parses dcgm-exporter's counters CSV (`/etc/dcgm-exporter/default-counters.csv` and the files
 * users derive from it): `# comments`, blank lines, and rows `DCGM field name, Prometheus type,
 * help`, cells trimmed, a cell may be double-quoted to hold a comma. Unknown fields are collected
 * in `unsupported`, not rejected, so an existing file keeps working; a row that is not three cells
 * or has an unknown type is an error naming its line.
 */
export function parseCountersCsv(text: string): CountersFile {
  const rows: CountersRow[] = [];
  const unsupported: string[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = splitCsvLine(line, index + 1);
    if (cells.length !== 3) throw new CountersFileError(`line ${index + 1}: expected 3 cells (field name, type, help), found ${cells.length}: ${line}`);
    const [name = '', type = '', help = ''] = cells;
    if (!CSV_TYPES.has(type)) throw new CountersFileError(`line ${index + 1}: ${name}: type ${JSON.stringify(type)} is not one of ${[...CSV_TYPES].join(', ')}`);
    if (seen.has(name)) return;
    seen.add(name);
    const field = findField(name);
    if (field === undefined) {
      unsupported.push(name);
      return;
    }
    if (field.kind === 'label') {
      if (type !== 'label') notes.push(`${name} is a text field: emitted as a label, not as type ${type}`);
      rows.push({ field, type: 'label', help });
      return;
    }
    if (type === 'gauge' || type === 'counter') {
      rows.push({ field, type, help });
      return;
    }
    notes.push(type === 'label' ? `${name} is numeric: emitted as a ${field.type}, not as a label` : `${name}: type ${type} needs buckets or quantiles a single DCGM value does not have; emitted as a ${field.type}`);
    rows.push({ field, type: field.type, help });
  });
  return { rows, unsupported, notes };
}

function splitCsvLine(line: string, lineNumber: number): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  if (quoted) throw new CountersFileError(`line ${lineNumber}: unterminated quote`);
  cells.push(cell.trim());
  return cells;
}
