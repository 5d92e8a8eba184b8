import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  formatConfigPath,
  RESERVED_CONFIG_KEYS,
  type Clock,
  validateWithSchema,
  type Collector,
  type CollectorPlugin,
} from '@tessera/collector-api';
import type { PartRecord } from '@tessera/exposition';
import { parse as parseYaml } from 'yaml';
import { collectOnce } from './collect-once.js';
import { HttpFixtureServer, readHttpFixtures, type HttpFixture } from './http-fixtures.js';
import { replaceTreeContents } from './input-tree.js';
import type { LogRecord } from './recording-logger.js';
import { createTestContext, type TestContextOverrides } from './test-context.js';
import { diffLines } from './text-diff.js';

/** The environment variable that makes golden runs write expected files instead of comparing. */
export const UPDATE_GOLDEN_VARIABLE = 'TESSERA_UPDATE_GOLDEN';

/** The placeholder for a case's temporary input root, in `config.yaml`, `expected.prom` and `expected.err`. */
export const INPUT_DIR_PLACEHOLDER = '${inputDir}';

/**
 * A simulator a golden case runs against (`simulator.yaml` in the case directory), started by the
 * test file's {@link GoldenCaseOptions.startSimulator}. Its `placeholders` fill `${simulator.<key>}`
 * in `config.yaml` (an URL, a port, a token file), and are written back as placeholders in what the
 * case produced, so expected files do not depend on the port it got.
 */
export interface RunningSimulator {
  readonly placeholders: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** What a simulator shares with the case it serves. */
export interface SimulatorEnvironment {
  /**
   * The case's clock (the test context's): a simulator that keeps time with it answers the same on
   * every run, and a step's `advanceSeconds` moves it too (counters advance, sessions expire).
   */
  readonly clock: Clock;
}

/** Starts the simulator a case names: `simulator.yaml` is `{ name, options? }`. */
export type StartSimulator = (name: string, options: Readonly<Record<string, unknown>>, environment: SimulatorEnvironment) => Promise<RunningSimulator>;

/** Options of {@link runGoldenCase}. */
export interface GoldenCaseOptions {
  /** Write `expected.prom` / `expected.err` from this run instead of comparing. Default: {@link isGoldenUpdateRequested}. */
  readonly update?: boolean;
  /** Context settings other than roots (which the case decides), e.g. `{ instance: 'array-1' }`. */
  readonly context?: Omit<TestContextOverrides, 'roots'>;
  /** Starts the simulator of cases that have a `simulator.yaml`; such a case fails without it. */
  readonly startSimulator?: StartSimulator;
}

/** The outcome of one golden case. */
export interface GoldenResult {
  /** The case directory's name. */
  readonly name: string;
  readonly passed: boolean;
  /** True when the expected file was written by this run (update mode). */
  readonly updated: boolean;
  /** Whether the run produced metrics (`expected.prom`) or an error (`expected.err`); `setup` when the case itself is broken. */
  readonly outcome: 'metrics' | 'error' | 'setup';
  /** What this run produced, exactly as it would be written to the expected file. */
  readonly actual: string;
  /** The outcome of each part of the last collection (`expected.parts` lines), empty when it ran none. */
  readonly actualParts: string;
  /** The expected file compared against or written. */
  readonly expectedFile: string;
  /** Why the case failed, with a diff; empty when it passed. */
  readonly message: string;
  /** What the collector logged during the case. */
  readonly logs: readonly LogRecord[];
}

/** True when `TESSERA_UPDATE_GOLDEN` is set to `1`, `true` or `yes`. */
export function isGoldenUpdateRequested(): boolean {
  return ['1', 'true', 'yes'].includes((process.env[UPDATE_GOLDEN_VARIABLE] ?? '').toLowerCase());
}

/** The case directories under `casesDir` (absolute or relative as given), sorted by name; none when it does not exist. */
export function listGoldenCases(casesDir: string): string[] {
  if (!existsSync(casesDir)) return [];
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => join(casesDir, name));
}

interface CaseStep {
  /** The tree to lay out under the temporary root, or undefined for an empty root. */
  readonly tree: string | undefined;
  readonly fixtures: readonly HttpFixture[];
  /** `step.yaml`: move the test clock this far before the step's collection. */
  readonly advanceSeconds: number;
  /** `step.yaml`: run the background tasks before the step's collection (default true). */
  readonly runScheduled: boolean;
}

interface CaseLayout {
  readonly config: unknown;
  readonly steps: readonly CaseStep[];
  readonly expectedKind: 'metrics' | 'error' | undefined;
  /** `expected.parts`, when the case has one. */
  readonly expectedParts: string | undefined;
  /** `simulator.yaml`: the simulator to run the case against. */
  readonly simulator: { readonly name: string; readonly options: Readonly<Record<string, unknown>> } | undefined;
}

const SIMULATOR_PLACEHOLDER = /\$\{simulator\.([A-Za-z0-9_]+)\}/g;

class CaseSetupError extends Error {}

/**
 * Runs one golden case directory (layout in the README): lays its input out in a temporary root
 * with fixed mtimes, serves its `http.yaml` through the MockAgent, validates `config.yaml`, creates
 * one collector and collects once per step, then compares the last collection's sorted text with
 * `expected.prom`, or the error with `expected.err`. In update mode it writes the file instead
 * (and removes the other kind). Never throws for a failing case: the result says why.
 */
export async function runGoldenCase(plugin: CollectorPlugin, caseDir: string, options: GoldenCaseOptions = {}): Promise<GoldenResult> {
  const name = basename(caseDir);
  const update = options.update ?? isGoldenUpdateRequested();
  let layout: CaseLayout;
  try {
    layout = await readCaseLayout(caseDir, update);
  } catch (error) {
    if (!(error instanceof CaseSetupError)) throw error;
    return setupFailure(name, caseDir, [], error.message);
  }
  if (layout.simulator !== undefined && options.startSimulator === undefined) {
    return setupFailure(name, caseDir, [], `simulator.yaml names simulator ${layout.simulator.name}, but no startSimulator was given (describeCollector's startSimulator option)`);
  }

  const inputDir = await mkdtemp(join(tmpdir(), 'tessera-golden-'));
  const context = createTestContext({
    ...options.context,
    collector: plugin.name,
    roots: { procfs: join(inputDir, 'proc'), sysfs: join(inputDir, 'sys'), rootfs: join(inputDir, 'root'), udevData: join(inputDir, 'root', 'run/udev/data') },
    configDirectory: inputDir,
    ...(layout.simulator === undefined ? {} : { realDispatchers: true }),
  });
  let simulator: RunningSimulator | undefined;
  // The simulator's values join once it has started.
  const placeholders: [string, string][] = [[INPUT_DIR_PLACEHOLDER, inputDir]];
  const generalise = (text: string): string => placeholders.reduce((result, [placeholder, value]) => (value === '' ? result : result.replace(wholeValue(value), () => placeholder)), text);
  const server = new HttpFixtureServer(context.mockAgent);
  let actual: string;
  let actualParts = '';
  let outcome: 'metrics' | 'error';
  let collector: Collector | undefined;
  let failedStep: number | undefined;
  let closeError: unknown;
  try {
    if (layout.simulator !== undefined && options.startSimulator !== undefined) {
      simulator = await startCaseSimulator(options.startSimulator, layout.simulator, { clock: context.clock });
      placeholders.push(...Object.entries(simulator.placeholders).map(([key, value]): [string, string] => [`\${simulator.${key}}`, value]));
    }
    const config = await validateWithSchema(plugin.configSchema, fillPlaceholders(layout.config, inputDir, simulator?.placeholders ?? {}));
    // Lay out step 1 before create(): collectors may look at their source when created.
    await prepareStep(layout.steps[0], inputDir, server);
    collector = await plugin.create(config, context);
    let text = '';
    for (const [index, step] of layout.steps.entries()) {
      failedStep = index + 1;
      if (index > 0) await prepareStep(step, inputDir, server);
      if (step.advanceSeconds > 0) context.clock.advance(step.advanceSeconds * 1000);
      const collected = await collectOnce(plugin, undefined, { context, collector, runScheduled: step.runScheduled });
      text = collected.text;
      actualParts = formatParts(collected.parts, generalise);
    }
    failedStep = undefined;
    actual = generalise(text);
    outcome = 'metrics';
  } catch (error) {
    if (error instanceof CaseSetupError) return setupFailure(name, caseDir, context.logs, error.message);
    actual = generalise(formatErrorGolden(error));
    outcome = 'error';
  } finally {
    try {
      await collector?.close?.();
    } catch (error) {
      closeError = error;
    }
    await context.close();
    await simulator?.close();
    await rm(inputDir, { recursive: true, force: true });
  }

  const expectedFile = join(caseDir, outcome === 'metrics' ? 'expected.prom' : 'expected.err');
  const partsFile = join(caseDir, 'expected.parts');
  const result = { name, logs: context.logs, outcome, actual, actualParts, expectedFile };
  if (closeError !== undefined) {
    // Not an outcome to pin in a golden: a close() that throws is a bug whatever the case says.
    return { ...result, passed: false, updated: false, message: `case ${name}: close() threw ${generalise(formatErrorGolden(closeError)).trimEnd()}` };
  }
  if (update) {
    await writeFile(expectedFile, actual);
    await rm(join(caseDir, outcome === 'metrics' ? 'expected.err' : 'expected.prom'), { force: true });
    if (outcome === 'metrics' && actualParts !== '') await writeFile(partsFile, actualParts);
    else await rm(partsFile, { force: true });
    return { ...result, passed: true, updated: true, message: '' };
  }
  const expectedText = layout.expectedKind === undefined ? '' : await readFile(join(caseDir, layout.expectedKind === 'metrics' ? 'expected.prom' : 'expected.err'), 'utf8');
  let message = compareWithExpected(name, layout.expectedKind, expectedText, outcome, actual, failedStep, layout.steps.length);
  if (message === '' && outcome === 'metrics' && (layout.expectedParts ?? '') !== actualParts) {
    message =
      layout.expectedParts === undefined
        ? `case ${name}: the collection ran parts but the case has no expected.parts:\n${actualParts}To create it, run with ${UPDATE_GOLDEN_VARIABLE}=1 (or vitest -u), then review the file`
        : `case ${name}: the parts differ from expected.parts (- expected, + actual):\n${diffLines(layout.expectedParts, actualParts)}\nIf the new outcome is right, run with ${UPDATE_GOLDEN_VARIABLE}=1 (or vitest -u) to write it, then review the file`;
  }
  return { ...result, passed: message === '', updated: false, message };
}

/** The result of a case that could not run as laid out: no expected file was compared or written. */
function setupFailure(name: string, caseDir: string, logs: readonly LogRecord[], problem: string): GoldenResult {
  return { name, logs, passed: false, updated: false, outcome: 'setup', actual: '', actualParts: '', expectedFile: caseDir, message: `case ${name}: ${problem}` };
}

/** The `expected.parts` text: one line per part, `<name> ok` or `<name> failed: <error>`, in the order they started. */
export function formatParts(parts: readonly PartRecord[], generalise: (text: string) => string = (text) => text): string {
  return parts.map((part) => `${part.name} ${part.success ? 'ok' : `failed: ${generalise(part.error ?? '')}`}\n`).join('');
}

async function readCaseLayout(caseDir: string, update: boolean): Promise<CaseLayout> {
  const configFile = join(caseDir, 'config.yaml');
  let config: unknown = {};
  if (existsSync(configFile)) {
    try {
      config = parseYaml(await readFile(configFile, 'utf8')) ?? {};
    } catch (error) {
      throw new CaseSetupError(`config.yaml does not parse: ${(error as Error).message}`);
    }
  }
  if (typeof config === 'object' && config !== null && !Array.isArray(config)) {
    const reserved = RESERVED_CONFIG_KEYS.filter((key) => Object.hasOwn(config, key));
    if (reserved.length > 0) {
      throw new CaseSetupError(`config.yaml sets ${reserved.join(', ')}: host keys are not part of a collector's config entry`);
    }
  }

  const inputDir = join(caseDir, 'input');
  const stepsDir = join(caseDir, 'steps');
  let trees: (string | undefined)[];
  if (existsSync(stepsDir)) {
    if (existsSync(inputDir)) throw new CaseSetupError('has both input/ and steps/: use input/ for one collection, steps/<n>/ for several');
    const numbered = readdirSync(stepsDir).filter((entry) => /^\d+$/.test(entry) && statSync(join(stepsDir, entry)).isDirectory());
    if (numbered.length === 0) throw new CaseSetupError('steps/ holds no numbered step directories (steps/1/, steps/2/, …)');
    trees = numbered.sort((a, b) => Number(a) - Number(b)).map((entry) => join(stepsDir, entry));
  } else {
    trees = [existsSync(inputDir) ? inputDir : undefined];
  }
  const steps: CaseStep[] = [];
  for (const tree of trees) {
    const httpFile = tree === undefined ? undefined : join(tree, 'http.yaml');
    try {
      steps.push({ tree, fixtures: httpFile !== undefined && existsSync(httpFile) ? await readHttpFixtures(httpFile) : [], ...(await readStepSettings(tree)) });
    } catch (error) {
      throw new CaseSetupError((error as Error).message);
    }
  }

  const hasProm = existsSync(join(caseDir, 'expected.prom'));
  const hasErr = existsSync(join(caseDir, 'expected.err'));
  if (hasProm && hasErr && !update) throw new CaseSetupError('has both expected.prom and expected.err: keep the one that applies');
  const partsFile = join(caseDir, 'expected.parts');
  const expectedParts = existsSync(partsFile) ? await readFile(partsFile, 'utf8') : undefined;
  return { config, steps, expectedKind: hasProm ? 'metrics' : hasErr ? 'error' : undefined, expectedParts, simulator: await readSimulator(caseDir) };
}

/** `step.yaml` of a step directory: `{ advanceSeconds?, runScheduled? }`. */
async function readStepSettings(tree: string | undefined): Promise<{ advanceSeconds: number; runScheduled: boolean }> {
  const file = tree === undefined ? undefined : join(tree, 'step.yaml');
  if (file === undefined || !existsSync(file)) return { advanceSeconds: 0, runScheduled: true };
  const settings: unknown = parseYaml(await readFile(file, 'utf8')) ?? {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new Error(`${file}: expected a mapping { advanceSeconds?, runScheduled? }`);
  const { advanceSeconds = 0, runScheduled = true, ...rest } = settings as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) throw new Error(`${file}: unknown key ${unknownKey} (known: advanceSeconds, runScheduled)`);
  if (typeof advanceSeconds !== 'number' || !(advanceSeconds >= 0)) throw new Error(`${file}: advanceSeconds must be a number ≥ 0`);
  if (typeof runScheduled !== 'boolean') throw new Error(`${file}: runScheduled must be true or false`);
  return { advanceSeconds, runScheduled };
}

/** `simulator.yaml` of a case: `{ name, options? }`. */
async function readSimulator(caseDir: string): Promise<CaseLayout['simulator']> {
  const file = join(caseDir, 'simulator.yaml');
  if (!existsSync(file)) return undefined;
  const document: unknown = parseYaml(await readFile(file, 'utf8'));
  const { name, options = {} } = (typeof document === 'object' && document !== null ? document : {}) as { name?: unknown; options?: unknown };
  if (typeof name !== 'string' || typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CaseSetupError('simulator.yaml must be { name: <simulator>, options?: { … } }');
  }
  return { name, options: options as Record<string, unknown> };
}

/** Starts the simulator a case names; if it does not start, the case fails as set up wrong, like a broken layout. */
async function startCaseSimulator(start: StartSimulator, simulator: NonNullable<CaseLayout['simulator']>, environment: SimulatorEnvironment): Promise<RunningSimulator> {
  try {
    return await start(simulator.name, simulator.options, environment);
  } catch (error) {
    throw new CaseSetupError(`simulator ${simulator.name} did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function prepareStep(step: CaseStep | undefined, inputDir: string, server: HttpFixtureServer): Promise<void> {
  if (step?.tree !== undefined) await replaceTreeContents(inputDir, step.tree);
  server.use(step?.fixtures ?? []);
}

/**
 * Finds `value` where it stands on its own: not inside a longer word or number. A simulator's port
 * (`41234`) is then written back as its placeholder in `tcp://127.0.0.1:41234`, but not in a sample
 * value such as `0.0412345` or `141234`, which would make the expected file depend on the port.
 */
function wholeValue(value: string): RegExp {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const before = /^\w/.test(value) ? String.raw`(?<!\w|\d\.)` : '';
  const after = /\w$/.test(value) ? String.raw`(?!\w|\.\d)` : '';
  return new RegExp(`${before}${escaped}${after}`, 'g');
}

/** Replaces `${inputDir}` and `${simulator.<key>}` in every string of a parsed config document. */
function fillPlaceholders(value: unknown, inputDir: string, simulator: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return value.replaceAll(INPUT_DIR_PLACEHOLDER, inputDir).replace(SIMULATOR_PLACEHOLDER, (match, key: string) => {
      const replacement = simulator[key];
      if (replacement === undefined) throw new CaseSetupError(`config.yaml uses ${match}, which the simulator does not provide (it provides: ${Object.keys(simulator).join(', ') || 'nothing'})`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => fillPlaceholders(item, inputDir, simulator));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillPlaceholders(item, inputDir, simulator)]));
  }
  return value;
}

/**
 * The `expected.err` text of an error: the first line of its message, then `code: …` when it has a
 * string code and `path: …` when it carries a non-empty config path (ConfigError).
 */
export function formatErrorGolden(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const lines = [raw.split('\n')[0] ?? ''];
  const { code, path } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; path?: unknown };
  if (typeof code === 'string') lines.push(`code: ${code}`);
  if (Array.isArray(path) && path.length > 0) lines.push(`path: ${formatConfigPath(path as (string | number)[])}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Compares a run with the case's expected file; returns '' when they agree, else a message that
 * says what differs and how to accept the new output.
 */
function compareWithExpected(
  name: string,
  expectedKind: 'metrics' | 'error' | undefined,
  expectedText: string,
  outcome: 'metrics' | 'error',
  actual: string,
  failedStep: number | undefined,
  stepCount: number,
): string {
  const howToUpdate = `run with ${UPDATE_GOLDEN_VARIABLE}=1 (or vitest -u) to write it, then review the file`;
  const where = failedStep !== undefined && stepCount > 1 ? ` at step ${failedStep}` : '';
  if (expectedKind === undefined) {
    return `case ${name}: no expected.prom or expected.err; this run ${outcome === 'metrics' ? 'produced metrics' : `failed${where}: ${actual.trim()}`}. To create it, ${howToUpdate}`;
  }
  if (expectedKind !== outcome) {
    return outcome === 'error'
      ? `case ${name}: expected metrics (expected.prom) but the collector failed${where}:\n${actual}`
      : `case ${name}: expected an error (expected.err: ${expectedText.split('\n')[0] ?? ''}) but the collection succeeded`;
  }
  if (outcome === 'error') {
    const problem = describeErrorMismatch(expectedText, actual);
    return problem === undefined ? '' : `case ${name}: ${problem}${where}\n${diffLines(expectedText, actual)}\nIf the new error is right, ${howToUpdate}`;
  }
  if (expectedText === actual) return '';
  return `case ${name}: the exposition differs from expected.prom (- expected, + actual):\n${diffLines(expectedText, actual)}\nIf the new output is right, ${howToUpdate}`;
}

/** `expected.err` matches when its first line equals the message's and every `key: value` line it has is in the actual one. */
function describeErrorMismatch(expectedText: string, actual: string): string | undefined {
  const [expectedMessage = '', ...expectedDetails] = expectedText.replace(/\n$/, '').split('\n');
  const [actualMessage = '', ...actualDetails] = actual.replace(/\n$/, '').split('\n');
  if (expectedMessage !== actualMessage) return 'the error message differs from expected.err';
  const missing = expectedDetails.filter((line) => line.trim() !== '' && !actualDetails.includes(line));
  return missing.length === 0 ? undefined : `the error lacks ${missing.join(', ')}`;
}
