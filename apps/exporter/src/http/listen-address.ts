/** A parsed `--web.listen-address`. `host` undefined means every interface (`:8900`). */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses `host:port`, `:port` (all interfaces) or `[v6]:port`, as Prometheus exporters accept it.
 * Throws an `Error` saying what was expected.
 */
export function parseListenAddress(address: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.%a-zA-Z]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || !(port >= 0 && port <= 65535)) {
    throw new Error(`expected host:port, :port or [ipv6]:port, received ${JSON.stringify(address)}`);
  }
  const host = match[1] ?? match[2];
  return { host: host === '' || host === undefined ? undefined : host, port };
}

/** The base URL a client uses to reach a bound address (wildcards are reached through loopback). */
export function baseUrl(host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${reachable}:${port}`;
}
