import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWithSchema } from '@tessera/collector-api';
import {
  checkAbortDuringCollection,
  checkAbortedSignal,
  checkEmptyConfig,
  checkGlobalStateUntouched,
  checkIdempotentClose,
  checkMetricHygiene,
  checkPackageMetadata,
  checkReadmeIncludesSample,
  checkRepeatedCollection,
  checkReservedKeysRejected,
  checkSampleConfig,
  checkUnknownKeyRejected,
  checkWithPromtool,
  collectOnce,
  createTestContext,
  findDuplicateSeries,
  isGoldenUpdateRequested,
  listGoldenCases,
  readPackageJson,
  readSampleConfig,
  runGoldenCase,
  runInHostSmoke,
  type BehaviourCheckOptions,
} from '@tessera/collector-testkit';
import { startGpuSimulator } from '@tessera/sim-gpu';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { prepareGoldenInputs } from './support/golden-inputs.js';

// The conformance suite of @tessera/collector-testkit, check by check. describeCollector() would run
// the same checks, but its hygiene check requires snake_case label names, and dcgm-exporter's
// series carry UUID, modelName, GPU_I_PROFILE, GPU_I_ID, Hostname and DCGM_FI_* labels that
// dashboards select on. Those findings, and only those, are accepted below.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const casesDir = join(packageDir, 'test/cases');

/** dcgm-exporter's metric names (upper case, counters without _total) and label names, kept for compatibility. */
const DCGM_NAMES = [/^DCGM_/];
const DCGM_LABELS = ['UUID', 'modelName', 'GPU_I_PROFILE', 'GPU_I_ID', 'Hostname', 'DCGM_FI_DRIVER_VERSION', 'DCGM_FI_NVML_VERSION', 'DCGM_FI_DEV_SERIAL', 'DCGM_FI_DEV_VBIOS_VERSION'];
const isDcgmLabelFinding = (problem: string): boolean => DCGM_LABELS.some((label) => problem.endsWith(`: label ${label}: label names should be snake_case`));
const PROMTOOL = { allow: [/^DCGM_\w+ (metric names|label names) should be written in 'snake_case' not 'camelCase'$/, /^DCGM_\w+ counter metrics should have "_total" suffix$/, /^DCGM_FI_DEV_PCIE_REPLAY_COUNTER metric name should not include type 'counter'$/] };

await prepareGoldenInputs(casesDir);
const simulator = await startGpuSimulator({ gpus: 2, mig: true });
afterAll(() => simulator.close());
const smokeConfig = { ...simulator.config, hostname: 'smoke-node' };
const behaviour: BehaviourCheckOptions = { config: smokeConfig, context: { collector: 'dcgm' } };
const expectNoProblems = (problems: readonly string[]): void => expect(problems, problems.join('\n')).toEqual([]);

describe('collector dcgm', () => {
  describe('metadata', () => {
    it('is a plugin of this specification, packaged as the host expects', async () => {
      expectNoProblems(checkPackageMetadata(plugin, await readPackageJson(packageDir)));
    });
  });

  describe('config', () => {
    it('sample.config.yaml parses and validates against configSchema', async () => {
      expectNoProblems(await checkSampleConfig(plugin, await readSampleConfig(packageDir, 'dcgm')));
    });
    it('an empty config validates (every setting has a default)', async () => {
      expectNoProblems(await checkEmptyConfig(plugin, true));
    });
    it('an unknown key is rejected with a ConfigError naming it', async () => {
      expectNoProblems(await checkUnknownKeyRejected(plugin, (await readSampleConfig(packageDir, 'dcgm')).entries[0]));
    });
    it('host keys (instance, enabled, timeoutSeconds, cacheTtlSeconds) are not accepted by the schema', async () => {
      expectNoProblems(await checkReservedKeysRejected(plugin, (await readSampleConfig(packageDir, 'dcgm')).entries[0]));
    });
    it('README.md contains sample.config.yaml verbatim', async () => {
      expectNoProblems(checkReadmeIncludesSample(await readFile(join(packageDir, 'README.md'), 'utf8'), await readSampleConfig(packageDir, 'dcgm')));
    });
  });

  describe('metric hygiene', () => {
    it('declared families follow the naming rules, but for the dcgm-exporter names and labels kept for compatibility', async () => {
      const context = createTestContext({ collector: 'dcgm' });
      const collector = await plugin.create(await validateWithSchema(plugin.configSchema, smokeConfig), context);
      try {
        const families = [...plugin.metrics, ...(collector.metrics ?? [])];
        expect(families.length).toBeGreaterThan(20);
        const problems = checkMetricHygiene(families, { allow: DCGM_NAMES });
        expect(problems.filter(isDcgmLabelFinding).length, 'the accepted findings are the dcgm-exporter labels').toBeGreaterThan(0);
        expectNoProblems(problems.filter((problem) => !isDcgmLabelFinding(problem)));
      } finally {
        await collector.close?.();
      }
    });
    it('the smoke collection has no duplicate series and passes promtool', async () => {
      const { text } = await collectOnce(plugin, smokeConfig, { context: createTestContext({ collector: 'dcgm' }) });
      expect(text).toContain('DCGM_FI_DEV_GPU_UTIL{gpu="1"');
      expectNoProblems(findDuplicateSeries(text));
      expectNoProblems(await checkWithPromtool(text, PROMTOOL));
    });
  });

  describe('golden cases', () => {
    const cases = listGoldenCases(casesDir);
    it('has the golden cases', () => {
      expect(cases.map((dir) => dir.slice(casesDir.length + 1))).toEqual([
        'counters-file-unknown-fields',
        'eight-gpus',
        'lost-gpu',
        'mig-three-instances',
        'no-gpu',
        'nvidia-smi-absent-spellings',
        'nvml-not-supported',
        'one-gpu',
      ]);
    });
    for (const caseDir of cases) {
      it(caseDir.slice(casesDir.length + 1), async () => {
        const result = await runGoldenCase(plugin, caseDir, { update: isGoldenUpdateRequested() });
        expect(result.passed, result.message).toBe(true);
        if (result.name === 'counters-file-unknown-fields') {
          // Rows tessera cannot read are reported once, by name, in one line.
          expect(result.logs.filter((record) => record.level === 'warn').map((record) => record.message)).toEqual([
            expect.stringMatching(/tessera cannot read DCGM_FI_DEV_CLOCKS_EVENT_REASONS, DCGM_EXP_XID_ERRORS_COUNT, DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT; those rows are skipped$/),
          ]);
        }
        if (result.outcome !== 'metrics') return;
        expectNoProblems(findDuplicateSeries(result.actual));
        expectNoProblems(await checkWithPromtool(result.actual, PROMTOOL));
      });
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
      expectNoProblems(await checkGlobalStateUntouched(plugin, behaviour));
    });
  });

  describe('in-host smoke', () => {
    it('the host serves tessera_scrape_collector_success 1 for it', async () => {
      const result = await runInHostSmoke(plugin, { config: smokeConfig });
      expect(result.problems, `${result.problems.join('\n')}\n--- /metrics ---\n${result.body}`).toEqual([]);
      expect(result.body).toContain('DCGM_FI_DEV_POWER_USAGE{gpu="0"');
    });
  });
});
