import { ConfigError, type ConfigPath } from './errors.js';

/**
 * The Standard Schema v1 interface (standardschema.dev), written out here so this package keeps no
 * runtime or type dependency on a validation library. zod 4, valibot and arktype schemas satisfy it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: readonly Issue[];
  }
  interface Issue {
    readonly message: string;
    readonly path?: readonly (PropertyKey | PathSegment)[] | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

function issuePath(issue: StandardSchemaV1.Issue): ConfigPath {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

/**
 * Validates `value` with a Standard Schema and returns the parsed output (defaults applied).
 * On failure throws a {@link ConfigError} for the first issue, its path prefixed with `basePath`;
 * the message names the first issue and counts the rest.
 */
export async function validateWithSchema<Output>(
  schema: StandardSchemaV1<unknown, Output>,
  value: unknown,
  basePath: ConfigPath = [],
): Promise<Output> {
  const result = await schema['~standard'].validate(value);
  if (result.issues === undefined) return result.value;
  const [first, ...rest] = result.issues;
  if (first === undefined) throw new ConfigError('invalid configuration', { path: basePath });
  const more = rest.length > 0 ? ` (and ${rest.length} more issue${rest.length === 1 ? '' : 's'})` : '';
  throw new ConfigError(`${first.message}${more}`, { path: [...basePath, ...issuePath(first)] });
}
