import type { MetricFamily, MetricSink } from '@tessera/collector-api';
import { numberField, objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import { forEachCooperatively } from '../cooperative.js';
import { usageMetrics } from '../metrics.js';
import type { CollectionPart, CollectionScope } from '../parts.js';

/**
 * Usage and quota of every user (or group) with usage on a live file system, asked for many file
 * systems per call (`file_system_ids=` lists sized to the URL) rather than one call per file
 * system and kind in sequence, which took hours on arrays with thousands of them
 * (pure-fb-openmetrics-exporter issue #126).
 *
 * A null `quota` means the user has no quota of their own: that series is left out rather than
 * reported as 0 (pure-fb-openmetrics-exporter issue #121); the file system's default still applies.
 */
async function emitUsage(scope: CollectionScope, sink: MetricSink, signal: AbortSignal, kind: 'user' | 'group'): Promise<void> {
  const ids = (await scope.liveFileSystems(signal)).map((fileSystem) => stringField(fileSystem, 'id')).filter((id) => id !== '');
  // A usage record has no id of its own: it is one holder's usage of one file system.
  const identity = (holder: ApiItem): string => `${stringField(objectField(holder, 'file_system'), 'id')}/${String(objectField(holder, kind)?.id)}`;
  const holders = await scope.client.listNamed(`/usage/${kind}s`, {}, 'file_system_ids', ids, signal, { identity });
  const family: MetricFamily = kind === 'user' ? usageMetrics.users : usageMetrics.groups;
  await forEachCooperatively(holders, signal, (holder) => {
    const labels = holderLabels(holder, kind);
    for (const dimension of ['quota', 'usage'] as const) {
      const value = numberField(holder, dimension);
      if (value !== undefined) sink.add(family, { ...labels, dimension }, value);
    }
  });
}

function holderLabels(holder: ApiItem, kind: 'user' | 'group'): Record<string, string> {
  const who = objectField(holder, kind);
  const id = numberField(who, 'id');
  return {
    file_system: stringField(objectField(holder, 'file_system'), 'name'),
    id: id === undefined ? '0' : String(Math.trunc(id)),
    [`${kind}_name`]: stringField(who, 'name'),
  };
}

/** The `usage` group. Slow on large arrays: by default it runs in the background (see `refreshSeconds`). */
export const usageParts: readonly CollectionPart[] = [
  { name: 'usage-users', collect: (scope, sink, signal) => emitUsage(scope, sink, signal, 'user') },
  { name: 'usage-groups', collect: (scope, sink, signal) => emitUsage(scope, sink, signal, 'group') },
];
