import { hostname as osHostname } from 'node:os';
import { stat } from 'node:fs/promises';
import { ConfigError, isNoDataError, type Collector, type CollectorContext, type MetricFamily, type MetricSink, type ScheduledTask } from '@tessera/collector-api';
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

/**
 * Reads and parses the configured counters file (relative to the config file's directory), or the
 * defaults. A missing or malformed file is a ConfigError: the host refuses to start.
 */
async function loadRows(config: DcgmCollectorConfig, context: CollectorContext): Promise<CountersRow[]> {
  if (config.countersFile === '') return defaultRows();
  const file = context.files.resolve(config.countersFile);
  let text: string;
  try {
    text = await context.files.readText(file);
  } catch (error) {
    throw new ConfigError(`cannot read the counters file ${file}: ${(error as Error).message}`, { path: ['countersFile'], cause: error });
  }
  try {
    const parsed = parseCountersCsv(text);
    if (parsed.unsupported.length > 0) {
      context.logger.warn({ fields: parsed.unsupported }, `counters file ${file}: tessera cannot read ${parsed.unsupported.join(', ')}; those rows are skipped`);
    }
    for (const note of parsed.notes) context.logger.info(`counters file ${file}: ${note}`);
    return [...parsed.rows];
  } catch (error) {
    if (error instanceof CountersFileError) throw new ConfigError(`counters file ${file}: ${error.message}`, { path: ['countersFile'], cause: error });
    throw error;
  }
}

/** What one background sampling run produced. */
interface GpuSample {
  readonly snapshot: GpuSnapshot;
  /** How long the run took, reported as the duration of every GPU's part. */
  readonly durationSeconds: number;
}

const NO_OWNERS: ReadonlyMap<string, DeviceOwner> = new Map();

/** What the GPU parts were last rendered from, and the reuse key standing for that pair. */
interface RenderInputs {
  readonly snapshot: GpuSnapshot;
  readonly owners: ReadonlyMap<string, DeviceOwner>;
  readonly key: object;
}

/**
 * The `dcgm` collector: samples GPUs in the background every `intervalSeconds` (dcgm-exporter's
 * collect interval) on the host's scheduler, and serves scrapes from the latest sample, one part
 * per GPU, so a slow or hung GPU never holds a scrape and a lost one costs only its own series. A
 * sample still running after `sampleTimeoutSeconds` is abandoned by the scheduler (its signal
 * aborts the NVML calls' wait and kills nvidia-smi); a sample older than the task's `maxAgeMs` is
 * not served. Pod owners come from a second task on the kubelet's cadence.
 */
export class DcgmCollector implements Collector {
  readonly metrics: readonly MetricFamily[];
  readonly #config: DcgmCollectorConfig;
  readonly #context: CollectorContext;
  readonly #families: readonly RenderedFamily[];
  readonly #layout: LabelLayout;
  readonly #hostname: string;
  #gpus: ScheduledTask<GpuSample> | undefined;
  #pods: ScheduledTask<ReadonlyMap<string, DeviceOwner>> | undefined;
  #reader: GpuReader | undefined;
  /** The sample under way, so that close() shuts NVML down only once it has let go. */
  #sampling: Promise<GpuSnapshot> | undefined;
  #podResources: PodResourcesClient | undefined;
  #socketMissing = false;
  #reportedNoData = '';
  #lastRenderInputs: RenderInputs | undefined;
  #closed = false;

  private constructor(config: DcgmCollectorConfig, context: CollectorContext, rows: readonly CountersRow[]) {
    this.#config = config;
    this.#context = context;
    const labelFields = rows.flatMap((row): DcgmLabelField[] => (row.field.kind === 'label' ? [row.field] : []));
    this.#layout = { hostLabel: config.hostLabel === 'none' ? undefined : config.hostLabel, labelFields, podLabels: config.kubernetes.enabled };
    this.#families = buildFamilies(rows, this.#layout);
    this.metrics = this.#families.map(({ family }) => family);
    // dcgm-exporter's rule: NODE_NAME (the DaemonSet sets it to spec.nodeName), else the OS hostname.
    this.#hostname = config.hostname !== '' ? config.hostname : (process.env.NODE_NAME ?? osHostname());
  }

  /** Builds the collector and starts its background tasks. No GPU or socket is touched here. */
  static async create(config: DcgmCollectorConfig, context: CollectorContext): Promise<DcgmCollector> {
    const collector = new DcgmCollector(config, context, await loadRows(config, context));
    const timeoutMs = config.sampleTimeoutSeconds * 1000;
    collector.#gpus = context.scheduler.every(config.intervalSeconds * 1000, (signal) => collector.#sample(signal), { name: 'gpus', timeoutMs });
    if (config.kubernetes.enabled) {
      const refreshMs = config.kubernetes.refreshSeconds * 1000;
      collector.#pods = context.scheduler.every(refreshMs, (signal) => collector.#listPodOwners(signal), { name: 'pods', timeoutMs: Math.min(timeoutMs, refreshMs) });
    }
    return collector;
  }

  /** One background sample. A failure is the scheduler's to report; an absent GPU is said once here, at info. */
  async #sample(signal: AbortSignal): Promise<GpuSample> {
    const started = this.#context.clock.monotonic();
    try {
      this.#reader ??= this.#openReader();
      this.#sampling = this.#reader.sample(signal);
      const snapshot = await this.#sampling;
      this.#reportedNoData = '';
      return { snapshot, durationSeconds: (this.#context.clock.monotonic() - started) / 1000 };
    } catch (error) {
      // The host logs a NoDataError run at debug only; a node without GPUs deserves one line that says so.
      if (isNoDataError(error) && error.message !== this.#reportedNoData) {
        this.#reportedNoData = error.message;
        this.#context.logger.info(`no GPU data: ${error.message}`);
      }
      throw error;
    }
  }

  /** Opens the reader and says once which configured fields it cannot read (nvidia-smi has no energy, XID, …). */
  #openReader(): GpuReader {
    const reader = openReader(this.#config, this.#context, new Set(this.#families.map(({ field }) => field.source)));
    const unreadable = this.#families.filter(({ field }) => !reader.provides.has(field.source)).map(({ field }) => field.name);
    if (unreadable.length > 0) this.#context.logger.info({ fields: unreadable }, `the ${reader.backend} backend cannot read ${unreadable.join(', ')}; those families are absent`);
    return reader;
  }

  /**
   * Which pod holds each GPU and MIG device. No socket (not a Kubernetes node, or the directory
   * not mounted) is no owners and one info line; a failing List is the scheduler's to report.
   */
  async #listPodOwners(signal: AbortSignal): Promise<ReadonlyMap<string, DeviceOwner>> {
    const { podResourcesSocket: socket, resourceNames } = this.#config.kubernetes;
    const exists = await stat(socket).then((info) => info.isSocket(), () => false);
    if (!exists) {
      if (!this.#socketMissing) {
        this.#context.logger.info({ socket }, `pod-resources socket ${socket} not found: series carry no pod labels (mount /var/lib/kubelet/pod-resources into the exporter to attribute GPUs to pods)`);
      }
      this.#socketMissing = true;
      return NO_OWNERS;
    }
    if (this.#socketMissing) this.#context.logger.info({ socket }, `pod-resources socket ${socket} found: series carry pod labels`);
    this.#socketMissing = false;
    this.#podResources ??= new PodResourcesClient(socket);
    const pods = await this.#podResources.list(signal);
    return mapDeviceOwners(pods, resourceNames);
  }

  /** Pod owners to label with: none while the kubelet has not answered recently (series are still served). */
  async #podOwners(signal: AbortSignal): Promise<ReadonlyMap<string, DeviceOwner>> {
    if (this.#pods === undefined) return NO_OWNERS;
    try {
      return await this.#pods.latest(signal);
    } catch {
      signal.throwIfAborted();
      return NO_OWNERS;
    }
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#gpus === undefined) throw new Error('the collector is not started');
    const [{ snapshot, durationSeconds }, owners] = await Promise.all([this.#gpus.latest(signal), this.#podOwners(signal)]);
    const parts = snapshotParts(snapshot, {
      families: this.#families,
      layout: this.#layout,
      hostname: this.#hostname,
      replaceBlanksInModelName: this.#config.replaceBlanksInModelName,
      owners,
    });
    const reuseKey = this.#reuseKey(snapshot, owners);
    for (const part of parts) await sink.part(part.name, part.render, { sampledAt: snapshot.sampledAtMs, durationSeconds, reuseKey });
  }

  /**
   * The key under which the host may reuse the GPU parts' samples. A part reads the snapshot and
   * the pod owners (the rest of its context is fixed at creation): the key is new when either is.
   */
  #reuseKey(snapshot: GpuSnapshot, owners: ReadonlyMap<string, DeviceOwner>): object {
    const last = this.#lastRenderInputs;
    if (last !== undefined && last.snapshot === snapshot && last.owners === owners) return last.key;
    const key = {};
    this.#lastRenderInputs = { snapshot, owners, key };
    return key;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gpus?.cancel();
    this.#pods?.cancel();
    this.#podResources?.close();
    // Cancelling the task aborted the sample's signal: it settles promptly.
    await this.#sampling?.catch(() => undefined);
    await this.#reader?.close();
  }
}
