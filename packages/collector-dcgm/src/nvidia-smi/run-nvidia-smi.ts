import { spawn } from 'node:child_process';
import { abortReason } from '../abort.js';

/** What a finished nvidia-smi run printed. */
export interface CommandResult {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** nvidia-smi could not be started at all (not installed, not executable). */
export class CommandNotFoundError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandNotFoundError';
  }
}

/** Output beyond this is dropped: a CSV for 64 GPUs is a few KiB. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Runs `command args…` without a shell, in a process group of its own. When `signal` fires, the
 * whole group is killed with SIGKILL (nvidia-smi stuck in the driver ignores gentler signals, and a
 * wrapper script's children must go too), and the promise rejects with the signal's reason once the
 * child has exited and been reaped, so nothing is left behind.
 */
export function runCommand(command: string, args: readonly string[], signal: AbortSignal): Promise<CommandResult> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, LC_ALL: 'C' } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    const collect = (chunks: Buffer[]) => (chunk: Buffer) => {
      if (size >= MAX_OUTPUT_BYTES) return;
      size += chunk.length;
      chunks.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', kill);
      if (error.code === 'ENOENT' || error.code === 'EACCES') reject(new CommandNotFoundError(`${command}: ${error.code === 'ENOENT' ? 'not found' : 'not executable'}`, { cause: error }));
      else reject(error);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', kill);
      if (signal.aborted) {
        reject(abortReason(signal));
        return;
      }
      resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}
