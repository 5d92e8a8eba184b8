import { KernelFormatError, splitFields } from './fields.js';

/** The statistics of one `/proc/net/stat/nf_conntrack` line, summed over the CPUs. */
export interface ConntrackStatistics {
  readonly found: number;
  readonly invalid: number;
  readonly ignore: number;
  readonly insert: number;
  readonly insertFailed: number;
  readonly drop: number;
  readonly earlyDrop: number;
  readonly searchRestart: number;
}

/**
 * Parses `/proc/net/stat/nf_conntrack` (a header, then one line of hexadecimal counters per CPU)
 * and sums the counters node_exporter reports, read at the positions prometheus/procfs reads them.
 * A line of other than 16 or 17 fields, or a field that is not hexadecimal, throws {@link KernelFormatError}.
 */
export function parseConntrackStat(text: string, where: string): ConntrackStatistics {
  const sums = { found: 0, invalid: 0, ignore: 0, insert: 0, insertFailed: 0, drop: 0, earlyDrop: 0, searchRestart: 0 };
  const lines = text.split('\n').slice(1);
  for (const line of lines) {
    const fields = splitFields(line);
    if (fields.length === 0) continue;
    if (fields.length < 16 || fields.length > 17) throw new KernelFormatError(`${where}: a line has ${fields.length} fields, expected 16 or 17`);
    const values = fields.map((field) => {
      if (!/^[0-9a-f]{1,16}$/i.test(field)) throw new KernelFormatError(`${where}: invalid hexadecimal ${JSON.stringify(field)}`);
      return Number.parseInt(field, 16);
    });
    const at = (index: number): number => values[index] ?? 0;
    sums.found += at(2);
    sums.invalid += at(4);
    sums.ignore += at(5);
    sums.insert += at(8);
    sums.insertFailed += at(9);
    sums.drop += at(10);
    sums.earlyDrop += at(11);
    if (values.length === 17) sums.searchRestart += at(16);
  }
  return sums;
}
