import { machine } from 'node:os';
import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isMissingFile, type CollectionFiles } from '../collection-files.js';
import { unameMetrics } from '../metrics.js';
import { stripNewline } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The parts of uname(2) that cannot change while the kernel runs. */
interface KernelIdentity {
  readonly sysname: string;
  readonly release: string;
  readonly version: string;
  readonly machine: string;
}

/**
 * uname: `node_uname_info`, read from `<procfs>/sys/kernel/*` rather than uname(2), so that it
 * describes the host of the configured procfs (and a captured tree, in tests). The machine comes
 * from `sys/kernel/arch` (Linux 6.1+), else from `os.machine()` of this process, which is the
 * same kernel. sysname, release, version and machine are read once; hostname and domain name every
 * collection, since they can be changed at any time.
 */
export class UnameCollector implements SubCollector {
  readonly name = 'uname';
  readonly #kernelDirectory: string;
  #identity: Promise<KernelIdentity> | undefined;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#kernelDirectory = join(options.roots.procfs, 'sys/kernel');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const identity = (this.#identity ??= this.#readIdentity(files));
    let kernel: KernelIdentity;
    try {
      kernel = await identity;
    } catch (error) {
      this.#identity = undefined; // try again next time
      throw error;
    }
    const [nodename, domainname] = await Promise.all([this.#read(files, 'hostname'), this.#read(files, 'domainname')]);
    output.add(unameMetrics.info, { domainname, machine: kernel.machine, nodename, release: kernel.release, sysname: kernel.sysname, version: kernel.version }, 1);
  }

  async #readIdentity(files: CollectionFiles): Promise<KernelIdentity> {
    const [sysname, release, version, arch] = await Promise.all([
      this.#read(files, 'ostype'),
      this.#read(files, 'osrelease'),
      this.#read(files, 'version'),
      this.#read(files, 'arch').catch((error: unknown) => {
        if (isMissingFile(error)) return machine();
        throw error;
      }),
    ]);
    return { sysname, release, version, machine: arch };
  }

  async #read(files: CollectionFiles, name: string): Promise<string> {
    return stripNewline(await files.readKernelFile(join(this.#kernelDirectory, name)));
  }
}
