import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay, setImmediate as immediate } from 'node:timers/promises';
import { isHostFamilyName, type FilesystemRoots, type MetricType } from '@tessera/collector-api';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigFileError } from './config/config-error.js';
import type { LogFormat, LogLevel, TesseraConfig } from './config/config-schema.js';
import { displayPath, DEFAULT_CONFIG_FILE } from './config/load-config-file.js';
import { parseConfigDocument } from './config/parse-config-document.js';
import { hideSubstitutedValues, type Substitution } from './config/substitute-environment.js';
import { createHttpApp, type ProbeRefusal, type ScrapeBody } from './http/create-http-app.js';
import { baseUrl, parseListenAddress } from './http/listen-address.js';
import { resolveWebConfigFile, WebConfigSource } from './http/web-config-source.js';
import { createLogger } from './logging/create-logger.js';
import { Redactor } from './logging/redactor.js';
import { loadCollectors, type SuppliedPlugin } from './plugins/load-collectors.js';
import { BUILTIN_COLLECTORS } from './plugins/package-names.js';
import type { CollectorSelection } from './plugins/plan-collectors.js';
import { CollectorInstance } from './runtime/collector-instance.js';
import { listCompatibilityRoutes, resolveCompatibilityRequest } from './runtime/compatibility.js';
import { adaptHeapToScrape } from './runtime/heap-settings.js';
import { createConfigFiles } from './runtime/config-files.js';
import { SharedAgent } from './runtime/dispatchers.js';
import { countSeries, HOST_OWNER, renderScrape, renderSelfMetrics, Scraper, type ScrapeResult, type ScrapeVariant } from './runtime/scrape.js';
import { withTimeout } from './runtime/settle-within.js';
import { VERSION } from './version.js';

/** Command-line settings that beat the config file (see `tessera --help`). */
export interface ExporterOverrides {
  readonly listenAddress?: string;
  readonly disableExporterMetrics?: boolean;
  readonly maxRequests?: number;
  /** `--web.config.file`, relative to the working directory; `''` turns `web.configFile` off. */
  readonly webConfigFile?: string;
  readonly paths?: Partial<FilesystemRoots>;
  readonly log?: { readonly level?: LogLevel; readonly format?: LogFormat };
  readonly collectors?: CollectorSelection;
}

/** Options of {@link createExporter}. */
export interface ExporterOptions {
  /** Parsed config document, same shape as tessera.yaml (default `{}`); validated here. */
  readonly config?: unknown;
  /** For messages, and the base of packages and relative file paths; default `${cwd}/tessera.yaml`. */
  readonly configFile?: string;
  /** Plugins supplied directly, keyed by config key; bypasses package resolution. */
  readonly plugins?: Readonly<Record<string, SuppliedPlugin>>;
  /** Default: a pino logger to STDERR built from `log:` (and `overrides.log`), with secrets redacted. */
  readonly logger?: Logger;
  /** Where the exporter's own logger writes instead of STDERR (ignored when `logger` is given). */
  readonly logDestination?: DestinationStream;
  /** `true`: do not auto-enable builtins (tests); default `false`. */
  readonly onlySuppliedPlugins?: boolean;
  /** Command-line settings; they beat `config`. */
  readonly overrides?: ExporterOverrides;
  /** The environment `${NAME}` references read (default `process.env`). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

/** What one {@link Exporter.collect} produced. */
export interface CollectResult {
  /** Text format 0.0.4: collector families and the scrape self-metrics (no process metrics). */
  readonly text: string;
  /** How many instances failed. */
  readonly failures: number;
  /** `collector/instance: reason` for each failure, redacted. */
  readonly errors: readonly string[];
}

/** Whether one instance's source answered (`tessera check-config --probe`). */
export interface ProbeResult {
  readonly collector: string;
  readonly instance: string;
  readonly success: boolean;
  /** Redacted, one line. */
  readonly error: string | undefined;
  readonly durationSeconds: number;
}

/** A running exporter (collectors created, routes registered). */
export interface Exporter {
  /** Routes registered, ready; `inject()` works without `listen`. */
  readonly app: FastifyInstance;
  /** The validated configuration, flags applied. */
  readonly config: TesseraConfig;
  readonly logger: Logger;
  /** Enabled collector names, sorted. */
  readonly collectors: readonly string[];
  /** Starts listening (`127.0.0.1:0` style; default `web.listenAddress`); returns the base URL. */
  listen(address?: string): Promise<string>;
  /** One collection of the enabled collectors (or the named ones), rendered; for `tessera collect`. */
  collect(options?: { readonly collectors?: readonly string[] }): Promise<CollectResult>;
  /** Checks every instance's source: `probe()`, or a collection for collectors without one. */
  probe(): Promise<ProbeResult[]>;
  /** Stops accepting, drains in-flight scrapes (bounded), closes collectors and HTTP agents. Idempotent. */
  close(): Promise<void>;
}

// How close() waits for in-flight scrapes beyond the longest collection deadline.
const DRAIN_GRACE_MS = 5000;
// Instances created at once; one create() may take three collection deadlines before the instance counts as failed.
const CREATE_CONCURRENCY = 16;
const CREATE_DEADLINES = 3;
// How long /-/ready waits for the readiness checks it starts (kubelet's default probe timeout is 1 s).
const READY_WAIT_MS = 800;

/**
 * Validates the config, loads and validates the enabled plugins, creates the instances
 * (concurrently, each bounded; one that fails is retried in the background while the others
 * serve), and builds the HTTP app. Throws `ConfigFileError` (exit code 2) for any config problem,
 * including a `ConfigError` from a plugin's `create()`.
 */
export async function createExporter(options: ExporterOptions = {}): Promise<Exporter> {
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  const file = displayPath(configFile);
  const redactor = new Redactor();
  const substitutions: Substitution[] = [];
  const parsed = parseConfigDocument(options.config ?? {}, file, options.environment ?? process.env, {
    registerSecret: (value) => redactor.register(value),
    onSubstitution: (substitution) => substitutions.push(substitution),
  });
  try {
    return await startExporter(parsed, { ...options, configFile, file, redactor });
  } catch (error) {
    // A plugin's schema or create() may quote a value it was given: one from the environment, or a secret it read.
    if (error instanceof ConfigFileError) throw error.withReason((reason) => redactor.redact(hideSubstitutedValues(reason, substitutions)));
    throw error;
  }
}

async function startExporter(
  parsed: TesseraConfig,
  options: ExporterOptions & { readonly configFile: string; readonly file: string; readonly redactor: Redactor },
): Promise<Exporter> {
  const { configFile, file, redactor } = options;
  const config = applyOverrides(parsed, options.overrides ?? {}, dirname(configFile));
  const logger = options.logger ?? createLogger({ ...config.log, redactor, ...(options.logDestination === undefined ? {} : { destination: options.logDestination }) });
  // Before the collectors load: a broken web config refuses to start (exit 2) without creating anything.
  const webConfig = config.web.configFile === undefined ? undefined : WebConfigSource.load(config.web.configFile, logger.child({ component: 'web-config' }));
  const loaded = await loadCollectors({
    config,
    file,
    configDirectory: dirname(configFile),
    builtins: BUILTIN_COLLECTORS,
    logger,
    ...(options.plugins === undefined ? {} : { supplied: options.plugins }),
    ...(options.onlySuppliedPlugins === undefined ? {} : { onlySuppliedPlugins: options.onlySuppliedPlugins }),
    ...(options.overrides?.collectors === undefined ? {} : { selection: options.overrides.collectors }),
  });

  const processRegistry = config.web.disableExporterMetrics ? undefined : await createProcessRegistry();
  const processMetricFamilies: { name: string; type: MetricType }[] = processRegistry?.getMetricsAsArray().map((metric) => ({ name: metric.name, type: String(metric.type) as MetricType })) ?? [];
  // Process metrics are listed by name too: prom-client's names follow no single prefix.
  const processFamilyNames = new Set(processMetricFamilies.map((family) => family.name));

  const agent = new SharedAgent();
  const clock = { now: () => Date.now(), monotonic: () => performance.now() };
  const files = createConfigFiles({ directory: dirname(configFile), redactor, logger });
  const instances: CollectorInstance[] = [];
  const ownerOf = (collectorName: string, familyName: string): string | undefined => {
    if (isHostFamilyName(familyName) || processFamilyNames.has(familyName)) return HOST_OWNER;
    const other = instances.find((instance) => instance.collectorName !== collectorName && instance.declaredFamilies.some((family) => family.name === familyName));
    return other === undefined ? undefined : `collector ${other.collectorName}`;
  };
  const roots = filesystemRoots(config.paths);
  for (const collector of loaded) {
    for (const resolved of collector.instances) {
      instances.push(
        new CollectorInstance(
          {
            collectorName: collector.name,
            instance: resolved.instance,
            packageName: collector.packageName,
            version: collector.version,
            plugin: collector.plugin,
            config: resolved.config,
            path: resolved.path,
            timeoutSeconds: resolved.timeoutSeconds ?? config.scrape.timeoutSeconds,
            cacheTtlSeconds: resolved.cacheTtlSeconds,
          },
          {
            logger: logger.child({ collector: collector.name, instance: resolved.instance }),
            clock,
            roots,
            files,
            redactor,
            sharedDispatcher: () => agent.get(),
            ownerOf,
            configFile: file,
          },
        ),
      );
    }
  }
  try {
    await startAll(instances, (instance) => CREATE_DEADLINES * instance.timeoutSeconds * 1000);
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.close()));
    await agent.close();
    throw error;
  }
  const collectorNames = [...new Set(instances.map((instance) => instance.collectorName))].sort();
  logger.info({ collectors: collectorNames, instances: instances.length }, `enabled collectors: ${collectorNames.join(', ') || 'none'}`);

  const startedAt = clock.now();
  const listenAddresses: string[] = [];
  const scraper = new Scraper({ reservedFamilies: processMetricFamilies, build: { version: VERSION, nodejsVersion: process.versions.node } });
  let open = true;
  const scrapeInstances = async (selected: readonly CollectorInstance[], variant: ScrapeVariant, scrapeTimeoutHeaderSeconds: number | undefined, subset?: readonly string[]): Promise<ScrapeResult> => {
    const result = await scraper.scrape({ instances: selected, variant, timeouts: config.scrape, scrapeTimeoutHeaderSeconds, ...(subset === undefined ? {} : { collectOptions: { subset } }) });
    const series = countSeries(result);
    if (adaptHeapToScrape(series)) logger.info({ series }, `a scrape of ${series} series: the heap is now sized for speed rather than memory`);
    return result;
  };
  const body = async (result: ScrapeResult, processMetrics: boolean): Promise<ScrapeBody> => {
    const process = processMetrics && processRegistry !== undefined ? await processRegistry.metrics() : '';
    return { collectors: result.collectors, tail: Buffer.from(renderSelfMetrics(result) + process) };
  };

  const app = createHttpApp(
    {
      maxRequests: config.web.maxRequests,
      collectorNames: () => collectorNames,
      isOpen: () => open,
      async renderMetrics(names, { scrapeTimeoutHeaderSeconds, processMetrics }) {
        const selected = instances.filter((instance) => names.includes(instance.collectorName));
        return body(await scrapeInstances(selected, 'metrics', scrapeTimeoutHeaderSeconds), processMetrics);
      },
      async renderProbe(collector, target, { scrapeTimeoutHeaderSeconds }): Promise<ScrapeBody | ProbeRefusal> {
        if (!collectorNames.includes(collector)) return { refused: `unknown collector ${JSON.stringify(collector)}: enabled collectors are ${collectorNames.join(', ') || 'none'}` };
        const targets = instances.filter((instance) => instance.collectorName === collector);
        const instance = targets.find((candidate) => candidate.instance === target);
        if (instance === undefined) {
          // The target is an instance name from the config, never an address: nothing unconfigured is ever contacted.
          return { refused: `unknown target ${JSON.stringify(target)} for collector ${collector}: configured instances are ${targets.map((candidate) => candidate.instance).join(', ')}` };
        }
        return body(await scrapeInstances([instance], 'probe', scrapeTimeoutHeaderSeconds), false);
      },
      compatibilityRoutes: () => listCompatibilityRoutes(instances),
      async renderCompatibility(request) {
        const resolved = await resolveCompatibilityRequest(instances, request, config.scrape.timeoutSeconds * 1000);
        if ('refused' in resolved) return resolved;
        // Served like /probe: the instance in the anchor's shape, with its self-metrics.
        return body(await scrapeInstances([resolved.instance], 'probe', request.scrapeTimeoutHeaderSeconds, resolved.subset), false);
      },
      statusPage: () => ({
        version: VERSION,
        nodejsVersion: process.versions.node,
        now: clock.now(),
        startedAt,
        configFile: options.config === undefined ? undefined : file,
        listenAddresses,
        rows: instances.map((instance) => ({
          collector: instance.collectorName,
          instance: instance.instance,
          packageName: instance.packageName,
          version: instance.version,
          description: instance.description,
          cacheTtlSeconds: instance.cacheTtlSeconds,
          probeable: instance.instanceLabel !== undefined || instances.filter((other) => other.collectorName === instance.collectorName).length > 1,
          status: instance.status,
        })),
      }),
      async notReady() {
        const waiting = instances.filter((instance) => !instance.ready);
        if (waiting.length > 0) {
          // Checks go on after the wait; their results are kept for the next request.
          const checks = Promise.all(waiting.map((instance) => instance.checkReady(instance.timeoutSeconds * 1000)));
          await Promise.race([checks, delay(READY_WAIT_MS, undefined, { ref: false })]);
        }
        return instances.filter((instance) => !instance.ready).map((instance) => `${instance.collectorName}/${instance.instance}`).sort();
      },
    },
    // fastify's own info lines ("Server listening at …") would duplicate ours; keep its warnings.
    logger.child({ component: 'http' }, { level: logger.isLevelEnabled('warn') ? 'warn' : logger.level }),
    webConfig,
  );
  await app.ready();

  const longestDeadlineMs = Math.max(config.scrape.timeoutSeconds, ...instances.map((instance) => instance.timeoutSeconds)) * 1000;
  let closing: Promise<void> | undefined;

  return {
    app,
    config,
    logger,
    collectors: collectorNames,
    async listen(address = config.web.listenAddress) {
      // The config and flag values were checked already; this throws only for a bad argument.
      const parsedAddress = parseListenAddress(address);
      const host = await listenOn(app, parsedAddress.host, parsedAddress.port);
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : parsedAddress.port;
      const url = baseUrl(host, port, webConfig?.current.tls === undefined ? 'http' : 'https');
      // Say where the socket is bound: "every interface" is not the loopback URL clients on this host use.
      const everywhere = parsedAddress.host === undefined;
      const where = everywhere ? `port ${port} on every interface (${host === '::' ? 'IPv6 and IPv4' : 'IPv4'}; here: ${url})` : url;
      const boundAddress = everywhere ? `${host === '::' ? '[::]' : host}:${port}` : url.slice(url.indexOf('://') + 3);
      listenAddresses.push(boundAddress);
      logger.info({ address: boundAddress, url }, `listening on ${where}`);
      return url;
    },
    async collect(collectOptions = {}) {
      const names = collectOptions.collectors ?? collectorNames;
      const result = await scrapeInstances(
        instances.filter((instance) => names.includes(instance.collectorName)),
        'metrics',
        undefined,
      );
      const errors = result.outcomes
        .filter(({ outcome }) => !outcome.success)
        .map(({ instance, outcome }) => redactor.redact(`${instance.collectorName}/${instance.instance}: ${outcome.error ?? 'failed'}`));
      return { text: renderScrape(result), failures: result.failures, errors };
    },
    async probe() {
      return Promise.all(
        instances.map(async (instance) => {
          const result = await instance.probe(instance.timeoutSeconds * 1000);
          return { collector: instance.collectorName, instance: instance.instance, ...result };
        }),
      );
    },
    close() {
      closing ??= (async () => {
        open = false;
        if (app.server.listening) await untilNoNewConnections(app.server);
        await closeWithin(app, longestDeadlineMs + DRAIN_GRACE_MS, logger);
        await Promise.all(instances.map((instance) => instance.close()));
        await agent.close();
        logger.debug('exporter closed');
      })();
      return closing;
    },
  };
}

/** Creates every instance, `CREATE_CONCURRENCY` at a time; rejects on the first fatal problem (a `ConfigError`). */
async function startAll(instances: readonly CollectorInstance[], deadlineMs: (instance: CollectorInstance) => number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < instances.length) {
      const instance = instances[next++] as CollectorInstance;
      await instance.start(deadlineMs(instance));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CREATE_CONCURRENCY, instances.length) }, worker));
}

/**
 * prom-client's process and Node.js metrics in a fresh private registry (the global `register` is never
 * touched). The `nodejs_active_*_total` gauges are dropped: they are sums of the per-type gauges
 * exported beside them (a "total" pseudo-series, which the exporter guidelines rule out) and a
 * gauge named `_total` fails `promtool check metrics`.
 */
async function createProcessRegistry(): Promise<Registry> {
  // Loaded only when the metrics are wanted: prom-client is the host's largest optional cost.
  const { collectDefaultMetrics, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const { name, type } of registry.getMetricsAsArray()) {
    if (String(type) === 'gauge' && name.endsWith('_total')) registry.removeSingleMetric(name);
  }
  return registry;
}

function applyOverrides(config: TesseraConfig, overrides: ExporterOverrides, configDirectory: string): TesseraConfig {
  return {
    ...config,
    web: {
      listenAddress: overrides.listenAddress ?? config.web.listenAddress,
      disableExporterMetrics: overrides.disableExporterMetrics ?? config.web.disableExporterMetrics,
      maxRequests: overrides.maxRequests ?? config.web.maxRequests,
      configFile: resolveWebConfigFile(overrides.webConfigFile, config.web.configFile, configDirectory),
    },
    paths: { ...config.paths, ...definedOnly(overrides.paths ?? {}) },
    log: { ...config.log, ...definedOnly(overrides.log ?? {}) },
  };
}

/** The roots collectors read from; udev's database defaults to its place under the (possibly moved) rootfs. */
function filesystemRoots(paths: TesseraConfig['paths']): FilesystemRoots {
  return { procfs: paths.procfs, sysfs: paths.sysfs, rootfs: paths.rootfs, udevData: paths.udevData ?? join(paths.rootfs, 'run/udev/data') };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** Listens on `host`, or on every interface (IPv6 dual-stack, else IPv4) when `host` is undefined. */
async function listenOn(app: FastifyInstance, host: string | undefined, port: number): Promise<string> {
  if (host !== undefined) {
    await app.listen({ host, port });
    return host;
  }
  try {
    await app.listen({ host: '::', port });
    return '::';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    await app.listen({ host: '0.0.0.0', port });
    return '0.0.0.0';
  }
}

// Shutting down, the listener stays open until no connection has arrived for this long (at most
// QUIET_MAX_MS): connections the kernel accepted but Node has not picked up yet would otherwise be
// reset when the listening socket closes. They are answered instead, each with `Connection: close`.
const QUIET_MS = 100;
const QUIET_MAX_MS = 3000;

/**
 * Resolves once `server` has seen no new connection for {@link QUIET_MS}, or after
 * {@link QUIET_MAX_MS}. Quiet is judged only after an I/O poll: a process the machine stopped for
 * longer than the quiet period wakes with connections queued, and its timers run before it polls.
 */
async function untilNoNewConnections(server: Server): Promise<void> {
  let accepted = 0;
  const onConnection = (): void => {
    accepted++;
  };
  server.on('connection', onConnection);
  const started = performance.now();
  let quietSince = started;
  try {
    for (;;) {
      const before = accepted;
      await delay(QUIET_MS / 4);
      // setImmediate runs right after the loop's poll phase, where a queued connection is accepted.
      await immediate();
      const now = performance.now();
      if (accepted !== before) quietSince = now;
      else if (now - quietSince >= QUIET_MS || now - started >= QUIET_MAX_MS) return;
    }
  } finally {
    server.off('connection', onConnection);
  }
}

/** Closes the HTTP server, waiting for in-flight requests at most `limitMs`, then cutting connections. */
async function closeWithin(app: FastifyInstance, limitMs: number, logger: Logger): Promise<void> {
  const closed = app.close().then(() => true);
  const drained = await withTimeout(closed, limitMs, () => false);
  if (!drained) {
    logger.warn(`in-flight requests did not finish within ${limitMs / 1000}s; closing their connections`);
    app.server.closeAllConnections();
    await closed;
  }
}
