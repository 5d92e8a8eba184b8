import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from '../config/config-schema.js';
import { formatLogfmt } from './logfmt.js';

/**
 * Keys whose values never reach a log line. Collectors log through children of this logger, so a
 * config object or request headers logged by mistake are censored too.
 */
export const REDACTED_PATHS = [
  'apiToken',
  'password',
  'authorization',
  '*.apiToken',
  '*.password',
  '*.authorization',
  '*.*.apiToken',
  '*.*.password',
  '*.*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * The host's logger: pino to STDERR (stdout stays clean for `tessera collect`), JSON or logfmt,
 * level names instead of numbers, secrets redacted. Writes synchronously so nothing is lost when
 * the process exits right after a fatal message.
 */
export function createLogger(options: { readonly level: LogLevel; readonly format: LogFormat; readonly destination?: DestinationStream }): Logger {
  const stderr = options.destination ?? pino.destination({ fd: 2, sync: true });
  const destination: DestinationStream =
    options.format === 'logfmt' ? { write: (line: string) => void stderr.write(formatLogfmt(JSON.parse(line) as Record<string, unknown>)) } : stderr;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
