import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { createTestCertificateAuthority, htpasswdBcrypt, type IssuedCertificate, type TestCertificateAuthority } from '@tessera/test-support';
import { Agent, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger } from './helpers.js';
import { valuePlugin } from './fixtures/plugins.js';

// The exporter serving a web config on loopback: TLS, client certificates under every
// client_auth_type, basic auth on every route, headers, the rate limit, and files changed while it
// runs. Requests are real HTTPS requests (undici, or node:tls to see the certificate served).

const USER = 'prometheus';
const PASSWORD = 'correct horse battery staple';

let authority: TestCertificateAuthority;
let otherAuthority: TestCertificateAuthority;
let server: IssuedCertificate;
let client: IssuedCertificate;
let strangerClient: IssuedCertificate;
let hash: string;
const running: Exporter[] = [];

beforeAll(async () => {
  [authority, otherAuthority] = await Promise.all([createTestCertificateAuthority('Tessera Test CA'), createTestCertificateAuthority('Some Other CA')]);
  server = await authority.issue('server', { usage: 'server' });
  client = await authority.issue('client', { usage: 'client', subjectAltNames: ['DNS:scraper.example', 'URI:spiffe://cluster/prometheus'] });
  strangerClient = await otherAuthority.issue('stranger', { usage: 'client', subjectAltNames: ['DNS:scraper.example'] });
  hash = await htpasswdBcrypt(USER, PASSWORD);
}, 60_000);
afterEach(async () => {
  await Promise.all(running.splice(0).map((exporter) => exporter.close()));
});
afterAll(async () => {
  await authority?.remove();
  await otherAuthority?.remove();
});

const serverTls = (extra = ''): string => `tls_server_config:\n  cert_file: ${server.certFile}\n  key_file: ${server.keyFile}\n${extra}`;
const mutualTls = (type: string, extra = ''): string => serverTls(`  client_auth_type: ${type}\n  client_ca_file: ${authority.ca.certFile}\n${extra}`);

/** Starts an exporter with one test collector and `webYml` as its web config; returns its URL. */
async function serve(name: string, webYml: string): Promise<{ readonly url: string; readonly webFile: string; readonly records: Record<string, unknown>[] }> {
  const webFile = join(authority.directory, `${name}.web.yml`);
  await writeFile(webFile, webYml);
  const { logger, records } = captureLogger('debug');
  const exporter = await createExporter({ plugins: { alpha: valuePlugin('alpha').plugin }, onlySuppliedPlugins: true, logger, overrides: { webConfigFile: webFile, disableExporterMetrics: true } });
  running.push(exporter);
  return { url: await exporter.listen('127.0.0.1:0'), webFile, records };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request on a fresh connection, trusting the test CA unless told otherwise. */
async function get(url: string, options: { readonly ca?: string | null; readonly identity?: IssuedCertificate; readonly auth?: readonly [string, string] } = {}): Promise<Answer> {
  const agent = new Agent({
    connect: {
      ...(options.ca === null ? {} : { ca: options.ca ?? authority.ca.cert }),
      ...(options.identity === undefined ? {} : { cert: options.identity.cert, key: options.identity.key }),
    },
  });
  try {
    const headers = options.auth === undefined ? {} : { authorization: `Basic ${Buffer.from(options.auth.join(':')).toString('base64')}` };
    const response = await request(url, { dispatcher: agent, headers });
    return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
  } finally {
    await agent.destroy();
  }
}

/** The certificate the server presents to a new connection (and the negotiated parameters). */
function handshake(url: string, options: { readonly minVersion?: 'TLSv1.2' | 'TLSv1.3'; readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<{ readonly certificate: PeerCertificate; readonly protocol: string | null; readonly cipher: string; readonly group: string | undefined }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca: authority.ca.cert, ...options }, () => {
      const key = socket.getEphemeralKeyInfo();
      resolve({ certificate: socket.getPeerCertificate(), protocol: socket.getProtocol(), cipher: socket.getCipher().name, group: key !== null && 'name' in key ? key.name : undefined });
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** A connection the server refused: in the handshake (an alert) or right after it (closed). */
const REFUSED = /certificate required|unknown ca|other side closed|ECONNRESET|socket hang up|bad certificate|protocol version|unsupported protocol|handshake failure|closed/i;

describe('TLS with basic auth', { timeout: 60_000 }, () => {
  it('serves HTTPS to a client that trusts the CA, and refuses a client that does not', async () => {
    const { url } = await serve('tls', serverTls(`basic_auth_users:\n  ${USER}: ${hash}\n`));
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${url}/metrics`, { auth: [USER, PASSWORD] })).status).toBe(200);
    await expect(get(`${url}/metrics`, { ca: null, auth: [USER, PASSWORD] })).rejects.toThrow(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|self.signed/i);
    await expect(get(url.replace('https:', 'http:') + '/metrics')).rejects.toThrow();
  });

  it('protects every route, /-/healthy and unknown paths included; the right password opens them', async () => {
    const { url } = await serve('every-route', serverTls(`basic_auth_users:\n  ${USER}: ${hash}\n`));
    for (const path of ['/metrics', '/metrics/alpha', '/probe?collector=alpha&target=default', '/-/healthy', '/-/ready', '/', '/nosuch']) {
      const denied = await get(`${url}${path}`);
      expect(denied.status, path).toBe(401);
      expect(denied.headers['www-authenticate'], path).toBe('Basic');
      expect(denied.body, path).toBe('Unauthorized\n');
      expect((await get(`${url}${path}`, { auth: [USER, 'wrong password'] })).status, path).toBe(401);
      expect((await get(`${url}${path}`, { auth: ['nobody', PASSWORD] })).status, path).toBe(401);
    }
    const metrics = await get(`${url}/metrics`, { auth: [USER, PASSWORD] });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^alpha_value\{source="test"\} \d+$/m);
    expect((await get(`${url}/-/healthy`, { auth: [USER, PASSWORD] })).body).toBe('Healthy\n');
    expect((await get(`${url}/nosuch`, { auth: [USER, PASSWORD] })).status).toBe(404);
  });

  it('puts the configured headers on every response, refusals and 404s included', async () => {
    const headers = 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n    Strict-Transport-Security: max-age=63072000\n';
    const { url } = await serve('headers', serverTls(`basic_auth_users:\n  ${USER}: ${hash}\n${headers}`));
    for (const answer of [await get(`${url}/metrics`, { auth: [USER, PASSWORD] }), await get(`${url}/metrics`), await get(`${url}/nosuch`, { auth: [USER, PASSWORD] })]) {
      expect(answer.headers).toMatchObject({ 'x-frame-options': 'deny', 'x-content-type-options': 'nosniff', 'strict-transport-security': 'max-age=63072000' });
    }
  });
});

describe('client certificates', { timeout: 60_000 }, () => {
  it('RequireAndVerifyClientCert: a certificate from the CA is served; none, or one from another CA, is refused', async () => {
    const { url } = await serve('mtls', mutualTls('RequireAndVerifyClientCert'));
    expect((await get(`${url}/metrics`, { identity: client })).status).toBe(200);
    await expect(get(`${url}/metrics`)).rejects.toThrow(REFUSED);
    await expect(get(`${url}/metrics`, { identity: strangerClient })).rejects.toThrow(REFUSED);
  });

  it('RequireAnyClientCert: any certificate is served, none is refused', async () => {
    const { url } = await serve('any-cert', mutualTls('RequireAnyClientCert'));
    expect((await get(`${url}/-/healthy`, { identity: strangerClient })).status).toBe(200);
    expect((await get(`${url}/-/healthy`, { identity: client })).status).toBe(200);
    await expect(get(`${url}/-/healthy`)).rejects.toThrow(REFUSED);
  });

  it('VerifyClientCertIfGiven: no certificate is served, a certificate must come from the CA', async () => {
    const { url, records } = await serve('if-given', mutualTls('VerifyClientCertIfGiven'));
    expect((await get(`${url}/-/healthy`)).status).toBe(200);
    expect((await get(`${url}/-/healthy`, { identity: client })).status).toBe(200);
    await expect(get(`${url}/-/healthy`, { identity: strangerClient })).rejects.toThrow(REFUSED);
    expect(records.some((record) => String(record.msg).startsWith('TLS connection refused: client certificate not trusted'))).toBe(true);
  });

  it('RequestClientCert: asks, but serves with or without one', async () => {
    const { url } = await serve('request-cert', mutualTls('RequestClientCert'));
    expect((await get(`${url}/-/healthy`)).status).toBe(200);
    expect((await get(`${url}/-/healthy`, { identity: strangerClient })).status).toBe(200);
  });

  it('client_allowed_sans: a trusted certificate must also carry one of the SANs', async () => {
    const { url: byUri } = await serve('sans-uri', mutualTls('RequireAndVerifyClientCert', '  client_allowed_sans: [spiffe://cluster/prometheus]\n'));
    expect((await get(`${byUri}/-/healthy`, { identity: client })).status).toBe(200);
    const { url: byDns, records } = await serve('sans-dns', mutualTls('RequireAndVerifyClientCert', '  client_allowed_sans: [grafana.example]\n'));
    await expect(get(`${byDns}/-/healthy`, { identity: client })).rejects.toThrow(REFUSED);
    expect(records.some((record) => String(record.msg).includes('has none of the allowed SANs (it has: scraper.example, spiffe://cluster/prometheus)'))).toBe(true);
  });
});

describe('TLS parameters', { timeout: 60_000 }, () => {
  it('honours max_version, cipher_suites and curve_preferences', async () => {
    const { url } = await serve('params', serverTls('  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n  curve_preferences: [CurveP384]\n'));
    const negotiated = await handshake(url);
    expect(negotiated).toMatchObject({ protocol: 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', group: 'secp384r1' });
    await expect(handshake(url, { minVersion: 'TLSv1.3' })).rejects.toThrow(REFUSED);
  });

  it('honours min_version', async () => {
    const { url } = await serve('tls13', serverTls('  min_version: TLS13\n'));
    expect((await handshake(url)).protocol).toBe('TLSv1.3');
    await expect(handshake(url, { maxVersion: 'TLSv1.2' })).rejects.toThrow(REFUSED);
  });
});

describe('files changed while serving', { timeout: 60_000 }, () => {
  it('serves a certificate replaced on disk on the next connection, without a restart', async () => {
    await authority.issue('rotating', { usage: 'server', commonName: 'before rotation' });
    const { url, records } = await serve('rotation', `tls_server_config:\n  cert_file: rotating.crt\n  key_file: rotating.key\n`);
    const before = (await handshake(url)).certificate;
    expect(before.subject.CN).toBe('before rotation');

    const next = await authority.issue('rotated', { usage: 'server', commonName: 'after rotation' });
    await copyFile(next.keyFile, join(authority.directory, 'rotating.key'));
    await copyFile(next.certFile, join(authority.directory, 'rotating.crt'));
    const after = (await handshake(url)).certificate;
    expect(after.subject.CN).toBe('after rotation');
    expect(after.serialNumber).not.toBe(before.serialNumber);
    expect((await get(`${url}/-/healthy`)).status).toBe(200);
    expect(records.filter((record) => String(record.msg).startsWith('web config reloaded: TLS with certificate CN=after rotation'))).toHaveLength(1);
  });

  it('picks up a replaced client CA for the next connection', async () => {
    const caFile = join(authority.directory, 'rotating-ca.crt');
    await copyFile(authority.ca.certFile, caFile);
    const { url } = await serve('ca-rotation', serverTls(`  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${caFile}\n`));
    expect((await get(`${url}/-/healthy`, { identity: client })).status).toBe(200);
    await expect(get(`${url}/-/healthy`, { identity: strangerClient })).rejects.toThrow(REFUSED);
    await copyFile(otherAuthority.ca.certFile, caFile);
    expect((await get(`${url}/-/healthy`, { identity: strangerClient })).status).toBe(200);
    await expect(get(`${url}/-/healthy`, { identity: client })).rejects.toThrow(REFUSED);
  });

  it('applies an edited web config: users, client_auth_type', async () => {
    const { url, webFile } = await serve('edited', serverTls(`basic_auth_users:\n  ${USER}: ${hash}\n`));
    expect((await get(`${url}/-/healthy`, { auth: [USER, PASSWORD] })).status).toBe(200);
    const newHash = await htpasswdBcrypt('grafana', 'another password');
    await writeFile(webFile, mutualTls('RequireAndVerifyClientCert', `basic_auth_users:\n  grafana: ${newHash}\n`));
    await expect(get(`${url}/-/healthy`, { auth: [USER, PASSWORD] })).rejects.toThrow(REFUSED);
    expect((await get(`${url}/-/healthy`, { identity: client, auth: [USER, PASSWORD] })).status).toBe(401);
    expect((await get(`${url}/-/healthy`, { identity: client, auth: ['grafana', 'another password'] })).status).toBe(200);
  });

  it('keeps the last good config when the file turns invalid, says so once, and recovers when it is fixed', async () => {
    const { url, webFile, records } = await serve('broken', serverTls(`basic_auth_users:\n  ${USER}: ${hash}\n`));
    const errors = (): Record<string, unknown>[] => records.filter((record) => record.level === 'error');
    await writeFile(webFile, serverTls(`basic_auth_users:\n  ${USER}: not-a-hash\n`));
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await get(`${url}/metrics`, { auth: [USER, PASSWORD] })).status).toBe(200);
      expect((await get(`${url}/metrics`)).status).toBe(401);
    }
    expect(errors().map((record) => record.msg)).toEqual([expect.stringMatching(/^web config not reloaded, still serving the last good one: .*broken\.web\.yml: basic_auth_users\.prometheus: expected a bcrypt hash/)]);

    // A key that does not match the certificate (half of a rotation) keeps the old pair serving.
    const serialBefore = (await handshake(url)).certificate.serialNumber;
    await writeFile(webFile, `tls_server_config:\n  cert_file: ${server.certFile}\n  key_file: ${client.keyFile}\n`);
    expect((await handshake(url)).certificate.serialNumber).toBe(serialBefore);
    expect(errors()).toHaveLength(2);
    expect(String(errors()[1]?.msg)).toMatch(/tls_server_config\.key_file: file .*client\.key is not the private key of the certificate/);

    // Plain HTTP cannot replace HTTPS on the same port while running.
    await writeFile(webFile, `basic_auth_users:\n  ${USER}: ${hash}\n`);
    expect((await get(`${url}/metrics`, { auth: [USER, PASSWORD] })).status).toBe(200);
    expect(String(errors()[2]?.msg)).toMatch(/switching between HTTP and HTTPS \(tls_server_config\) takes a restart$/);

    await writeFile(webFile, serverTls());
    expect((await get(`${url}/metrics`)).status).toBe(200);
    expect(errors()).toHaveLength(3);
    expect(records.some((record) => String(record.msg).startsWith('web config reloaded: TLS with certificate CN=server') && String(record.msg).endsWith('no basic auth'))).toBe(true);
  });
});

describe('plain HTTP with basic auth and a rate limit', { timeout: 60_000 }, () => {
  it('authenticates over HTTP, in-process inject() included', async () => {
    const webFile = join(authority.directory, 'plain.web.yml');
    await writeFile(webFile, `basic_auth_users:\n  ${USER}: ${hash}\n`);
    const exporter = await createExporter({ plugins: { alpha: valuePlugin('alpha').plugin }, onlySuppliedPlugins: true, logger: captureLogger().logger, overrides: { webConfigFile: webFile } });
    running.push(exporter);
    const url = await exporter.listen('127.0.0.1:0');
    expect(url).toMatch(/^http:\/\//);
    expect((await get(`${url}/-/healthy`)).status).toBe(401);
    expect((await get(`${url}/-/healthy`, { auth: [USER, PASSWORD] })).status).toBe(200);
    expect((await exporter.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect((await exporter.app.inject({ url: '/metrics', headers: { authorization } })).statusCode).toBe(200);
  });

  it('answers 429 beyond the burst, before authentication', async () => {
    const { url } = await serve('limited', 'rate_limit:\n  interval: 1h\n  burst: 2\nhttp_server_config:\n  headers:\n    X-Frame-Options: sameorigin\n');
    expect((await get(`${url}/-/healthy`)).status).toBe(200);
    expect((await get(`${url}/-/healthy`)).status).toBe(200);
    const limited = await get(`${url}/-/healthy`);
    expect(limited.status).toBe(429);
    expect(limited.headers['x-frame-options']).toBe('sameorigin');
  });
});
