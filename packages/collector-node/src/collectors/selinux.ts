import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isMissingFile, type CollectionFiles } from '../collection-files.js';
import { selinuxMetrics } from '../metrics.js';
import { parseUnsigned } from '../parsers/fields.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/** SELinux's modes as node_exporter numbers them: enforcing 1, permissive 0, disabled -1. */
const MODES: Readonly<Record<string, number>> = { enforcing: 1, permissive: 0 };

/**
 * selinux: whether SELinux is enabled (selinuxfs mounted at `<sysfs>/fs/selinux`), and then its
 * current mode (`enforce`) and the mode configured for the next boot (`SELINUX=` in
 * `<rootfs>/etc/selinux/config`).
 */
export class SelinuxCollector implements SubCollector {
  readonly name = 'selinux';
  readonly #enforce: string;
  readonly #config: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#enforce = join(options.roots.sysfs, 'fs/selinux/enforce');
    this.#config = join(options.roots.rootfs, 'etc/selinux/config');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const enforce = await files.readOptionalKernelFile(this.#enforce);
    output.add(selinuxMetrics.enabled, NO_LABELS, enforce === undefined ? 0 : 1);
    if (enforce === undefined) return;
    output.add(selinuxMetrics.currentMode, NO_LABELS, parseUnsigned(enforce.trim(), this.#enforce) === 1 ? 1 : 0);
    let config = '';
    try {
      config = await files.readText(this.#config);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
    const configured = /^\s*SELINUX\s*=\s*"?(\w+)"?\s*$/m.exec(config)?.[1]?.toLowerCase() ?? 'disabled';
    output.add(selinuxMetrics.configMode, NO_LABELS, MODES[configured] ?? -1);
  }
}
