import { stringField } from '../api-fields.js';
import { infoMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';

/** `purefb_info` from `GET /arrays`: the array's name, id, OS and version, in every collection. */
export const infoParts: readonly CollectionPart[] = [
  {
    name: 'info',
    async collect(scope, sink, signal) {
      const array = await scope.client.first('/arrays', {}, signal);
      if (array === undefined) return;
      sink.add(infoMetrics.info, { array_name: stringField(array, 'name'), os: stringField(array, 'os'), system_id: stringField(array, 'id'), version: stringField(array, 'version') }, 1);
    },
  },
];
