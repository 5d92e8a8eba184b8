import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';

/** The built bin, run as the e2e suites and operators run it. */
export const BIN = fileURLToPath(new URL('../dist/bin/tessera.js', import.meta.url));
const VENDOR = fileURLToPath(new URL('fixtures/project/vendor-node-modules', import.meta.url));

/** A scratch operator project: the fixture packages installed in `node_modules`, a config file. */
export interface Project {
  readonly directory: string;
  readonly configFile: string;
  writeConfig(text: string): Promise<void>;
  remove(): Promise<void>;
}

/** Creates a project in the OS temp directory with the fixture packages under `node_modules`. */
export async function createProject(configText = ''): Promise<Project> {
  const directory = await mkdtemp(join(tmpdir(), 'tessera-exporter-test-'));
  await cp(VENDOR, join(directory, 'node_modules'), { recursive: true });
  const configFile = join(directory, 'tessera.yaml');
  await writeFile(configFile, configText);
  return {
    directory,
    configFile,
    writeConfig: (text) => writeFile(configFile, text),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

/** What one bin run produced. */
export interface BinResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the bin to completion and returns its exit code and output. Bounded to 20 s, below the
 * suites' 30 s test timeout, so a run that unexpectedly starts serving is killed by this helper
 * rather than left behind when the test gives up.
 */
export function runBin(args: readonly string[], options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? tmpdir(), env: options.env ?? process.env, timeout: 20_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`could not run ${BIN}: ${error.message}`, { cause: error }));
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** A pino logger at `level` whose records land in `records` (parsed JSON). */
export function captureLogger(level = 'debug'): { readonly logger: Logger; readonly records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') records.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level, formatters: { level: (label) => ({ level: label }) } }, stream), records };
}

/** A promise with its resolve function exposed (Node 20 has no Promise.withResolvers). */
export function deferred<T = void>(): { readonly promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** In-memory stdout and stderr for `main()`, and what was written to each. */
export function captureStreams(): { readonly stdout: Writable; readonly stderr: Writable } & { stdoutText(): string; stderrText(): string } {
  const collect = (chunks: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'));
        callback();
      },
    });
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: collect(out), stderr: collect(err), stdoutText: () => out.join(''), stderrText: () => err.join('') };
}
