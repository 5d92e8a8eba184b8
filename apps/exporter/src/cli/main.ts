import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { formatConfigPath, isConfigError } from '@tessera/collector-api';
import { DEFAULT_CONFIG_FILE, displayPath, readConfigDocument } from '../config/load-config-file.js';
import { collectSubstitutions, hideSubstitutedValues } from '../config/substitute-environment.js';
import { parseConfigDocument } from '../config/parse-config-document.js';
import type * as exporterModule from '../exporter.js';
import type { ExporterOverrides } from '../exporter.js';
import { describeWebConfig, loadWebConfigFile, resolveWebConfigFile } from '../http/web-config-source.js';
import { createLogger } from '../logging/create-logger.js';
import { Redactor } from '../logging/redactor.js';
import { listCollectors, loadCollectors, type CollectorListing, type LoadCollectorsOptions } from '../plugins/load-collectors.js';
import { BUILTIN_COLLECTORS } from '../plugins/package-names.js';
import { VERSION } from '../version.js';
import { helpText, parseCommandLine, UsageError, type CommandLine } from './parse-command-line.js';

/** Exit codes of the `tessera` bin. */
export const ExitCode = { ok: 0, failure: 1, config: 2 } as const;

/** Where the CLI writes; the process streams by default, buffers in tests. */
export interface MainStreams {
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/**
 * The `tessera` command: parses `argv` (without node and the script), runs the server or a
 * subcommand, and resolves with the exit code: 0 ok, 1 a runtime failure (a collector failed in
 * `collect`, the port is taken), 2 a usage or configuration error (one line on stderr).
 */
export async function main(argv: readonly string[], streams: MainStreams = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await write(streams.stderr, `tessera: ${error.message}\n`);
    return ExitCode.config;
  }
  if (commandLine.help) {
    await write(streams.stdout, helpText());
    return ExitCode.ok;
  }
  if (commandLine.version) {
    await write(streams.stdout, `tessera ${VERSION} (Node.js ${process.version})\n`);
    return ExitCode.ok;
  }
  const configFile = resolve(commandLine.configFile ?? DEFAULT_CONFIG_FILE);
  let document: unknown;
  try {
    document = await readConfigDocument(configFile, { required: commandLine.configFile !== undefined });
    switch (commandLine.command) {
      case 'check-config':
        return commandLine.probe ? await checkSources(document, configFile, commandLine.overrides, streams) : await checkConfig(document, configFile, commandLine.overrides, streams);
      case 'list':
        return await list(document, configFile, commandLine.overrides, streams);
      case 'collect':
        return await collect(document, configFile, commandLine, streams);
      case 'serve':
        return await serve(document, configFile, commandLine.overrides);
    }
  } catch (error) {
    if (isConfigError(error)) {
      // A ConfigFileError's message is the complete line; a bare ConfigError still gets file and path.
      const line = error.name === 'ConfigFileError' ? error.message : `${displayPath(configFile)}: ${formatConfigPath(error.path)}: ${error.message}`;
      // Never print a value that came from the environment: it may be a secret.
      await write(streams.stderr, `${hideSubstitutedValues(line, collectSubstitutions(document, process.env))}\n`);
      return ExitCode.config;
    }
    await write(streams.stderr, `tessera: ${(error as Error)?.message ?? String(error)}\n`);
    return ExitCode.failure;
  }
}

function loaderOptions(document: unknown, configFile: string, overrides: ExporterOverrides): LoadCollectorsOptions {
  const file = displayPath(configFile);
  const redactor = new Redactor();
  const config = parseConfigDocument(document, file, process.env, { registerSecret: (value) => redactor.register(value) });
  return {
    config,
    file,
    configDirectory: dirname(configFile),
    builtins: BUILTIN_COLLECTORS,
    logger: createLogger({ ...config.log, ...definedLog(overrides), redactor }),
    ...(overrides.collectors === undefined ? {} : { selection: overrides.collectors }),
  };
}

function definedLog(overrides: ExporterOverrides): Partial<LoadCollectorsOptions['config']['log']> {
  return Object.fromEntries(Object.entries(overrides.log ?? {}).filter(([, value]) => value !== undefined));
}

async function checkConfig(document: unknown, configFile: string, overrides: ExporterOverrides, streams: MainStreams): Promise<number> {
  const options = loaderOptions(document, configFile, overrides);
  const webConfigFile = resolveWebConfigFile(overrides.webConfigFile, options.config.web.configFile, dirname(configFile));
  const webConfig = webConfigFile === undefined ? undefined : loadWebConfigFile(webConfigFile);
  const loaded = await loadCollectors(options);
  const names = loaded.map((collector) => collector.name).sort();
  await write(streams.stdout, `ok: ${names.length} collector${names.length === 1 ? '' : 's'} (${names.join(', ')})\n`);
  if (webConfigFile !== undefined && webConfig !== undefined) await write(streams.stdout, `ok: web config ${displayPath(webConfigFile)}: ${describeWebConfig(webConfig)}\n`);
  return ExitCode.ok;
}

/**
 * `tessera check-config --probe`: creates every instance as the server would and checks that its
 * source answers, printing one line per instance (`ok` or `FAIL`, with the reason) and a summary.
 */
async function checkSources(document: unknown, configFile: string, overrides: ExporterOverrides, streams: MainStreams): Promise<number> {
  const { createExporter } = await loadExporterModule();
  const exporter = await createExporter({ config: document, configFile, overrides });
  try {
    const results = await exporter.probe();
    for (const result of results) {
      const name = `${result.collector}/${result.instance}`;
      const line = result.success ? `ok    ${name}: reachable (${result.durationSeconds.toFixed(3)} s)` : `FAIL  ${name}: ${result.error ?? 'unreachable'}`;
      await write(result.success ? streams.stdout : streams.stderr, `${line}\n`);
    }
    const failed = results.filter((result) => !result.success).length;
    await write(streams.stdout, `${results.length - failed} of ${results.length} instance${results.length === 1 ? '' : 's'} reachable\n`);
    return failed > 0 ? ExitCode.failure : ExitCode.ok;
  } finally {
    await exporter.close();
  }
}

async function list(document: unknown, configFile: string, overrides: ExporterOverrides, streams: MainStreams): Promise<number> {
  const listings = await listCollectors(loaderOptions(document, configFile, overrides));
  await write(streams.stdout, formatListing(listings));
  return ExitCode.ok;
}

/** The `tessera list` table: one row per collector, aligned columns. */
export function formatListing(listings: readonly CollectorListing[]): string {
  const header = ['NAME', 'PACKAGE', 'VERSION', 'INSTALLED', 'ENABLED', 'SOURCE'];
  const rows = listings.map((listing) => [
    listing.name,
    listing.packageName,
    listing.version ?? '-',
    listing.installed ? (listing.problem === undefined ? 'yes' : `broken: ${listing.problem}`) : 'no',
    listing.enabled ? 'yes' : 'no',
    listing.source,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n') + '\n';
}

// The server stack (fastify, prom-client, undici) loads only for the commands that run collectors,
// so check-config, list and --help start fast.
async function loadExporterModule(): Promise<typeof exporterModule> {
  return import('../exporter.js');
}

async function collect(document: unknown, configFile: string, commandLine: CommandLine, streams: MainStreams): Promise<number> {
  const { createExporter } = await loadExporterModule();
  const exporter = await createExporter({ config: document, configFile, overrides: commandLine.overrides });
  try {
    const result = await exporter.collect(commandLine.collectNames.length > 0 ? { collectors: commandLine.collectNames } : {});
    await write(streams.stdout, result.text);
    for (const error of result.errors) await write(streams.stderr, `tessera collect: ${error}\n`);
    return result.failures > 0 ? ExitCode.failure : ExitCode.ok;
  } finally {
    await exporter.close();
  }
}

async function serve(document: unknown, configFile: string, overrides: ExporterOverrides): Promise<number> {
  const { createExporter } = await loadExporterModule();
  const exporter = await createExporter({ config: document, configFile, overrides });
  const { logger } = exporter;
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolveSignal) => {
    resolveStopped = resolveSignal;
  });
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received === undefined) {
      received = signal;
      resolveStopped(signal);
      return;
    }
    // A second signal while draining means "now": skip the rest of the bounded wait.
    logger.warn(`second ${signal}: exiting without waiting for in-flight scrapes`);
    process.exit(ExitCode.failure);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Removed on every way out: a handler left behind would swallow the embedding process' next signal.
  try {
    try {
      await exporter.listen();
    } catch (error) {
      await exporter.close();
      throw error;
    }
    const signal = await stopped;
    logger.info(`received ${signal}: draining in-flight scrapes and closing collectors`);
    await exporter.close();
    logger.info('shut down');
    return ExitCode.ok;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolveWrite, reject) => stream.write(text, (error) => (error ? reject(error) : resolveWrite())));
}
