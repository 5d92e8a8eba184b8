import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  createTestCertificateAuthority,
  htpasswdBcrypt,
  startPrometheus,
  startTessera,
  type IssuedCertificate,
  type RunningPeer,
  type RunningPrometheus,
  type TestCertificateAuthority,
} from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A real Prometheus (Debian) scrapes the real `tessera` bin over HTTPS, as an operator sets it up
// with `--web.config.file`: a private CA, basic auth with an htpasswd hash, and mutual TLS.

const USER = 'prometheus';
const PASSWORD = 'scrape me if you can';

let authority: TestCertificateAuthority;
let scraper: IssuedCertificate;
const exporters: Record<'tls' | 'auth' | 'mutual', RunningPeer | undefined> = { tls: undefined, auth: undefined, mutual: undefined };
let prometheus: RunningPrometheus | undefined;

/** A readiness probe over HTTPS that trusts the test CA (and presents what the web config asks for). */
function readyOverTls(options: { readonly identity?: IssuedCertificate; readonly authorization?: string }): (url: string) => Promise<boolean> {
  return (url) =>
    new Promise((resolve) => {
      const call = request(
        url,
        {
          ca: authority.ca.cert,
          ...(options.identity === undefined ? {} : { cert: options.identity.cert, key: options.identity.key }),
          headers: options.authorization === undefined ? {} : { authorization: options.authorization },
          timeout: 2000,
          agent: false,
        },
        (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        },
      );
      call.once('error', () => resolve(false));
      call.end();
    });
}

/** Starts `tessera` with no collectors and `webYml` as its `--web.config.file`. */
async function startWithWebConfig(name: string, webYml: string, probe: Parameters<typeof readyOverTls>[0] = {}): Promise<RunningPeer> {
  const webFile = join(authority.directory, `${name}.web.yml`);
  await writeFile(webFile, webYml);
  return startTessera({ config: {}, args: ['--collector.disable-defaults', `--web.config.file=${webFile}`], scheme: 'https', isReady: readyOverTls(probe) });
}

beforeAll(async () => {
  authority = await createTestCertificateAuthority();
  // tessera.crt / tessera.key: the web configs below name them relative to their own directory.
  await authority.issue('tessera', { usage: 'server' });
  scraper = await authority.issue('scraper', { usage: 'client', subjectAltNames: ['DNS:prometheus.example'] });
  const hash = await htpasswdBcrypt(USER, PASSWORD);
  const tls = `tls_server_config:\n  cert_file: tessera.crt\n  key_file: tessera.key\n`;
  exporters.tls = await startWithWebConfig('tls', tls);
  exporters.auth = await startWithWebConfig('auth', `${tls}basic_auth_users:\n  ${USER}: ${hash}\n`, { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` });
  exporters.mutual = await startWithWebConfig('mutual', `${tls}  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [prometheus.example]\n`, { identity: scraper });

  const target = (peer: RunningPeer | undefined): { targets: string[] } => ({ targets: [`127.0.0.1:${peer?.port ?? 0}`] });
  const https = (peer: RunningPeer | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ scheme: 'https', static_configs: [target(peer)], ...extra });
  prometheus = await startPrometheus({
    scrapeInterval: '1s',
    scrapeConfigs: [
      { job_name: 'tls', ...https(exporters.tls, { tls_config: { ca_file: authority.ca.certFile } }) },
      { job_name: 'basic-auth', ...https(exporters.auth, { tls_config: { ca_file: authority.ca.certFile }, basic_auth: { username: USER, password: PASSWORD } }) },
      { job_name: 'mutual-tls', ...https(exporters.mutual, { tls_config: { ca_file: authority.ca.certFile, cert_file: scraper.certFile, key_file: scraper.keyFile } }) },
      { job_name: 'wrong-password', ...https(exporters.auth, { tls_config: { ca_file: authority.ca.certFile }, basic_auth: { username: USER, password: 'guess' } }) },
      { job_name: 'no-client-certificate', ...https(exporters.mutual, { tls_config: { ca_file: authority.ca.certFile } }) },
      { job_name: 'untrusted-server', ...https(exporters.tls) },
    ],
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(Object.values(exporters).map((peer) => peer?.stop() ?? Promise.resolve()));
  await authority?.remove();
});

describe('Prometheus scraping tessera with a web config', () => {
  for (const job of ['tls', 'basic-auth', 'mutual-tls']) {
    it(`scrapes over ${job}: up == 1 and the samples are stored`, async () => {
      const up = await prometheus!.waitFor(`up{job="${job}"}`, (samples) => samples[0]?.value === 1);
      expect(up.map((sample) => sample.value)).toEqual([1]);
      const build = await prometheus!.waitFor(`tessera_build_info{job="${job}"}`, (samples) => samples.length === 1);
      expect(build[0]?.value).toBe(1);
    });
  }

  for (const job of ['wrong-password', 'no-client-certificate', 'untrusted-server']) {
    it(`fails the scrape for ${job}: up == 0, nothing stored`, async () => {
      const scraped = await prometheus!.waitFor(`count_over_time(up{job="${job}"}[5m])`, (samples) => (samples[0]?.value ?? 0) >= 2);
      expect(scraped[0]?.value).toBeGreaterThanOrEqual(2);
      expect((await prometheus!.query(`max_over_time(up{job="${job}"}[5m])`)).map((sample) => sample.value)).toEqual([0]);
      expect(await prometheus!.query(`tessera_build_info{job="${job}"}`)).toEqual([]);
    });
  }

  it('reports why in the target list: 401, a refused handshake, an unknown authority', async () => {
    const response = await fetch(`${prometheus!.url}/api/v1/targets?state=active`);
    const { data } = (await response.json()) as { data: { activeTargets: { labels: { job: string }; lastError: string }[] } };
    const lastError = (job: string): string => data.activeTargets.find((target) => target.labels.job === job)?.lastError ?? '';
    expect(lastError('wrong-password')).toMatch(/server returned HTTP status 401 Unauthorized/);
    expect(lastError('no-client-certificate')).toMatch(/tls: certificate required/);
    expect(lastError('untrusted-server')).toMatch(/certificate signed by unknown authority/);
    expect(lastError('tls')).toBe('');
  });
});
