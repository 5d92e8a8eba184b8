import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricSink } from '@tessera/collector-api';
import { isMissingFile, type CollectionFiles } from '../collection-files.js';
import { osMetrics } from '../metrics.js';
import { osVersionNumber, parseOsRelease, supportEndSeconds } from '../parsers/os-release.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * os: the distribution from `<rootfs>/etc/os-release` (else `<rootfs>/usr/lib/os-release`):
 * `node_os_info` with its identifying fields, `node_os_version` (major.minor of VERSION_ID) and,
 * when the distribution states one, its end of support. Read at every collection (an upgrade
 * shows without a restart), through the thread pool since it lives on a real filesystem.
 */
export class OsReleaseCollector implements SubCollector {
  readonly name = 'os';
  readonly #paths: readonly string[];

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#paths = [join(options.roots.rootfs, 'etc/os-release'), join(options.roots.rootfs, 'usr/lib/os-release')];
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    let text: string | undefined;
    let source = '';
    for (const path of this.#paths) {
      try {
        text = await files.readText(path);
        source = path;
        break;
      } catch (error) {
        if (!isMissingFile(error)) throw error;
      }
    }
    if (text === undefined) throw new NoDataError(`no os-release file (${this.#paths.join(', ')})`);
    const release = parseOsRelease(text);
    const field = (key: string): string => release.get(key) ?? '';
    output.add(
      osMetrics.info,
      {
        build_id: field('BUILD_ID'),
        id: field('ID'),
        id_like: field('ID_LIKE'),
        image_id: field('IMAGE_ID'),
        image_version: field('IMAGE_VERSION'),
        name: field('NAME'),
        pretty_name: field('PRETTY_NAME'),
        variant: field('VARIANT'),
        variant_id: field('VARIANT_ID'),
        version: field('VERSION'),
        version_codename: field('VERSION_CODENAME'),
        version_id: field('VERSION_ID'),
      },
      1,
    );
    const version = osVersionNumber(field('VERSION_ID'));
    if (version > 0) output.add(osMetrics.version, { id: field('ID'), id_like: field('ID_LIKE'), name: field('NAME') }, version);
    if (field('SUPPORT_END') !== '') output.add(osMetrics.supportEnd, NO_LABELS, supportEndSeconds(field('SUPPORT_END'), source));
  }
}
