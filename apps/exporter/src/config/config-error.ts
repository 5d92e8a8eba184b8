import { ConfigError, formatConfigPath, type ConfigPath } from '@tessera/collector-api';

/**
 * A configuration problem tied to a file: the message is the whole one-line report
 * (`tessera.yaml: collectors.node.procfs: expected string, received number`) so that any caller
 * can print `error.message` as is. `isConfigError()` recognises it; the CLI exits with code 2.
 */
export class ConfigFileError extends ConfigError {
  /** The file as shown to the operator (relative to the working directory when inside it). */
  readonly file: string;
  /** What is wrong, without the file and key path. */
  readonly reason: string;
  /** 1-based position, for YAML syntax errors. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    file: string,
    reason: string,
    options: { path?: ConfigPath; line?: number; column?: number; cause?: unknown } = {},
  ) {
    const oneLineReason = toOneLine(reason);
    const location = options.line === undefined ? file : `${file}:${options.line}:${options.column ?? 1}`;
    const where = options.path !== undefined && options.path.length > 0 ? `${location}: ${formatConfigPath(options.path)}` : location;
    super(`${where}: ${oneLineReason}`, { path: options.path ?? [], cause: options.cause });
    this.name = 'ConfigFileError';
    this.file = file;
    this.reason = oneLineReason;
    this.line = options.line;
    this.column = options.column;
  }

  /** The same error with its reason passed through `rewrite` (to censor values that must not be shown). */
  withReason(rewrite: (reason: string) => string): ConfigFileError {
    const reason = rewrite(this.reason);
    if (reason === this.reason) return this;
    return new ConfigFileError(this.file, reason, {
      path: this.path,
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.column === undefined ? {} : { column: this.column }),
      cause: this.cause,
    });
  }
}

/** Collapses a multi-line message (a YAML excerpt, a stack) into one line for the operator. */
export function toOneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * Makes a validator's message read as "what was expected": zod prefixes its messages with the
 * issue kind ("Invalid input: expected string, received number"), which adds nothing here.
 */
export function tidyIssueMessage(message: string): string {
  return message.replace(/^(Invalid input|Invalid option|Invalid value|Too small|Too big): /, '');
}
