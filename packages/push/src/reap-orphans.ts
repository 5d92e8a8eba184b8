import { ownChildren } from './process-tree.js';

/** waitpid(2)'s WNOHANG on Linux: return at once when the child has not ended. */
const WNOHANG = 1;

/** How often the reaper looks for zombies besides on SIGCHLD, which the kernel may coalesce. */
const SWEEP_INTERVAL_MS = 1000;

/**
 * As PID 1 (a container's entrypoint), reaps the zombies of orphaned processes: a process whose
 * parent ended is handed to PID 1, and its exit leaves a zombie in the process table until PID 1
 * waits for it. Node waits only for the children it spawned itself, so this calls waitpid(2) through
 * koffi for the other ones; `managedPid()` names the child Node owns, which is left alone so that
 * Node still gets its exit status. Returns the function that stops reaping.
 *
 * Does nothing when the process is not PID 1 or not on Linux. When koffi or libc cannot be loaded,
 * `onWarning` says so once and zombies stay (a container can run tini in front instead).
 */
export async function startReapingOrphans(managedPid: () => number | undefined, onWarning: (message: string) => void): Promise<() => void> {
  if (process.pid !== 1 || process.platform !== 'linux') return () => undefined;
  let waitpid: (pid: number, status: null, options: number) => number;
  try {
    const koffi = (await import('koffi')).default;
    waitpid = koffi.load('libc.so.6').func('int waitpid(int pid, _Out_ int *status, int options)') as typeof waitpid;
  } catch (error) {
    onWarning(`running as PID 1 but cannot reap orphaned processes (${error instanceof Error ? error.message : String(error)}); zombies will stay until the container ends`);
    return () => undefined;
  }
  const reap = (): void => {
    for (const child of ownChildren()) if (child.state === 'Z' && child.pid !== managedPid()) waitpid(child.pid, null, WNOHANG);
  };
  process.on('SIGCHLD', reap);
  const sweep = setInterval(reap, SWEEP_INTERVAL_MS);
  sweep.unref();
  reap();
  return () => {
    process.off('SIGCHLD', reap);
    clearInterval(sweep);
  };
}
