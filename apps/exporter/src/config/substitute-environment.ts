import { formatConfigPath, type ConfigPath } from '@tessera/collector-api';

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

/** One string of the document that took a value from the environment. */
export interface Substitution {
  readonly path: ConfigPath;
  /** The variables it used, in order. */
  readonly variables: readonly string[];
  /** The string after substitution. */
  readonly value: string;
}

// `$${` is the escape for a literal `${`, so a value can contain the sequence itself.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Returns a copy of a parsed config document with `${NAME}` in every string value replaced by the
 * variable's value (keys are left alone). Secrets can then live in the environment, never inline.
 * Each substituted string is reported to `onSubstitution`, so that messages never echo it and
 * secret-named keys get their values redacted.
 * Throws {@link MissingEnvironmentVariableError} naming the first unset variable and its key path.
 */
export function substituteEnvironment(
  document: unknown,
  environment: Readonly<Record<string, string | undefined>>,
  onSubstitution: (substitution: Substitution) => void = () => undefined,
  path: ConfigPath = [],
): unknown {
  if (typeof document === 'string') {
    const variables: string[] = [];
    const value = document.replace(REFERENCE, (match, variable: string | undefined) => {
      if (variable === undefined) return '${';
      const replacement = environment[variable];
      if (replacement === undefined) throw new MissingEnvironmentVariableError(variable, path);
      variables.push(variable);
      return replacement;
    });
    if (variables.length > 0) onSubstitution({ path, variables, value });
    return value;
  }
  if (Array.isArray(document)) return document.map((item, index) => substituteEnvironment(item, environment, onSubstitution, [...path, index]));
  if (typeof document === 'object' && document !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(document)) result[key] = substituteEnvironment(value, environment, onSubstitution, [...path, key]);
    return result;
  }
  return document;
}

/** The substitutions of a document by key path (`formatConfigPath`), for messages. */
export type SubstitutedPaths = ReadonlyMap<string, Substitution>;

/** Indexes substitutions by their formatted key path. */
export function indexSubstitutions(substitutions: readonly Substitution[]): SubstitutedPaths {
  return new Map(substitutions.map((substitution) => [formatConfigPath(substitution.path), substitution]));
}

/**
 * Replaces, in a message, every value that came from the environment with the reference it came
 * from (`${ARRAY_TOKEN}`): a config error must never print a substituted value, which may be a
 * secret. Values shorter than 4 characters are left alone (they would mangle ordinary words).
 */
export function hideSubstitutedValues(text: string, substitutions: readonly Substitution[]): string {
  let result = text;
  const longestFirst = [...substitutions].sort((a, b) => b.value.length - a.value.length);
  for (const { value, variables } of longestFirst) {
    if (value.length >= 4 && result.includes(value)) result = result.replaceAll(value, variables.map((variable) => `\${${variable}}`).join(''));
  }
  return result;
}

/** Every substitution `document` makes with `environment` (none when a variable is missing: that error comes first). */
export function collectSubstitutions(document: unknown, environment: Readonly<Record<string, string | undefined>>): Substitution[] {
  const substitutions: Substitution[] = [];
  try {
    substituteEnvironment(document, environment, (substitution) => substitutions.push(substitution));
  } catch (error) {
    if (!(error instanceof MissingEnvironmentVariableError)) throw error;
  }
  return substitutions;
}
