/**
 * @tessera/collector-testkit/vitest — the whole conformance suite as vitest `describe`/`it` blocks.
 * A collector package adds one file, `test/conformance.test.ts`:
 *
 * ```ts
 * import { describeCollector } from '@tessera/collector-testkit/vitest';
 * import plugin from '../src/index.js';
 *
 * describeCollector(plugin, { packageDir: new URL('..', import.meta.url) });
 * ```
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWithSchema, type CollectorContext, type CollectorPlugin, type FilesystemRoots, type MetricFamily } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import {
  checkAbortDuringCollection,
  checkAbortedSignal,
  checkGlobalStateUntouched,
  checkIdempotentClose,
  checkRepeatedCollection,
  describeError,
  type BehaviourCheckOptions,
} from './behaviour-checks.js';
import { collectOnce } from './collect-once.js';
import {
  checkEmptyConfig,
  checkReadmeIncludesSample,
  checkReservedKeysRejected,
  checkSampleConfig,
  checkUnknownKeyRejected,
  readSampleConfig,
  type SampleConfig,
} from './config-checks.js';
import { findDuplicateSeries } from './duplicate-series.js';
import { isGoldenUpdateRequested, listGoldenCases, runGoldenCase, type StartSimulator } from './golden-case.js';
import { runInHostSmoke } from './in-host-smoke.js';
import { checkMetricHygiene } from './metric-hygiene.js';
import { checkPackageMetadata, readPackageJson } from './package-metadata.js';
import { loadPromClientRegistry } from './prom-client-registry.js';
import { checkWithPromtool, type PromtoolOptions } from './promtool.js';
import { createTestContext } from './test-context.js';

/** Options of {@link describeCollector}. */
export interface DescribeCollectorOptions {
  /** The collector package root: reads `package.json`, `README.md`, `sample.config.yaml` and the cases. */
  readonly packageDir: string | URL;
  /** The golden cases directory, relative to `packageDir` unless absolute (default `test/cases`). */
  readonly casesDir?: string;
  /** Metric names allowed to break the naming rules (node_exporter's camelCase meminfo fields). */
  readonly lintAllow?: readonly (string | RegExp)[];
  /** Label names allowed to break the label rules (dcgm-exporter's `UUID`, `modelName`). */
  readonly lintAllowLabels?: readonly (string | RegExp)[];
  /** Starts the simulator a golden case names in its `simulator.yaml` (see the README). */
  readonly startSimulator?: StartSimulator;
  /** The config entry for the behaviour and in-host smoke tests (default `{}`). */
  readonly smokeConfig?: unknown;
  /** Context settings (roots, instance, …) for the behaviour tests; `roots` also go to the in-host test's `paths:`. */
  readonly smokeContext?: Partial<Omit<CollectorContext, 'roots'>> & { roots?: Partial<FilesystemRoots> };
  /** True (default) when the smoke source exists here; false when it is absent and collect throws NoDataError. */
  readonly expectSmokeSuccess?: boolean;
  /** False when the collector cannot work without settings: `{}` must then be rejected (default true). */
  readonly emptyConfigValid?: boolean;
  /**
   * Also lint the smoke collection and every golden `expected.prom` with `promtool check metrics`,
   * requiring its findings to be covered by `allow`. Opt-in: third parties need not install Prometheus.
   */
  readonly promtool?: PromtoolOptions;
  /** How long an aborted collection (already aborted, or aborted mid-way) may take to settle before it counts as hung (default 2000 ms). */
  readonly settleTimeoutMs?: number;
}

/**
 * How long a test that starts a simulator or the whole host may take: loading the host alone takes
 * seconds on a busy CI machine, past vitest's 5 s default.
 */
const STARTS_PROCESSES_TIMEOUT_MS = 30_000;

/**
 * Registers the conformance suite for one collector plugin: metadata, config, metric hygiene,
 * one test per golden case, behaviour (abort before and during a collection, repeat, close, global state) and an in-host smoke
 * test. Call it at the top level of a test file. See the package README for what each check means.
 */
export function describeCollector(plugin: CollectorPlugin, options: DescribeCollectorOptions): void {
  const packageDir = options.packageDir instanceof URL ? fileURLToPath(options.packageDir) : options.packageDir;
  const casesDir = isAbsolute(options.casesDir ?? '') ? (options.casesDir ?? '') : join(packageDir, options.casesDir ?? 'test/cases');
  const expectSuccess = options.expectSmokeSuccess ?? true;
  const behaviour: BehaviourCheckOptions = {
    config: options.smokeConfig ?? {},
    context: options.smokeContext ?? {},
    expectSuccess,
    ...(options.settleTimeoutMs === undefined ? {} : { settleTimeoutMs: options.settleTimeoutMs }),
  };
  let samplePromise: Promise<SampleConfig> | undefined;
  const sample = (): Promise<SampleConfig> => (samplePromise ??= readSampleConfig(packageDir, plugin.name));
  const validSample = async (): Promise<unknown> => (await sample()).entries[0] ?? {};

  describe(`collector ${String((plugin as Partial<CollectorPlugin> | undefined)?.name)}`, () => {
    describe('metadata', () => {
      it('is a plugin of this specification, packaged as the host expects', async () => {
        expectNoProblems(checkPackageMetadata(plugin, await readPackageJson(packageDir)));
      });
    });

    describe('config', () => {
      it('sample.config.yaml parses and validates against configSchema', async () => {
        expectNoProblems(await checkSampleConfig(plugin, await sample()));
      });
      it(options.emptyConfigValid === false ? 'an empty config is rejected (required settings)' : 'an empty config validates (every setting has a default)', async () => {
        expectNoProblems(await checkEmptyConfig(plugin, options.emptyConfigValid ?? true));
      });
      it('an unknown key is rejected with a ConfigError naming it', async () => {
        expectNoProblems(await checkUnknownKeyRejected(plugin, await validSample()));
      });
      it('host keys (instance, enabled, timeoutSeconds, cacheTtlSeconds) are not accepted by the schema', async () => {
        expectNoProblems(await checkReservedKeysRejected(plugin, await validSample()));
      });
      it('README.md contains sample.config.yaml verbatim', async () => {
        const readme = await readFile(join(packageDir, 'README.md'), 'utf8').catch(() => undefined);
        expectNoProblems(checkReadmeIncludesSample(readme, await sample()));
      });
    });

    describe('metric hygiene', () => {
      it('declared families follow the naming rules', async () => {
        const context = createTestContext({ collector: plugin.name, ...options.smokeContext });
        const collector = await plugin.create(await validateWithSchema(plugin.configSchema, options.smokeConfig ?? {}), context);
        try {
          expectNoProblems(checkMetricHygiene([...plugin.metrics, ...(collector.metrics ?? [])], { allow: options.lintAllow ?? [], allowLabels: options.lintAllowLabels ?? [] }));
        } finally {
          await collector.close?.();
        }
      });
      it(expectSuccess ? 'the smoke collection has no duplicate series, and what it declares follows the naming rules' : 'the smoke collection reports an absent source with NoDataError', async () => {
        const context = createTestContext({ collector: plugin.name, ...options.smokeContext });
        let text: string;
        let declaredDuringCollection: readonly MetricFamily[];
        try {
          ({ text, declaredDuringCollection } = await collectOnce(plugin, options.smokeConfig ?? {}, { context }));
        } catch (error) {
          if (expectSuccess) throw error;
          expect((error as { code?: unknown }).code, describeError(error)).toBe('ERR_TESSERA_NO_DATA');
          return;
        }
        expect(expectSuccess, 'the smoke collection succeeded, but expectSmokeSuccess is false').toBe(true);
        expectNoProblems(findDuplicateSeries(text));
        // Families declared with sink.declare() exist only once a collection runs: lint them here.
        expectNoProblems(checkMetricHygiene(declaredDuringCollection, { allow: options.lintAllow ?? [], allowLabels: options.lintAllowLabels ?? [] }));
        if (options.promtool !== undefined) expectNoProblems(await checkWithPromtool(text, options.promtool));
      });
    });

    describe('golden cases', () => {
      const cases = listGoldenCases(casesDir);
      if (cases.length === 0) {
        it('has golden cases', () => {
          expect.fail(`no golden cases in ${casesDir}: add test/cases/<case>/ with config.yaml, input/ and expected.prom (see the testkit README)`);
        });
      }
      for (const caseDir of cases) {
        it(caseDir.slice(casesDir.length + 1), async () => {
          const update = isGoldenUpdateRequested() || isVitestUpdatingSnapshots();
          const result = await runGoldenCase(plugin, caseDir, { update, ...(options.startSimulator === undefined ? {} : { startSimulator: options.startSimulator }) });
          expect(result.passed, result.message).toBe(true);
          if (result.outcome !== 'metrics') return;
          expectNoProblems(findDuplicateSeries(result.actual));
          if (options.promtool !== undefined) expectNoProblems(await checkWithPromtool(result.actual, options.promtool));
        }, STARTS_PROCESSES_TIMEOUT_MS);
      }
    });

    describe('behaviour', () => {
      it('collect() rejects promptly when its signal is already aborted', async () => {
        expectNoProblems(await checkAbortedSignal(plugin, behaviour));
      });
      it('collect() settles promptly when its signal fires mid-collection, and the next collect() works', async () => {
        expectNoProblems(await checkAbortDuringCollection(plugin, behaviour));
      });
      it('a second collect() on the same instance works and yields the same families', async () => {
        expectNoProblems(await checkRepeatedCollection(plugin, behaviour));
      });
      it('close() can be called twice', async () => {
        expectNoProblems(await checkIdempotentClose(plugin, behaviour));
      });
      it("leaves prom-client's global registry and globalThis untouched", async () => {
        // Skipped for prom-client only when the author's project does not have it: nothing there can touch it.
        const promRegistry = await loadPromClientRegistry(packageDir);
        expectNoProblems(await checkGlobalStateUntouched(plugin, { ...behaviour, ...(promRegistry === undefined ? {} : { promRegistry }) }));
      });
    });

    describe('in-host smoke', () => {
      it(`the host serves tessera_scrape_collector_success ${expectSuccess ? 1 : 0} for it`, async () => {
        const roots = options.smokeContext?.roots;
        const result = await runInHostSmoke(plugin, { config: options.smokeConfig ?? {}, expectSuccess, ...(roots === undefined ? {} : { roots }) });
        expect(result.problems, `${result.problems.join('\n')}\n--- /metrics ---\n${result.body}\n--- the host's log ---\n${result.logs.join('')}`).toEqual([]);
      }, STARTS_PROCESSES_TIMEOUT_MS);
    });
  });
}

function expectNoProblems(problems: readonly string[]): void {
  expect(problems, problems.join('\n')).toEqual([]);
}

/** True under `vitest -u`: the snapshot state of the running test is in "update all" mode. */
function isVitestUpdatingSnapshots(): boolean {
  return expect.getState().snapshotState?.snapshotUpdateState === 'all';
}
