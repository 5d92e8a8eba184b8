import { COLLECTOR_NAME_PATTERN } from '@tessera/collector-api';

/** First-party collectors the host enables on its own when installed and `defaultEnabled`. */
export const BUILTIN_COLLECTORS = ['node', 'dcgm', 'flashblade', 'arkouda'] as const;

const FIRST_PARTY_SCOPE = '@tessera';
const FIRST_PARTY_PREFIX = 'collector-';
const THIRD_PARTY_PREFIX = 'tessera-collector-';

/** What a config key (or `--collector.<name>` flag) refers to, before anything is looked up. */
export interface CollectorReference {
  /** The collector name: the `collector` label, the flag suffix, the plugin's `name`. */
  readonly name: string;
  /** Packages to look for, in order; the first installed one is used. */
  readonly packages: readonly string[];
}

/**
 * Maps a config key to its collector name and candidate packages, ESLint-plugin style:
 * `x` → `@tessera/collector-x`, then `tessera-collector-x`; `@scope/x` → `@scope/tessera-collector-x`
 * (`@tessera/x` → `@tessera/collector-x`); an exact package name (`tessera-collector-x`,
 * `@scope/tessera-collector-x`, `@tessera/collector-x`) → itself. Returns a reason string when the
 * key cannot name a collector.
 */
export function referenceForKey(key: string): CollectorReference | string {
  const scoped = /^(@[a-z0-9][a-z0-9._-]*)\/(.+)$/.exec(key);
  let name: string;
  let packages: string[];
  if (scoped !== null) {
    const [, scope = '', rest = ''] = scoped;
    if (scope === FIRST_PARTY_SCOPE) {
      name = rest.startsWith(FIRST_PARTY_PREFIX) ? rest.slice(FIRST_PARTY_PREFIX.length) : rest;
      packages = [`${FIRST_PARTY_SCOPE}/${FIRST_PARTY_PREFIX}${name}`];
    } else {
      name = rest.startsWith(THIRD_PARTY_PREFIX) ? rest.slice(THIRD_PARTY_PREFIX.length) : rest;
      packages = [`${scope}/${THIRD_PARTY_PREFIX}${name}`];
    }
  } else if (key.startsWith(THIRD_PARTY_PREFIX)) {
    name = key.slice(THIRD_PARTY_PREFIX.length);
    packages = [key];
  } else {
    name = key;
    packages = [`${FIRST_PARTY_SCOPE}/${FIRST_PARTY_PREFIX}${name}`, `${THIRD_PARTY_PREFIX}${name}`];
  }
  if (!COLLECTOR_NAME_PATTERN.test(name)) {
    return `${JSON.stringify(key)} does not name a collector: use a collector name matching ${String(COLLECTOR_NAME_PATTERN)} or a package name (tessera-collector-<name>, @scope/tessera-collector-<name>)`;
  }
  return { name, packages };
}

/** The package an operator should install for a missing collector: first-party names get `@tessera/…`. */
export function suggestedPackage(reference: CollectorReference): string {
  const firstParty = `${FIRST_PARTY_SCOPE}/${FIRST_PARTY_PREFIX}${reference.name}`;
  if ((BUILTIN_COLLECTORS as readonly string[]).includes(reference.name) && reference.packages.includes(firstParty)) return firstParty;
  return reference.packages[reference.packages.length - 1] ?? firstParty;
}
