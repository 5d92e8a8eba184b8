import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  formatConfigPath,
  RESERVED_CONFIG_KEYS,
  validateWithSchema,
  type Collector,
  type CollectorPlugin,
} from '@tessera/collector-api';
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

/** Options of {@link runGoldenCase}. */
export interface GoldenCaseOptions {
  /** Write `expected.prom` / `expected.err` from this run instead of comparing. Default: {@link isGoldenUpdateRequested}. */
  readonly update?: boolean;
  /** Context settings other than roots (which the case decides), e.g. `{ instance: 'array-1' }`. */
  readonly context?: Omit<TestContextOverrides, 'roots'>;
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
}

interface CaseLayout {
  readonly config: unknown;
  readonly steps: readonly CaseStep[];
  readonly expectedKind: 'metrics' | 'error' | undefined;
}

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
    return { name, logs: [], passed: false, updated: false, outcome: 'setup', actual: '', expectedFile: caseDir, message: `case ${name}: ${error.message}` };
  }

  const inputDir = await mkdtemp(join(tmpdir(), 'tessera-golden-'));
  const context = createTestContext({
    ...options.context,
    collector: plugin.name,
    roots: { procfs: join(inputDir, 'proc'), sysfs: join(inputDir, 'sys'), rootfs: join(inputDir, 'root'), udevData: join(inputDir, 'root', 'run/udev/data') },
  });
  const server = new HttpFixtureServer(context.mockAgent);
  let actual: string;
  let outcome: 'metrics' | 'error';
  let collector: Collector | undefined;
  let failedStep: number | undefined;
  let closeError: unknown;
  try {
    const config = await validateWithSchema(plugin.configSchema, replacePlaceholder(layout.config, inputDir));
    // Lay out step 1 before create(): collectors may look at their source when created.
    await prepareStep(layout.steps[0], inputDir, server);
    collector = await plugin.create(config, context);
    let text = '';
    for (const [index, step] of layout.steps.entries()) {
      failedStep = index + 1;
      if (index > 0) await prepareStep(step, inputDir, server);
      ({ text } = await collectOnce(plugin, undefined, { context, collector }));
    }
    failedStep = undefined;
    actual = text.replaceAll(inputDir, INPUT_DIR_PLACEHOLDER);
    outcome = 'metrics';
  } catch (error) {
    actual = formatErrorGolden(error, inputDir);
    outcome = 'error';
  } finally {
    try {
      await collector?.close?.();
    } catch (error) {
      closeError = error;
    }
    await context.mockAgent.close();
    await rm(inputDir, { recursive: true, force: true });
  }

  const expectedFile = join(caseDir, outcome === 'metrics' ? 'expected.prom' : 'expected.err');
  const result = { name, logs: context.logs, outcome, actual, expectedFile };
  if (closeError !== undefined) {
    // Not an outcome to pin in a golden: a close() that throws is a bug whatever the case says.
    return { ...result, passed: false, updated: false, message: `case ${name}: close() threw ${formatErrorGolden(closeError, inputDir).trimEnd()}` };
  }
  if (update) {
    await writeFile(expectedFile, actual);
    await rm(join(caseDir, outcome === 'metrics' ? 'expected.err' : 'expected.prom'), { force: true });
    return { ...result, passed: true, updated: true, message: '' };
  }
  const expectedText = layout.expectedKind === undefined ? '' : await readFile(join(caseDir, layout.expectedKind === 'metrics' ? 'expected.prom' : 'expected.err'), 'utf8');
  const message = compareWithExpected(name, layout.expectedKind, expectedText, outcome, actual, failedStep, layout.steps.length);
  return { ...result, passed: message === '', updated: false, message };
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
      steps.push({ tree, fixtures: httpFile !== undefined && existsSync(httpFile) ? await readHttpFixtures(httpFile) : [] });
    } catch (error) {
      throw new CaseSetupError((error as Error).message);
    }
  }

  const hasProm = existsSync(join(caseDir, 'expected.prom'));
  const hasErr = existsSync(join(caseDir, 'expected.err'));
  if (hasProm && hasErr && !update) throw new CaseSetupError('has both expected.prom and expected.err: keep the one that applies');
  return { config, steps, expectedKind: hasProm ? 'metrics' : hasErr ? 'error' : undefined };
}

async function prepareStep(step: CaseStep | undefined, inputDir: string, server: HttpFixtureServer): Promise<void> {
  if (step?.tree !== undefined) await replaceTreeContents(inputDir, step.tree);
  server.use(step?.fixtures ?? []);
}

/** Replaces `${inputDir}` in every string of a parsed config document. */
function replacePlaceholder(value: unknown, inputDir: string): unknown {
  if (typeof value === 'string') return value.replaceAll(INPUT_DIR_PLACEHOLDER, inputDir);
  if (Array.isArray(value)) return value.map((item) => replacePlaceholder(item, inputDir));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replacePlaceholder(item, inputDir)]));
  }
  return value;
}

/**
 * The `expected.err` text of an error: the first line of its message, then `code: …` when it has a
 * string code and `path: …` when it carries a non-empty config path (ConfigError).
 */
export function formatErrorGolden(error: unknown, inputDir?: string): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split('\n')[0] ?? '';
  const lines = [inputDir === undefined ? firstLine : firstLine.replaceAll(inputDir, INPUT_DIR_PLACEHOLDER)];
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
