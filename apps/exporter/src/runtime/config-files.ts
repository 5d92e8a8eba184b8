import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigFiles, type Logger } from '@tessera/collector-api';
import type { Redactor } from '../logging/redactor.js';
import { fileReadProblem } from './error-message.js';

/**
 * Files named in the config, resolved against the config file's directory. Secrets read here are
 * registered with the redactor before anyone sees them; a secret file every user can read is
 * reported once.
 */
export function createConfigFiles(options: { readonly directory: string; readonly redactor: Redactor; readonly logger: Logger }): ConfigFiles {
  const warned = new Set<string>();
  const resolvePath = (path: string): string => (isAbsolute(path) ? path : resolve(options.directory, path));
  return {
    resolve: resolvePath,
    async readText(path, signal) {
      return readConfiguredFile(resolvePath(path), signal);
    },
    async readSecret(path, signal) {
      const file = resolvePath(path);
      const secret = (await readConfiguredFile(file, signal)).trim();
      if (secret === '') throw new ConfigError(`secret file ${file} is empty`);
      options.redactor.register(secret);
      const { mode } = await stat(file);
      if ((mode & 0o004) !== 0 && !warned.has(file)) {
        warned.add(file);
        options.logger.warn({ file }, `secret file ${file} can be read by every user of this machine (mode ${(mode & 0o777).toString(8)}); chmod 600 or 640 it`);
      }
      return secret;
    },
    registerSecret(value) {
      options.redactor.register(value);
    },
  };
}

/** Reads a file the config names; a cause the operator fixes (a wrong path) rejects with a `ConfigError`. */
async function readConfiguredFile(file: string, signal: AbortSignal | undefined): Promise<string> {
  try {
    return await readFile(file, { encoding: 'utf8', signal });
  } catch (error) {
    throw fileError(file, error);
  }
}

function fileError(file: string, error: unknown): Error {
  const problem = fileReadProblem(error);
  if (problem === undefined) return error instanceof Error ? error : new Error(String(error));
  // "file /etc is a directory" would contradict itself.
  const subject = (error as NodeJS.ErrnoException).code === 'EISDIR' ? file : `file ${file}`;
  return new ConfigError(`${subject} ${problem}`, { cause: error });
}
