/**
 * @tessera/collector-testkit — conformance checks, golden cases and test helpers for Tessera
 * collectors. This entry point is framework-free (no vitest import); `@tessera/collector-testkit/vitest`
 * registers the whole suite with vitest (`describeCollector`).
 *
 * Every `check*` function returns `string[]`: empty when the collector conforms, else one readable
 * line per problem, so any test framework can assert on it.
 */
export {
  checkAbortDuringCollection,
  checkAbortedSignal,
  checkGlobalStateUntouched,
  checkIdempotentClose,
  checkRepeatedCollection,
  ConformanceAbortReason,
  describeError,
  type BehaviourCheckOptions,
  type GlobalStateCheckOptions,
  type PromRegistryLike,
} from './behaviour-checks.js';
export { collectOnce, type CollectOnceOptions, type CollectOnceResult } from './collect-once.js';
export {
  checkEmptyConfig,
  checkReadmeIncludesSample,
  checkReservedKeysRejected,
  checkSampleConfig,
  checkUnknownKeyRejected,
  readSampleConfig,
  sampleConfigEntries,
  UNKNOWN_KEY_PROBE,
  type SampleConfig,
} from './config-checks.js';
export { findDuplicateSeries } from './duplicate-series.js';
export {
  formatErrorGolden,
  formatParts,
  INPUT_DIR_PLACEHOLDER,
  isGoldenUpdateRequested,
  listGoldenCases,
  runGoldenCase,
  UPDATE_GOLDEN_VARIABLE,
  type GoldenCaseOptions,
  type GoldenResult,
  type RunningSimulator,
  type SimulatorEnvironment,
  type StartSimulator,
} from './golden-case.js';
export { HttpFixtureServer, readHttpFixtures, type HttpFixture } from './http-fixtures.js';
export { runInHostSmoke, type ExporterLike, type ExporterModuleLike, type InHostSmokeOptions, type InHostSmokeResult } from './in-host-smoke.js';
export { FIXED_MTIME_SECONDS, replaceTreeContents } from './input-tree.js';
export { checkMetricHygiene, type MetricHygieneOptions } from './metric-hygiene.js';
export { checkPackageMetadata, COLLECTOR_KEYWORD, isCollectorPackageName, readPackageJson } from './package-metadata.js';
export { loadPromClientRegistry } from './prom-client-registry.js';
export { checkWithPromtool, type PromtoolOptions } from './promtool.js';
export { createRecordingLogger, type LogLevel, type LogRecord } from './recording-logger.js';
export {
  createManualScheduler,
  createTestClock,
  createTestContext,
  FIXED_NOW_MS,
  type ManualScheduler,
  type RecordedTask,
  type TaskRunOutcome,
  type TestClock,
  type TestContext,
  type TestContextOverrides,
} from './test-context.js';
export { diffLines } from './text-diff.js';
