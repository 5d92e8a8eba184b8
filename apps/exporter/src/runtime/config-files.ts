import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigFiles, type Logger } from '@tessera/collector-api';
import type { Redactor } from '../logging/redactor.js';

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
      const file = resolvePath(path);
      try {
        return await readFile(file, { encoding: 'utf8', signal });
      } catch (error) {
        throw fileError(file, error);
      }
    },
    async readSecret(path, signal) {
      const file = resolvePath(path);
      let text: string;
      try {
        text = await readFile(file, { encoding: 'utf8', signal });
      } catch (error) {
        throw fileError(file, error);
      }
      const secret = text.trim();
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

function fileError(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ConfigError(`file ${file} does not exist`, { cause: error });
  if (code === 'EACCES') return new ConfigError(`file ${file} cannot be read by this user`, { cause: error });
  if (code === 'EISDIR') return new ConfigError(`${file} is a directory, expected a file`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
