/** Called with a failed update; throws to pass the failure on (strict jobs), returns to drop it. */
export type UpdateFailureHandler = (metric: string, method: string, error: unknown) => void;

/** The methods of prom-client's metrics that change values and throw on bad input. */
const UPDATE_METHODS = ['inc', 'dec', 'set', 'setToCurrentTime', 'observe', 'zero', 'remove', 'reset', 'startTimer'] as const;

/** What `labels(...)` returns when its labels are wrong: every update through it is dropped. */
const DROPPED_CHILD = Object.freeze({
  inc: () => undefined,
  dec: () => undefined,
  set: () => undefined,
  setToCurrentTime: () => undefined,
  observe: () => undefined,
  startTimer: () => () => 0,
});

/**
 * Makes the update methods of a prom-client metric report a failure to `onFailure` instead of
 * throwing into the job: `counter.inc(-1)`, a label that was not declared, a value that is not a
 * number. The methods are replaced on the instance, so `labels()` children and `startTimer()` ends,
 * which call them through `this`, are covered too. Returns the metric.
 */
export function guardUpdates<T extends object>(metric: T, name: string, onFailure: UpdateFailureHandler): T {
  const methods = metric as unknown as Record<string, unknown>;
  for (const method of [...UPDATE_METHODS, 'labels']) {
    const original = methods[method];
    if (typeof original !== 'function') continue;
    methods[method] = function guarded(this: unknown, ...args: unknown[]): unknown {
      try {
        return (original as (...args: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        onFailure(name, method, error);
        return method === 'labels' ? DROPPED_CHILD : method === 'startTimer' ? DROPPED_CHILD.startTimer() : undefined;
      }
    };
  }
  return metric;
}
