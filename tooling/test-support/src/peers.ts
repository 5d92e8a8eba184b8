import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stringify } from 'yaml';
import { requireBinary } from './binaries.js';
import { startPeer, type RunningPeer } from './peer.js';

/** Starts the Debian Pushgateway on loopback with a scratch persistence file. */
export async function startPushgateway(
  options: { readonly extraArgs?: readonly string[]; readonly scheme?: 'http' | 'https'; readonly isReady?: (url: string) => Promise<boolean> } = {},
): Promise<RunningPeer> {
  return startPeer({
    command: requireBinary('prometheus-pushgateway'),
    args: (port, workDir) => [
      `--web.listen-address=127.0.0.1:${port}`,
      `--persistence.file=${join(workDir, 'persistence')}`,
      ...(options.extraArgs ?? []),
    ],
    readyPath: '/-/ready',
    ...(options.scheme ? { scheme: options.scheme } : {}),
    ...(options.isReady ? { isReady: options.isReady } : {}),
  });
}

/** Starts the Debian node_exporter on loopback with the given collector flags. */
export async function startNodeExporter(args: readonly string[]): Promise<RunningPeer> {
  return startPeer({
    command: requireBinary('prometheus-node-exporter'),
    args: (port) => [`--web.listen-address=127.0.0.1:${port}`, ...args],
    readyPath: '/metrics',
  });
}

/** One instant-vector result of `/api/v1/query`. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** Runs an instant query against the Prometheus at `url` and returns the vector (throws on an API error). */
export async function queryPrometheus(url: string, expression: string): Promise<PromSample[]> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expression} failed: ${body.error ?? response.status}`);
  if (body.data.resultType !== 'vector') throw new Error(`query ${expression} returned ${body.data.resultType}, expected a vector`);
  return body.data.result.map((entry) => ({ metric: entry.metric, value: Number(entry.value[1]) }));
}

export interface RunningPrometheus extends RunningPeer {
  /** Runs an instant query and returns the vector (throws on an API error). */
  query(expression: string): Promise<PromSample[]>;
  /** Polls `query` until `accept` returns true, or throws with the last result after `timeoutMs`. */
  waitFor(expression: string, accept: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
}

/**
 * Starts the Debian Prometheus server on loopback. `scrapeConfigs` are Prometheus `scrape_configs`
 * entries (snake_case, as Prometheus reads them); the global interval defaults to 1 s.
 */
export async function startPrometheus(options: {
  readonly scrapeConfigs: readonly Record<string, unknown>[];
  readonly scrapeInterval?: string;
}): Promise<RunningPrometheus> {
  const interval = options.scrapeInterval ?? '1s';
  const peer = await startPeer({
    command: requireBinary('prometheus'),
    prepare: async (workDir) => {
      const config = { global: { scrape_interval: interval, scrape_timeout: interval }, scrape_configs: options.scrapeConfigs };
      await writeFile(join(workDir, 'prometheus.yml'), stringify(config));
    },
    args: (port, workDir) => [
      `--config.file=${join(workDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
  });
  const query = (expression: string): Promise<PromSample[]> => queryPrometheus(peer.url, expression);
  const waitFor = async (expression: string, accept: (samples: PromSample[]) => boolean, timeoutMs = 30_000): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      last = await query(expression);
      if (accept(last)) return last;
      await delay(250);
    }
    throw new Error(`${expression} did not reach the expected result within ${timeoutMs} ms; last result: ${JSON.stringify(last)}`);
  };
  return Object.assign(peer, { query, waitFor });
}

/** Result of `promtool check metrics`: exit code 0 clean, 3 lint findings, 1 parse error. */
export interface PromtoolResult {
  readonly exitCode: number;
  /** One entry per finding line (`<metric> <problem>`), or the parse error. */
  readonly findings: readonly string[];
}

/** Pipes exposition text through the Debian `promtool check metrics`. */
export async function promtoolCheckMetrics(text: string): Promise<PromtoolResult> {
  const child = spawn(requireBinary('promtool'), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? -1));
    child.stdin.end(text);
  });
  const findings = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return { exitCode, findings };
}
