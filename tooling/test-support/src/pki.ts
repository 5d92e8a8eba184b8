import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from './binaries.js';

const run = promisify(execFile);

/** A certificate and its key, as files and as PEM text. */
export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/** What a leaf certificate is for, and the names it carries. */
export interface IssueOptions {
  /** `server` (serverAuth, default SANs 127.0.0.1 and localhost) or `client` (clientAuth). */
  readonly usage: 'server' | 'client';
  /** Subject alternative names in OpenSSL's spelling: `IP:127.0.0.1`, `DNS:scraper`, `URI:spiffe://…`. */
  readonly subjectAltNames?: readonly string[];
  /** Default: the certificate's name. */
  readonly commonName?: string;
}

/** A throwaway certificate authority in a scratch directory (EC P-256 keys: quick to make). */
export interface TestCertificateAuthority {
  readonly directory: string;
  /** The CA's own certificate (what a client or server trusts). */
  readonly ca: IssuedCertificate;
  /** Issues `<name>.crt` / `<name>.key`, signed by this CA, valid for two days. */
  issue(name: string, options: IssueOptions): Promise<IssuedCertificate>;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/**
 * Creates a certificate authority with `openssl` (installed with the test peers) for tests that
 * run TLS, mutual TLS and certificate rotation against loopback servers.
 */
export async function createTestCertificateAuthority(name = 'Tessera Test CA'): Promise<TestCertificateAuthority> {
  const openssl = requireBinary('openssl');
  const directory = await mkdtemp(join(tmpdir(), 'tessera-pki-'));
  const files = (base: string): { certFile: string; keyFile: string } => ({ certFile: join(directory, `${base}.crt`), keyFile: join(directory, `${base}.key`) });
  const read = async (base: string): Promise<IssuedCertificate> => {
    const paths = files(base);
    return { ...paths, cert: await readFile(paths.certFile, 'utf8'), key: await readFile(paths.keyFile, 'utf8') };
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caPaths = files('ca');
  await run(openssl, ['req', '-x509', ...ecKey, '-keyout', caPaths.keyFile, '-out', caPaths.certFile, '-days', '2', '-subj', `/CN=${name}`]);
  const ca = await read('ca');
  let serial = 1000;

  return {
    directory,
    ca,
    async issue(base, options) {
      const paths = files(base);
      const csr = join(directory, `${base}.csr`);
      const extensions = join(directory, `${base}.ext`);
      const sans = options.subjectAltNames ?? (options.usage === 'server' ? ['IP:127.0.0.1', 'DNS:localhost'] : []);
      await run(openssl, ['req', ...ecKey, '-keyout', paths.keyFile, '-out', csr, '-subj', `/CN=${options.commonName ?? base}`]);
      const lines = ['basicConstraints=CA:FALSE', 'keyUsage=digitalSignature', `extendedKeyUsage=${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`];
      if (sans.length > 0) lines.push(`subjectAltName=${sans.join(',')}`);
      await writeFile(extensions, `${lines.join('\n')}\n`);
      // Distinct serials, so a test can tell two certificates of the same name apart.
      serial += 1;
      await run(openssl, ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial), '-days', '2', '-out', paths.certFile, '-extfile', extensions]);
      return read(base);
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
