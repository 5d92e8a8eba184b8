import { z } from 'zod';

/** Arkouda's metrics daemon port (`METRICS_SERVER_PORT` on the server), the default of `port`. */
const DEFAULT_METRICS_PORT = 5556;

/** The `arkouda_server_name` of a single unnamed entry: Arkouda's exporter's default. */
const DEFAULT_SERVER_NAME = 'arkouda-metrics';

/**
 * A number that may also arrive as a string: `${ENV}` substitution in tessera.yaml always yields
 * strings, and the Arkouda exporter's settings traditionally come from the environment
 * (`port: ${ARKOUDA_METRICS_SERVICE_PORT}`).
 */
function numberOrNumericString<TSchema extends z.ZodNumber>(schema: TSchema) {
  return z.preprocess((value) => (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
}

/**
 * One Arkouda server's entry (one instance per server, `collectors: { arkouda: [ {instance: …}, … ] }`).
 * The host's own keys (`instance`, `enabled`, `timeoutSeconds`, `cacheTtlSeconds`) are not part of it.
 */
export const configSchema = z.strictObject({
  /** The host running the metrics daemon (a Kubernetes Service name, a Slurm head node). */
  host: z.string().trim().min(1).default('localhost'),
  /** The metrics daemon's port. */
  port: numberOrNumericString(z.number().int().min(1).max(65_535)).default(DEFAULT_METRICS_PORT),
  /** The `arkouda_server_name` label; default the instance name (`arkouda-metrics` for a single unnamed entry). */
  serverName: z.string().trim().min(1).optional(),
  /** Seconds between polls of the metrics daemon. */
  pollIntervalSeconds: numberOrNumericString(z.number().positive().max(3600)).default(5),
  /**
   * Seconds one request may wait for its reply before the server counts as down and the socket is
   * replaced (a lost reply leaves a REQ socket unusable).
   */
  requestTimeoutSeconds: numberOrNumericString(z.number().positive().max(600)).default(4),
});

/** The validated entry. */
export type ArkoudaCollectorConfig = z.output<typeof configSchema>;

/** What an operator may write in one entry. */
export type ArkoudaCollectorConfigInput = z.input<typeof configSchema>;

/** The server name an instance reports: `serverName`, else the instance name, else the exporter's default. */
export function resolveServerName(config: ArkoudaCollectorConfig, instance: string): string {
  return config.serverName ?? (instance === 'default' ? DEFAULT_SERVER_NAME : instance);
}

/** The ZeroMQ endpoint of the metrics daemon: `tcp://host:port`, an IPv6 address in brackets. */
export function metricsEndpoint(config: Pick<ArkoudaCollectorConfig, 'host' | 'port'>): string {
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return `tcp://${host}:${config.port}`;
}
