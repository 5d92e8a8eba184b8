import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildGroupingPath, describeGroupingProblem } from './grouping-path.js';
import { MetricFileError, parseMetricFile, type MetricFile } from './parse-metric-file.js';
import { PushgatewayClient } from './pushgateway-client.js';

/** Where the CLI reads and writes; the bin passes the process's own, tests pass their own. */
export interface CommandIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit codes of `tessera-push`. */
export const ExitCode = {
  /** Pushed (or printed, with `--dry-run`); also a failed push with `--best-effort`. */
  ok: 0,
  /** The push failed. */
  pushFailed: 1,
  /** The file, a flag or the configuration is invalid: nothing was sent. */
  invalidInput: 2,
} as const;

const USAGE = `Usage: tessera-push [options] FILE|-

Validates a metric file (JSON per schema/metrics.schema.json, or Prometheus text format) and pushes it
to a Pushgateway.

Options:
  --gateway URL       Pushgateway URL (default: $PUSHGATEWAY_URL)
  --job NAME          job label (default: the file's "job", then $TESSERA_PUSH_JOB)
  --label NAME=VALUE  grouping key label; repeatable
  --method put|post   put replaces the group (default), post only the metrics in the file
  --dry-run           print the exposition text instead of pushing
  --best-effort       exit 0 even when the push fails (the failure is still printed)
  --format auto|json|text   input format (default: auto, JSON when the file starts with "{")
  --timeout-ms N      per-request timeout (default 5000)
  --retries N         retries on connection errors, timeouts and 5xx (default 2)
  --ca-file PATH      CA certificate (PEM) of a Pushgateway with a private CA
  --cert-file PATH    client certificate (PEM) for mutual TLS, with --key-file
  --key-file PATH     client key (PEM)
  --proxy URL         HTTP(S) proxy
  -h, --help          show this help
  --version           show the version

Credentials come from the environment, never from flags (which other users can see in ps):
PUSHGATEWAY_USERNAME and PUSHGATEWAY_PASSWORD for basic auth, PUSHGATEWAY_BEARER_TOKEN for a token.

Exit codes: 0 pushed, 1 push failed (0 with --best-effort), 2 invalid input.
`;

class UsageError extends Error {}

/**
 * Runs `tessera-push` with `args` (without the node and script paths) and returns the exit code.
 * Never throws for bad input or a failed push: both are reported on `stderr`.
 */
export async function runTesseraPush(args: readonly string[], io: CommandIo): Promise<number> {
  const error = (message: string): void => void io.stderr.write(`tessera-push: ${message}\n`);
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args);
  } catch (problem) {
    error(problem instanceof Error ? problem.message : String(problem));
    io.stderr.write(`Run tessera-push --help for usage.\n`);
    return ExitCode.invalidInput;
  }
  const { values, file } = parsed;
  if (values.help === true) {
    io.stdout.write(USAGE);
    return ExitCode.ok;
  }
  if (values.version === true) {
    io.stdout.write(`${readVersion()}\n`);
    return ExitCode.ok;
  }
  if (file === undefined) {
    error('missing FILE (use - for standard input)');
    return ExitCode.invalidInput;
  }
  const source = file === '-' ? 'stdin' : file;

  let content: string;
  try {
    content = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8');
  } catch (problem) {
    error(`cannot read ${source}: ${problem instanceof Error ? problem.message : String(problem)}`);
    return ExitCode.invalidInput;
  }

  let labels: Record<string, string>;
  try {
    labels = parseLabelFlags(values.label ?? []);
  } catch (problem) {
    error(problem instanceof Error ? problem.message : String(problem));
    return ExitCode.invalidInput;
  }

  let metricFile: MetricFile;
  try {
    metricFile = parseMetricFile(content, { format: values.format, groupingLabelNames: Object.keys(labels) });
  } catch (problem) {
    if (!(problem instanceof MetricFileError)) throw problem;
    for (const issue of problem.issues) error(`${source}: ${issue.path}: ${issue.message}`);
    return ExitCode.invalidInput;
  }

  if (values['dry-run'] === true) {
    io.stdout.write(metricFile.text);
    return ExitCode.ok;
  }

  const job = nonEmpty(values.job) ?? metricFile.job ?? nonEmpty(io.env.TESSERA_PUSH_JOB);
  if (job === undefined) {
    error('no job name: pass --job, set "job" in the file, or set TESSERA_PUSH_JOB');
    return ExitCode.invalidInput;
  }
  const groupingKey = { ...metricFile.groupingKey, ...labels };
  const groupingProblem = describeGroupingProblem(job, groupingKey);
  if (groupingProblem !== undefined) {
    error(groupingProblem);
    return ExitCode.invalidInput;
  }
  const gateway = nonEmpty(values.gateway) ?? nonEmpty(io.env.PUSHGATEWAY_URL);
  if (gateway === undefined) {
    error('no Pushgateway URL: pass --gateway or set PUSHGATEWAY_URL');
    return ExitCode.invalidInput;
  }
  const username = nonEmpty(io.env.PUSHGATEWAY_USERNAME);
  const bearerToken = nonEmpty(io.env.PUSHGATEWAY_BEARER_TOKEN);
  const client = new PushgatewayClient({
    gateway,
    // The CLI reports in plain words on stderr instead of JSON log lines.
    logger: pino({ level: 'silent' }),
    timeoutMs: values['timeout-ms'],
    retries: values.retries,
    caFile: values['ca-file'],
    certFile: values['cert-file'],
    keyFile: values['key-file'],
    proxy: values.proxy,
    basicAuth: username === undefined ? undefined : { username, password: io.env.PUSHGATEWAY_PASSWORD ?? '' },
    bearerToken,
  });
  const method = values.method === 'post' ? 'POST' : 'PUT';
  const result = await client.send(method, buildGroupingPath(job, groupingKey), metricFile.text);
  await client.close();
  if (result.ok) {
    io.stderr.write(`tessera-push: ${method} ${result.url} answered ${result.status}\n`);
    return ExitCode.ok;
  }
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  error(`push failed after ${attempts} (${result.reason}): ${result.message}${values['best-effort'] === true ? ' [--best-effort: exit 0]' : ''}`);
  return values['best-effort'] === true ? ExitCode.ok : ExitCode.pushFailed;
}

function parseCommandLine(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      gateway: { type: 'string' },
      job: { type: 'string' },
      label: { type: 'string', multiple: true },
      method: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'best-effort': { type: 'boolean' },
      format: { type: 'string' },
      'timeout-ms': { type: 'string' },
      retries: { type: 'string' },
      'ca-file': { type: 'string' },
      'cert-file': { type: 'string' },
      'key-file': { type: 'string' },
      proxy: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.method !== undefined && values.method !== 'put' && values.method !== 'post') throw new UsageError(`--method must be put or post, not ${values.method}`);
  const format = parseFormat(values.format ?? 'auto');
  return {
    file: positionals[0],
    values: {
      ...values,
      format,
      // The longest delay a Node timer holds.
      'timeout-ms': parseCount('--timeout-ms', values['timeout-ms'], 1, 2 ** 31 - 1),
      retries: parseCount('--retries', values.retries, 0),
    },
  };
}

function parseFormat(text: string): 'auto' | 'json' | 'text' {
  if (text === 'auto' || text === 'json' || text === 'text') return text;
  throw new UsageError(`--format must be auto, json or text, not ${text}`);
}

function parseCount(flag: string, text: string | undefined, minimum: number, maximum?: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum || (maximum !== undefined && value > maximum)) {
    throw new UsageError(`${flag} must be an integer ${maximum === undefined ? `of at least ${minimum}` : `from ${minimum} to ${maximum}`}, not ${JSON.stringify(text)}`);
  }
  return value;
}

function parseLabelFlags(flags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const separator = flag.indexOf('=');
    if (separator <= 0) throw new UsageError(`--label expects NAME=VALUE, got ${JSON.stringify(flag)}`);
    labels[flag.slice(0, separator)] = flag.slice(separator + 1);
  }
  return labels;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}
