import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A server process started for a test, bound to loopback. */
export interface RunningPeer {
  /** `http://127.0.0.1:<port>` (https when started with TLS). */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** A scratch directory removed by `stop()`. */
  readonly workDir: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; removes the work directory. Idempotent. */
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartPeerOptions {
  readonly command: string;
  /** Builds the argument list from the chosen port and the scratch directory. */
  readonly args: (port: number, workDir: string) => readonly string[];
  /** Path polled until it answers 2xx, e.g. `/-/ready`. */
  readonly readyPath: string;
  readonly scheme?: 'http' | 'https';
  readonly readyTimeoutMs?: number;
  /** Called with the scratch directory before the process starts (write config files here). */
  readonly prepare?: (workDir: string, port: number) => Promise<void>;
  readonly env?: NodeJS.ProcessEnv;
  /** Replaces the plain `fetch` readiness probe (for TLS peers whose CA the default agent lacks). */
  readonly isReady?: (readyUrl: string) => Promise<boolean>;
}

/** Starts a server process on a free loopback port and waits until it answers `readyPath`. */
export async function startPeer(options: StartPeerOptions): Promise<RunningPeer> {
  const workDir = await mkdtemp(join(tmpdir(), 'tessera-peer-'));
  const port = await getFreePort();
  await options.prepare?.(workDir, port);
  const child = spawn(options.command, options.args(port, workDir), {
    cwd: workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const peer: RunningPeer = {
    url: `${options.scheme ?? 'http'}://127.0.0.1:${port}`,
    port,
    process: child,
    workDir,
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilReady(peer, options);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  return peer;
}

async function waitUntilReady(peer: RunningPeer, options: StartPeerOptions): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  const readyUrl = `${peer.url}${options.readyPath}`;
  while (Date.now() < deadline) {
    if (peer.process.exitCode !== null) {
      throw new Error(`${options.command} exited with code ${peer.process.exitCode} before it was ready:\n${peer.output()}`);
    }
    if (await (options.isReady ?? answersOk)(readyUrl).catch(() => false)) return;
    await delay(100);
  }
  throw new Error(`${options.command} was not ready at ${readyUrl} within ${options.readyTimeoutMs ?? 30_000} ms:\n${peer.output()}`);
}

async function answersOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.arrayBuffer();
  return response.ok;
}
