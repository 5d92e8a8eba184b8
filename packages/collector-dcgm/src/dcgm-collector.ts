import { hostname as osHostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { ConfigError, isNoDataError, NoDataError, type Collector, type CollectorContext, type MetricFamily, type MetricSink, type ScheduledTask } from '@tessera/collector-api';
import { abortReason } from './abort.js';
import { openReader } from './backend.js';
import type { DcgmCollectorConfig } from './config.js';
import { CountersFileError, parseCountersCsv, type CountersRow } from './counters-csv.js';
import { DEFAULT_FIELDS, type DcgmLabelField } from './dcgm-fields.js';
import type { GpuReader, GpuSnapshot } from './gpu-sample.js';
import { mapDeviceOwners, type DeviceOwner } from './pod-resources/device-owners.js';
import { PodResourcesClient } from './pod-resources/pod-resources-client.js';
import { buildFamilies, snapshotParts, type LabelLayout, type RenderedFamily } from './render.js';

/** The rows of dcgm-exporter's default counters file. */
function defaultRows(): CountersRow[] {
  return DEFAULT_FIELDS.map((field) => ({ field, type: field.kind === 'label' ? 'label' : field.type, help: field.help }));
}

/** Reads and parses the configured counters file, or the defaults. A missing or malformed file is a ConfigError. */
async function loadRows(config: DcgmCollectorConfig, context: CollectorContext): Promise<CountersRow[]> {
  if (config.countersFile === '') return defaultRows();
  let text: string;
  try {
    text = await readFile(config.countersFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the counters file ${config.countersFile}: ${(error as Error).message}`, { path: ['countersFile'], cause: error });
  }
  try {
    const parsed = parseCountersCsv(text);
    if (parsed.unsupported.length > 0) {
      context.logger.warn({ fields: parsed.unsupported }, `counters file ${config.countersFile}: tessera cannot read ${parsed.unsupported.join(', ')}; those rows are skipped`);
    }
    for (const note of parsed.notes) context.logger.info(`counters file ${config.countersFile}: ${note}`);
    return [...parsed.rows];
  } catch (error) {
    if (error instanceof CountersFileError) throw new ConfigError(`counters file ${config.countersFile}: ${error.message}`, { path: ['countersFile'], cause: error });
    throw error;
  }
}

/** The latest outcome of background sampling. */
interface SampleState {
  readonly snapshot?: GpuSnapshot;
  readonly error?: Error;
}

/**
 * The `dcgm` collector: samples GPUs in the background every `intervalSeconds` (as dcgm-exporter's
 * collect interval) and serves scrapes from the latest snapshot, so a slow or hung GPU never holds
 * a scrape. A snapshot older than two intervals plus the sample timeout is not served.
 */
export class DcgmCollector implements Collector {
  readonly metrics: readonly MetricFamily[];
  readonly #config: DcgmCollectorConfig;
  readonly #context: CollectorContext;
  readonly #families: readonly RenderedFamily[];
  readonly #layout: LabelLayout;
  readonly #hostname: string;
  readonly #tasks: ScheduledTask[] = [];
  #reader: GpuReader | undefined;
  #state: SampleState = {};
  #running: Promise<void> | undefined;
  #owners: ReadonlyMap<string, DeviceOwner> = new Map();
  #podResources: PodResourcesClient | undefined;
  #podResourcesState: 'unknown' | 'missing' | 'ok' | 'failing' = 'unknown';
  #reportedFailures = '';
  #reportedError = '';
  #closed = false;

  private constructor(config: DcgmCollectorConfig, context: CollectorContext, rows: readonly CountersRow[]) {
    this.#config = config;
    this.#context = context;
    const labelFields = rows.flatMap((row): DcgmLabelField[] => (row.field.kind === 'label' ? [row.field] : []));
    this.#layout = { hostLabel: config.hostLabel === 'none' ? undefined : config.hostLabel, labelFields, podLabels: config.kubernetes.enabled };
    this.#families = buildFamilies(rows, this.#layout);
    this.metrics = this.#families.map(({ family }) => family);
    this.#hostname = config.hostname !== '' ? config.hostname : (process.env.NODE_NAME ?? osHostname());
  }

  /** Builds the collector and starts its background tasks. No GPU or socket is touched here. */
  static async create(config: DcgmCollectorConfig, context: CollectorContext): Promise<DcgmCollector> {
    const collector = new DcgmCollector(config, context, await loadRows(config, context));
    collector.#tasks.push(context.scheduler.every(config.intervalSeconds * 1000, (signal) => collector.#sampleInBackground(signal), { runImmediately: true }));
    if (config.kubernetes.enabled) {
      collector.#tasks.push(context.scheduler.every(config.kubernetes.refreshSeconds * 1000, (signal) => collector.#refreshPods(signal), { runImmediately: true }));
    }
    return collector;
  }

  /** The reader in use, opened at the first sample. */
  get reader(): GpuReader | undefined {
    return this.#reader;
  }

  /**
   * One background sample. Never throws: the outcome is kept for collect(). The sample gets its own
   * deadline (`sampleTimeoutSeconds`) so a hung NVML call or nvidia-smi is abandoned in time.
   */
  #sampleInBackground(signal: AbortSignal): Promise<void> {
    const run = (async () => {
      try {
        this.#reader ??= this.#openReader();
        const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.#config.sampleTimeoutSeconds * 1000)]);
        const snapshot = await this.#reader.sample(deadline);
        this.#state = { snapshot };
        this.#reportedError = '';
        this.#reportFailures(snapshot);
      } catch (error) {
        const described = describeSampleError(error, this.#config.sampleTimeoutSeconds);
        this.#state = { ...this.#state, error: described };
        // Said once per distinct problem: a node without GPUs, or a GPU that stays broken, is not a log storm.
        const repeated = described.message === this.#reportedError;
        this.#reportedError = described.message;
        if (isNoDataError(error)) this.#context.logger[repeated ? 'debug' : 'info']({ err: error }, `no GPU data: ${described.message}`);
        else this.#context.logger[repeated ? 'debug' : 'warn']({ err: error }, `GPU sampling failed: ${described.message}`);
      }
    })();
    this.#running = run;
    return run;
  }

  /** Opens the reader and says once which configured fields it cannot read (nvidia-smi has no energy, XID, …). */
  #openReader(): GpuReader {
    const reader = openReader(this.#config, this.#context, new Set(this.#families.map(({ field }) => field.source)));
    const unreadable = this.#families.filter(({ field }) => !reader.provides.has(field.source)).map(({ field }) => field.name);
    if (unreadable.length > 0) this.#context.logger.info({ fields: unreadable }, `the ${reader.backend} backend cannot read ${unreadable.join(', ')}; those families are absent`);
    return reader;
  }

  #reportFailures(snapshot: GpuSnapshot): void {
    const text = snapshot.failures.map((failure) => `gpu ${failure.index}: ${failure.message}`).join('; ');
    if (text !== '' && text !== this.#reportedFailures) this.#context.logger.warn({ failures: snapshot.failures }, `GPU reading failed, its series are left out: ${text}`);
    this.#reportedFailures = text;
  }

  async #refreshPods(signal: AbortSignal): Promise<void> {
    const socket = this.#config.kubernetes.podResourcesSocket;
    const exists = await stat(socket).then((info) => info.isSocket(), () => false);
    if (!exists) {
      if (this.#podResourcesState !== 'missing') {
        this.#context.logger.info({ socket }, `pod-resources socket ${socket} not found: series carry no pod labels (mount /var/lib/kubelet/pod-resources into the exporter to attribute GPUs to pods)`);
      }
      this.#podResourcesState = 'missing';
      this.#owners = new Map();
      return;
    }
    this.#podResources ??= new PodResourcesClient(socket);
    try {
      const pods = await this.#podResources.list(signal, this.#config.sampleTimeoutSeconds * 1000);
      this.#owners = mapDeviceOwners(pods, this.#config.kubernetes.resourceNames);
      if (this.#podResourcesState !== 'ok') this.#context.logger.info({ socket, devices: this.#owners.size }, `pod-resources: ${this.#owners.size} NVIDIA devices assigned to pods`);
      this.#podResourcesState = 'ok';
    } catch (error) {
      if (this.#podResourcesState !== 'failing') this.#context.logger.warn({ err: error, socket }, `pod-resources List failed, series carry no pod labels until it works: ${(error as Error).message}`);
      this.#podResourcesState = 'failing';
      this.#owners = new Map();
    }
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#state.snapshot === undefined && this.#state.error === undefined) {
      // The first scrape can come before the first scheduled sample has started: start it now.
      await raceWithSignal(this.#running ?? this.#sampleInBackground(new AbortController().signal), signal);
    }
    const { snapshot, error } = this.#state;
    if (snapshot === undefined) throw error instanceof Error ? error : new NoDataError('no GPU sample has been taken yet');
    const maxAgeMs = this.#config.intervalSeconds * 2000 + this.#config.sampleTimeoutSeconds * 1000;
    const ageMs = this.#context.clock.now() - snapshot.sampledAtMs;
    if (ageMs > maxAgeMs) {
      throw new Error(`the latest GPU sample is ${Math.round(ageMs / 1000)} s old (limit ${Math.round(maxAgeMs / 1000)} s)${error === undefined ? '' : `: ${error.message}`}`);
    }
    const parts = snapshotParts(snapshot, {
      families: this.#families,
      layout: this.#layout,
      hostname: this.#hostname,
      replaceBlanksInModelName: this.#config.replaceBlanksInModelName,
      owners: this.#owners,
    });
    // One part per GPU; until the host has parts, a failed GPU is logged when sampled and left out here.
    for (const part of parts) if (part.ok) part.render(sink);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const task of this.#tasks) task.cancel();
    this.#podResources?.close();
    await this.#running?.catch(() => undefined);
    await this.#reader?.close();
  }
}

function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A sample that hit its own deadline says so, instead of the bare TimeoutError of AbortSignal.timeout. */
function describeSampleError(error: unknown, timeoutSeconds: number): Error {
  if (error instanceof DOMException && error.name === 'TimeoutError') return new Error(`GPU sample did not finish within ${timeoutSeconds} s (sampleTimeoutSeconds)`, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}
