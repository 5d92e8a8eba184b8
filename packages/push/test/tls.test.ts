import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPushgateway, type RunningPeer } from '@tessera/test-support';
import bcrypt from 'bcryptjs';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createJob } from '../src/index.js';
import { captureLogger, familyOf, readGroups } from './helpers.js';

const run = promisify(execFile);

/** Where the generated CA, server and client certificates live for this file's tests. */
let pki: string;
let authGateway: RunningPeer;
let mutualGateway: RunningPeer;

const USER = 'pusher';
const PASSWORD = 'correct horse battery staple';

/** A CA, then a leaf certificate for `usage` signed by it (EC P-256 keys: fast to generate). */
async function issue(name: string, usage: 'serverAuth' | 'clientAuth'): Promise<void> {
  await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(pki, `${name}.key`), '-out', join(pki, `${name}.csr`), '-subj', `/CN=${name}`]);
  const extensions = usage === 'serverAuth' ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n';
  await writeFile(join(pki, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n${extensions}`);
  await run('openssl', ['x509', '-req', '-in', join(pki, `${name}.csr`), '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial', '-days', '2', '-out', join(pki, `${name}.crt`), '-extfile', join(pki, `${name}.ext`)]);
}

/** Starts a Pushgateway with an exporter-toolkit web config; readiness is probed with the test CA. */
async function startTlsGateway(name: string, config: string, auth?: string): Promise<RunningPeer> {
  const configPath = join(pki, `${name}.web.yml`);
  await writeFile(configPath, config);
  const readinessAgent = new Agent({ connect: { ca: await readPem('ca.crt'), ...(name === 'mutual' ? { cert: await readPem('client.crt'), key: await readPem('client.key') } : {}) } });
  return startPushgateway({
    scheme: 'https',
    extraArgs: [`--web.config.file=${configPath}`],
    isReady: async (url) => {
      const response = await request(url, { dispatcher: readinessAgent, headers: auth === undefined ? {} : { authorization: auth } });
      await response.body.dump();
      return response.statusCode === 200;
    },
  });
}

async function readPem(file: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(join(pki, file), 'utf8');
}

beforeAll(async () => {
  pki = await mkdtemp(join(tmpdir(), 'tessera-push-pki-'));
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(pki, 'ca.key'), '-out', join(pki, 'ca.crt'), '-days', '2', '-subj', '/CN=Tessera Test CA']);
  await issue('server', 'serverAuth');
  await issue('client', 'clientAuth');
  const hash = await bcrypt.hash(PASSWORD, 10);
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  [authGateway, mutualGateway] = await Promise.all([
    startTlsGateway(
      'auth',
      `tls_server_config:\n  cert_file: ${join(pki, 'server.crt')}\n  key_file: ${join(pki, 'server.key')}\nbasic_auth_users:\n  ${USER}: ${hash}\n`,
      basic,
    ),
    startTlsGateway(
      'mutual',
      `tls_server_config:\n  cert_file: ${join(pki, 'server.crt')}\n  key_file: ${join(pki, 'server.key')}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${join(pki, 'ca.crt')}\n`,
    ),
  ]);
});

afterAll(async () => {
  await Promise.all([authGateway?.stop(), mutualGateway?.stop()]);
  await rm(pki, { recursive: true, force: true });
});

describe('TLS with a private CA and basic auth', () => {
  test('with caFile and the right password, the push succeeds and reads back', async () => {
    const { logger, warnings } = captureLogger();
    const job = createJob({ job: 'tls_ok', gateway: authGateway.url, caFile: join(pki, 'ca.crt'), basicAuth: { username: USER, password: PASSWORD }, logger });
    job.gauge({ name: 'accuracy', help: 'Validation accuracy.' }).set(0.93);
    expect(await job.push()).toMatchObject({ ok: true, status: 200 });
    expect(warnings()).toEqual([]);
    const dispatcher = new Agent({ connect: { ca: await readPem('ca.crt') } });
    const groups = await readGroups(authGateway.url, { dispatcher, headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } });
    expect(familyOf(groups.find((group) => group.labels.job === 'tls_ok'), 'tls_ok_accuracy')?.metrics[0]?.value).toBe('0.93');
    await job.close();
  });

  test('without caFile, the push fails with a clear TLS error, once, without retries', async () => {
    const { logger, warnings } = captureLogger();
    const job = createJob({ job: 'tls_no_ca', gateway: authGateway.url, basicAuth: { username: USER, password: PASSWORD }, logger, retries: 3 });
    const result = await job.push();
    expect(result).toMatchObject({ ok: false, reason: 'tls', attempts: 1 });
    expect(result.ok ? '' : result.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: .*(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY).*pass its certificate with caFile$/);
    expect(warnings()).toHaveLength(1);
    await job.close();
  });

  test('a wrong password is a 401, reported and not retried', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'tls_wrong_password', gateway: authGateway.url, caFile: join(pki, 'ca.crt'), basicAuth: { username: USER, password: 'wrong' }, logger, retries: 3 });
    expect(await job.push()).toMatchObject({ ok: false, reason: 'status', status: 401, attempts: 1 });
    await job.close();
  });

  test('no credentials at all is a 401 too', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'tls_no_password', gateway: authGateway.url, caFile: join(pki, 'ca.crt'), logger });
    expect(await job.push()).toMatchObject({ ok: false, reason: 'status', status: 401 });
    await job.close();
  });
});

describe('mutual TLS', () => {
  test('with a client certificate signed by the CA the Pushgateway trusts, the push succeeds', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'mtls', gateway: mutualGateway.url, caFile: join(pki, 'ca.crt'), certFile: join(pki, 'client.crt'), keyFile: join(pki, 'client.key'), logger });
    job.gauge({ name: 'up', help: 'Always 1.' }).set(1);
    expect(await job.push()).toMatchObject({ ok: true, status: 200 });
    await job.close();
  });

  test('without a client certificate, the push fails and says so', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'mtls_missing', gateway: mutualGateway.url, caFile: join(pki, 'ca.crt'), logger, retries: 0 });
    const result = await job.push();
    // TLS 1.3 checks the client certificate after the handshake, so the client only sees the close.
    expect(result).toMatchObject({ ok: false, reason: 'connection' });
    expect(result.ok ? '' : result.message).toMatch(/other side closed.*pass certFile and keyFile$/);
    await job.close();
  });

  test('a missing certificate file is a configuration failure, not an exception', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'mtls_bad_file', gateway: mutualGateway.url, caFile: join(pki, 'absent.crt'), logger });
    expect(await job.push()).toMatchObject({ ok: false, reason: 'configuration', attempts: 0 });
  });
});
