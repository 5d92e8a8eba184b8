import { toOneLine } from '../config/config-error.js';

/** One line saying what went wrong, for logs, the status page and `tessera collect`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return toOneLine(error.message) || error.name;
  return toOneLine(String(error));
}

/**
 * Why a file could not be read, to follow its name (`does not exist`), for the causes an operator
 * fixes; `undefined` for any other error.
 */
export function fileReadProblem(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'cannot be read by this user';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return undefined;
}
