import { objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import { fileSystemMetrics } from '../metrics.js';
import { Pacer } from '../pacer.js';
import type { CollectionPart } from '../parts.js';
import { emitPerformanceByDimension, nameOf, sortedBy, spaceFieldsWith, spaceValue } from './emit.js';

/** A file system's `space` values, with its own `provisioned`, in label order. */
const FILE_SYSTEM_SPACE_FIELDS = spaceFieldsWith('provisioned');

/** The labels every file system space series carries: its name, NFS versions, export policy and SMB. */
function fileSystemLabels(fileSystem: ApiItem): { name: string; nfs: string; nfspolicy: string; smb: string } {
  const nfs = objectField(fileSystem, 'nfs');
  const versions = [nfs?.v3_enabled === true ? '3' : '', nfs?.v4_1_enabled === true ? '41' : ''].filter((version) => version !== '');
  return {
    name: stringField(fileSystem, 'name'),
    nfs: versions.join(','),
    nfspolicy: stringField(objectField(nfs, 'export_policy'), 'name'),
    smb: objectField(fileSystem, 'smb')?.enabled === true ? '3' : '',
  };
}

/** The `filesystems` group: space of every live file system, NFS performance of each, SMB performance where SMB is on. */
export const fileSystemParts: readonly CollectionPart[] = [
  {
    name: 'file-systems-space',
    async collect(scope, sink, signal) {
      const pacer = new Pacer(signal);
      for (const fileSystem of sortedBy(await scope.liveFileSystems(signal), nameOf)) {
        const { name, nfs, nfspolicy, smb } = fileSystemLabels(fileSystem);
        const value = spaceValue(fileSystem, 'provisioned');
        const dataReduction = value('data_reduction');
        if (dataReduction !== undefined) sink.add(fileSystemMetrics.spaceDataReduction, { name, nfs, nfspolicy, smb }, dataReduction);
        for (const space of FILE_SYSTEM_SPACE_FIELDS) {
          const bytes = value(space);
          if (bytes !== undefined) sink.add(fileSystemMetrics.spaceBytes, { name, nfs, nfspolicy, smb, space }, bytes);
        }
        if (pacer.due()) await pacer.pause();
      }
    },
  },
  {
    name: 'file-systems-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveFileSystems(signal)).map(nameOf);
      const samples = await scope.client.listNamed('/file-systems/performance', { protocol: 'NFS' }, 'names', names, signal);
      await emitPerformanceByDimension(sink, fileSystemMetrics.performance, samples, new Pacer(signal));
    },
  },
  {
    // pure-fb-openmetrics-exporter asks for NFS only (its issue #117); SMB goes to families of its own.
    name: 'file-systems-smb-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveFileSystems(signal)).filter((fileSystem) => objectField(fileSystem, 'smb')?.enabled === true).map(nameOf);
      const samples = await scope.client.listNamed('/file-systems/performance', { protocol: 'SMB' }, 'names', names, signal);
      await emitPerformanceByDimension(sink, fileSystemMetrics.smbPerformance, samples, new Pacer(signal));
    },
  },
];

