import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogFormat, LogLevel } from '../config/config-schema.js';
import { formatLogfmt } from './logfmt.js';
import { Redactor } from './redactor.js';

/**
 * The host's logger: pino to STDERR (stdout stays clean for `tessera collect`), JSON or logfmt,
 * level names instead of numbers. Every line passes through the {@link Redactor} before it is
 * written, so secrets are censored wherever a collector puts them: secret-named keys at any depth
 * (`apiToken`, `x-auth-token`, `authorization`, `password`, …), URL userinfo, and every registered
 * secret value, in messages and error stacks too. Writes synchronously so nothing is lost when the
 * process exits right after a fatal message.
 */
export function createLogger(options: {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly destination?: DestinationStream;
  readonly redactor?: Redactor;
}): Logger {
  const stderr = options.destination ?? pino.destination({ fd: 2, sync: true });
  const redactor = options.redactor ?? new Redactor();
  const destination: DestinationStream = {
    write(line: string) {
      const redacted = redactor.redactJson(line);
      stderr.write(options.format === 'logfmt' ? formatLogfmt(JSON.parse(redacted) as Record<string, unknown>) : redacted);
    },
  };
  return pino(
    {
      level: options.level,
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
