import { readFileSync } from 'node:fs';
import { parseGatewayUrl } from './gateway-url.js';
import type { TransportOptions } from './pushgateway-client.js';

/** Where the CLI reads and writes; the bin passes the process's own, tests pass their own. */
export interface CommandIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of `tessera-push` itself; `exec` exits with its command's status instead. */
export const ExitCode = {
  /** Pushed (or printed, with `--dry-run`); also a failed push with `--best-effort`. */
  ok: 0,
  /** The push failed. */
  pushFailed: 1,
  /** The file, a flag or the configuration is invalid: nothing was sent (or run). */
  invalidInput: 2,
} as const;

/** A mistake on the command line or in the configuration: exit 2, whatever else was asked for. */
export class UsageError extends Error {}

/** The `parseArgs` options every subcommand that pushes understands. */
export const PUSH_FLAGS = {
  gateway: { type: 'string' },
  job: { type: 'string' },
  label: { type: 'string', multiple: true },
  'timeout-ms': { type: 'string' },
  retries: { type: 'string' },
  'ca-file': { type: 'string' },
  'cert-file': { type: 'string' },
  'key-file': { type: 'string' },
  proxy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The usage lines of {@link PUSH_FLAGS}, with a command's `extraOptions` lines after `--help`. */
export function pushUsage(...extraOptions: string[]): string {
  return `  --gateway URL       Pushgateway URL; http:// is assumed without a scheme (default: $PUSHGATEWAY_URL)
  --label NAME=VALUE  grouping key label; repeatable
  --timeout-ms N      per-request timeout (default 5000)
  --retries N         retries on connection errors, timeouts and 5xx (default 2)
  --ca-file PATH      CA certificate (PEM) of a Pushgateway with a private CA
  --cert-file PATH    client certificate (PEM) for mutual TLS, with --key-file
  --key-file PATH     client key (PEM)
  --proxy URL         HTTP(S) proxy
  -h, --help          show this help
${extraOptions.map((line) => `${line}\n`).join('')}
Credentials come from the environment, never from flags (which other users can see in ps):
PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD for basic auth, PUSHGATEWAY_BEARER_TOKEN for a token.`;
}

interface TransportValues {
  readonly gateway?: string | undefined;
  readonly 'timeout-ms'?: string | undefined;
  readonly retries?: string | undefined;
  readonly 'ca-file'?: string | undefined;
  readonly 'cert-file'?: string | undefined;
  readonly 'key-file'?: string | undefined;
  readonly proxy?: string | undefined;
}

/**
 * The transport settings the flags and the environment give. Throws {@link UsageError} for what can
 * never work: no gateway, an unusable gateway URL, a setting out of range, a certificate file that
 * cannot be read. Checked before anything is sent or run, so a typo is exit 2 and not a failed push.
 */
export function readTransportOptions(values: TransportValues, env: CommandIo['env']): TransportOptions & { readonly gateway: string } {
  const fromFlag = nonEmpty(values.gateway);
  const gateway = fromFlag ?? nonEmpty(env.PUSHGATEWAY_URL);
  if (gateway === undefined) throw new UsageError('no Pushgateway URL: pass --gateway or set PUSHGATEWAY_URL');
  const url = parseGatewayUrl(gateway);
  if (typeof url === 'string') throw new UsageError(`${fromFlag === undefined ? 'PUSHGATEWAY_URL' : '--gateway'}: ${url}`);
  for (const flag of ['ca-file', 'cert-file', 'key-file'] as const) {
    const path = values[flag];
    if (path === undefined) continue;
    try {
      readFileSync(path);
    } catch (error) {
      throw new UsageError(`--${flag}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if ((values['cert-file'] === undefined) !== (values['key-file'] === undefined)) throw new UsageError('--cert-file and --key-file must be given together');
  const username = nonEmpty(env.PUSHGATEWAY_USERNAME);
  return {
    gateway,
    // The longest delay a Node timer holds.
    timeoutMs: parseCount('--timeout-ms', values['timeout-ms'], 1, 2 ** 31 - 1),
    retries: parseCount('--retries', values.retries, 0),
    caFile: values['ca-file'],
    certFile: values['cert-file'],
    keyFile: values['key-file'],
    proxy: values.proxy,
    basicAuth: username === undefined ? undefined : { username, password: env.PUSHGATEWAY_PASSWORD ?? '' },
    bearerToken: nonEmpty(env.PUSHGATEWAY_BEARER_TOKEN),
  };
}

/** An integer flag within bounds, or `undefined` when the flag is absent. */
export function parseCount(flag: string, text: string | undefined, minimum: number, maximum?: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum || (maximum !== undefined && value > maximum)) {
    throw new UsageError(`${flag} must be an integer ${maximum === undefined ? `of at least ${minimum}` : `from ${minimum} to ${maximum}`}, not ${JSON.stringify(text)}`);
  }
  return value;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration flag in Prometheus' spelling (`500ms`, `15s`, `1m30s`, `2h`; a bare number is seconds),
 * in milliseconds, from `minimumMs` to what a Node timer holds.
 */
export function parseDuration(flag: string, text: string, minimumMs: number): number {
  const trimmed = text.trim();
  let milliseconds: number | undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) milliseconds = Number(trimmed) * 1000;
  else if (/^(\d+(ms|s|m|h))+$/.test(trimmed)) {
    milliseconds = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h)/g)) milliseconds += Number(amount) * (DURATION_UNITS[unit ?? 's'] ?? 1000);
  }
  if (milliseconds === undefined || milliseconds < minimumMs || milliseconds > 2 ** 31 - 1) {
    throw new UsageError(`${flag} must be a duration such as 500ms, 15s or 1m, from ${minimumMs} ms to about 24 days, not ${JSON.stringify(text)}`);
  }
  return Math.round(milliseconds);
}

/** `--label NAME=VALUE` flags as a grouping key. */
export function parseLabelFlags(flags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const separator = flag.indexOf('=');
    if (separator <= 0) throw new UsageError(`--label expects NAME=VALUE, got ${JSON.stringify(flag)}`);
    labels[flag.slice(0, separator)] = flag.slice(separator + 1);
  }
  return labels;
}

/** Whether `error` is one of `parseArgs`' own (an unknown option, a missing value): a usage mistake. */
export function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/** A setting that is absent or blank counts as not given. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The package version, for `--version`. */
export function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
