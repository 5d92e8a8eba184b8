import type { Logger, ScheduledTask, Scheduler } from '@tessera/collector-api';

/** A {@link Scheduler} whose tasks can all be cancelled at once (before the collector closes). */
export interface OwnedScheduler extends Scheduler {
  /** Cancels every task started through this scheduler; later `every()` calls are refused. */
  cancelAll(): void;
}

/**
 * The scheduler handed to one collector instance. Runs never overlap: the next run starts one
 * interval after the previous one started, or right after it ended when it overran. Errors are
 * logged and the task keeps its cadence. Timers are unref'd, so a task never keeps the process alive.
 */
export function createScheduler(logger: Logger, monotonic: () => number): OwnedScheduler {
  const tasks = new Set<ScheduledTask>();
  let closed = false;

  const every: Scheduler['every'] = (intervalMs, task, options = {}) => {
    if (closed) throw new Error('the scheduler is closed: the collector is shutting down');
    if (!(intervalMs > 0)) throw new RangeError(`interval must be a positive number of milliseconds, received ${intervalMs}`);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;

    const schedule = (delayMs: number): void => {
      if (controller.signal.aborted) return;
      timer = setTimeout(run, Math.max(0, delayMs));
      timer.unref();
    };
    const run = (): void => {
      const started = monotonic();
      void (async () => {
        try {
          await task(controller.signal);
        } catch (error) {
          if (!controller.signal.aborted) logger.warn({ err: error }, `scheduled task failed: ${(error as Error)?.message ?? String(error)}`);
        }
        schedule(intervalMs - (monotonic() - started));
      })();
    };

    const handle: ScheduledTask = {
      cancel() {
        if (controller.signal.aborted) return;
        controller.abort(new Error('scheduled task cancelled'));
        clearTimeout(timer);
        tasks.delete(handle);
      },
    };
    tasks.add(handle);
    schedule(options.runImmediately === true ? 0 : intervalMs);
    return handle;
  };

  return {
    every,
    cancelAll() {
      closed = true;
      for (const task of [...tasks]) task.cancel();
    },
  };
}
