import { toOneLine } from '../config/config-error.js';

/** One line saying what went wrong, for logs, the status page and `tessera collect`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return toOneLine(error.message) || error.name;
  return toOneLine(String(error));
}
