import { KernelFormatError, parseNumber, splitFields } from './fields.js';

/** The ticks per second of every Linux `/proc/stat` CPU column (USER_HZ, fixed at 100 for user space). */
export const USER_HZ = 100;

/** One CPU's times, in seconds, in the column order of `/proc/stat`. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

/** The columns of a `cpuN` line, in the kernel's order. */
export const CPU_TIME_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guestNice'] as const satisfies readonly (keyof CpuTimes)[];

/** The vectors of the `softirq` line after its total, with node_exporter's names. */
export const SOFTIRQ_VECTORS = ['hi', 'timer', 'net_tx', 'net_rx', 'block', 'block_iopoll', 'tasklet', 'sched', 'hrtimer', 'rcu'] as const;

/** What `/proc/stat` says. A line the file lacks leaves its field undefined. */
export interface ProcStat {
  /** Per CPU, keyed by the kernel's CPU number (`"0"`, `"1"`, … with gaps for offline CPUs), in file order. */
  readonly cpus: Map<string, CpuTimes>;
  interrupts?: number;
  contextSwitches?: number;
  bootTime?: number;
  forks?: number;
  procsRunning?: number;
  procsBlocked?: number;
  /** `[vector, calls]` for the vectors the line has. */
  softirqs?: [vector: string, calls: number][];
}

/**
 * Parses `/proc/stat`. CPU columns are converted from USER_HZ ticks to seconds; an older kernel's
 * missing trailing columns (guest, guest_nice) read as 0, as in node_exporter. Throws
 * {@link KernelFormatError} for a value that is not a number.
 */
export function parseProcStat(text: string): ProcStat {
  const stat: ProcStat = { cpus: new Map() };
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space);
    if (key.startsWith('cpu')) {
      if (key === 'cpu') continue; // the all-CPU sum; node_exporter does not export it
      const number = key.slice(3);
      if (!/^\d+$/.test(number)) throw new KernelFormatError(`/proc/stat: invalid CPU line ${JSON.stringify(key)}`);
      stat.cpus.set(String(Number(number)), parseCpuTimes(line.slice(space + 1), key));
      continue;
    }
    switch (key) {
      case 'intr':
        // Only the total: the per-IRQ columns that follow can be thousands long.
        stat.interrupts = parseNumber(firstField(line, space), '/proc/stat intr');
        break;
      case 'ctxt':
        stat.contextSwitches = parseNumber(firstField(line, space), '/proc/stat ctxt');
        break;
      case 'btime':
        stat.bootTime = parseNumber(firstField(line, space), '/proc/stat btime');
        break;
      case 'processes':
        stat.forks = parseNumber(firstField(line, space), '/proc/stat processes');
        break;
      case 'procs_running':
        stat.procsRunning = parseNumber(firstField(line, space), '/proc/stat procs_running');
        break;
      case 'procs_blocked':
        stat.procsBlocked = parseNumber(firstField(line, space), '/proc/stat procs_blocked');
        break;
      case 'softirq': {
        const values = splitFields(line.slice(space + 1)).slice(1); // after the total
        stat.softirqs = SOFTIRQ_VECTORS.slice(0, values.length).map((vector, index) => [vector, parseNumber(values[index], `/proc/stat softirq ${vector}`)]);
        break;
      }
    }
  }
  return stat;
}

function firstField(line: string, space: number): string | undefined {
  let start = space;
  while (line[start] === ' ') start++;
  const end = line.indexOf(' ', start);
  const token = end === -1 ? line.slice(start) : line.slice(start, end);
  return token === '' ? undefined : token;
}

function parseCpuTimes(columns: string, key: string): CpuTimes {
  const values = splitFields(columns);
  const times = {} as CpuTimes;
  for (const [index, field] of CPU_TIME_FIELDS.entries()) {
    const token = values[index];
    // Divide rather than multiply by 0.01: that is what node_exporter does, and the two round differently.
    times[field] = token === undefined ? 0 : parseNumber(token, `/proc/stat ${key} ${field}`) / USER_HZ;
  }
  return times;
}
