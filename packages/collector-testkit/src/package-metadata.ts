import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describePluginProblem } from '@tessera/collector-api';

/** The keyword a collector package carries so that people (and `tessera list`) can find it. */
export const COLLECTOR_KEYWORD = 'tessera-collector';

/** Reads and parses `<packageDir>/package.json`. */
export async function readPackageJson(packageDir: string): Promise<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${packageDir}/package.json is not an object`);
  return parsed as Record<string, unknown>;
}

/** The package names the host resolves for a collector name: `@tessera/collector-x`, `tessera-collector-x`, `@scope/tessera-collector-x`. */
export function isCollectorPackageName(packageName: string, collectorName: string): boolean {
  return (
    packageName === `@tessera/collector-${collectorName}` ||
    packageName === `tessera-collector-${collectorName}` ||
    new RegExp(`^@[a-z0-9][a-z0-9._~-]*/tessera-collector-${escapeRegExp(collectorName)}$`).test(packageName)
  );
}

/**
 * Checks what the host and package managers rely on: the default export is a plugin of this
 * specification (`describePluginProblem`), and `package.json` is ESM (`type: module`, an `exports`
 * entry `.` with `types` first and `import`/`default`), `sideEffects: false`, keyword
 * `tessera-collector`, `@tessera/collector-api` as a peer dependency (one copy of the contract per
 * host), and a name the host resolves to this plugin's name. Returns one line per problem.
 */
export function checkPackageMetadata(plugin: unknown, packageJson: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const pluginProblem = describePluginProblem(plugin);
  if (pluginProblem !== undefined) problems.push(`plugin: ${pluginProblem}`);
  const pluginName = (plugin as { name?: unknown } | null)?.name;

  const { name, type, exports, sideEffects, keywords, peerDependencies } = packageJson;
  if (typeof name !== 'string') problems.push('package.json: name is missing');
  else if (typeof pluginName === 'string' && !isCollectorPackageName(name, pluginName)) {
    problems.push(
      `package.json: name ${name} does not resolve to collector ${pluginName} (use @tessera/collector-${pluginName}, tessera-collector-${pluginName} or @scope/tessera-collector-${pluginName})`,
    );
  }
  if (type !== 'module') problems.push('package.json: "type" must be "module" (collectors are ESM only)');
  problems.push(...describeExportsProblems(exports));
  if (sideEffects !== false) problems.push('package.json: "sideEffects" must be false (importing a collector must not do anything)');
  if (!Array.isArray(keywords) || !keywords.includes(COLLECTOR_KEYWORD)) problems.push(`package.json: "keywords" must include "${COLLECTOR_KEYWORD}"`);
  const peers = typeof peerDependencies === 'object' && peerDependencies !== null ? (peerDependencies as Record<string, unknown>) : {};
  if (typeof peers['@tessera/collector-api'] !== 'string') {
    problems.push('package.json: "@tessera/collector-api" must be a peerDependency (the host provides the one copy of the contract)');
  }
  return problems;
}

function describeExportsProblems(exports: unknown): string[] {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) {
    return ['package.json: "exports" must be an object with a "." entry ({ "types": …, "import": … })'];
  }
  const root = (exports as Record<string, unknown>)['.'];
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    return ['package.json: "exports"["."] must be an object of conditions ({ "types": …, "import": … })'];
  }
  const conditions = Object.keys(root);
  const problems: string[] = [];
  if (!conditions.includes('types')) problems.push('package.json: "exports"["."] has no "types" condition');
  else if (conditions[0] !== 'types') problems.push('package.json: "exports"["."]: "types" must be the first condition (TypeScript reads conditions in order)');
  if (!conditions.includes('import') && !conditions.includes('default')) problems.push('package.json: "exports"["."] has no "import" (or "default") condition');
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
