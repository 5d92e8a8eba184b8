import type { MetricSink } from '@tessera/collector-api';
import type { ApiItem, FlashBladeClient } from './client/flashblade-client.js';

/** The metric groups an operator turns on and off, by the names of the exporter's URL paths. */
export const GROUP_NAMES = ['array', 'filesystems', 'objectstore', 'clients', 'usage', 'policies'] as const;

/** One metric group. */
export type GroupName = (typeof GROUP_NAMES)[number];

/**
 * One independently failing unit of a collection: a REST endpoint (or the few that only make sense
 * together) and the families it feeds. A part writes into a sink of its own; when it throws, only
 * its series are lost and the others are served.
 */
export interface CollectionPart {
  /** Unique among parts, e.g. `array-space`, `file-systems-performance`: in logs and self-metrics. */
  readonly name: string;
  collect(scope: CollectionScope, sink: MetricSink, signal: AbortSignal): Promise<void>;
}

/**
 * What the parts of one collection share: the client, and the lists several parts need (the live
 * file systems feed their space, their performance and the usage queries), fetched once.
 */
export class CollectionScope {
  readonly client: FlashBladeClient;
  #fileSystems: Promise<ApiItem[]> | undefined;
  #buckets: Promise<ApiItem[]> | undefined;

  constructor(client: FlashBladeClient) {
    this.client = client;
  }

  /** File systems that are not destroyed (a destroyed one awaiting eradication is not reported). */
  liveFileSystems(signal: AbortSignal): Promise<ApiItem[]> {
    this.#fileSystems ??= this.#live('/file-systems', signal);
    return this.#fileSystems;
  }

  /** Buckets that are not destroyed. */
  liveBuckets(signal: AbortSignal): Promise<ApiItem[]> {
    this.#buckets ??= this.#live('/buckets', signal);
    return this.#buckets;
  }

  async #live(path: string, signal: AbortSignal): Promise<ApiItem[]> {
    // destroyed=false asks the array; the check below also holds for an array that ignores it.
    const items = await this.client.list(path, { destroyed: false }, signal);
    return items.filter((item) => item.destroyed !== true);
  }
}
