import type { DispatcherOptions } from './context.js';

/** What {@link agentOptionsFor} returns: the options of an undici `Agent`. */
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

/**
 * The options of an undici `Agent` (`new Agent(agentOptionsFor(options))`) that behaves as
 * {@link DispatcherOptions} describes, its default timeouts included. The host builds
 * `createDispatcher()`'s agents from it, and so does the test kit, so that a collector meets the
 * same timeouts in both.
 */
export function agentOptionsFor(options: DispatcherOptions = {}): AgentOptions {
  const { ca, cert, key, rejectUnauthorized, servername, connections } = options;
  return {
    connect: {
      ...(ca === undefined ? {} : { ca: typeof ca === 'string' ? ca : [...ca] }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
      ...(servername === undefined ? {} : { servername }),
      timeout: options.connectTimeoutMs ?? 10_000,
    },
    ...(connections === undefined ? {} : { connections }),
    headersTimeout: options.headersTimeoutMs ?? 30_000,
    bodyTimeout: options.bodyTimeoutMs ?? 30_000,
  };
}
