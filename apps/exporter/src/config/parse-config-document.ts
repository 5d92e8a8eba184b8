import type { ConfigPath } from '@tessera/collector-api';
import type { z } from 'zod';
import { ConfigFileError, tidyIssueMessage } from './config-error.js';
import {
  collectorEntrySchema,
  hostConfigSchema,
  SECTION_KEYS,
  type CollectorEntryConfig,
  type TesseraConfig,
} from './config-schema.js';
import { formatConfigPath } from '@tessera/collector-api';
import { SECRET_KEY_PATTERN } from '../logging/redactor.js';
import { PlainDataError, toPlainData } from './plain-data.js';
import { hideSubstitutedValues, indexSubstitutions, MissingEnvironmentVariableError, substituteEnvironment, type Substitution, type SubstitutedPaths } from './substitute-environment.js';

/** Options of {@link parseConfigDocument}. */
export interface ParseConfigOptions {
  /** Receives every value substituted into a secret-named key (`apiToken: ${ARRAY_TOKEN}`), for redaction. */
  readonly registerSecret?: (value: string) => void;
  /** Receives every substitution, so later messages (a plugin's schema, `create()`) can hide them too. */
  readonly onSubstitution?: (substitution: Substitution) => void;
}

/**
 * Validates a parsed config document (the YAML as plain data) against the host's schema: `${ENV}`
 * substitution, defaults, unknown keys, the reserved keys of every collector entry. The plugin part
 * of each entry is left for the plugin's own schema (see `loadCollectors`).
 * Throws {@link ConfigFileError} naming `file`, the key path and what was expected.
 */
export function parseConfigDocument(
  document: unknown,
  file: string,
  environment: Readonly<Record<string, string | undefined>> = process.env,
  options: ParseConfigOptions = {},
): TesseraConfig {
  let root: unknown;
  try {
    root = toPlainData(document ?? {});
  } catch (error) {
    if (error instanceof PlainDataError) throw new ConfigFileError(file, error.message, { path: error.path });
    throw error;
  }
  if (!isMapping(root)) throw new ConfigFileError(file, `expected a mapping of sections, received ${describeValue(root)}`);
  let substituted: Record<string, unknown>;
  const substitutions: Substitution[] = [];
  try {
    substituted = substituteEnvironment(root, environment, (substitution) => substitutions.push(substitution)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof MissingEnvironmentVariableError) throw new ConfigFileError(file, error.message, { path: error.path });
    throw error;
  }
  for (const substitution of substitutions) {
    const key = substitution.path[substitution.path.length - 1];
    if (typeof key === 'string' && SECRET_KEY_PATTERN.test(key)) options.registerSecret?.(substitution.value);
    options.onSubstitution?.(substitution);
  }
  const fromEnvironment = indexSubstitutions(substitutions);
  try {
    const result = hostConfigSchema.safeParse(substituted);
    if (!result.success) throw issueToError(result.error.issues, substituted, file, fromEnvironment);
    return { ...result.data, collectors: parseCollectors(result.data.collectors, file, fromEnvironment) };
  } catch (error) {
    // Messages of custom checks (an invalid listen address) may quote the value they were given.
    if (error instanceof ConfigFileError) throw error.withReason((reason) => hideSubstitutedValues(reason, substitutions));
    throw error;
  }
}

function parseCollectors(value: unknown, file: string, fromEnvironment: SubstitutedPaths): TesseraConfig['collectors'] {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    throw new ConfigFileError(file, `expected a mapping of collector names to settings, received ${describeValue(value, fromEnvironment.get('collectors'))}`, { path: ['collectors'] });
  }
  const collectors: Record<string, CollectorEntryConfig | readonly CollectorEntryConfig[]> = {};
  for (const [key, entry] of Object.entries(value)) {
    const path: ConfigPath = ['collectors', key];
    if (Array.isArray(entry)) {
      const instances = new Map<string, number>();
      collectors[key] = entry.map((item: unknown, index) => {
        const parsed = parseEntry(item, [...path, index], file, fromEnvironment);
        if (parsed.instance === undefined) {
          throw new ConfigFileError(file, 'expected an instance name: every entry of a list needs "instance"', { path: [...path, index] });
        }
        const previous = instances.get(parsed.instance);
        if (previous !== undefined) {
          throw new ConfigFileError(file, `instance "${parsed.instance}" is already used by entry [${previous}]`, { path: [...path, index, 'instance'] });
        }
        instances.set(parsed.instance, index);
        return parsed;
      });
    } else {
      // `node:` with nothing after it is YAML null; read it as "enabled with defaults".
      collectors[key] = parseEntry(entry ?? {}, path, file, fromEnvironment);
    }
  }
  return collectors;
}

function parseEntry(entry: unknown, path: ConfigPath, file: string, fromEnvironment: SubstitutedPaths): CollectorEntryConfig {
  if (!isMapping(entry)) {
    throw new ConfigFileError(file, `expected a mapping of settings (or a list of them), received ${describeValue(entry, fromEnvironment.get(formatConfigPath(path)))}`, { path });
  }
  const result = collectorEntrySchema.safeParse(entry);
  if (!result.success) throw issueToError(result.error.issues, entry, file, fromEnvironment, path);
  return result.data;
}

function issueToError(issues: readonly z.core.$ZodIssue[], input: unknown, file: string, fromEnvironment: SubstitutedPaths, basePath: ConfigPath = []): ConfigFileError {
  const issue = issues[0];
  if (issue === undefined) return new ConfigFileError(file, 'invalid configuration', { path: basePath });
  const path: ConfigPath = [...basePath, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))];
  if (issue.code === 'unrecognized_keys') {
    const [unknownKey = ''] = issue.keys;
    const valid = SECTION_KEYS[issue.path.map(String).join('.')];
    const hint = valid === undefined ? '' : ` (valid keys: ${valid.join(', ')})`;
    return new ConfigFileError(file, `unknown key${hint}`, { path: [...path, unknownKey] });
  }
  if (issue.code === 'invalid_value') {
    const received = valueAt(input, issue.path);
    return new ConfigFileError(file, `${tidyIssueMessage(issue.message)}, received ${describeValue(received, fromEnvironment.get(formatConfigPath(path)))}`, { path });
  }
  return new ConfigFileError(file, tidyIssueMessage(issue.message), { path });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = isMapping(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** True for a plain YAML mapping (not null, not a list). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Longest value a message echoes; a 10 MB value would otherwise fill the terminal.
const ECHO_LIMIT = 80;

/**
 * How messages name a received value: strings quoted (cut to 80 characters), containers by kind. A
 * value that came from the environment is named by its variables, never echoed: it may be a secret.
 */
export function describeValue(value: unknown, substitution?: Substitution): string {
  if (substitution !== undefined) return `the value of ${substitution.variables.map((variable) => `\${${variable}}`).join(', ')}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > ECHO_LIMIT ? `${JSON.stringify(value.slice(0, ECHO_LIMIT))}… (${value.length} characters)` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${value}`;
  return typeof value;
}
