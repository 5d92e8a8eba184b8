import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where each peer comes from, for the error message when it is missing. */
const DEBIAN_PACKAGE: Record<string, string> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-pushgateway': 'prometheus-pushgateway',
  'prometheus-node-exporter': 'prometheus-node-exporter',
  chromium: 'chromium',
  htpasswd: 'apache2-utils',
  'systemd-analyze': 'systemd',
};

/**
 * Absolute path of a peer binary on PATH. Throws with the install command when it is missing:
 * the suites use real peers and never skip silently.
 */
export function requireBinary(name: string): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  const debianPackage = DEBIAN_PACKAGE[name] ?? name;
  throw new Error(`${name} is not installed: run \`bash tooling/scripts/setup.sh --test-peers\` (it runs apt-get install ${debianPackage})`);
}
