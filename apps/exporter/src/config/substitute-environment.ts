import type { ConfigPath } from '@tessera/collector-api';

/** A `${NAME}` reference whose variable is not set; the caller turns it into a config error. */
export class MissingEnvironmentVariableError extends Error {
  readonly variable: string;
  readonly path: ConfigPath;

  constructor(variable: string, path: ConfigPath) {
    super(`environment variable ${variable} is not set`);
    this.name = 'MissingEnvironmentVariableError';
    this.variable = variable;
    this.path = path;
  }
}

// `$${` is the escape for a literal `${`, so a value can contain the sequence itself.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Returns a copy of a parsed config document with `${NAME}` in every string value replaced by the
 * variable's value (keys are left alone). Secrets can then live in the environment, never inline.
 * Throws {@link MissingEnvironmentVariableError} naming the first unset variable and its key path.
 */
export function substituteEnvironment(document: unknown, environment: Readonly<Record<string, string | undefined>>, path: ConfigPath = []): unknown {
  if (typeof document === 'string') {
    return document.replace(REFERENCE, (match, variable: string | undefined) => {
      if (variable === undefined) return '${';
      const value = environment[variable];
      if (value === undefined) throw new MissingEnvironmentVariableError(variable, path);
      return value;
    });
  }
  if (Array.isArray(document)) return document.map((item, index) => substituteEnvironment(item, environment, [...path, index]));
  if (typeof document === 'object' && document !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(document)) result[key] = substituteEnvironment(value, environment, [...path, key]);
    return result;
  }
  return document;
}
