import {
  isCollectorTimeoutError,
  isNoDataError,
  validateWithSchema,
  type Collector,
  type CollectorPlugin,
} from '@tessera/collector-api';
import { collectOnce, type CollectOnceResult } from './collect-once.js';
import { createTestContext, type TestContext, type TestContextOverrides } from './test-context.js';

/** Options shared by the behaviour checks. */
export interface BehaviourCheckOptions {
  /** The config entry to create the collector with (default `{}`). */
  readonly config?: unknown;
  /** Context settings (roots, instance, …) for the collector under test. */
  readonly context?: TestContextOverrides;
  /** True (default) when a collection should succeed here; false when the source is absent and collect throws NoDataError. */
  readonly expectSuccess?: boolean;
  /**
   * How long a collection may take to settle once its signal has fired before the check calls it
   * hung (default 2000 ms). A bound against hangs, not a speed target.
   */
  readonly settleTimeoutMs?: number;
}

/** The wall-clock step between the two collections of {@link checkRepeatedCollection}: one default scrape interval. */
const SCRAPE_INTERVAL_MS = 15_000;

/** What a signal aborted by these checks carries as its reason. */
export class ConformanceAbortReason extends Error {
  constructor() {
    super('aborted by the conformance check');
    this.name = 'ConformanceAbortReason';
  }
}

/**
 * `collect()` with an already-aborted signal must reject soon, with the signal's reason (what
 * `signal.throwIfAborted()` throws), an `AbortError` (what fs, undici and timers/promises throw
 * for an aborted signal) or a `CollectorTimeoutError`. Resolving, rejecting with another error or
 * not settling within `settleTimeoutMs` is a problem.
 */
export async function checkAbortedSignal(plugin: CollectorPlugin, options: BehaviourCheckOptions = {}): Promise<string[]> {
  const { collector, context } = await createForCheck(plugin, options);
  try {
    const controller = new AbortController();
    const reason = new ConformanceAbortReason();
    controller.abort(reason);
    const outcome = await settleWithin(collectOnce(plugin, undefined, { context, collector, signal: controller.signal }), options.settleTimeoutMs);
    if (outcome.kind === 'hung') {
      return [`collect() with an aborted signal did not settle within ${outcome.waitedMs} ms: check signal.throwIfAborted() first and pass the signal to every I/O call`];
    }
    if (outcome.kind === 'resolved') return ['collect() resolved although its signal was already aborted: call signal.throwIfAborted() before reading the source'];
    if (isAbortRejection(outcome.error, reason)) return [];
    return [`collect() with an aborted signal rejected with ${describeError(outcome.error)}, not with the signal's reason or an AbortError`];
  } finally {
    await collector.close?.();
  }
}

/**
 * A collection whose signal fires while it is in flight must settle within `settleTimeoutMs`, and
 * the instance must collect normally afterwards (per `expectSuccess`). The signal fires as soon as
 * `collect()` has returned its promise: the collector is past its opening `signal.throwIfAborted()`
 * and waiting on its source. How it settles is its own business: I/O already under way may finish
 * first and resolve the collection, or fail it with the source's own error.
 *
 * Why it matters: the host abandons a collection that outlives its deadline and starts no other for
 * that instance while it still runs, so a collector that stops listening to its signal mid-way loses
 * every later scrape; and one that caches an aborted promise (a login, a connection) fails them.
 */
export async function checkAbortDuringCollection(plugin: CollectorPlugin, options: BehaviourCheckOptions = {}): Promise<string[]> {
  const { collector, context } = await createForCheck(plugin, options);
  try {
    const controller = new AbortController();
    const abortingCollector: Collector = {
      get metrics() {
        return collector.metrics;
      },
      collect(sink, signal) {
        const collecting = collector.collect(sink, signal);
        controller.abort(new ConformanceAbortReason());
        return collecting;
      },
    };
    const outcome = await settleWithin(collectOnce(plugin, undefined, { context, collector: abortingCollector, signal: controller.signal }), options.settleTimeoutMs);
    if (outcome.kind === 'hung') {
      return [`collect() did not settle within ${outcome.waitedMs} ms of its signal firing mid-collection: pass the signal to every I/O call (or race waits against it)`];
    }
    const next = await attempt(() => collectOnce(plugin, undefined, { context, collector }));
    return describeUnexpected('after the abort, the next', next, options.expectSuccess ?? true);
  } finally {
    await collector.close?.();
  }
}

/**
 * A second collection on the same instance (a scrape interval later) must behave like the first:
 * both succeed with the same set of families, or, with `expectSuccess: false`, both throw NoDataError.
 */
export async function checkRepeatedCollection(plugin: CollectorPlugin, options: BehaviourCheckOptions = {}): Promise<string[]> {
  const { collector, context } = await createForCheck(plugin, options);
  try {
    const first = await attempt(() => collectOnce(plugin, undefined, { context, collector }));
    context.clock.advance(SCRAPE_INTERVAL_MS);
    const second = await attempt(() => collectOnce(plugin, undefined, { context, collector }));
    const problems: string[] = [];
    for (const [label, result] of [['first', first], ['second', second]] as const) {
      problems.push(...describeUnexpected(label, result, options.expectSuccess ?? true));
    }
    if (problems.length > 0 || !first.ok || !second.ok) return problems;
    const firstNames = familyNames(first.value);
    const secondNames = familyNames(second.value);
    const missing = firstNames.filter((name) => !secondNames.includes(name));
    const added = secondNames.filter((name) => !firstNames.includes(name));
    if (missing.length === 0 && added.length === 0) return [];
    return [`the second collection has another family set (missing: ${missing.join(', ') || 'none'}; new: ${added.join(', ') || 'none'})`];
  } finally {
    await collector.close?.();
  }
}

/** `close()` (when the collector has one) may be called twice after a collection without throwing. */
export async function checkIdempotentClose(plugin: CollectorPlugin, options: BehaviourCheckOptions = {}): Promise<string[]> {
  const { collector, context } = await createForCheck(plugin, options);
  const collected = await attempt(() => collectOnce(plugin, undefined, { context, collector }));
  const problems = describeUnexpected('the collection', collected, options.expectSuccess ?? true);
  for (const call of ['first', 'second'] as const) {
    try {
      await collector.close?.();
    } catch (error) {
      problems.push(`the ${call} close() threw ${describeError(error)}: close must be idempotent`);
    }
  }
  return problems;
}

/** The parts of prom-client's registry the global-state check reads. */
export interface PromRegistryLike {
  getMetricsAsJSON(): Promise<readonly unknown[]> | readonly unknown[];
}

/** Options of {@link checkGlobalStateUntouched}. */
export interface GlobalStateCheckOptions extends BehaviourCheckOptions {
  /** prom-client's global `register`, when prom-client is installed (see `loadPromClientRegistry`). */
  readonly promRegistry?: PromRegistryLike;
}

/**
 * After create + collect + close, prom-client's global registry (when given) must hold exactly what
 * it held before, and `globalThis` must have no new own keys: a collector shares a process with the
 * host and every other collector, so global state is a cross-collector bug.
 */
export async function checkGlobalStateUntouched(plugin: CollectorPlugin, options: GlobalStateCheckOptions = {}): Promise<string[]> {
  const keysBefore = new Set(Reflect.ownKeys(globalThis));
  const registryBefore = options.promRegistry === undefined ? undefined : await snapshotRegistry(options.promRegistry);
  const { collector, context } = await createForCheck(plugin, options);
  const problems: string[] = [];
  try {
    const collected = await attempt(() => collectOnce(plugin, undefined, { context, collector }));
    problems.push(...describeUnexpected('the collection', collected, options.expectSuccess ?? true));
  } finally {
    await collector.close?.();
  }
  const added = Reflect.ownKeys(globalThis).filter((key) => !keysBefore.has(key));
  if (added.length > 0) problems.push(`new globalThis keys: ${added.map((key) => String(key)).join(', ')}`);
  if (options.promRegistry !== undefined && registryBefore !== undefined) {
    const registryAfter = await snapshotRegistry(options.promRegistry);
    problems.push(...compareRegistries(registryBefore, registryAfter));
  }
  return problems;
}

async function snapshotRegistry(registry: PromRegistryLike): Promise<Map<string, string>> {
  const metrics = await registry.getMetricsAsJSON();
  const snapshot = new Map<string, string>();
  for (const metric of metrics) {
    const name = (metric as { name?: unknown }).name;
    snapshot.set(typeof name === 'string' ? name : JSON.stringify(metric), JSON.stringify(metric));
  }
  return snapshot;
}

function compareRegistries(before: Map<string, string>, after: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, json] of after) {
    if (!before.has(name)) problems.push(`prom-client's global registry gained ${name}: use sink.add(), never prom-client, in a collector`);
    else if (before.get(name) !== json) problems.push(`prom-client's global registry metric ${name} changed`);
  }
  for (const name of before.keys()) {
    if (!after.has(name)) problems.push(`prom-client's global registry lost ${name}`);
  }
  return problems;
}

async function createForCheck(plugin: CollectorPlugin, options: BehaviourCheckOptions): Promise<{ collector: Collector; context: TestContext }> {
  const context = createTestContext({ collector: plugin.name, ...options.context });
  const config = await validateWithSchema(plugin.configSchema, options.config ?? {});
  return { collector: await plugin.create(config, context), context };
}

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

async function attempt<T>(run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function describeUnexpected(label: string, result: Attempt<unknown>, expectSuccess: boolean): string[] {
  if (expectSuccess) return result.ok ? [] : [`${label} collection failed: ${describeError(result.error)}`];
  if (result.ok) return [`${label} collection succeeded, but expectSuccess: false says the source is absent (NoDataError)`];
  return isNoDataError(result.error) ? [] : [`${label} collection failed with ${describeError(result.error)}, not NoDataError`];
}

function familyNames(result: CollectOnceResult): string[] {
  return result.families.map(({ family }) => family.name);
}

function isAbortRejection(error: unknown, reason: unknown): boolean {
  if (error === reason || isCollectorTimeoutError(error)) return true;
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

type Settled = { kind: 'resolved' } | { kind: 'rejected'; error: unknown } | { kind: 'hung'; waitedMs: number };

async function settleWithin(promise: Promise<unknown>, timeoutMs = 2000): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung', waitedMs: timeoutMs }), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (): Settled => ({ kind: 'resolved' }),
        (error: unknown): Settled => ({ kind: 'rejected', error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One line naming an error: `Name: message`, with its code when it has one. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
}
