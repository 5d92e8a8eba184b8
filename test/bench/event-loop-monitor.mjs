// Loaded into a benchmarked process with `node --import`: samples its event loop and answers the
// benchmark over IPC. `reset` starts a window; `stats` reports it: the event loop's largest delay
// and its 99th percentile (wall clock, what a scrape or health check waiting behind it sees), the
// largest delay during which the main thread itself was running (its CPU time across the delay,
// from /proc/self/task/<pid>/schedstat: on a shared machine, the part of a delay that is the
// process's own work and not other processes'), the CPU time of all its threads, and RSS.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const TICK_MS = 5;
const histogram = monitorEventLoopDelay({ resolution: TICK_MS });
histogram.enable();
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
/** The main thread's CPU time in ms (Linux), else the whole process's. */
function mainThreadCpuMs() {
  try {
    return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1000;
  }
}
let ownMaxMs = 0;
let windowCpu = process.cpuUsage();
let lastTick = performance.now();
let lastCpuMs = mainThreadCpuMs();
setInterval(() => {
  const now = performance.now();
  const cpuMs = mainThreadCpuMs();
  const delayMs = now - lastTick - TICK_MS;
  if (delayMs > 0) ownMaxMs = Math.max(ownMaxMs, Math.min(delayMs, cpuMs - lastCpuMs));
  lastTick = now;
  lastCpuMs = cpuMs;
}, TICK_MS).unref();

process.on('message', (message) => {
  if (message === 'reset') {
    histogram.reset();
    ownMaxMs = 0;
    windowCpu = process.cpuUsage();
    process.send?.({ reset: true });
  } else if (message === 'stats') {
    const cpu = process.cpuUsage(windowCpu);
    process.send?.({
      eventLoopMaxMs: histogram.max / 1e6,
      eventLoopP99Ms: histogram.percentile(99) / 1e6,
      ownDelayMaxMs: ownMaxMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    });
  }
});
// The IPC channel must not keep a process alive that would otherwise exit (SIGTERM ends tessera).
process.channel?.unref();
