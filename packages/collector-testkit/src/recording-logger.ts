import type { LogFn, Logger } from '@tessera/collector-api';

/** The levels of the contract's {@link Logger}. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One call to a recording logger. */
export interface LogRecord {
  readonly level: LogLevel;
  /** The bindings of the logger that was called: `{collector, instance}` plus any `child()` bindings. */
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly message: string;
  /** The object passed before the message (`logger.warn({ file }, 'skipped')`), or `{}`. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** A {@link Logger} that appends every call to `records` instead of writing anywhere. */
export function createRecordingLogger(records: LogRecord[], bindings: Readonly<Record<string, unknown>>): Logger {
  const logFor =
    (level: LogLevel): LogFn =>
    (first: string | object, second?: string) => {
      if (typeof first === 'string') records.push({ level, bindings, message: first, fields: {} });
      else records.push({ level, bindings, message: second ?? '', fields: { ...first } });
    };
  const logger = Object.fromEntries(LEVELS.map((level) => [level, logFor(level)])) as Record<LogLevel, LogFn>;
  return {
    ...logger,
    child: (childBindings) => createRecordingLogger(records, { ...bindings, ...childBindings }),
  };
}
