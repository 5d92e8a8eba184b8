import { defineMetric, NoDataError } from '@tessera/collector-api';
import { Counter, register } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkAbortDuringCollection,
  checkAbortedSignal,
  checkGlobalStateUntouched,
  checkIdempotentClose,
  checkRepeatedCollection,
  ConformanceAbortReason,
  loadPromClientRegistry,
} from '../src/index.js';
import example from './fixtures/example-collector/example-collector.js';
import { makePlugin, upGauge } from './plugin-factory.js';

const packageDir = new URL('..', import.meta.url).pathname;

describe('checkAbortedSignal', () => {
  it('passes a collector that checks its signal first', async () => {
    expect(await checkAbortedSignal(example)).toEqual([]);
  });

  it('accepts an AbortError, as fs and undici throw for an aborted signal', async () => {
    const plugin = makePlugin({
      create: () => ({
        collect: () => Promise.reject(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })),
      }),
    });
    expect(await checkAbortedSignal(plugin)).toEqual([]);
  });

  it('reports a collector that ignores the signal and resolves', async () => {
    const plugin = makePlugin({
      create: () => ({
        collect(sink) {
          sink.add(upGauge, {}, 1);
          return Promise.resolve();
        },
      }),
    });
    expect(await checkAbortedSignal(plugin)).toEqual([
      'collect() resolved although its signal was already aborted: call signal.throwIfAborted() before reading the source',
    ]);
  });

  it('reports a collector that ignores the signal and hangs', async () => {
    const plugin = makePlugin({ create: () => ({ collect: () => new Promise<void>(() => undefined) }) });
    expect(await checkAbortedSignal(plugin, { settleTimeoutMs: 100 })).toEqual([
      'collect() with an aborted signal did not settle within 100 ms: check signal.throwIfAborted() first and pass the signal to every I/O call',
    ]);
  });

  it('reports a collector that rejects with an unrelated error', async () => {
    const plugin = makePlugin({ create: () => ({ collect: () => Promise.reject(new NoDataError('no source')) }) });
    expect(await checkAbortedSignal(plugin)).toEqual([
      "collect() with an aborted signal rejected with NoDataError: no source (ERR_TESSERA_NO_DATA), not with the signal's reason or an AbortError",
    ]);
  });

  it('hands the collector the conformance reason, which signal.throwIfAborted() rethrows', async () => {
    let reason: unknown;
    const plugin = makePlugin({
      create: () => ({
        collect(_sink, signal) {
          reason = signal.reason;
          signal.throwIfAborted();
          return Promise.resolve();
        },
      }),
    });
    expect(await checkAbortedSignal(plugin)).toEqual([]);
    expect(reason).toBeInstanceOf(ConformanceAbortReason);
  });
});

describe('checkAbortDuringCollection', () => {
  it('passes a collector that hands its signal to its I/O', async () => {
    expect(await checkAbortDuringCollection(example)).toEqual([]);
  });

  it('passes a collector that finished before it saw the abort', async () => {
    expect(await checkAbortDuringCollection(makePlugin())).toEqual([]);
  });

  it('expects NoDataError from the collection after the abort when the source is absent', async () => {
    const absent = { context: { roots: { procfs: '/nonexistent' } } };
    expect(await checkAbortDuringCollection(example, { ...absent, expectSuccess: false })).toEqual([]);
    expect(await checkAbortDuringCollection(example, absent)).toEqual([
      'after the abort, the next collection failed: NoDataError: example: /nonexistent/loadavg does not exist (ERR_TESSERA_NO_DATA)',
    ]);
  });

  it('reports a collector that checks the signal only at the start, then waits without it', async () => {
    let release: (() => void) | undefined;
    const plugin = makePlugin({
      create: () => ({
        async collect(sink, signal) {
          signal.throwIfAborted();
          await new Promise<void>((resolve) => (release = resolve));
          sink.add(upGauge, {}, 1);
        },
      }),
    });
    try {
      expect(await checkAbortDuringCollection(plugin, { settleTimeoutMs: 100 })).toEqual([
        'collect() did not settle within 100 ms of its signal firing mid-collection: pass the signal to every I/O call (or race waits against it)',
      ]);
    } finally {
      release?.();
    }
  });

  it('reports a collector that an abort leaves broken for the next collection', async () => {
    const plugin = makePlugin({
      create: () => {
        // Caches its connection attempt, including one that the abort rejected.
        let connecting: Promise<void> | undefined;
        return {
          async collect(sink, signal) {
            signal.throwIfAborted();
            connecting ??= new Promise<void>((resolve, reject) => {
              signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
              setImmediate(resolve);
            });
            await connecting;
            sink.add(upGauge, {}, 1);
          },
        };
      },
    });
    expect(await checkAbortDuringCollection(plugin)).toEqual([
      'after the abort, the next collection failed: ConformanceAbortReason: aborted by the conformance check',
    ]);
  });
});

describe('checkRepeatedCollection', () => {
  it('passes a collector whose second collection matches the first', async () => {
    expect(await checkRepeatedCollection(example)).toEqual([]);
  });

  it('reports a collector that breaks on its second collection', async () => {
    const plugin = makePlugin({
      create: () => {
        let runs = 0;
        return {
          collect(sink) {
            if (++runs > 1) return Promise.reject(new Error('socket already consumed'));
            sink.add(upGauge, {}, 1);
            return Promise.resolve();
          },
        };
      },
    });
    expect(await checkRepeatedCollection(plugin)).toEqual(['second collection failed: Error: socket already consumed']);
  });

  it('reports a family set that changes between collections', async () => {
    const other = defineMetric({ name: 'demo_other', type: 'gauge', help: 'Other.', labelNames: [] });
    const plugin = makePlugin({
      metrics: [upGauge, other],
      create: () => {
        let runs = 0;
        return {
          collect(sink) {
            sink.add(++runs === 1 ? upGauge : other, {}, 1);
            return Promise.resolve();
          },
        };
      },
    });
    expect(await checkRepeatedCollection(plugin)).toEqual(['the second collection has another family set (missing: demo_up; new: demo_other)']);
  });

  it('expects NoDataError twice when the source is absent', async () => {
    const absent = { context: { roots: { procfs: '/nonexistent' } } };
    expect(await checkRepeatedCollection(example, { ...absent, expectSuccess: false })).toEqual([]);
    expect(await checkRepeatedCollection(example, absent)).toEqual([
      'first collection failed: NoDataError: example: /nonexistent/loadavg does not exist (ERR_TESSERA_NO_DATA)',
      'second collection failed: NoDataError: example: /nonexistent/loadavg does not exist (ERR_TESSERA_NO_DATA)',
    ]);
    expect(await checkRepeatedCollection(example, { expectSuccess: false })).toEqual([
      'first collection succeeded, but expectSuccess: false says the source is absent (NoDataError)',
      'second collection succeeded, but expectSuccess: false says the source is absent (NoDataError)',
    ]);
  });
});

describe('checkIdempotentClose', () => {
  it('passes a collector whose close() can run twice', async () => {
    expect(await checkIdempotentClose(example)).toEqual([]);
  });

  it('reports a close() that throws the second time', async () => {
    const plugin = makePlugin({
      create: () => {
        let closed = false;
        return {
          collect: () => Promise.resolve(),
          close() {
            if (closed) throw new Error('already closed');
            closed = true;
          },
        };
      },
    });
    expect(await checkIdempotentClose(plugin)).toEqual(['the second close() threw Error: already closed: close must be idempotent']);
  });
});

describe('checkGlobalStateUntouched', () => {
  afterEach(() => {
    register.clear();
    delete (globalThis as Record<string, unknown>).demoCache;
  });

  it('passes a collector that keeps to its context', async () => {
    expect(await checkGlobalStateUntouched(example, { promRegistry: register })).toEqual([]);
  });

  it("reports a collector that registers a metric in prom-client's global registry", async () => {
    const plugin = makePlugin({
      create: () => ({
        collect(sink) {
          new Counter({ name: 'demo_scrapes_total', help: 'Scrapes.' }).inc();
          sink.add(upGauge, {}, 1);
          return Promise.resolve();
        },
      }),
    });
    expect(await checkGlobalStateUntouched(plugin, { promRegistry: register })).toEqual([
      "prom-client's global registry gained demo_scrapes_total: use sink.add(), never prom-client, in a collector",
    ]);
  });

  it('reports a changed value of an existing global metric', async () => {
    const existing = new Counter({ name: 'host_owned_total', help: 'Owned by someone else.' });
    const plugin = makePlugin({
      create: () => ({
        collect() {
          existing.inc();
          return Promise.resolve();
        },
      }),
    });
    expect(await checkGlobalStateUntouched(plugin, { promRegistry: register })).toEqual(["prom-client's global registry metric host_owned_total changed"]);
  });

  it('reports a new globalThis key', async () => {
    const plugin = makePlugin({
      create: () => ({
        collect() {
          (globalThis as Record<string, unknown>).demoCache = new Map();
          return Promise.resolve();
        },
      }),
    });
    expect(await checkGlobalStateUntouched(plugin)).toEqual(['new globalThis keys: demoCache']);
  });

  it("loads prom-client's registry as the package directory resolves it: the copy a collector there would import", async () => {
    expect(await loadPromClientRegistry(packageDir)).toBe(register);
  });
});
