import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { errorMessage } from '../runtime/error-message.js';
import { ConfigFileError } from './config-error.js';
import type { TesseraConfig } from './config-schema.js';
import { parseConfigDocument } from './parse-config-document.js';
import { PlainDataError, toPlainData } from './plain-data.js';

/** The name of the config file used when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = 'tessera.yaml';

/** How messages name a file: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, file);
  const fromCwd = relative(cwd, absolute);
  return fromCwd !== '' && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : absolute;
}

/**
 * Reads and parses a YAML config file into plain data, without validating it. A missing file is
 * `undefined` (defaults) unless `required` (the operator named it explicitly). YAML syntax errors
 * throw {@link ConfigFileError} as `file:line:col: message`.
 */
export async function readConfigDocument(file: string, options: { readonly required?: boolean } = {}): Promise<unknown> {
  const shown = displayPath(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.required !== true) return undefined;
    throw new ConfigFileError(shown, unreadableConfigReason(error), { cause: error });
  }
  return parseYamlText(text, shown);
}

/** Why a config file (tessera's, or a web config) could not be read, as its `ConfigFileError` says. */
export function unreadableConfigReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read the file: ${errorMessage(error)}`;
}

/**
 * Parses YAML text into plain data; a syntax error throws {@link ConfigFileError} as
 * `shownFile:line:col: message`.
 */
export function parseYamlText(text: string, shownFile: string): unknown {
  // prettyErrors would put a multi-line excerpt into the message; the position is enough.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  const [problem] = document.errors;
  if (problem !== undefined) {
    const position = lineCounter.linePos(problem.pos[0]);
    throw new ConfigFileError(shownFile, problem.message, { line: position.line, column: position.col, cause: problem });
  }
  try {
    // Maps keep every key as written (a `__proto__` key would become the prototype of a plain object).
    return toPlainData(document.toJS({ maxAliasCount: 1000, mapAsMap: true }));
  } catch (error) {
    if (error instanceof PlainDataError) throw new ConfigFileError(shownFile, error.message, { path: error.path, cause: error });
    // The yaml library refuses alias bombs ("Excessive alias count …") while building the value.
    throw new ConfigFileError(shownFile, (error as Error).message, { cause: error });
  }
}

/**
 * Reads, parses and validates a config file (the host's part; plugin entries are validated when
 * the plugins load). Throws {@link ConfigFileError} with file, key path and expectation.
 */
export async function loadConfigFile(
  file: string,
  options: { readonly required?: boolean; readonly environment?: Readonly<Record<string, string | undefined>> } = {},
): Promise<TesseraConfig> {
  const document = await readConfigDocument(file, options);
  return parseConfigDocument(document, displayPath(file), options.environment);
}
