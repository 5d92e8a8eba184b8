import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isConfigError,
  RESERVED_CONFIG_KEYS,
  validateWithSchema,
  type CollectorPlugin,
  type ConfigPath,
  type Logger,
} from '@tessera/collector-api';
import { ConfigFileError, tidyIssueMessage } from '../config/config-error.js';
import type { TesseraConfig } from '../config/config-schema.js';
import { findPackage } from './find-package.js';
import { checkPlugin, importPlugin, type LoadedPlugin } from './load-plugin.js';
import { referenceForKey, suggestedPackage } from './package-names.js';
import { planCollectors, type CollectorSelection, type PlannedCollector, type PlannedInstance } from './plan-collectors.js';

/** A plugin handed to the host directly instead of being resolved from a package. */
export type SuppliedPlugin = CollectorPlugin | { readonly plugin: CollectorPlugin; readonly packageName: string; readonly version: string };

/** One instance ready for `create()`: its plugin config is validated and has defaults applied. */
export interface ResolvedInstance {
  readonly instance: string;
  readonly config: unknown;
  readonly path: ConfigPath;
  readonly timeoutSeconds: number | undefined;
  readonly cacheTtlSeconds: number | undefined;
}

/** An enabled collector: its plugin and its enabled instances. */
export interface LoadedCollector extends LoadedPlugin {
  readonly key: string;
  readonly name: string;
  readonly instances: readonly ResolvedInstance[];
}

/** Where and how to load collectors. */
export interface LoadCollectorsOptions {
  readonly config: TesseraConfig;
  /** The config file as shown in messages. */
  readonly file: string;
  /** Directory the config file lives in: packages are looked up from here first. */
  readonly configDirectory: string;
  readonly supplied?: Readonly<Record<string, SuppliedPlugin>>;
  /** `true`: builtins are not considered unless named in config or by a flag. */
  readonly onlySuppliedPlugins?: boolean;
  readonly selection?: CollectorSelection;
  readonly builtins: readonly string[];
  readonly logger: Logger;
}

/** What `tessera list` shows for one collector. */
export interface CollectorListing {
  readonly name: string;
  readonly key: string;
  readonly source: PlannedCollector['source'];
  /** The installed package, or the one to install. */
  readonly packageName: string;
  readonly version: string | undefined;
  readonly installed: boolean;
  readonly enabled: boolean;
  readonly description: string | undefined;
  /** Why the package could not be loaded, when it is installed but broken. */
  readonly problem: string | undefined;
}

// Packages are found from the config file's directory, then from the host's own location.
const HOST_DIRECTORY = dirname(fileURLToPath(import.meta.url));

/**
 * Resolves, imports and validates every enabled collector: plugin packages (lazily, only the
 * enabled ones and the unmentioned builtins whose `defaultEnabled` must be read), then each enabled
 * entry against the plugin's `configSchema`. Nothing is created. Throws {@link ConfigFileError} on the
 * first problem.
 */
export async function loadCollectors(options: LoadCollectorsOptions): Promise<LoadedCollector[]> {
  const loaded: LoadedCollector[] = [];
  for (const planned of plan(options)) {
    if (planned.decision === 'disabled') continue;
    const plugin = await pluginFor(planned, options);
    if (plugin === undefined) continue;
    if (planned.decision === 'default' && !plugin.plugin.defaultEnabled) {
      options.logger.debug({ collector: planned.reference.name }, 'builtin collector is installed but not enabled by default');
      continue;
    }
    const instances: ResolvedInstance[] = [];
    for (const instance of planned.instances) {
      if (instance.enabled) instances.push(await resolveInstance(plugin.plugin, instance, options.file));
    }
    if (instances.length > 0) loaded.push({ ...plugin, key: planned.key, name: planned.reference.name, instances });
  }
  return loaded;
}

/**
 * Describes every builtin and every configured or flagged collector for `tessera list`: installed or
 * not, version, and whether the server would run it. Imports only what `loadCollectors` would.
 */
export async function listCollectors(options: LoadCollectorsOptions): Promise<CollectorListing[]> {
  const listings: CollectorListing[] = [];
  for (const planned of plan(options)) {
    const base = { name: planned.reference.name, key: planned.key, source: planned.source };
    const supplied = suppliedPlugin(options, planned.key);
    if (supplied !== undefined) {
      const { plugin, packageName, version } = normaliseSupplied(supplied);
      listings.push({ ...base, packageName, version, installed: true, enabled: planned.decision !== 'disabled', description: plugin.description, problem: undefined });
      continue;
    }
    const found = await findFirst(planned.reference.packages, options.configDirectory);
    if (found === undefined) {
      listings.push({ ...base, packageName: suggestedPackage(planned.reference), version: undefined, installed: false, enabled: false, description: undefined, problem: undefined });
      continue;
    }
    let loaded: LoadedPlugin | undefined;
    let problem: string | undefined;
    if (planned.decision !== 'disabled') {
      try {
        loaded = await importPlugin(found, planned.reference.name);
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    const enabled = loaded !== undefined && (planned.decision === 'enabled' || (planned.decision === 'default' && loaded.plugin.defaultEnabled));
    listings.push({ ...base, packageName: found.name, version: found.version, installed: true, enabled, description: loaded?.plugin.description, problem });
  }
  return listings;
}

function plan(options: LoadCollectorsOptions): PlannedCollector[] {
  const supplied: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.supplied ?? {})) {
    supplied[key] = checkPlugin(normaliseSupplied(value).plugin, undefined, `supplied plugin "${key}"`).name;
  }
  const planned = planCollectors({
    config: options.config,
    file: options.file,
    supplied,
    builtins: options.onlySuppliedPlugins === true ? [] : options.builtins,
    selection: options.selection ?? {},
  });
  const known = new Set(planned.map((collector) => collector.reference.name));
  for (const name of options.selection?.disable ?? []) {
    if (!known.has(name)) options.logger.warn({ collector: name }, `--no-collector.${name} names no known collector`);
  }
  return planned;
}

/** The plugin supplied for a config key; own keys only (a key such as `constructor` must not find Object's). */
function suppliedPlugin(options: LoadCollectorsOptions, key: string): SuppliedPlugin | undefined {
  return options.supplied !== undefined && Object.hasOwn(options.supplied, key) ? options.supplied[key] : undefined;
}

function normaliseSupplied(value: SuppliedPlugin): LoadedPlugin {
  return 'plugin' in value ? value : { plugin: value, packageName: 'unknown', version: 'unknown' };
}

async function findFirst(packages: readonly string[], configDirectory: string) {
  for (const name of packages) {
    const found = await findPackage(name, [configDirectory, HOST_DIRECTORY]);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function pluginFor(planned: PlannedCollector, options: LoadCollectorsOptions): Promise<LoadedPlugin | undefined> {
  const path: ConfigPath = ['collectors', planned.key];
  const supplied = suppliedPlugin(options, planned.key);
  if (supplied !== undefined) return normaliseSupplied(supplied);
  let found;
  try {
    found = await findFirst(planned.reference.packages, options.configDirectory);
  } catch (error) {
    throw new ConfigFileError(options.file, `cannot read the package of collector "${planned.reference.name}": ${(error as Error).message}`, { path, cause: error });
  }
  if (found === undefined) {
    if (planned.source === 'builtin') {
      options.logger.debug({ collector: planned.reference.name, packages: planned.reference.packages }, 'builtin collector is not installed');
      return undefined;
    }
    const candidates = planned.reference.packages.join(' or ');
    const where = planned.source === 'flag' ? `--collector.${planned.reference.name}` : undefined;
    const installed = await installedBuiltins(options);
    const reason = `collector "${planned.reference.name}" is not installed: no package ${candidates} found from ${options.configDirectory} or the tessera installation (npm install ${suggestedPackage(planned.reference)}); installed builtins: ${installed.join(', ') || 'none'}`;
    throw new ConfigFileError(options.file, where === undefined ? reason : `${where}: ${reason}`, planned.source === 'flag' ? {} : { path });
  }
  try {
    return await importPlugin(found, planned.reference.name);
  } catch (error) {
    throw new ConfigFileError(options.file, (error as Error).message, planned.source === 'config' ? { path, cause: error } : { cause: error });
  }
}

/** The builtins whose packages resolve, for "not installed" messages (never a directory listing). */
async function installedBuiltins(options: LoadCollectorsOptions): Promise<string[]> {
  const installed: string[] = [];
  for (const name of options.builtins) {
    const reference = referenceForKey(name);
    if (typeof reference !== 'string' && (await findFirst(reference.packages, options.configDirectory)) !== undefined) installed.push(name);
  }
  return installed;
}

async function resolveInstance(plugin: CollectorPlugin, planned: PlannedInstance, file: string): Promise<ResolvedInstance> {
  const rest: Record<string, unknown> = { ...planned.entry };
  for (const key of RESERVED_CONFIG_KEYS) delete rest[key];
  let config: unknown;
  try {
    config = await validateWithSchema(plugin.configSchema, rest, planned.path);
  } catch (error) {
    if (!isConfigError(error)) {
      throw new ConfigFileError(file, `the configSchema of collector "${plugin.name}" failed: ${(error as Error).message}`, { path: planned.path, cause: error });
    }
    throw pluginConfigError(error.message, error.path, plugin, file, planned.path.length);
  }
  return {
    instance: planned.instance,
    config,
    path: planned.path,
    timeoutSeconds: planned.entry.timeoutSeconds,
    cacheTtlSeconds: planned.entry.cacheTtlSeconds ?? plugin.cacheTtlSeconds,
  };
}

/**
 * Turns a plugin schema's message into the host's wording. An unknown key becomes
 * `<entry>.<key>: unknown key (valid keys: …)` when the schema exposes the keys of the object the
 * key sits in (zod objects do, nested ones included); the host's own keys are listed only for the
 * entry itself. `entryDepth` is the length of the entry's own path within `path`.
 */
export function pluginConfigError(message: string, path: ConfigPath, plugin: CollectorPlugin, file: string, entryDepth = path.length): ConfigFileError {
  const unknownKey = /^Unrecognized keys?: "([^"]*)"/.exec(message);
  if (unknownKey !== null) {
    const inside = path.slice(entryDepth);
    const keys = objectKeysAt(plugin.configSchema, inside);
    const valid = keys === undefined ? undefined : inside.length === 0 ? [...keys, ...RESERVED_CONFIG_KEYS] : keys;
    const hint = valid === undefined ? '' : ` (valid keys: ${valid.join(', ')})`;
    return new ConfigFileError(file, `unknown key${hint}`, { path: [...path, unknownKey[1] ?? ''] });
  }
  return new ConfigFileError(file, tidyIssueMessage(message), { path });
}

/** The keys of the object schema at `path` inside `schema`, looking through defaults and optionals; `undefined` when it cannot tell. */
function objectKeysAt(schema: unknown, path: ConfigPath): string[] | undefined {
  let current = unwrapSchema(schema);
  for (const key of path) {
    const shape = shapeOf(current);
    if (shape === undefined || typeof key !== 'string' || !Object.hasOwn(shape, key)) return undefined;
    current = unwrapSchema(shape[key]);
  }
  const shape = shapeOf(current);
  return shape === undefined ? undefined : Object.keys(shape);
}

function shapeOf(schema: unknown): Record<string, unknown> | undefined {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return typeof shape === 'object' && shape !== null ? (shape as Record<string, unknown>) : undefined;
}

// zod wraps an object in `default`, `prefault`, `optional` and `nullable` (the object is the inner
// type), and in pipes for preprocessing and transforms (the object is at one end of the pipe).
function unwrapSchema(schema: unknown, depth = 0): unknown {
  if (shapeOf(schema) !== undefined || depth > 8) return schema;
  const def = (schema as { _zod?: { def?: { innerType?: unknown; in?: unknown; out?: unknown } } } | undefined)?._zod?.def;
  for (const next of [def?.innerType, def?.out, def?.in]) {
    if (next === undefined) continue;
    const found = unwrapSchema(next, depth + 1);
    if (shapeOf(found) !== undefined) return found;
  }
  return schema;
}
