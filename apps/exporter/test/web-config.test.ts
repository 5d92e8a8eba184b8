import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCertificateAuthority, type IssuedCertificate, type TestCertificateAuthority } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigFileError } from '../src/index.js';
import { displayPath, parseYamlText } from '../src/config/load-config-file.js';
import { ALLOWED_HEADERS, parseGoDuration, parseWebConfig } from '../src/http/web-config.js';
import { loadWebConfigFile, resolveWebConfigFile } from '../src/http/web-config-source.js';
import { createProject, runBin, type Project } from './helpers.js';

// Web config files (exporter-toolkit format): what is accepted, how it maps onto Node's TLS options,
// and every way a file is refused: one line naming the file and the key, secrets never quoted.

let authority: TestCertificateAuthority;
let server: IssuedCertificate;
let project: Project;
// A real bcrypt hash (cost 4, quick); the tests below only need its shape.
const HASH = '$2b$04$yuVtKwcfXXVEMJCzAnn/VuGCcGLfSMzaBDUgcC8mLVLGyqTlNxYLe';

beforeAll(async () => {
  authority = await createTestCertificateAuthority();
  server = await authority.issue('server', { usage: 'server' });
  await authority.issue('other', { usage: 'server' });
  project = await createProject();
}, 60_000);
afterAll(async () => {
  await authority?.remove();
  await project?.remove();
});

/** Writes `text` as `<name>` in the CA's directory and loads it. */
async function load(text: string, name = 'web.yml'): Promise<ReturnType<typeof loadWebConfigFile>> {
  const file = join(authority.directory, name);
  await writeFile(file, text);
  return loadWebConfigFile(file);
}

/** The one-line message loading `text` fails with. */
async function refusal(text: string): Promise<string> {
  try {
    await load(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    const message = (error as ConfigFileError).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('the web config was accepted');
}

const tls = (extra = ''): string => `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${extra}`;

describe('accepted web config files', { timeout: 30_000 }, () => {
  it('an empty file is plain HTTP without authentication', async () => {
    const loaded = await load('');
    expect(loaded.tls).toBeUndefined();
    expect(loaded.config.users.size).toBe(0);
    expect(loaded.config.rateLimit).toBeUndefined();
  });

  it('resolves cert_file and key_file against the web config file\'s directory, with the toolkit\'s defaults', async () => {
    const loaded = await load(tls());
    expect(loaded.tls?.secureContext).toMatchObject({ cert: server.cert, key: server.key, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', honorCipherOrder: true });
    expect(loaded.tls?.secureContext.ciphers).toBeUndefined();
    expect(loaded.tls).toMatchObject({ requestCert: false, rejectUnauthorized: false, clientAuthType: 'NoClientCert' });
    expect(loaded.tls?.certificate.subject).toBe('CN=server');
    expect(loaded.files).toEqual([join(authority.directory, 'web.yml'), server.certFile, server.keyFile]);
  });

  it('takes inline PEM (cert, key, client_ca) as well as files', async () => {
    const indent = (pem: string): string => pem.trim().replaceAll('\n', '\n    ');
    const loaded = await load(`tls_server_config:\n  cert: |\n    ${indent(server.cert)}\n  key: |\n    ${indent(server.key)}\n  client_ca: |\n    ${indent(authority.ca.cert)}\n  client_auth_type: RequireAndVerifyClientCert\n`);
    expect(loaded.tls?.secureContext).toMatchObject({ cert: `${server.cert.trim()}\n`, key: `${server.key.trim()}\n`, ca: `${authority.ca.cert.trim()}\n` });
    expect(loaded.tls).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(loaded.files).toEqual([join(authority.directory, 'web.yml')]);
  });

  it('maps each client_auth_type onto Node\'s handshake options (the rest is checked after the handshake)', async () => {
    const expected = {
      RequestClientCert: { requestCert: true, rejectUnauthorized: false },
      RequireAnyClientCert: { requestCert: true, rejectUnauthorized: false },
      RequireClientCert: { requestCert: true, rejectUnauthorized: false, clientAuthType: 'RequireAnyClientCert' },
      VerifyClientCertIfGiven: { requestCert: true, rejectUnauthorized: false },
      RequireAndVerifyClientCert: { requestCert: true, rejectUnauthorized: true },
    };
    for (const [type, policy] of Object.entries(expected)) {
      const loaded = await load(tls(`  client_auth_type: ${type}\n  client_ca_file: ca.crt\n`));
      expect(loaded.tls, type).toMatchObject({ clientAuthType: type === 'RequireClientCert' ? 'RequireAnyClientCert' : type, ...policy });
      expect(loaded.tls?.secureContext.ca, type).toBe(authority.ca.cert);
    }
  });

  it('maps Go cipher suite, curve and version names onto OpenSSL\'s', async () => {
    const loaded = await load(
      tls(
        '  min_version: TLS12\n  max_version: TLS12\n  prefer_server_cipher_suites: false\n' +
          '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_AES_128_GCM_SHA256]\n' +
          '  curve_preferences: [CurveP384, X25519, CurveP256, CurveP521]\n',
      ),
    );
    expect(loaded.tls?.secureContext).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      honorCipherOrder: false,
      ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:TLS_AES_128_GCM_SHA256',
      ecdhCurve: 'P-384:X25519:P-256:P-521',
    });
  });

  it('lowers OpenSSL\'s security level when TLS 1.0 or 1.1 is allowed (OpenSSL 3 refuses them otherwise)', async () => {
    expect((await load(tls('  min_version: TLS10\n'))).tls?.secureContext).toMatchObject({ minVersion: 'TLSv1', ciphers: expect.stringMatching(/:@SECLEVEL=0$/) });
    expect((await load(tls('  min_version: TLS11\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA]\n'))).tls?.secureContext.ciphers).toBe('ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0');
  });

  it('reads users, headers (blank ones unset) and the rate limit', async () => {
    const loaded = await load(
      'basic_auth_users:\n' +
        `  alice: ${HASH}\n` +
        'http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n    X-Content-Type-Options: nosniff\n    Content-Security-Policy: ""\n    Strict-Transport-Security: max-age=31536000\n' +
        'rate_limit:\n  interval: 1m30s\n  burst: 5\n',
    );
    expect([...loaded.config.users]).toEqual([['alice', HASH]]);
    expect(loaded.config.headers).toEqual({ 'X-Frame-Options': 'deny', 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=31536000' });
    expect(loaded.config.rateLimit).toEqual({ intervalMs: 90_000, burst: 5 });
    expect((await load('rate_limit:\n  interval: 0\n  burst: 0\n')).config.rateLimit).toBeUndefined();
  });

  it('reads Go durations', () => {
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('2m3s4ms')).toBe(123_004);
    expect(parseGoDuration('1500us')).toBe(1.5);
    expect(parseGoDuration(1_000_000)).toBe(1);
    expect(parseGoDuration('10')).toBeUndefined();
    expect(parseGoDuration('1d')).toBeUndefined();
  });

  it('resolves the flag against the working directory and web.configFile against the config file\'s directory', () => {
    expect(resolveWebConfigFile('web.yml', 'ignored.yml', '/etc/tessera')).toBe(join(process.cwd(), 'web.yml'));
    expect(resolveWebConfigFile(undefined, 'web.yml', '/etc/tessera')).toBe('/etc/tessera/web.yml');
    expect(resolveWebConfigFile(undefined, '/srv/web.yml', '/etc/tessera')).toBe('/srv/web.yml');
    expect(resolveWebConfigFile('', 'web.yml', '/etc/tessera')).toBeUndefined();
    expect(resolveWebConfigFile(undefined, undefined, '/etc/tessera')).toBeUndefined();
  });
});

describe('the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## TLS and authentication'), readme.indexOf('## Collector resolution'));

  it('shows a sample web config that is valid, with every section', () => {
    const sample = /```yaml\n([\s\S]+?)```/.exec(section)?.[1] ?? '';
    const config = parseWebConfig(parseYamlText(sample, 'README.md'), '/etc/tessera/web.yml', 'README.md');
    expect(config.tls).toMatchObject({ cert: { file: '/etc/tessera/tessera.crt' }, clientAuthType: 'RequireAndVerifyClientCert', clientAllowedSans: ['prometheus.example'] });
    expect([...config.users.keys()]).toEqual(['prometheus']);
    expect(Object.keys(config.headers)).toEqual(['Strict-Transport-Security', 'X-Content-Type-Options']);
    expect(config.rateLimit).toEqual({ intervalMs: 100, burst: 20 });
  });

  it('documents every key of the format', () => {
    const keys = ['tls_server_config', 'cert_file', 'key_file', 'cert:', 'key:', 'client_auth_type', 'client_ca_file', 'client_ca:', 'client_allowed_sans', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences', 'http_server_config', 'http2', 'headers', 'basic_auth_users', 'rate_limit', 'interval', 'burst'];
    for (const key of keys) expect(section, key).toContain(key);
    for (const header of Object.keys(ALLOWED_HEADERS)) expect(section, header).toContain(header);
  });
});

describe('refused web config files: one line naming the file and the key', () => {
  const file = (): string => displayPath(join(authority.directory, 'web.yml'));
  const cases: readonly (readonly [title: string, text: () => string, expected: (shown: string) => RegExp])[] = [
    ['an unknown section', () => 'tls_server_confg:\n  cert_file: server.crt\n', (f) => new RegExp(`^${f}: tls_server_confg: unknown key \\(valid keys: tls_server_config, http_server_config, basic_auth_users, rate_limit\\)$`)],
    ['an unknown TLS key', () => tls('  certfile: x\n'), (f) => new RegExp(`^${f}: tls_server_config\\.certfile: unknown key \\(valid keys: cert, key, client_ca, cert_file, key_file, client_auth_type`)],
    ['a missing key file', () => 'tls_server_config:\n  cert_file: server.crt\n  key_file: missing.key\n', (f) => new RegExp(`^${f}: tls_server_config\\.key_file: file ${join(authority.directory, 'missing.key')} does not exist$`)],
    ['a certificate without a key', () => 'tls_server_config:\n  cert_file: server.crt\n', (f) => new RegExp(`^${f}: tls_server_config\\.key_file: TLS needs the certificate's private key`)],
    ['cert_file and cert together', () => tls('  cert: inline\n'), (f) => new RegExp(`^${f}: tls_server_config\\.cert_file: give cert_file or cert, not both$`)],
    ['a key of another certificate', () => 'tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n', (f) => new RegExp(`^${f}: tls_server_config\\.key_file: file .*other\\.key is not the private key of the certificate in file .*server\\.crt$`)],
    ['a key file where the certificate belongs', () => 'tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n', (f) => new RegExp(`^${f}: tls_server_config\\.cert_file: file .*server\\.key holds no PEM certificate$`)],
    ['a certificate where the key belongs', () => 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n', (f) => new RegExp(`^${f}: tls_server_config\\.key_file: file .*server\\.crt is not a usable PEM private key`)],
    ['a cipher Node cannot honour', () => tls('  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_RC4_128_SHA]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.cipher_suites\\[1\\]: TLS_RSA_WITH_RC4_128_SHA cannot be honoured: Node\\.js's OpenSSL has no RC4 cipher`)],
    ['a 3DES cipher', () => tls('  cipher_suites: [TLS_RSA_WITH_3DES_EDE_CBC_SHA]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.cipher_suites\\[0\\]: TLS_RSA_WITH_3DES_EDE_CBC_SHA cannot be honoured: Node\\.js's OpenSSL has no 3DES cipher`)],
    ['a cipher Go lists as insecure', () => tls('  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.cipher_suites\\[0\\]: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 is insecure`)],
    ['an OpenSSL cipher name', () => tls('  cipher_suites: [ECDHE-RSA-AES128-GCM-SHA256]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.cipher_suites\\[0\\]: unknown cipher suite "ECDHE-RSA-AES128-GCM-SHA256": expected a Go crypto/tls name; supported: TLS_AES_128_GCM_SHA256, `)],
    ['an unknown curve', () => tls('  curve_preferences: [X25519, P-256]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.curve_preferences\\[1\\]: unknown curve "P-256"; expected one of CurveP256, CurveP384, CurveP521, X25519$`)],
    ['an unknown TLS version', () => tls('  min_version: TLS14\n'), (f) => new RegExp(`^${f}: tls_server_config\\.min_version: expected one of TLS10, TLS11, TLS12, TLS13, received "TLS14"$`)],
    ['min_version above max_version', () => tls('  min_version: TLS13\n  max_version: TLS12\n'), (f) => new RegExp(`^${f}: tls_server_config\\.min_version: TLS13 is above max_version TLS12$`)],
    ['an unknown client_auth_type', () => tls('  client_auth_type: VerifyPlease\n'), (f) => new RegExp(`^${f}: tls_server_config\\.client_auth_type: expected one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, received "VerifyPlease"$`)],
    ['a client CA without a client auth type', () => tls('  client_ca_file: ca.crt\n'), (f) => new RegExp(`^${f}: tls_server_config\\.client_ca_file: a client CA is set but client_auth_type is NoClientCert`)],
    ['a client CA file without certificates', () => tls('  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.key\n'), (f) => new RegExp(`^${f}: tls_server_config\\.client_ca_file: file .*server\\.key holds no PEM certificate$`)],
    ['allowed SANs without client certificates', () => tls('  client_allowed_sans: [scraper]\n'), (f) => new RegExp(`^${f}: tls_server_config\\.client_allowed_sans: client certificates are not requested`)],
    ['a malformed bcrypt hash', () => 'basic_auth_users:\n  alice: $2b$10$tooShort\n', (f) => new RegExp(`^${f}: basic_auth_users\\.alice: expected a bcrypt hash \\(\\$2a\\$, \\$2b\\$ or \\$2y\\$, cost 04–31, 60 characters\\)`)],
    ['a plain-text password', () => 'basic_auth_users:\n  alice: hunter2\n', (f) => new RegExp(`^${f}: basic_auth_users\\.alice: expected a bcrypt hash`)],
    ['a hash of the wrong type', () => 'basic_auth_users:\n  alice: 12\n', (f) => new RegExp(`^${f}: basic_auth_users\\.alice: expected string, received number$`)],
    ['a header that cannot be set', () => 'http_server_config:\n  headers:\n    Server: tessera\n', (f) => new RegExp(`^${f}: http_server_config\\.headers\\.Server: this header cannot be configured; allowed: Content-Security-Policy, `)],
    ['an X-Frame-Options value outside its enumeration', () => 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n', (f) => new RegExp(`^${f}: http_server_config\\.headers\\.X-Frame-Options: expected one of deny, sameorigin, received "allow"$`)],
    ['HTTP/2', () => 'http_server_config:\n  http2: true\n', (f) => new RegExp(`^${f}: http_server_config\\.http2: HTTP/2 is not supported: tessera serves HTTP/1\\.1`)],
    ['a rate limit without a burst', () => 'rate_limit:\n  interval: 1s\n', (f) => new RegExp(`^${f}: rate_limit\\.burst: expected at least 1 when interval is set`)],
    ['a malformed rate limit interval', () => 'rate_limit:\n  interval: 1 second\n  burst: 2\n', (f) => new RegExp(`^${f}: rate_limit\\.interval: expected a duration such as 100ms, 1s or 1m \\(0 disables the limit\\), received "1 second"$`)],
    ['a YAML syntax error', () => 'basic_auth_users:\n  alice: [\n', (f) => new RegExp(`^${f}:\\d+:\\d+: `)],
    ['a list instead of a mapping', () => '- tls_server_config\n', (f) => new RegExp(`^${f}: expected a mapping of sections, received a list$`)],
  ];
  for (const [title, text, expected] of cases) {
    it(`refuses ${title}`, async () => {
      const shown = file().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(await refusal(text())).toMatch(expected(shown));
    });
  }

  it('never quotes a password hash or an inline key', async () => {
    const badHash = '$2b$10$secretsecretsecretsecretsecretsecretsecret';
    expect(await refusal(`basic_auth_users:\n  alice: "${badHash}"\n`)).not.toContain('secretsecret');
    const message = await refusal('tls_server_config:\n  cert_file: server.crt\n  key: "-----BEGIN PRIVATE KEY-----\\nTOPSECRETKEYMATERIAL\\n-----END PRIVATE KEY-----\\n"\n');
    expect(message).toMatch(/tls_server_config\.key: the inline key is not a usable PEM private key/);
    expect(message).not.toContain('TOPSECRET');
  });

  it('reports a missing web config file', () => {
    expect(() => loadWebConfigFile(join(authority.directory, 'absent.yml'))).toThrow(/absent\.yml: file not found$/);
  });
});

// Through the real bin: the server refuses to start and check-config fails, exit code 2, one line.
describe('web config errors through the bin', { timeout: 60_000 }, () => {
  const BIN_CASES: readonly (readonly [title: string, text: string, line: RegExp])[] = [
    ['an unknown key', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth: RequireAndVerifyClientCert\n', /^web\.yml: tls_server_config\.client_auth: unknown key \(valid keys: /],
    ['a missing key file', 'tls_server_config:\n  cert_file: server.crt\n  key_file: nosuch.key\n', /^web\.yml: tls_server_config\.key_file: file \/.*\/nosuch\.key does not exist$/],
    ['a cipher Node cannot honour', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_ECDHE_RSA_WITH_RC4_128_SHA]\n', /^web\.yml: tls_server_config\.cipher_suites\[0\]: TLS_ECDHE_RSA_WITH_RC4_128_SHA cannot be honoured: /],
    ['a malformed bcrypt hash', 'basic_auth_users:\n  prometheus: $2y$10$abc\n', /^web\.yml: basic_auth_users\.prometheus: expected a bcrypt hash /],
  ];
  for (const [title, text, line] of BIN_CASES) {
    it(`refuses ${title} (exit 2, one line), from the server and from check-config`, async () => {
      await writeFile(join(project.directory, 'server.crt'), server.cert);
      await writeFile(join(project.directory, 'server.key'), server.key);
      await writeFile(join(project.directory, 'web.yml'), text);
      for (const args of [['--web.listen-address=127.0.0.1:0'], ['check-config']]) {
        const result = await runBin([...args, '--config=tessera.yaml', '--no-collector.node', '--web.config.file=web.yml'], { cwd: project.directory });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(result.stdout).toBe('');
        const lines = result.stderr.split('\n').filter((entry) => entry !== '');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(line);
      }
    });
  }

  it('reads web.configFile relative to the config file, and check-config reports what it turns on', async () => {
    await mkdir(join(project.directory, 'conf'), { recursive: true });
    await writeFile(join(project.directory, 'conf', 'tessera.yaml'), 'web:\n  configFile: web.yml\n');
    await writeFile(join(project.directory, 'conf', 'web.yml'), `tls_server_config:\n  cert_file: ../server.crt\n  key_file: ../server.key\nbasic_auth_users:\n  prometheus: ${HASH}\n`);
    const result = await runBin(['check-config', '--config=conf/tessera.yaml', '--collector.disable-defaults'], { cwd: project.directory });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 0 collectors \(\)\nok: web config conf\/web\.yml: TLS with certificate CN=server \(serial [0-9A-F]+, valid until \S+\), client certificates: NoClientCert; basic auth for 1 user\n$/);

    await writeFile(join(project.directory, 'conf', 'web.yml'), 'basic_auth_users:\n  prometheus: nohash\n');
    const refused = await runBin(['check-config', '--config=conf/tessera.yaml', '--collector.disable-defaults'], { cwd: project.directory });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^conf\/web\.yml: basic_auth_users\.prometheus: expected a bcrypt hash .*\n$/);
  });
});
