import type { DeviceValue, DeviceValues, GpuReading } from '../gpu-sample.js';

/** How a query field's cell becomes a sample value. */
type Conversion = 'mib' | 'yesNo' | 'pstate';

/** One `--query-gpu` field tessera asks for, and where its value goes. */
export interface QueryField {
  readonly name: string;
  readonly value?: DeviceValue;
  readonly conversion?: Conversion;
}

/** Identity fields, always first and in this order. */
const IDENTITY_FIELDS: readonly QueryField[] = [{ name: 'index' }, { name: 'uuid' }, { name: 'name' }, { name: 'pci.bus_id' }, { name: 'driver_version' }, { name: 'serial' }, { name: 'vbios_version' }];

/** The value fields, with the conversion each needs. `nvidia-smi --help-query-gpu` documents them. */
export const VALUE_FIELDS: readonly QueryField[] = [
  { name: 'utilization.gpu', value: 'gpuUtilizationPercent' },
  { name: 'utilization.memory', value: 'memoryCopyUtilizationPercent' },
  { name: 'utilization.encoder', value: 'encoderUtilizationPercent' },
  { name: 'utilization.decoder', value: 'decoderUtilizationPercent' },
  { name: 'memory.total', value: 'framebufferTotalBytes', conversion: 'mib' },
  { name: 'memory.reserved', value: 'framebufferReservedBytes', conversion: 'mib' },
  { name: 'memory.used', value: 'framebufferUsedBytes', conversion: 'mib' },
  { name: 'memory.free', value: 'framebufferFreeBytes', conversion: 'mib' },
  { name: 'temperature.gpu', value: 'gpuTemperatureCelsius' },
  { name: 'temperature.memory', value: 'memoryTemperatureCelsius' },
  { name: 'power.draw', value: 'powerUsageWatts' },
  { name: 'power.limit', value: 'powerLimitWatts' },
  { name: 'enforced.power.limit', value: 'enforcedPowerLimitWatts' },
  { name: 'clocks.current.graphics', value: 'graphicsClockMhz' },
  { name: 'clocks.current.sm', value: 'smClockMhz' },
  { name: 'clocks.current.memory', value: 'memoryClockMhz' },
  { name: 'fan.speed', value: 'fanSpeedPercent' },
  { name: 'pstate', value: 'performanceState', conversion: 'pstate' },
  { name: 'pcie.link.gen.current', value: 'pcieLinkGeneration' },
  { name: 'pcie.link.width.current', value: 'pcieLinkWidth' },
  { name: 'remapped_rows.correctable', value: 'remappedRowsCorrectable' },
  { name: 'remapped_rows.uncorrectable', value: 'remappedRowsUncorrectable' },
  { name: 'remapped_rows.pending', value: 'rowRemapPending', conversion: 'yesNo' },
  { name: 'remapped_rows.failure', value: 'rowRemapFailure', conversion: 'yesNo' },
  { name: 'ecc.errors.corrected.volatile.total', value: 'eccSingleBitVolatile' },
  { name: 'ecc.errors.uncorrected.volatile.total', value: 'eccDoubleBitVolatile' },
  { name: 'ecc.errors.corrected.aggregate.total', value: 'eccSingleBitAggregate' },
  { name: 'ecc.errors.uncorrected.aggregate.total', value: 'eccDoubleBitAggregate' },
];

/** The query: identity fields then value fields, leaving out those the installed nvidia-smi refused. */
export function queryFields(refused: ReadonlySet<string>): QueryField[] {
  return [...IDENTITY_FIELDS, ...VALUE_FIELDS.filter((field) => !refused.has(field.name))];
}

/**
 * Every way nvidia-smi spells "no value", lower-cased: unsupported fields, passive boards without a
 * fan, GDDR boards without a memory sensor (bare `N/A`), restricted containers, errors, fields newer
 * drivers deprecated, and empty cells (seen for serial numbers).
 */
const ABSENT = new Set(['', 'n/a', '[n/a]', '[not supported]', '[insufficient permissions]', '[unknown error]', '[requested functionality has been deprecated]', '[function not found]']);

/** True when a cell says the value is not available. */
export function isAbsent(cell: string): boolean {
  return ABSENT.has(cell.trim().toLowerCase());
}

const MIB = 1024 * 1024;

/** A cell that is neither a value nor an absence token: the reader logs it once per field. */
export interface CellProblem {
  readonly field: string;
  readonly cell: string;
}

/** Converts one cell; undefined for an absence token, a {@link CellProblem} for anything unreadable. */
export function convertCell(field: QueryField, cell: string): number | undefined | CellProblem {
  if (isAbsent(cell)) return undefined;
  const text = cell.trim();
  switch (field.conversion) {
    case 'yesNo': {
      const lower = text.toLowerCase();
      if (lower === 'yes') return 1;
      if (lower === 'no') return 0;
      return { field: field.name, cell };
    }
    case 'pstate': {
      const match = /^P(\d{1,2})$/.exec(text);
      return match === null ? { field: field.name, cell } : Number(match[1]);
    }
    default: {
      // With `nounits` a value is a bare number; a unit left on it (an old driver) is tolerated.
      const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|MiB|W|MHz))?$/.exec(text);
      if (match === null) return { field: field.name, cell };
      const number = Number(match[1]);
      return field.conversion === 'mib' ? number * MIB : number;
    }
  }
}

/** One parsed row, and the cells that could not be read. */
export interface ParsedRow {
  readonly reading: Omit<GpuReading, 'migInstances'>;
  readonly driverVersion: string | undefined;
  readonly problems: readonly CellProblem[];
}

/** A row that cannot be used (wrong column count, no index). */
export class CsvRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvRowError';
  }
}

/**
 * Parses one `--format=csv,noheader,nounits` row. Cells are joined by `", "` without quoting, so a
 * value holding a comma cannot be told from a column break: a row with the wrong number of cells
 * is refused rather than read with its values shifted.
 */
export function parseRow(line: string, fields: readonly QueryField[]): ParsedRow {
  const cells = line.split(',').map((cell) => cell.trim());
  if (cells.length !== fields.length) throw new CsvRowError(`expected ${fields.length} cells, found ${cells.length}: ${line}`);
  const cell = (name: string): string | undefined => {
    const value = cells[fields.findIndex((field) => field.name === name)];
    return value === undefined || isAbsent(value) ? undefined : value;
  };
  const index = Number(cell('index'));
  if (!Number.isInteger(index) || index < 0) throw new CsvRowError(`no GPU index in: ${line}`);
  const values: DeviceValues = {};
  const problems: CellProblem[] = [];
  fields.forEach((field, position) => {
    if (field.value === undefined) return;
    const converted = convertCell(field, cells[position] ?? '');
    if (typeof converted === 'number') values[field.value] = converted;
    else if (converted !== undefined) problems.push(converted);
  });
  return {
    reading: {
      index,
      uuid: cell('uuid') ?? '',
      name: cell('name') ?? '',
      pciBusId: cell('pci.bus_id') ?? '',
      serial: cell('serial'),
      vbiosVersion: cell('vbios_version'),
      values,
    },
    driverVersion: cell('driver_version'),
    problems,
  };
}
