import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { request, type Dispatcher } from 'undici';

/** One JSON log line as pino wrote it. */
export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** A pino logger at debug level that keeps its records in memory. */
export function captureLogger(): { logger: Logger; records: LogRecord[]; warnings: () => LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as LogRecord) });
  return { logger, records, warnings: () => records.filter((record) => record.level === 40) };
}

/** One group of the Pushgateway's `/api/v1/metrics`. */
export interface GatewayGroup {
  readonly labels: Record<string, string>;
  readonly last_push_successful: boolean;
  readonly [metric: string]: unknown;
}

/** One metric family of a group in `/api/v1/metrics`. */
export interface GatewayFamily {
  readonly type: string;
  readonly help: string;
  readonly metrics: readonly {
    readonly labels: Record<string, string>;
    readonly value?: string;
    readonly buckets?: Record<string, string>;
    readonly quantiles?: Record<string, string>;
    readonly sum?: string;
    readonly count?: string;
  }[];
}

/** Reads every group back from a Pushgateway through its JSON API. */
export async function readGroups(gatewayUrl: string, options: { dispatcher?: Dispatcher; headers?: Record<string, string> } = {}): Promise<GatewayGroup[]> {
  const response = await request(`${gatewayUrl}/api/v1/metrics`, options);
  const body = (await response.body.json()) as { status: string; data: GatewayGroup[] };
  if (body.status !== 'success') throw new Error(`api/v1/metrics answered ${JSON.stringify(body)}`);
  return body.data;
}

/** The group whose labels are exactly `labels` (`job` included), or undefined. */
export async function findGroup(gatewayUrl: string, labels: Record<string, string>): Promise<GatewayGroup | undefined> {
  const groups = await readGroups(gatewayUrl);
  return groups.find((group) => sameLabels(group.labels, labels));
}

/** The family `name` of a group, or undefined. */
export function familyOf(group: GatewayGroup | undefined, name: string): GatewayFamily | undefined {
  return group?.[name] as GatewayFamily | undefined;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a).sort();
  return keys.join('\u0000') === Object.keys(b).sort().join('\u0000') && keys.every((key) => a[key] === b[key]);
}

/** A local HTTP server on 127.0.0.1 that records the requests it gets. */
export interface LocalServer {
  readonly url: string;
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

/** Starts an HTTP server on a free loopback port; `handler` answers each request. */
export async function startHttpServer(handler: (request: IncomingMessage, response: ServerResponse, index: number) => void): Promise<LocalServer> {
  const requests: LocalServer['requests'] = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handler(request, response, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: the hung gateway. */
export async function startSilentServer(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createNetServer((socket) => {
    // Counts requests, not connections: undici may open a spare connection after an abort.
    socket.once('data', () => requests++);
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function closedPortUrl(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}

/** What a child Node process did. */
export interface ScriptOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** The built package entry, for scripts run in a child process (the package must be built first). */
export const distEntryUrl = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;

/**
 * Runs an ES module source in a child `node` with the package's built entry importable as
 * `PUSH_ENTRY`; kills it after `timeoutMs`. `onStdout` sees output as it arrives (to send signals).
 */
export async function runNodeScript(
  source: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; onStdout?: (text: string, child: ChildProcess) => void } = {},
): Promise<ScriptOutcome> {
  if (!existsSync(fileURLToPath(distEntryUrl))) throw new Error('packages/push/dist is missing: run `pnpm build` (turbo runs it before the tests)');
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', source.replaceAll('PUSH_ENTRY', JSON.stringify(distEntryUrl))], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(stdout, child);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signalName) => resolve([code, signalName])));
  clearTimeout(killer);
  return { exitCode, signal, stdout, stderr, durationMs: performance.now() - started };
}

/** The pino warnings (level 40) among a child's stderr lines. */
export function warningLines(stderr: string): LogRecord[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord)
    .filter((record) => record.level === 40);
}
