import { readdirSync, readFileSync } from 'node:fs';

/**
 * Clock ticks per second of the CPU times in `/proc/<pid>/stat`. The kernel reports them in USER_HZ,
 * which is 100 on every Linux architecture Node runs on (proc(5)).
 */
const TICKS_PER_SECOND = 100;

/** What one look at a process tree found. */
export interface TreeSample {
  /** Processes in the tree, the root included. */
  readonly processes: number;
  /** Resident memory of the whole tree now, in bytes. */
  readonly residentBytes: number;
  /** The largest resident memory any one process of the tree has ever had (VmHWM), in bytes. */
  readonly largestPeakBytes: number;
  /** User and system CPU time of the live processes and of the children they have waited for, in seconds. */
  readonly cpuSeconds: number;
}

/** The pids of `pid`'s children, from every thread (a thread's forks are listed under that thread). */
function childrenOf(pid: number | 'self'): number[] {
  const children: number[] = [];
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const thread of threads) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').split(' ')) if (child.trim() !== '') children.push(Number(child));
    } catch {
      // The thread ended in the meantime.
    }
  }
  return children;
}

/** The fields of `/proc/<pid>/stat` after the command name, which may itself hold spaces and parentheses. */
export function readStatFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** `utime + stime` (own: fields 14 and 15) or `cutime + cstime` (waited-for children: 16 and 17), in seconds. */
export function cpuSecondsOf(fields: readonly string[], whose: 'own' | 'children'): number {
  // The fields start at field 3 (state), so field n is at index n - 3.
  const first = whose === 'own' ? 11 : 13;
  return (Number(fields[first]) + Number(fields[first + 1])) / TICKS_PER_SECOND;
}

function statusKilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
}

/**
 * Looks at the process tree under `rootPid` through `/proc` (Linux only; `undefined` elsewhere or
 * once the root is gone). A process that double-forks away from the tree leaves it, as it leaves
 * the root's accounting.
 */
export function sampleProcessTree(rootPid: number): TreeSample | undefined {
  const pending = [rootPid];
  let processes = 0;
  let residentKilobytes = 0;
  let largestPeakKilobytes = 0;
  let cpuSeconds = 0;
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const fields = readStatFields(pid);
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    if (fields === undefined) continue;
    processes++;
    residentKilobytes += statusKilobytes(status, 'VmRSS');
    largestPeakKilobytes = Math.max(largestPeakKilobytes, statusKilobytes(status, 'VmHWM'));
    cpuSeconds += cpuSecondsOf(fields, 'own') + cpuSecondsOf(fields, 'children');
    pending.push(...childrenOf(pid));
  }
  if (processes === 0) return undefined;
  return { processes, residentBytes: residentKilobytes * 1024, largestPeakBytes: largestPeakKilobytes * 1024, cpuSeconds };
}

/** This process's children, for the reaper: pid and state letter (`Z` for a zombie). */
export function ownChildren(): { pid: number; state: string | undefined }[] {
  // `self`, not the pid: in a PID namespace whose /proc was not remounted, /proc/1 is the host's init.
  return childrenOf('self').map((pid) => ({ pid, state: readStatFields(pid)?.[0] }));
}
