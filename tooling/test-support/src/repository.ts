import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The repository's collector packages, sorted: the public packages in packages/ with the
 * `tessera-collector` keyword, which the release must carry and the root README must list.
 */
export function repositoryCollectorPackages(): string[] {
  return readdirSync(join(REPOSITORY, 'packages'))
    .map((directory) => join(REPOSITORY, 'packages', directory, 'package.json'))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean; keywords?: string[] })
    .filter((pkg) => !pkg.private && pkg.keywords?.includes('tessera-collector'))
    .map((pkg) => pkg.name)
    .sort();
}
