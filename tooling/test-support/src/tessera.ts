import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startPeer, type RunningPeer } from './peer.js';

/** The built `tessera` bin of this checkout. */
export const TESSERA_BIN = fileURLToPath(new URL('../../../apps/exporter/dist/bin/tessera.js', import.meta.url));

/**
 * Starts the built `tessera` bin on a free loopback port with `config` written to
 * `<workDir>/tessera.yaml` (or with `configFile` when given, for configs that must live beside an
 * installed package). Waits for `/-/ready`.
 */
export async function startTessera(options: {
  readonly config?: Record<string, unknown>;
  readonly configFile?: string;
  readonly args?: readonly string[];
  /** `https` when the args give a web config with TLS. */
  readonly scheme?: 'http' | 'https';
  /** Replaces the plain `fetch` readiness probe (TLS with a test CA, basic auth, client certificates). */
  readonly isReady?: (readyUrl: string) => Promise<boolean>;
}): Promise<RunningPeer> {
  return startPeer({
    command: process.execPath,
    prepare: async (workDir) => {
      if (options.configFile === undefined) await writeFile(join(workDir, 'tessera.yaml'), stringify(options.config ?? {}));
    },
    args: (port, workDir) => [
      TESSERA_BIN,
      `--config=${options.configFile ?? join(workDir, 'tessera.yaml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.args ?? []),
    ],
    readyPath: '/-/ready',
    ...(options.scheme === undefined ? {} : { scheme: options.scheme }),
    ...(options.isReady === undefined ? {} : { isReady: options.isReady }),
  });
}
