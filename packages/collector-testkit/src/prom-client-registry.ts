import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PromRegistryLike } from './behaviour-checks.js';

/**
 * Loads prom-client's global `register` as the package in `fromDir` would see it (resolved from
 * there, so it is the copy a collector importing prom-client would get). Returns undefined when
 * prom-client is not installed there: then no collector in that project can touch it.
 */
export async function loadPromClientRegistry(fromDir: string): Promise<PromRegistryLike | undefined> {
  const require = createRequire(join(fromDir, 'package.json'));
  let resolved: string;
  try {
    resolved = require.resolve('prom-client');
  } catch {
    return undefined;
  }
  const loaded = (await import(pathToFileURL(resolved).href)) as { register?: unknown; default?: { register?: unknown } };
  const register = loaded.register ?? loaded.default?.register;
  if (typeof (register as Partial<PromRegistryLike> | undefined)?.getMetricsAsJSON !== 'function') {
    throw new Error(`${resolved} does not export a prom-client register`);
  }
  return register as PromRegistryLike;
}
