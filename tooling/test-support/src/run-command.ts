import { execFile } from 'node:child_process';

/** How a command ended: its exit code (`null` when a signal ended it) and everything it wrote. */
export interface CommandOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion and resolves with its exit code and output, whatever the code (tests
 * assert on failures as much as on successes). Rejects only when the command cannot be started.
 * Killed after `timeoutMs` (default 60 s), so a hung command fails its test instead of hanging it.
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ code: 0, stdout, stderr });
        // A string code (ENOENT, EACCES…) means the command never ran; a number is its exit code.
        if (typeof error.code === 'string') return reject(new Error(`cannot run ${command}: ${error.message}`, { cause: error }));
        resolve({ code: error.code ?? null, stdout, stderr });
      },
    );
  });
}
