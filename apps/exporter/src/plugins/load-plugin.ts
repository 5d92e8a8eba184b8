import { pathToFileURL } from 'node:url';
import { describePluginProblem, type CollectorPlugin } from '@tessera/collector-api';
import type { FoundPackage } from './find-package.js';

/** A validated plugin and the package it came from (recorded in `tessera_collector_info`). */
export interface LoadedPlugin {
  readonly plugin: CollectorPlugin;
  readonly packageName: string;
  readonly version: string;
}

/**
 * Imports a package's entry point and validates its default export as a collector plugin named
 * `expectedName`. Throws an `Error` whose message says what is wrong (the caller adds file and path).
 */
export async function importPlugin(found: FoundPackage, expectedName: string): Promise<LoadedPlugin> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(found.entry).href)) as { default?: unknown };
  } catch (error) {
    throw new Error(`package ${found.name} ${found.version} cannot be imported: ${(error as Error).message}`, { cause: error });
  }
  const plugin = module.default;
  return { plugin: checkPlugin(plugin, expectedName, `package ${found.name} ${found.version}`), packageName: found.name, version: found.version };
}

/** Validates a plugin object (`describePluginProblem`) and its name; `origin` prefixes the message. */
export function checkPlugin(plugin: unknown, expectedName: string | undefined, origin: string): CollectorPlugin {
  const problem = describePluginProblem(plugin);
  if (problem !== undefined) throw new Error(`${origin}: ${problem}`);
  const valid = plugin as CollectorPlugin;
  if (expectedName !== undefined && valid.name !== expectedName) {
    throw new Error(`${origin}: its collector is named "${valid.name}", expected "${expectedName}"`);
  }
  return valid;
}
