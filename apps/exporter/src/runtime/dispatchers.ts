import { createRequire } from 'node:module';
import { agentOptionsFor, type DispatcherOptions } from '@tessera/collector-api';
import type * as undici from 'undici';
import { withTimeout } from './settle-within.js';

const require = createRequire(import.meta.url);

// How long close() lets requests in flight finish before destroying their sockets.
const CLOSE_TIMEOUT_MS = 1000;

// undici is CommonJS, so it loads synchronously inside a getter, and only when a collector makes
// HTTP calls: a host that runs the node collector alone never loads it.
function loadUndici(): typeof undici {
  return require('undici') as typeof undici;
}

/** Closes an agent, letting requests in flight finish for a moment, then destroying what is left. */
async function closeAgent(agent: undici.Agent): Promise<void> {
  await withTimeout(agent.close(), CLOSE_TIMEOUT_MS, () => undefined);
  if (!agent.closed) await agent.destroy();
}

/**
 * The one undici `Agent` every collector shares (`context.dispatcher`), created on first use.
 */
export class SharedAgent {
  #agent: undici.Agent | undefined;

  /** The agent, created now if no collector asked for it yet. */
  get(): undici.Agent {
    this.#agent ??= new (loadUndici().Agent)();
    return this.#agent;
  }

  /** Closes the agent if it was created; a request a collector abandoned cannot hold shutdown. */
  async close(): Promise<void> {
    if (this.#agent !== undefined) await closeAgent(this.#agent);
  }
}

/**
 * The dispatchers one collector instance made with `context.createDispatcher()`: each an undici
 * `Agent` with the instance's TLS and connection settings, closed with the instance.
 */
export class DispatcherSet {
  readonly #agents: undici.Agent[] = [];

  create(options: DispatcherOptions = {}): undici.Agent {
    const { Agent } = loadUndici();
    const agent = new Agent(agentOptionsFor(options));
    this.#agents.push(agent);
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all(this.#agents.splice(0).map(closeAgent));
  }
}
