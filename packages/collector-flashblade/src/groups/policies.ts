import { booleanLabel, integerLabel, stringField } from '../api-fields.js';
import { policyMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';

/** The `policies` group: every NFS export rule, one series (value 1) per rule and security flavour. */
export const policyParts: readonly CollectionPart[] = [
  {
    name: 'nfs-export-policies',
    async collect(scope, sink, signal) {
      for (const policy of await scope.client.list('/nfs-export-policies', {}, signal)) {
        const rules = Array.isArray(policy.rules) ? (policy.rules as unknown[]) : [];
        for (const rule of rules) {
          if (typeof rule !== 'object' || rule === null) continue;
          const fields = rule as Readonly<Record<string, unknown>>;
          const flavours = Array.isArray(fields.security) ? fields.security.filter((flavour): flavour is string => typeof flavour === 'string') : [];
          for (const security of flavours) {
            sink.add(
              policyMetrics.nfsExportRule,
              {
                access: stringField(fields, 'access'),
                anon_gid: integerLabel(fields, 'anongid'),
                anon_uid: integerLabel(fields, 'anonuid'),
                atime: booleanLabel(fields, 'atime'),
                client: stringField(fields, 'client'),
                fid32: booleanLabel(fields, 'fileid_32bit'),
                index: integerLabel(fields, 'index'),
                permission: stringField(fields, 'permission'),
                policy: stringField(policy, 'name'),
                secure: booleanLabel(fields, 'secure'),
                security,
              },
              1,
            );
          }
        }
      }
    },
  },
];
