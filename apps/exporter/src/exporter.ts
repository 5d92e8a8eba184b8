import { dirname, join, resolve } from 'node:path';
import {
  describeFamiliesProblem,
  formatConfigPath,
  isConfigError,
  type CollectorContext,
  type FilesystemRoots,
  type MetricType,
} from '@tessera/collector-api';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ConfigFileError } from './config/config-error.js';
import type { LogFormat, LogLevel, TesseraConfig } from './config/config-schema.js';
import { displayPath, DEFAULT_CONFIG_FILE } from './config/load-config-file.js';
import { parseConfigDocument } from './config/parse-config-document.js';
import { createHttpApp } from './http/create-http-app.js';
import { baseUrl, parseListenAddress } from './http/listen-address.js';
import { createLogger } from './logging/create-logger.js';
import { loadCollectors, type LoadedCollector, type SuppliedPlugin } from './plugins/load-collectors.js';
import { BUILTIN_COLLECTORS } from './plugins/package-names.js';
import type { CollectorSelection } from './plugins/plan-collectors.js';
import { CollectorInstance, errorMessage } from './runtime/collector-instance.js';
import { createScheduler } from './runtime/scheduler.js';
import { SharedAgent } from './runtime/shared-agent.js';
import { renderScrape, scrape, type ScrapeResult } from './runtime/scrape.js';
import { VERSION } from './version.js';

/** Command-line settings that beat the config file (see `tessera --help`). */
export interface ExporterOverrides {
  readonly listenAddress?: string;
  readonly disableExporterMetrics?: boolean;
  readonly maxRequests?: number;
  readonly paths?: Partial<FilesystemRoots>;
  readonly log?: { readonly level?: LogLevel; readonly format?: LogFormat };
  readonly collectors?: CollectorSelection;
}

/** Options of {@link createExporter}. */
export interface ExporterOptions {
  /** Parsed config document, same shape as tessera.yaml (default `{}`); validated here. */
  readonly config?: unknown;
  /** For messages and as the package resolution base; default `${cwd}/tessera.yaml`. */
  readonly configFile?: string;
  /** Plugins supplied directly, keyed by config key; bypasses package resolution. */
  readonly plugins?: Readonly<Record<string, SuppliedPlugin>>;
  /** Default: a pino logger to STDERR built from `log:` (and `overrides.log`). */
  readonly logger?: Logger;
  /** `true`: do not auto-enable builtins (tests); default `false`. */
  readonly onlySuppliedPlugins?: boolean;
  /** Command-line settings; they beat `config`. */
  readonly overrides?: ExporterOverrides;
}

/** What one {@link Exporter.collect} produced. */
export interface CollectResult {
  /** Text format 0.0.4: collector families and the scrape self-metrics (no process metrics). */
  readonly text: string;
  /** How many instances failed. */
  readonly failures: number;
  /** `collector/instance: reason` for each failure. */
  readonly errors: readonly string[];
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
  /** Stops accepting, drains in-flight scrapes (bounded), closes collectors and the HTTP agent. Idempotent. */
  close(): Promise<void>;
}

// How long close() waits for in-flight scrapes beyond the longest collection deadline.
const DRAIN_GRACE_MS = 5000;

/**
 * Validates the config, loads and validates the enabled plugins, creates one collector per enabled
 * instance, and builds the HTTP app. Throws `ConfigFileError` (exit code 2) for any config problem,
 * including a `ConfigError` from a plugin's `create()`.
 */
export async function createExporter(options: ExporterOptions = {}): Promise<Exporter> {
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  const file = displayPath(configFile);
  const config = applyOverrides(parseConfigDocument(options.config ?? {}, file), options.overrides ?? {});
  const logger = options.logger ?? createLogger(config.log);
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

  const agent = new SharedAgent();
  const instances = await createInstances(loaded, { config, file, logger, agent });
  const collectorNames = [...new Set(instances.map((instance) => instance.collectorName))].sort();
  logger.info({ collectors: collectorNames }, `enabled collectors: ${collectorNames.join(', ') || 'none'}`);

  const processRegistry = config.web.disableExporterMetrics ? undefined : await createProcessRegistry();
  const processMetricFamilies = processRegistry?.getMetricsAsArray().map((metric) => ({ name: metric.name, type: String(metric.type) as MetricType })) ?? [];
  const build = { version: VERSION, nodejsVersion: process.versions.node };
  let ready = true;

  const scrapeCollectors = (names: readonly string[], scrapeTimeoutHeaderSeconds: number | undefined): Promise<ScrapeResult> =>
    scrape({
      instances: instances.filter((instance) => names.includes(instance.collectorName)),
      timeouts: config.scrape,
      scrapeTimeoutHeaderSeconds,
      reservedFamilies: processMetricFamilies,
      build,
    });

  const app = createHttpApp(
    {
      version: VERSION,
      maxRequests: config.web.maxRequests,
      collectorNames: () => collectorNames,
      isReady: () => ready,
      async renderMetrics(names, { scrapeTimeoutHeaderSeconds, processMetrics }) {
        const text = renderScrape(await scrapeCollectors(names, scrapeTimeoutHeaderSeconds));
        if (!processMetrics || processRegistry === undefined) return text;
        return text + (await processRegistry.metrics());
      },
      statusRows: () =>
        instances.map((instance) => ({
          collector: instance.collectorName,
          instance: instance.instance,
          packageName: instance.packageName,
          version: instance.version,
          description: instance.description,
          cacheTtlSeconds: instance.cacheTtlSeconds,
          last: instance.status,
        })),
    },
    // fastify's own info lines ("Server listening at …") would duplicate ours; keep its warnings.
    logger.child({ component: 'http' }, { level: logger.isLevelEnabled('warn') ? 'warn' : logger.level }),
  );
  await app.ready();

  const longestDeadlineMs = Math.max(config.scrape.timeoutSeconds, ...instances.map((instance) => instance.timeoutSeconds ?? 0)) * 1000;
  let closing: Promise<void> | undefined;

  return {
    app,
    config,
    logger,
    collectors: collectorNames,
    async listen(address = config.web.listenAddress) {
      // The config and flag values were checked already; this throws only for a bad argument.
      const parsed = parseListenAddress(address);
      const host = await listenOn(app, parsed.host, parsed.port);
      const bound = app.server.address();
      const url = baseUrl(host, typeof bound === 'object' && bound !== null ? bound.port : parsed.port);
      logger.info({ address: url }, `listening on ${url}`);
      return url;
    },
    async collect(collectOptions = {}) {
      const names = collectOptions.collectors ?? collectorNames;
      const result = await scrapeCollectors(names, undefined);
      const errors = result.outcomes
        .filter(({ outcome }) => !outcome.success)
        .map(({ instance, outcome }) => `${instance.collectorName}/${instance.instance}: ${outcome.error ?? 'failed'}`);
      return { text: renderScrape(result), failures: result.failures, errors };
    },
    close() {
      closing ??= (async () => {
        ready = false;
        await closeWithin(app, longestDeadlineMs + DRAIN_GRACE_MS, logger);
        await Promise.all(instances.map((instance) => instance.close()));
        await agent.close();
        logger.debug('exporter closed');
      })();
      return closing;
    },
  };
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

function applyOverrides(config: TesseraConfig, overrides: ExporterOverrides): TesseraConfig {
  return {
    ...config,
    web: {
      listenAddress: overrides.listenAddress ?? config.web.listenAddress,
      disableExporterMetrics: overrides.disableExporterMetrics ?? config.web.disableExporterMetrics,
      maxRequests: overrides.maxRequests ?? config.web.maxRequests,
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

async function createInstances(
  loaded: readonly LoadedCollector[],
  shared: { readonly config: TesseraConfig; readonly file: string; readonly logger: Logger; readonly agent: SharedAgent },
): Promise<CollectorInstance[]> {
  const clock = { now: () => Date.now(), monotonic: () => performance.now() };
  const instances: CollectorInstance[] = [];
  try {
    for (const collector of loaded) {
      for (const resolved of collector.instances) {
        const logger = shared.logger.child({ collector: collector.name, instance: resolved.instance });
        const scheduler = createScheduler(logger, clock.monotonic);
        const context: CollectorContext = {
          collector: collector.name,
          instance: resolved.instance,
          logger,
          get dispatcher() {
            return shared.agent.get();
          },
          roots: filesystemRoots(shared.config.paths),
          clock,
          scheduler,
        };
        let created;
        try {
          created = await collector.plugin.create(resolved.config, context);
        } catch (error) {
          scheduler.cancelAll();
          if (isConfigError(error)) {
            throw new ConfigFileError(shared.file, error.message, { path: [...resolved.path, ...error.path], cause: error });
          }
          throw new Error(`collector ${collector.name} (${formatConfigPath(resolved.path)}): create() failed: ${errorMessage(error)}`, { cause: error });
        }
        const instance = new CollectorInstance({
          collectorName: collector.name,
          instance: resolved.instance,
          packageName: collector.packageName,
          version: collector.version,
          description: collector.plugin.description,
          collector: created,
          declared: [...collector.plugin.metrics, ...(created.metrics ?? [])],
          timeoutSeconds: resolved.timeoutSeconds,
          cacheTtlSeconds: resolved.cacheTtlSeconds,
          logger,
          clock,
          scheduler,
        });
        instances.push(instance);
        const problem = describeFamiliesProblem([...collector.plugin.metrics, ...(created.metrics ?? [])]);
        if (problem !== undefined) throw new Error(`collector ${collector.name} (${formatConfigPath(resolved.path)}): ${problem}`);
      }
    }
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.close()));
    await shared.agent.close();
    throw error;
  }
  return instances;
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

/** Closes the HTTP server, waiting for in-flight requests at most `limitMs`, then cutting connections. */
async function closeWithin(app: FastifyInstance, limitMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = app.close().then(() => true);
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), limitMs);
  });
  const drained = await Promise.race([closed, expired]);
  clearTimeout(timer);
  if (!drained) {
    logger.warn(`in-flight requests did not finish within ${limitMs / 1000}s; closing their connections`);
    app.server.closeAllConnections();
    await closed;
  }
}
