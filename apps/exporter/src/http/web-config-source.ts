import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigFileError } from '../config/config-error.js';
import { displayPath, parseYamlText, unreadableConfigReason } from '../config/load-config-file.js';
import { errorMessage } from '../runtime/error-message.js';
import { parseWebConfig, type WebConfig } from './web-config.js';
import { loadServerTls, TlsSettingError, type ServerTls } from './web-config-tls.js';

/**
 * The web config file in force, absolute: `--web.config.file` (relative to the working directory;
 * empty turns it off) beats `web.configFile` (relative to the config file's directory).
 */
export function resolveWebConfigFile(flag: string | undefined, configured: string | undefined, configDirectory: string): string | undefined {
  if (flag !== undefined) return flag === '' ? undefined : resolve(flag);
  return configured === undefined ? undefined : resolve(configDirectory, configured);
}

/** A web config file with everything it names read and checked. */
export interface LoadedWebConfig {
  readonly config: WebConfig;
  /** Absent: plain HTTP. */
  readonly tls: ServerTls | undefined;
  /** The files read (the web config first), and how they looked on disk before they were read. */
  readonly files: readonly string[];
  readonly fingerprint: string;
}

/**
 * Reads, parses and checks a web config file and the PEM files it names, synchronously (it runs
 * when a connection is accepted, before its handshake). Throws {@link ConfigFileError} naming the
 * file and key; `attempted` receives the files read so far and their fingerprint either way.
 */
export function loadWebConfigFile(file: string, attempted?: (files: readonly string[], fingerprint: string) => void): LoadedWebConfig {
  const shown = displayPath(file);
  const files: string[] = [];
  const stamps: string[] = [];
  // Each file is stat-ed before it is read: a change during the read shows as a change next time.
  const readText = (path: string): string => {
    files.push(path);
    stamps.push(fileStamp(path));
    return readFileSync(path, 'utf8');
  };
  try {
    let text: string;
    try {
      text = readText(file);
    } catch (error) {
      throw new ConfigFileError(shown, unreadableConfigReason(error), { cause: error });
    }
    const config = parseWebConfig(parseYamlText(text, shown), file, shown);
    let tls: ServerTls | undefined;
    try {
      tls = config.tls === undefined ? undefined : loadServerTls(config.tls, readText);
    } catch (error) {
      if (error instanceof TlsSettingError) throw new ConfigFileError(shown, error.message, { path: ['tls_server_config', error.key], cause: error });
      throw error;
    }
    return { config, tls, files, fingerprint: stamps.join('|') };
  } finally {
    attempted?.(files, stamps.join('|'));
  }
}

/** What a file looks like on disk, cheaply: identity, size and change times (or its absence). */
function fileStamp(path: string): string {
  try {
    const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
    return stats === undefined ? 'absent' : `${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
  } catch (error) {
    // Unreadable (a directory lost its permissions): the read that follows reports why.
    return `error:${(error as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

function fingerprintOf(files: readonly string[]): string {
  return files.map(fileStamp).join('|');
}

/**
 * The web config in force, re-read when the file or a certificate, key or CA file it names changes
 * (exporter-toolkit re-reads it on every request; a rotated certificate is served on the next
 * connection without a restart). `refresh()` only stats the files while nothing changed. A file
 * that becomes invalid keeps the last good configuration serving and is reported once.
 */
export class WebConfigSource {
  readonly file: string;
  /** Where reloads, and connections the TLS policy refuses (debug), are reported. */
  readonly logger: Logger;
  #current: LoadedWebConfig;
  #failed: { readonly files: readonly string[]; readonly fingerprint: string } | undefined;

  private constructor(file: string, loaded: LoadedWebConfig, logger: Logger) {
    this.file = file;
    this.#current = loaded;
    this.logger = logger;
  }

  /** Loads `file` (absolute); throws {@link ConfigFileError} when it is not valid. */
  static load(file: string, logger: Logger): WebConfigSource {
    const source = new WebConfigSource(file, loadWebConfigFile(file), logger);
    logger.info({ file: displayPath(file) }, `web config ${displayPath(file)}: ${describeWebConfig(source.#current)}`);
    warnIfExpired(source.#current, logger);
    return source;
  }

  /** The configuration in force, without looking at the disk. */
  get current(): LoadedWebConfig {
    return this.#current;
  }

  /** The configuration in force after looking for changed files (and reloading when there are). */
  refresh(): LoadedWebConfig {
    if (this.#failed !== undefined) {
      if (fingerprintOf(this.#failed.files) === this.#failed.fingerprint) return this.#current;
    } else if (fingerprintOf(this.#current.files) === this.#current.fingerprint) {
      return this.#current;
    }
    let attempt: { files: readonly string[]; fingerprint: string } | undefined;
    try {
      const next = loadWebConfigFile(this.file, (files, fingerprint) => (attempt = { files, fingerprint }));
      if ((next.tls === undefined) !== (this.#current.tls === undefined)) {
        throw new ConfigFileError(displayPath(this.file), `switching between HTTP and HTTPS (tls_server_config) takes a restart`);
      }
      this.#current = next;
      this.#failed = undefined;
      this.logger.info({ file: displayPath(this.file) }, `web config reloaded: ${describeWebConfig(next)}`);
      warnIfExpired(next, this.logger);
    } catch (error) {
      // Reported once: the same broken files are not read again until one of them changes.
      this.#failed = attempt ?? { files: this.#current.files, fingerprint: fingerprintOf(this.#current.files) };
      this.logger.error({ file: displayPath(this.file) }, `web config not reloaded, still serving the last good one: ${errorMessage(error)}`);
    }
    return this.#current;
  }
}

/** One line on what a web config turns on, for the log (never a secret). */
export function describeWebConfig(loaded: LoadedWebConfig): string {
  const { config, tls } = loaded;
  const parts = [
    tls === undefined
      ? 'plain HTTP'
      : `TLS with certificate ${tls.certificate.subject.replaceAll('\n', ', ')} (serial ${tls.certificate.serialNumber}, valid until ${new Date(tls.certificate.validTo).toISOString()}), client certificates: ${tls.clientAuthType}`,
    config.users.size === 0 ? 'no basic auth' : `basic auth for ${config.users.size} user${config.users.size === 1 ? '' : 's'}`,
  ];
  if (config.rateLimit !== undefined) parts.push(`rate limit ${config.rateLimit.burst} burst, 1 per ${config.rateLimit.intervalMs} ms`);
  return parts.join('; ');
}

function warnIfExpired(loaded: LoadedWebConfig, logger: Logger): void {
  const certificate = loaded.tls?.certificate;
  if (certificate !== undefined && new Date(certificate.validTo).getTime() < Date.now()) {
    logger.warn(`the TLS certificate expired at ${new Date(certificate.validTo).toISOString()}: clients that verify it will refuse to connect`);
  }
}
