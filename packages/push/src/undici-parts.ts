import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher, ProxyAgent as UndiciProxyAgent } from 'undici';

/*
 * The parts of undici a push uses, loaded without undici's index, which also loads fetch, WebSocket,
 * EventSource, the HTTP caches and their parsers: about 35 of the 55 ms its import takes on a 2-core
 * machine, start-up that `tessera-push exec` would add to every command it wraps. undici is pinned to
 * an exact version in package.json, so these files cannot move under us; the push, TLS and proxy
 * tests go through each of them.
 */
const load = createRequire(import.meta.url);
const dispatcherBase = load('undici/lib/dispatcher/dispatcher.js') as { prototype: object };
const api = load('undici/lib/api/index.js') as object;
/** undici's Agent: a pool of connections per origin. */
export const Agent = load('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
/** undici's ProxyAgent: requests through an HTTP(S) proxy, tunnelled with CONNECT for https. */
export const ProxyAgent = load('undici/lib/dispatcher/proxy-agent.js') as typeof UndiciProxyAgent;

// undici's index gives every dispatcher request(), connect() and the rest this way; ProxyAgent's
// tunnel calls connect(). Assigning the same functions again, should the index be loaded too, is harmless.
Object.assign(dispatcherBase.prototype, api);

/** `undici.request(url, options)` for a given dispatcher. */
export function request(url: string, options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { readonly dispatcher: Dispatcher }): Promise<Dispatcher.ResponseData> {
  const target = new URL(url);
  const { dispatcher, ...rest } = options;
  return dispatcher.request({ ...rest, origin: target.origin, path: `${target.pathname}${target.search}` });
}
