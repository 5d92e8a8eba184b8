import { KernelFormatError, splitFields } from './fields.js';

/** One CPU's line of `/proc/net/softnet_stat`. */
export interface SoftnetStat {
  readonly cpu: number;
  readonly processed: number;
  readonly dropped: number;
  readonly timeSqueezed: number;
  readonly cpuCollision: number;
  readonly receivedRps: number;
  readonly flowLimitCount: number;
  readonly backlogLength: number;
}

/**
 * Parses `/proc/net/softnet_stat`: one line of hexadecimal 32-bit columns per CPU (net/core/
 * net-procfs.c). Kernels print 9 to 13 columns; the 13th, when there, is the CPU's number
 * (offline CPUs are not listed), else lines are numbered in order. Fewer than 9 columns, or a
 * column that is not hexadecimal, throws {@link KernelFormatError}.
 */
export function parseSoftnet(text: string, where: string): SoftnetStat[] {
  const stats: SoftnetStat[] = [];
  for (const line of text.split('\n')) {
    const columns = splitFields(line);
    if (columns.length === 0) continue;
    if (columns.length < 9) throw new KernelFormatError(`${where}: ${columns.length} columns, expected at least 9`);
    const value = (index: number): number => {
      const column = columns[index];
      if (column === undefined) return 0;
      if (!/^[0-9a-f]{1,8}$/i.test(column)) throw new KernelFormatError(`${where}: invalid hexadecimal ${JSON.stringify(column)}`);
      return Number.parseInt(column, 16);
    };
    stats.push({
      processed: value(0),
      dropped: value(1),
      timeSqueezed: value(2),
      cpuCollision: value(8),
      receivedRps: value(9),
      flowLimitCount: value(10),
      backlogLength: value(11),
      cpu: columns.length >= 13 ? value(12) : stats.length,
    });
  }
  return stats;
}
