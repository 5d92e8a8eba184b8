import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatConfigPath,
  isConfigError,
  RESERVED_CONFIG_KEYS,
  validateWithSchema,
  type CollectorPlugin,
} from '@tessera/collector-api';
import { parse as parseYaml } from 'yaml';

/** A collector's `sample.config.yaml`: its text and the config entries it holds. */
export interface SampleConfig {
  readonly file: string;
  readonly text: string;
  /** The entries, reserved host keys removed (a list form gives several). An all-comments file is one `{}`. */
  readonly entries: readonly unknown[];
}

/** The key the unknown-key probe adds; no real collector has it. */
export const UNKNOWN_KEY_PROBE = 'tesseraConformanceUnknownKey';

/** Values the reserved-key probe tries for each host key. */
const RESERVED_PROBE_VALUES: Readonly<Record<(typeof RESERVED_CONFIG_KEYS)[number], unknown>> = {
  instance: 'conformance',
  enabled: true,
  timeoutSeconds: 5,
  cacheTtlSeconds: 5,
};

/**
 * Reads `<packageDir>/sample.config.yaml`. The file is either the entry itself (what goes under
 * `collectors.<name>` in tessera.yaml), a list of entries, or a tessera.yaml fragment
 * `collectors: { <name>: … }`. Host keys (`instance`, `enabled`, …) are removed from each entry,
 * as the host does. Throws an Error saying what is wrong when the file is missing or unusable.
 */
export async function readSampleConfig(packageDir: string, collectorName: string): Promise<SampleConfig> {
  const file = join(packageDir, 'sample.config.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file} is missing: every collector ships a sample config (every option, ## comments, defaults commented out)`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  return { file, text, entries: sampleConfigEntries(document, collectorName, file) };
}

/** Extracts the config entries from a parsed sample config document; see {@link readSampleConfig}. */
export function sampleConfigEntries(document: unknown, collectorName: string, file = 'sample.config.yaml'): unknown[] {
  let entry: unknown = document ?? {};
  if (isRecord(entry) && Object.keys(entry).length === 1 && isRecord(entry.collectors)) {
    if (!Object.hasOwn(entry.collectors, collectorName)) throw new Error(`${file}: collectors has no ${collectorName} entry`);
    entry = entry.collectors[collectorName] ?? {};
  }
  const entries: unknown[] = Array.isArray(entry) ? entry : [entry];
  return entries.map((item): unknown => (isRecord(item) ? withoutReservedKeys(item) : item));
}

/** Validates every sample entry with the plugin's schema; returns one line per failing entry. */
export async function checkSampleConfig(plugin: CollectorPlugin, sample: SampleConfig): Promise<string[]> {
  const problems: string[] = [];
  for (const [index, entry] of sample.entries.entries()) {
    const problem = await validationProblem(plugin, entry);
    if (problem !== undefined) problems.push(`${sample.file}${sample.entries.length > 1 ? ` entry ${index}` : ''}: ${problem}`);
  }
  return problems;
}

/**
 * `{}` must validate (every setting has a default) unless `expectValid` is false, for collectors that
 * cannot work without settings: then `{}` must be rejected with a ConfigError.
 */
export async function checkEmptyConfig(plugin: CollectorPlugin, expectValid = true): Promise<string[]> {
  const problem = await validationProblem(plugin, {});
  if (expectValid) return problem === undefined ? [] : [`an empty config {} is rejected: ${problem}`];
  if (problem === undefined) return ['an empty config {} validates, but emptyConfigValid: false says required settings exist'];
  return problem.startsWith('threw ') ? [`an empty config {} ${problem}`] : [];
}

/**
 * A key the schema does not know must be rejected with a ConfigError naming it (in its path or its
 * message: zod reports unrecognised keys at the object's path with the key in the message).
 * `validConfig` is an entry that validates, so the probe key is the only thing wrong.
 */
export async function checkUnknownKeyRejected(plugin: CollectorPlugin, validConfig: unknown): Promise<string[]> {
  return keyRejectionProblems(plugin, validConfig, UNKNOWN_KEY_PROBE, true, 'an unknown key');
}

/** The host's keys (`instance`, `enabled`, `timeoutSeconds`, `cacheTtlSeconds`) must not be accepted by the plugin's schema either. */
export async function checkReservedKeysRejected(plugin: CollectorPlugin, validConfig: unknown): Promise<string[]> {
  const problems: string[] = [];
  for (const key of RESERVED_CONFIG_KEYS) {
    problems.push(...(await keyRejectionProblems(plugin, validConfig, key, RESERVED_PROBE_VALUES[key], 'the host key')));
  }
  return problems;
}

/**
 * The README must show the sample config verbatim, so the documented options are the tested ones.
 * `readmeText` undefined means the package has no README.md.
 */
export function checkReadmeIncludesSample(readmeText: string | undefined, sample: SampleConfig): string[] {
  if (readmeText === undefined) return ['README.md is missing: document the collector, with sample.config.yaml in its Configuration section'];
  const body = sample.text.replace(/\s+$/, '');
  if (readmeText.includes(body)) return [];
  return [`README.md does not contain ${sample.file} verbatim: paste the whole file into the Configuration section (a yaml code block)`];
}

async function keyRejectionProblems(plugin: CollectorPlugin, validConfig: unknown, key: string, value: unknown, what: string): Promise<string[]> {
  if (!isRecord(validConfig)) return [`cannot probe ${what} ${key}: the sample entry is not an object`];
  try {
    await validateWithSchema(plugin.configSchema, { ...validConfig, [key]: value });
  } catch (error) {
    if (!isConfigError(error)) return [`${what} ${key}: validation threw ${describeError(error)} instead of a ConfigError`];
    const path = formatConfigPath(error.path);
    if (path.split(/[.[]/).includes(key) || error.message.includes(key)) return [];
    return [`${what} ${key} is rejected, but the error names neither it nor its path (path ${path}: ${error.message})`];
  }
  return [`${what} ${key} is accepted by configSchema; use a strict object schema (z.strictObject) so typos fail at startup`];
}

/** Returns why `config` does not validate, or undefined. */
async function validationProblem(plugin: CollectorPlugin, config: unknown): Promise<string | undefined> {
  try {
    await validateWithSchema(plugin.configSchema, config);
    return undefined;
  } catch (error) {
    if (isConfigError(error)) return `${formatConfigPath(error.path)}: ${error.message}`;
    return `threw ${describeError(error)} instead of a ConfigError`;
  }
}

function withoutReservedKeys(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !(RESERVED_CONFIG_KEYS as readonly string[]).includes(key)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
