/** One CPU's line of `/proc/schedstat`: time running, time waiting on the run queue, and timeslices. */
export interface SchedstatCpu {
  readonly cpu: string;
  readonly runningNanoseconds: number;
  readonly waitingNanoseconds: number;
  readonly timeslices: number;
}

/**
 * Reads the `cpu<N>` lines of `/proc/schedstat` (Documentation/scheduler/sched-stats.rst): fields
 * 7 to 9 after the CPU are the time spent running, the time spent waiting and the timeslices run.
 * Other lines (version, domains) are skipped, and so is a line whose numbers do not parse, as
 * prometheus/procfs does.
 */
export function parseSchedstat(text: string): SchedstatCpu[] {
  const cpus: SchedstatCpu[] = [];
  for (const line of text.split('\n')) {
    const match = /cpu(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(line);
    if (match === null) continue;
    const [running, waiting, timeslices] = [match[8], match[9], match[10]].map((value) => Number(value));
    if (![running, waiting, timeslices].every((value) => value !== undefined && value < 2 ** 64)) continue;
    cpus.push({ cpu: match[1] ?? '', runningNanoseconds: running ?? 0, waitingNanoseconds: waiting ?? 0, timeslices: timeslices ?? 0 });
  }
  return cpus;
}
