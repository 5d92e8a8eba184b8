import { pino, type Logger } from 'pino';

let defaultLogger: Logger | undefined;

/**
 * The logger used when none is injected: warnings and above, as JSON on stderr, written synchronously
 * so the warning about a failed final push is not lost when the job exits right after it.
 */
export function getDefaultLogger(): Logger {
  defaultLogger ??= pino({ name: 'tessera-push', level: 'warn' }, pino.destination({ dest: 2, sync: true }));
  return defaultLogger;
}
