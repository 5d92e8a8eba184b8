import type { CollectionPart, GroupName } from '../parts.js';
import { arrayParts } from './array.js';
import { clientParts } from './clients.js';
import { fileSystemParts } from './filesystems.js';
import { infoParts } from './info.js';
import { objectStoreParts } from './objectstore.js';
import { policyParts } from './policies.js';
import { usageParts } from './usage.js';

/** The parts of each group. */
export const PARTS_BY_GROUP: Readonly<Record<GroupName, readonly CollectionPart[]>> = {
  array: arrayParts,
  filesystems: fileSystemParts,
  objectstore: objectStoreParts,
  clients: clientParts,
  usage: usageParts,
  policies: policyParts,
};

/** The parts every collection runs, whatever the groups: `purefb_info`, as on every exporter path. */
export const ALWAYS_PARTS: readonly CollectionPart[] = infoParts;
