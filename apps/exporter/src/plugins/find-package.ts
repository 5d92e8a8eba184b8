import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** An installed package found by walking up `node_modules` directories. */
export interface FoundPackage {
  readonly name: string;
  readonly version: string;
  /** The package's directory (as found; symlinks are not resolved). */
  readonly directory: string;
  /** Absolute path of the ESM entry point (`exports['.']` → import/default, else `main`, else index.js). */
  readonly entry: string;
}

/** `package.json` fields the host reads. */
interface PackageManifest {
  readonly name?: unknown;
  readonly version?: unknown;
  readonly main?: unknown;
  readonly exports?: unknown;
}

// The conditions Node's ESM loader matches for `import()`, in its own priority (object order wins).
const IMPORT_CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'default']);

/**
 * Looks a package up the way Node does, from each start directory in turn: `<dir>/node_modules/<name>`,
 * then the parent directory's, up to the filesystem root. Reads only the candidate `package.json`
 * files; never lists a directory. Returns `undefined` when no start directory sees the package.
 */
export async function findPackage(name: string, startDirectories: readonly string[]): Promise<FoundPackage | undefined> {
  for (const start of startDirectories) {
    let directory = resolve(start);
    for (;;) {
      const packageDirectory = join(directory, 'node_modules', name);
      const manifest = await readManifest(join(packageDirectory, 'package.json'));
      if (manifest !== undefined) {
        return {
          name,
          version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
          directory: packageDirectory,
          entry: join(packageDirectory, packageEntry(manifest)),
        };
      }
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  }
  return undefined;
}

async function readManifest(file: string): Promise<PackageManifest | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const manifest: unknown = JSON.parse(text);
  return typeof manifest === 'object' && manifest !== null ? manifest : undefined;
}

/**
 * The relative entry point of a package for `import()`: the `.` export resolved with the
 * `node`/`import`/`default` conditions, else `main`, else `index.js`. Throws when `exports` exists
 * but offers nothing importable (Node would refuse the import too).
 */
export function packageEntry(manifest: PackageManifest): string {
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const root = rootExport(manifest.exports);
    const target = root === undefined ? undefined : resolveConditions(root);
    if (target === undefined) throw new Error('its package.json "exports" has no importable "." entry');
    return target;
  }
  return typeof manifest.main === 'string' && manifest.main !== '' ? manifest.main : 'index.js';
}

function rootExport(exports: unknown): unknown {
  if (typeof exports === 'string' || Array.isArray(exports)) return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const keys = Object.keys(exports);
  // A map of subpaths (`"."`, `"./x"`) or, when no key starts with a dot, the conditions of `"."`.
  return keys.some((key) => key.startsWith('.')) ? (exports as Record<string, unknown>)['.'] : exports;
}

function resolveConditions(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const resolved = resolveConditions(candidate);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!IMPORT_CONDITIONS.has(condition)) continue;
    const resolved = resolveConditions(value);
    if (resolved !== undefined) return resolved;
  }
  return undefined;
}
