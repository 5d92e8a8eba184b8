import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/**
 * How many values each line node_exporter reports has (fs/xfs/xfs_stats.h). `vnodes` gained its
 * eighth (free vnodes) later.
 */
const LINE_LENGTHS: Readonly<Record<string, readonly number[]>> = {
  extent_alloc: [4],
  abt: [4],
  blk_map: [7],
  bmbt: [4],
  dir: [4],
  ig: [7],
  rw: [2],
  vnodes: [7, 8],
};

/**
 * Parses an XFS statistics file (`/sys/fs/xfs/<device>/stats/stats`, the same format as the
 * system-wide `/proc/fs/xfs/stat`): one line per group, its name and its counters. Returns the
 * values of the groups node_exporter reports, by group; a group with another number of values
 * throws {@link KernelFormatError}, and the other groups (which kernels keep adding) are skipped.
 */
export function parseXfsStats(text: string, where: string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const [name = '', ...values] = splitFields(line);
    const lengths = LINE_LENGTHS[name];
    if (lengths === undefined) continue;
    if (!lengths.includes(values.length)) throw new KernelFormatError(`${where}: ${name} has ${values.length} values, expected ${lengths.join(' or ')}`);
    groups.set(
      name,
      values.map((value) => parseUnsigned(value, `${where} ${name}`)),
    );
  }
  return groups;
}
