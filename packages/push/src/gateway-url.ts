/**
 * Parses a Pushgateway base URL, reading one without a scheme (`pushgateway:9091`) as `http://`;
 * returns a message saying what is wrong when it cannot be used. `new URL('host:9091')` would take
 * `host:` for the scheme, so the scheme is looked for explicitly.
 */
export function parseGatewayUrl(gateway: string): URL | string {
  const text = gateway.trim();
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `invalid Pushgateway URL ${JSON.stringify(gateway)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the Pushgateway URL must be http or https, not ${url.protocol.slice(0, -1)}`;
  if (url.hostname === '') return `invalid Pushgateway URL ${JSON.stringify(gateway)}: no host`;
  if (url.search !== '' || url.hash !== '') return `the Pushgateway URL ${JSON.stringify(gateway)} must not have a query or fragment`;
  return url;
}
