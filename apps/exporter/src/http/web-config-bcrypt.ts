import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The worker's whole program. It is evaluated as a script, so the host's build needs no second
// entry point, and it loads bcryptjs from the path the host resolved for it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', ({ id, password, hash }) => {
  let matches = false;
  try { matches = bcrypt.compareSync(password, hash); } catch { matches = false; }
  parentPort.postMessage({ id, matches });
});
`;

// A worker idle this long is stopped; the success cache makes later checks rare.
const IDLE_MS = 30_000;

/**
 * bcrypt checks on a worker thread. bcryptjs' asynchronous API still computes on the main thread,
 * in slices of up to 100 ms, which would stall scrapes and health checks; on a worker the event
 * loop stays free. The worker starts on the first check and stops after 30 s without one.
 */
export class BcryptWorker {
  #worker: Worker | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, (matches: boolean) => void>();

  /** Whether `password` matches `hash`; false for a malformed hash or when the worker fails. */
  compare(password: string, hash: string): Promise<boolean> {
    clearTimeout(this.#idleTimer);
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<boolean>((resolve) => {
      this.#waiting.set(id, resolve);
      worker.postMessage({ id, password, hash });
    });
  }

  /** Stops the worker; a later check starts a new one. */
  async close(): Promise<void> {
    clearTimeout(this.#idleTimer);
    const worker = this.#worker;
    this.#worker = undefined;
    this.#settleAll(false);
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const bcryptjs = createRequire(import.meta.url).resolve('bcryptjs');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs } });
    // A check in flight keeps its own promise; the worker alone never keeps the process alive.
    worker.unref();
    worker.on('message', ({ id, matches }: { id: number; matches: boolean }) => {
      this.#waiting.get(id)?.(matches);
      this.#waiting.delete(id);
      if (this.#waiting.size === 0) this.#idleTimer = setTimeout(() => void this.close(), IDLE_MS).unref();
    });
    const fail = (): void => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#settleAll(false);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.#worker = worker;
    return worker;
  }

  #settleAll(matches: boolean): void {
    for (const resolve of this.#waiting.values()) resolve(matches);
    this.#waiting.clear();
  }
}
