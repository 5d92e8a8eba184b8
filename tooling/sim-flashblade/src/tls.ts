import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate authority and a server certificate it signed, PEM-encoded. */
export interface SimulatorCertificates {
  /** The CA certificate a client trusts (the collector's `ca`). */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Creates a CA and a server certificate for `localhost` and `127.0.0.1` with `openssl` (EC P-256
 * keys, valid two days), so a client can verify the simulator the way it verifies an array with a
 * private CA. Nothing is left on disk.
 */
export async function createCertificates(): Promise<SimulatorCertificates> {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-sim-flashblade-tls-'));
  const file = (name: string): string => join(directory, name);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await run('openssl', ['req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=Tessera FlashBlade simulator CA']);
    await run('openssl', ['req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost']);
    await writeFile(
      file('server.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    await run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', '1', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem')]);
    const [ca, cert, key] = await Promise.all([readFile(file('ca.pem'), 'utf8'), readFile(file('server.pem'), 'utf8'), readFile(file('server.key'), 'utf8')]);
    return { ca, cert, key };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
