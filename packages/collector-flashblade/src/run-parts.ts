import type { Logger } from '@tessera/collector-api';
import { PartOutput } from './part-output.js';
import type { CollectionPart, CollectionScope } from './parts.js';

/** How one part of a collection went. */
export interface PartOutcome {
  readonly name: string;
  /** What it wrote, when it succeeded. */
  readonly output: PartOutput | undefined;
  /** Why it failed, when it did. */
  readonly error: unknown;
}

/**
 * Runs parts concurrently, each into an output of its own. A part that throws is logged and
 * reported in its outcome, costing only its own series. When `signal` fires the whole run rejects
 * with its reason: an aborted collection has no partial result.
 */
export async function runParts(parts: readonly CollectionPart[], scope: CollectionScope, signal: AbortSignal, logger: Logger): Promise<PartOutcome[]> {
  const outcomes = await Promise.all(
    parts.map(async (part): Promise<PartOutcome> => {
      const output = new PartOutput();
      try {
        await part.collect(scope, output, signal);
        if (output.duplicates > 0) logger.warn({ part: part.name, duplicates: output.duplicates }, `the array listed ${output.duplicates} series of ${part.name} more than once; the first of each was kept`);
        return { name: part.name, output, error: undefined };
      } catch (error) {
        if (!signal.aborted) logger.warn({ part: part.name, error: describe(error) }, `${part.name} failed: ${describe(error)}`);
        return { name: part.name, output: undefined, error };
      }
    }),
  );
  signal.throwIfAborted();
  return outcomes;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
