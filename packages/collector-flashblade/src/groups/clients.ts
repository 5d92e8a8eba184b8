import { stringField } from '../api-fields.js';
import { clientMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';
import { forEachCooperatively } from '../cooperative.js';
import { emitPerformance } from './emit.js';

/**
 * The `clients` group: performance per NFS/SMB client (`address:port`). The endpoint cannot page:
 * it returns at most one page, and the client logs a warning when the array has more clients.
 */
export const clientParts: readonly CollectionPart[] = [
  {
    name: 'clients-performance',
    async collect(scope, sink, signal) {
      // Client samples have no id: a client is its `address:port` name.
      const samples = await scope.client.list('/arrays/clients/performance', {}, signal, { paging: 'none', identity: (sample) => stringField(sample, 'name') });
      await forEachCooperatively(samples, signal, (sample) => emitPerformance(sink, clientMetrics.performance, { name: stringField(sample, 'name') }, sample));
    },
  },
];
