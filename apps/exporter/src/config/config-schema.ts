import { z } from 'zod';
import { parseListenAddress } from '../http/listen-address.js';

/** Log levels accepted by `log.level` and `--log.level`, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
/** Log line formats accepted by `log.format` and `--log.format`. */
export const LOG_FORMATS = ['json', 'logfmt'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

const webSchema = z.strictObject({
  listenAddress: z
    .string()
    .default(':8900')
    .superRefine((address, context) => {
      try {
        parseListenAddress(address);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  disableExporterMetrics: z.boolean().default(false),
  maxRequests: z.number().int().min(0).default(40),
  /** exporter-toolkit web config (TLS, basic auth); relative to this file's directory. */
  configFile: z.string().min(1).optional(),
});

const pathsSchema = z.strictObject({
  procfs: z.string().min(1).default('/proc'),
  sysfs: z.string().min(1).default('/sys'),
  rootfs: z.string().min(1).default('/'),
  /** Default: `run/udev/data` under `rootfs`, whichever rootfs the flags leave (see `filesystemRoots`). */
  udevData: z.string().min(1).optional(),
});

const logSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
  format: z.enum(LOG_FORMATS).default('json'),
});

const scrapeSchema = z.strictObject({
  // Bounded so a deadline always fits a Node timer (which fires at once past 2^31 ms).
  timeoutSeconds: z.number().positive().max(86_400).default(10),
  timeoutMarginSeconds: z.number().min(0).default(0.5),
});

/**
 * The keys the host reads in every collector entry (`RESERVED_CONFIG_KEYS`). Loose, because the
 * rest of the entry belongs to the plugin's own schema, which validates it after these are removed.
 */
export const collectorEntrySchema = z.looseObject({
  instance: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  timeoutSeconds: z.number().positive().max(86_400).optional(),
  cacheTtlSeconds: z.number().min(0).optional(),
});

/** The host's part of the document; `collectors` is checked entry by entry (see `parseConfigDocument`). */
export const hostConfigSchema = z.strictObject({
  web: webSchema.prefault({}),
  paths: pathsSchema.prefault({}),
  log: logSchema.prefault({}),
  scrape: scrapeSchema.prefault({}),
  collectors: z.unknown().optional(),
});

/** The valid keys of each section, for "unknown key" messages. Keyed by the section's path. */
export const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(hostConfigSchema.shape),
  web: Object.keys(webSchema.shape),
  paths: Object.keys(pathsSchema.shape),
  log: Object.keys(logSchema.shape),
  scrape: Object.keys(scrapeSchema.shape),
};

/** One collector entry after the host checked its reserved keys; other keys are the plugin's. */
export interface CollectorEntryConfig {
  /** Instance name; required in list entries, `default` for a single object. */
  readonly instance?: string;
  /** `false` keeps the entry configured but does not run it. Default `true`. */
  readonly enabled?: boolean;
  /** Upper bound on one collection; the scrape timeout header may shorten it. */
  readonly timeoutSeconds?: number;
  /** Serve the last successful collection while it is younger than this. */
  readonly cacheTtlSeconds?: number;
  readonly [key: string]: unknown;
}

/** `tessera.yaml` after validation, defaults applied. Same shape as the file. */
export interface TesseraConfig {
  readonly web: {
    /** `host:port`, `:port` (all interfaces) or `[v6]:port`. Default `:8900`. */
    readonly listenAddress: string;
    /** Drop the process_* and nodejs_* metrics. Default `false`. */
    readonly disableExporterMetrics: boolean;
    /** Concurrent scrapes served; beyond it, 503. 0 = no cap. Default 40. */
    readonly maxRequests: number;
    /**
     * The exporter-toolkit web config file (TLS, client certificates, basic auth). In the file,
     * relative to its directory; after `createExporter` applied the flags, absolute.
     */
    readonly configFile?: string | undefined;
  };
  readonly paths: {
    readonly procfs: string;
    readonly sysfs: string;
    readonly rootfs: string;
    /** udev's database; when absent, `run/udev/data` under `rootfs` (see `filesystemRoots`). */
    readonly udevData?: string | undefined;
  };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly scrape: {
    /** Collection deadline when Prometheus sends no timeout header (and the cap when it does). */
    readonly timeoutSeconds: number;
    /** Subtracted from `X-Prometheus-Scrape-Timeout-Seconds` to leave time to render and send. */
    readonly timeoutMarginSeconds: number;
  };
  /** Config key → one entry or a list of entries (one per instance). */
  readonly collectors: Readonly<Record<string, CollectorEntryConfig | readonly CollectorEntryConfig[]>>;
}
