import type { Logger } from '@tessera/collector-api';
import type { FlashBladeClient } from './client/flashblade-client.js';
import type { PartOutput } from './part-output.js';
import { CollectionScope, type CollectionPart, type GroupName } from './parts.js';
import { runParts } from './run-parts.js';

interface PartResult {
  readonly output: PartOutput;
  /** Wall-clock time of the run that produced it. */
  readonly sampledAtMs: number;
}

/**
 * A group refreshed in the background on its own interval (`usage`, `clients` by default):
 * {@link sample} runs its parts (the host's scheduler calls it; runs never overlap), and
 * collections serve the last result of each part through {@link latest} instead of calling the
 * array. A part whose refresh fails keeps its previous result until that is older than
 * `maxAgeMs`; then it is not served at all, since stale usage passed off as current is worse
 * than none.
 */
export class BackgroundGroup {
  readonly group: GroupName;
  readonly #parts: readonly CollectionPart[];
  readonly #client: FlashBladeClient;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #results = new Map<string, PartResult>();

  constructor(options: { group: GroupName; parts: readonly CollectionPart[]; client: FlashBladeClient; logger: Logger; now: () => number; maxAgeMs: number }) {
    this.group = options.group;
    this.#parts = options.parts;
    this.#client = options.client;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#maxAgeMs = options.maxAgeMs;
  }

  /** One background run of every part of the group; a part that succeeds replaces its last result. */
  async sample(signal: AbortSignal): Promise<void> {
    const outcomes = await runParts(this.#parts, new CollectionScope(this.#client), signal, this.#logger);
    const sampledAtMs = this.#now();
    for (const { name, output } of outcomes) {
      if (output !== undefined) this.#results.set(name, { output, sampledAtMs });
    }
  }

  /** The results fit to serve now: one per part that has succeeded within `maxAgeMs`. */
  latest(): PartOutput[] {
    const now = this.#now();
    const fresh: PartOutput[] = [];
    for (const [name, { output, sampledAtMs }] of this.#results) {
      const ageSeconds = Math.round((now - sampledAtMs) / 1000);
      if (now - sampledAtMs <= this.#maxAgeMs) fresh.push(output);
      else this.#logger.warn({ part: name, ageSeconds }, `${name} was last refreshed ${ageSeconds} s ago; not serving it until a refresh succeeds`);
    }
    return fresh;
  }
}
