import type { MetricSink } from '@tessera/collector-api';
import { integerLabel, numberField, objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import { usageMetrics } from '../metrics.js';
import { Pacer } from '../pacer.js';
import type { CollectionPart, CollectionScope } from '../parts.js';
import { sortedBy } from './emit.js';

/** A usage record's holder, as its labels name it. */
interface Holder {
  readonly fileSystem: string;
  readonly id: string;
  readonly name: string;
  readonly record: ApiItem;
}

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
  const identity = (record: ApiItem): string => `${stringField(objectField(record, 'file_system'), 'id')}/${String(objectField(record, kind)?.id)}`;
  const records = await scope.client.listNamed(`/usage/${kind}s`, {}, 'file_system_ids', ids, signal, { identity });
  const holders = records.map((record): Holder => {
    const who = objectField(record, kind);
    return { fileSystem: stringField(objectField(record, 'file_system'), 'name'), id: integerLabel(who, 'id'), name: stringField(who, 'name'), record };
  });
  const pacer = new Pacer(signal);
  // In each family's label order: dimension, file_system, then id and user_name, or group_name and id.
  const ordered = kind === 'user' ? sortedBy(holders, (holder) => holder.fileSystem, (holder) => holder.id, (holder) => holder.name) : sortedBy(holders, (holder) => holder.fileSystem, (holder) => holder.name, (holder) => holder.id);
  for (const dimension of ['quota', 'usage'] as const) {
    for (const { fileSystem, id, name, record } of ordered) {
      const value = numberField(record, dimension);
      if (value !== undefined) {
        if (kind === 'user') sink.add(usageMetrics.users, { dimension, file_system: fileSystem, id, user_name: name }, value);
        else sink.add(usageMetrics.groups, { dimension, file_system: fileSystem, group_name: name, id }, value);
      }
      if (pacer.due()) await pacer.pause();
    }
  }
}

/** The `usage` group. Slow on large arrays: by default it runs in the background (see `refreshSeconds`). */
export const usageParts: readonly CollectionPart[] = [
  { name: 'usage-users', collect: (scope, sink, signal) => emitUsage(scope, sink, signal, 'user') },
  { name: 'usage-groups', collect: (scope, sink, signal) => emitUsage(scope, sink, signal, 'group') },
];
