import type { DispatcherOptions } from './context.js';

/** The defaults of {@link DispatcherOptions}' timeouts, in milliseconds. */
export const DISPATCHER_DEFAULTS = { connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000 } as const;

/**
 * The options of an undici `Agent` (`new Agent(agentOptionsFor(options))`) that behaves as
 * {@link DispatcherOptions} describes, defaults included. The host builds `createDispatcher()`'s
 * agents from it, and so does the test kit, so that a collector meets the same timeouts in both.
 */
export interface AgentOptions {
  readonly connect: {
    readonly ca?: string | string[];
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized?: boolean;
    readonly servername?: string;
    readonly timeout: number;
  };
  readonly connections?: number;
  readonly headersTimeout: number;
  readonly bodyTimeout: number;
}

/** See {@link AgentOptions}. */
export function agentOptionsFor(options: DispatcherOptions = {}): AgentOptions {
  const { ca, cert, key, rejectUnauthorized, servername, connections } = options;
  return {
    connect: {
      ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : [...ca] }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
      ...(servername === undefined ? {} : { servername }),
      timeout: options.connectTimeoutMs ?? DISPATCHER_DEFAULTS.connectTimeoutMs,
    },
    ...(connections === undefined ? {} : { connections }),
    headersTimeout: options.headersTimeoutMs ?? DISPATCHER_DEFAULTS.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs ?? DISPATCHER_DEFAULTS.bodyTimeoutMs,
  };
}
