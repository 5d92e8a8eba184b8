import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import { readOrNoData, type CollectionFiles } from '../collection-files.js';
import { nfsdMetrics, nfsMetrics } from '../metrics.js';
import { NFS_V2_PROCEDURES, NFS_V3_PROCEDURES, NFS_V4_CLIENT_OPERATIONS, NFS_V4_SERVER_OPERATIONS, parseNfsClient, parseNfsServer } from '../parsers/nfs.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/** Adds one counter per procedure of a version, `names[i]` being the method of `values[i]`, leaving out those in `skip`. */
function addProcedures(
  output: MetricSink,
  family: MetricFamily<'method' | 'proto'>,
  proto: string,
  names: readonly string[],
  values: readonly number[],
  skip: ReadonlySet<string> = new Set(),
): void {
  for (const [index, method] of names.entries()) {
    if (!skip.has(method)) output.add(family, { method, proto }, values[index] ?? 0);
  }
}

/**
 * nfs: this machine as an NFS client (datasets and checkpoints on shared storage), from
 * `/proc/net/rpc/nfs`: packets and connections, RPCs, retransmissions (the first sign of a
 * struggling server) and calls per procedure of NFSv2, v3 and v4. Every procedure of every version
 * is reported, 0 when the kernel printed none, as node_exporter does.
 */
export class NfsCollector implements SubCollector {
  readonly name = 'nfs';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'net/rpc/nfs');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const stats = parseNfsClient(await readOrNoData(files, this.#path, 'no NFS client statistics (nfs module not loaded)'), this.#path);
    output.add(nfsMetrics.packets, { protocol: 'udp' }, stats.network.udpCount);
    output.add(nfsMetrics.packets, { protocol: 'tcp' }, stats.network.tcpCount);
    output.add(nfsMetrics.connections, NO_LABELS, stats.network.tcpConnect);
    output.add(nfsMetrics.rpcs, NO_LABELS, stats.rpc.count);
    output.add(nfsMetrics.retransmissions, NO_LABELS, stats.rpc.retransmissions);
    output.add(nfsMetrics.authenticationRefreshes, NO_LABELS, stats.rpc.authRefreshes);
    addProcedures(output, nfsMetrics.requests, '2', NFS_V2_PROCEDURES, stats.v2);
    addProcedures(output, nfsMetrics.requests, '3', NFS_V3_PROCEDURES, stats.v3);
    addProcedures(output, nfsMetrics.requests, '4', NFS_V4_CLIENT_OPERATIONS, stats.v4);
  }
}

/** Server operations node_exporter leaves out: the NULL procedures and the unused and rarely meaningful v4 slots. */
const SERVER_V2_V3_SKIPPED = new Set(['Null']);
const SERVER_V4_SKIPPED = new Set(['Op0Unused', 'Op1Unused', 'Op2Future', 'PutPubFH', 'PutRootFH']);

/**
 * nfsd: this machine as an NFS server, from `/proc/net/rpc/nfsd`: reply cache, stale file
 * handles, bytes read and written, threads, read-ahead cache, packets, RPC errors and requests per
 * procedure and operation.
 */
export class NfsdCollector implements SubCollector {
  readonly name = 'nfsd';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'net/rpc/nfsd');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const stats = parseNfsServer(await readOrNoData(files, this.#path, 'no NFS server statistics (nfsd module not loaded)'), this.#path);
    output.add(nfsdMetrics.replyCacheHits, NO_LABELS, stats.replyCache.hits);
    output.add(nfsdMetrics.replyCacheMisses, NO_LABELS, stats.replyCache.misses);
    output.add(nfsdMetrics.replyCacheNocache, NO_LABELS, stats.replyCache.noCache);
    output.add(nfsdMetrics.staleFileHandles, NO_LABELS, stats.staleFileHandles);
    output.add(nfsdMetrics.bytesRead, NO_LABELS, stats.bytesRead);
    output.add(nfsdMetrics.bytesWritten, NO_LABELS, stats.bytesWritten);
    output.add(nfsdMetrics.serverThreads, NO_LABELS, stats.threads);
    output.add(nfsdMetrics.readAheadCacheSize, NO_LABELS, stats.readAheadCacheSize);
    output.add(nfsdMetrics.readAheadCacheNotFound, NO_LABELS, stats.readAheadNotFound);
    output.add(nfsdMetrics.packets, { proto: 'udp' }, stats.network.udpCount);
    output.add(nfsdMetrics.packets, { proto: 'tcp' }, stats.network.tcpCount);
    output.add(nfsdMetrics.connections, NO_LABELS, stats.network.tcpConnect);
    output.add(nfsdMetrics.rpcErrors, { error: 'fmt' }, stats.rpc.badFormat);
    output.add(nfsdMetrics.rpcErrors, { error: 'auth' }, stats.rpc.badAuth);
    output.add(nfsdMetrics.rpcErrors, { error: 'cInt' }, stats.rpc.badClient);
    output.add(nfsdMetrics.serverRpcs, NO_LABELS, stats.rpc.count);
    addProcedures(output, nfsdMetrics.requests, '2', NFS_V2_PROCEDURES, stats.v2, SERVER_V2_V3_SKIPPED);
    addProcedures(output, nfsdMetrics.requests, '3', NFS_V3_PROCEDURES, stats.v3, SERVER_V2_V3_SKIPPED);
    addProcedures(output, nfsdMetrics.requests, '4', NFS_V4_SERVER_OPERATIONS, stats.v4, SERVER_V4_SKIPPED);
    output.add(nfsdMetrics.requests, { method: 'WdelegGetattr', proto: '4' }, stats.wdelegGetattr);
  }
}
