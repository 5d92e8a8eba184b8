import { createRequire } from 'node:module';
import type * as undici from 'undici';

const require = createRequire(import.meta.url);

// How long close() lets requests in flight finish before destroying their sockets.
const CLOSE_TIMEOUT_MS = 1000;

/**
 * The one undici `Agent` every collector shares (`context.dispatcher`). It is created on first use,
 * so a host whose collectors never make HTTP calls (node only) does not load undici at all.
 */
export class SharedAgent {
  #agent: undici.Agent | undefined;

  /** The agent, created now if no collector asked for it yet. */
  get(): undici.Agent {
    // undici is CommonJS, so it can be loaded synchronously inside a property getter.
    this.#agent ??= new (require('undici') as typeof undici).Agent();
    return this.#agent;
  }

  /** Closes the agent if it was created; a request a collector abandoned cannot hold shutdown. */
  async close(): Promise<void> {
    const agent = this.#agent;
    if (agent === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    });
    await Promise.race([agent.close(), expired]);
    clearTimeout(timer);
    if (!agent.closed) await agent.destroy();
  }
}
