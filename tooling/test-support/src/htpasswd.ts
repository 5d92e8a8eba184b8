import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireBinary } from './binaries.js';

const run = promisify(execFile);

/**
 * A bcrypt hash of `password` made by Apache's `htpasswd -nbB` (Debian `apache2-utils`), the tool
 * the exporter-toolkit documentation tells operators to use; it prints `$2y$` hashes.
 */
export async function htpasswdBcrypt(user: string, password: string, cost = 5): Promise<string> {
  const { stdout } = await run(requireBinary('htpasswd'), ['-nbB', '-C', String(cost), user, password]);
  const line = stdout.trim();
  const separator = line.indexOf(':');
  if (separator === -1) throw new Error(`htpasswd printed no user:hash line: ${JSON.stringify(line)}`);
  return line.slice(separator + 1);
}
