import type { LabelsOf } from '@tessera/collector-api';
import { numberField, objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import { fileSystemMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';
import { forEachCooperatively } from '../cooperative.js';
import { emitPerformance, emitSpace } from './emit.js';

/** The labels every file system space series carries: its name, NFS versions, export policy and SMB. */
function fileSystemLabels(fileSystem: ApiItem): LabelsOf<typeof fileSystemMetrics.spaceDataReduction> {
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
      await forEachCooperatively(await scope.liveFileSystems(signal), signal, (fileSystem) => {
        const labels = fileSystemLabels(fileSystem);
        emitSpace(sink, { space: fileSystemMetrics.spaceBytes, dataReduction: fileSystemMetrics.spaceDataReduction }, labels, fileSystem);
        const provisioned = numberField(fileSystem, 'provisioned');
        if (provisioned !== undefined) sink.add(fileSystemMetrics.spaceBytes, { ...labels, space: 'provisioned' }, provisioned);
      });
    },
  },
  {
    name: 'file-systems-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveFileSystems(signal)).map((fileSystem) => stringField(fileSystem, 'name'));
      const samples = await scope.client.listNamed('/file-systems/performance', { protocol: 'NFS' }, 'names', names, signal);
      await forEachCooperatively(samples, signal, (sample) => emitPerformance(sink, fileSystemMetrics.performance, { name: stringField(sample, 'name') }, sample));
    },
  },
  {
    // pure-fb-openmetrics-exporter asks for NFS only (its issue #117); SMB goes to families of its own.
    name: 'file-systems-smb-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveFileSystems(signal)).filter((fileSystem) => objectField(fileSystem, 'smb')?.enabled === true).map((fileSystem) => stringField(fileSystem, 'name'));
      const samples = await scope.client.listNamed('/file-systems/performance', { protocol: 'SMB' }, 'names', names, signal);
      await forEachCooperatively(samples, signal, (sample) => emitPerformance(sink, fileSystemMetrics.smbPerformance, { name: stringField(sample, 'name') }, sample));
    },
  },
];
