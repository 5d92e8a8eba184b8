import type { CollectorPlugin, FilesystemRoots } from '@tessera/collector-api';
import { parseText, TEXT_CONTENT_TYPE } from '@tessera/exposition';

/** The part of `@tessera/exporter`'s API the smoke test uses (its `createExporter`). */
export interface ExporterModuleLike {
  createExporter(options: {
    readonly config?: unknown;
    readonly plugins?: Readonly<Record<string, CollectorPlugin>>;
    readonly onlySuppliedPlugins?: boolean;
    readonly logDestination?: { write(line: string): void };
  }): Promise<ExporterLike>;
}

/** A created exporter: a fastify app that answers `inject()` without listening, and `close()`. */
export interface ExporterLike {
  readonly app: {
    inject(request: { readonly method?: 'GET'; readonly url: string }): Promise<{
      readonly statusCode: number;
      readonly headers: Readonly<Record<string, unknown>>;
      readonly body: string;
    }>;
  };
  close(): Promise<void>;
}

/** Options of {@link runInHostSmoke}. */
export interface InHostSmokeOptions {
  /** The collector's config entry (default `{}`). */
  readonly config?: unknown;
  /** True (default): expect `tessera_scrape_collector_success 1`; false: expect 0 (source absent). */
  readonly expectSuccess?: boolean;
  /** Filesystem roots for the host (its `paths:` section); default the host's own (`/proc`, `/sys`, `/`). */
  readonly roots?: Partial<FilesystemRoots>;
  /** The host's `log.level` (default `warn`, so a passing run stays quiet and a failing one still logs why). */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** How to load the host; default `import('@tessera/exporter')` (an optional peer dependency). */
  readonly loadExporter?: () => Promise<unknown>;
}

/** The outcome of {@link runInHostSmoke}. */
export interface InHostSmokeResult {
  /** One line per problem; empty when the host served the collector as expected. */
  readonly problems: string[];
  /** The `/metrics` body, for a failure message. */
  readonly body: string;
  /** The host's log lines (JSON), kept instead of written to the console, for a failure message. */
  readonly logs: readonly string[];
}

const EXPORTER_PACKAGE = '@tessera/exporter';

/**
 * Boots the real host in-process with only this plugin (`onlySuppliedPlugins`) and a config document
 * shaped like tessera.yaml (`collectors`, `log`, `paths`), scrapes `/metrics`
 * through `app.inject()` and checks: status 200, Content-Type exactly
 * `text/plain; version=0.0.4; charset=utf-8`, a body that parses, and
 * `tessera_scrape_collector_success{collector="<name>",instance="default"}` at 1 (or 0 with
 * `expectSuccess: false`). Closes the exporter before returning. Rejects, naming the fix, when
 * `@tessera/exporter` is not installed.
 */
export async function runInHostSmoke(plugin: CollectorPlugin, options: InHostSmokeOptions = {}): Promise<InHostSmokeResult> {
  const exporterModule = (await (options.loadExporter ?? importExporter)()) as Partial<ExporterModuleLike> | undefined;
  const logs: string[] = [];
  if (typeof exporterModule?.createExporter !== 'function') throw new Error(`${EXPORTER_PACKAGE} does not export createExporter()`);
  const exporter = await exporterModule.createExporter({
    config: {
      collectors: { [plugin.name]: options.config ?? {} },
      log: { level: options.logLevel ?? 'warn' },
      ...(options.roots === undefined ? {} : { paths: options.roots }),
    },
    plugins: { [plugin.name]: plugin },
    onlySuppliedPlugins: true,
    // A collector that fails on purpose in a test must not print stack traces into a green run.
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  try {
    const response = await exporter.app.inject({ method: 'GET', url: '/metrics' });
    const problems: string[] = [];
    if (response.statusCode !== 200) problems.push(`GET /metrics answered ${response.statusCode}`);
    const contentType = response.headers['content-type'];
    if (contentType !== TEXT_CONTENT_TYPE) problems.push(`Content-Type is ${JSON.stringify(contentType)}, not ${JSON.stringify(TEXT_CONTENT_TYPE)}`);
    problems.push(...describeSuccessProblems(response.body, plugin.name, options.expectSuccess ?? true));
    return { problems, body: response.body, logs };
  } finally {
    await exporter.close();
  }
}

function describeSuccessProblems(body: string, collectorName: string, expectSuccess: boolean): string[] {
  let families;
  try {
    families = parseText(body);
  } catch (error) {
    return [`the /metrics body does not parse: ${(error as Error).message}`];
  }
  const wanted = expectSuccess ? 1 : 0;
  const series = `tessera_scrape_collector_success{collector="${collectorName}",collector_instance="default"}`;
  const sample = families
    .find((family) => family.name === 'tessera_scrape_collector_success')
    ?.samples.find(({ labels }) => labels.collector === collectorName && labels.collector_instance === 'default' && Object.keys(labels).length === 2);
  if (sample === undefined) return [`/metrics has no ${series}`];
  if (sample.value !== wanted) {
    return [`${series} is ${sample.value}, expected ${wanted}${expectSuccess ? ' (the collection failed in the host; see its log below)' : ''}`];
  }
  return [];
}

async function importExporter(): Promise<unknown> {
  // A variable specifier keeps TypeScript from requiring the optional peer at build time.
  const specifier: string = EXPORTER_PACKAGE;
  try {
    return await import(specifier);
  } catch (error) {
    // Node says ERR_MODULE_NOT_FOUND; vitest's resolver says "Could not resolve" for an absent optional peer.
    const message = String((error as Error | undefined)?.message);
    if (message.includes(EXPORTER_PACKAGE) && ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' || /could not resolve|cannot find/i.test(message))) {
      throw new Error(`the in-host smoke test needs the host: add ${EXPORTER_PACKAGE} to your devDependencies (pnpm add -D ${EXPORTER_PACKAGE})`, { cause: error });
    }
    throw error;
  }
}
