import type { ConfigPath } from '@tessera/collector-api';
import { ConfigFileError } from '../config/config-error.js';
import type { CollectorEntryConfig, TesseraConfig } from '../config/config-schema.js';
import { referenceForKey, type CollectorReference } from './package-names.js';

/** Collector switches from the command line; they beat the config file. */
export interface CollectorSelection {
  /** `--collector.<name>`: run it (all its configured instances, even `enabled: false` ones). */
  readonly enable?: readonly string[];
  /** `--no-collector.<name>`: do not run it. */
  readonly disable?: readonly string[];
  /** `--collector.disable-defaults`: run only the collectors named with `--collector.<name>`. */
  readonly disableDefaults?: boolean;
}

/** Where a planned collector came from. */
export type CollectorSource = 'config' | 'supplied' | 'flag' | 'builtin';

/**
 * Whether a collector runs: `enabled`/`disabled` are settled; `default` (a builtin nobody
 * mentioned) runs when its package is installed and its plugin says `defaultEnabled`.
 */
export type CollectorDecision = 'enabled' | 'disabled' | 'default';

/** One configured instance of a collector. */
export interface PlannedInstance {
  readonly instance: string;
  readonly entry: CollectorEntryConfig;
  /** The entry's key path, for messages: `collectors.flashblade[1]`. */
  readonly path: ConfigPath;
  readonly enabled: boolean;
}

/** A collector the host knows of, before any package is looked up. */
export interface PlannedCollector {
  readonly key: string;
  readonly reference: CollectorReference;
  readonly source: CollectorSource;
  readonly decision: CollectorDecision;
  readonly instances: readonly PlannedInstance[];
}

/** Input of {@link planCollectors}. */
export interface PlanInput {
  readonly config: TesseraConfig;
  /** The config file as shown in messages. */
  readonly file: string;
  /** Config key → collector name of each plugin supplied programmatically. */
  readonly supplied: Readonly<Record<string, string>>;
  readonly builtins: readonly string[];
  readonly selection: CollectorSelection;
}

/**
 * Decides which collectors exist and which run, from config, supplied plugins, builtins and flags,
 * without touching the filesystem. Order: config keys, supplied plugins, flag-only names, builtins.
 * Precedence: `--no-collector.x` > `--collector.x` > `--collector.disable-defaults` > config
 * (`enabled`) > the plugin's `defaultEnabled` (builtins only).
 */
export function planCollectors(input: PlanInput): PlannedCollector[] {
  const enable = new Set(input.selection.enable ?? []);
  const disable = new Set(input.selection.disable ?? []);
  const disableDefaults = input.selection.disableDefaults === true;
  const keyByName = new Map<string, string>();
  const planned: PlannedCollector[] = [];

  const add = (key: string, reference: CollectorReference, source: CollectorSource, instances: PlannedInstance[]): void => {
    const previous = keyByName.get(reference.name);
    if (previous !== undefined) {
      throw new ConfigFileError(input.file, `collector "${reference.name}" is already configured as collectors.${previous}`, { path: ['collectors', key] });
    }
    keyByName.set(reference.name, key);
    let decision: CollectorDecision;
    if (disable.has(reference.name)) decision = 'disabled';
    else if (enable.has(reference.name)) decision = 'enabled';
    else if (disableDefaults) decision = 'disabled';
    else if (source === 'builtin') decision = 'default';
    else decision = instances.some((instance) => instance.enabled) ? 'enabled' : 'disabled';
    // A flag that names the collector runs every configured instance: flags beat config.
    const forced = decision === 'enabled' && enable.has(reference.name);
    planned.push({ key, reference, source, decision, instances: forced ? instances.map((instance) => ({ ...instance, enabled: true })) : instances });
  };

  for (const [key, value] of Object.entries(input.config.collectors)) {
    const suppliedName = Object.hasOwn(input.supplied, key) ? input.supplied[key] : undefined;
    const reference = suppliedName === undefined ? referenceForKey(key) : { name: suppliedName, packages: [] };
    if (typeof reference === 'string') throw new ConfigFileError(input.file, reference, { path: ['collectors', key] });
    add(key, reference, suppliedName === undefined ? 'config' : 'supplied', plannedInstances(key, value));
  }
  for (const [key, name] of Object.entries(input.supplied)) {
    if (Object.hasOwn(input.config.collectors, key)) continue;
    add(key, { name, packages: [] }, 'supplied', plannedInstances(key, {}));
  }
  for (const name of enable) {
    if (keyByName.has(name)) continue;
    const reference = referenceForKey(name);
    if (typeof reference === 'string') throw new ConfigFileError(input.file, `--collector.${name}: ${reference}`);
    add(name, reference, 'flag', plannedInstances(name, {}));
  }
  for (const name of input.builtins) {
    if (keyByName.has(name)) continue;
    const reference = referenceForKey(name);
    if (typeof reference !== 'string') add(name, reference, 'builtin', plannedInstances(name, {}));
  }
  return planned;
}

function plannedInstances(key: string, value: CollectorEntryConfig | readonly CollectorEntryConfig[]): PlannedInstance[] {
  if (!Array.isArray(value)) {
    const entry = value as CollectorEntryConfig;
    return [{ instance: entry.instance ?? 'default', entry, path: ['collectors', key], enabled: entry.enabled !== false }];
  }
  return (value as readonly CollectorEntryConfig[]).map((entry, index) => ({
    instance: entry.instance ?? String(index),
    entry,
    path: ['collectors', key, index],
    enabled: entry.enabled !== false,
  }));
}
