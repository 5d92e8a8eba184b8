import { spawn } from 'node:child_process';

/** Options of {@link checkWithPromtool}. */
export interface PromtoolOptions {
  /** The promtool executable (default `promtool` on PATH). */
  readonly binary?: string;
  /**
   * Findings to tolerate, for names kept for compatibility. A string matches a finding's metric
   * name exactly; a RegExp is tested against the whole finding line (`<metric> <message>`).
   */
  readonly allow?: readonly (string | RegExp)[];
}

/**
 * Pipes exposition text through `promtool check metrics` (from the Prometheus release or the Debian
 * `prometheus` package) and returns the findings not covered by `allow`, plus a parse error if
 * promtool reports one. Empty when the text is clean. Rejects when promtool cannot be started.
 * Note that promtool does not detect duplicate series; use findDuplicateSeries for that.
 */
export async function checkWithPromtool(text: string, options: PromtoolOptions = {}): Promise<string[]> {
  const binary = options.binary ?? 'promtool';
  const { exitCode, output } = await runPromtool(binary, text);
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (exitCode === 0) return [];
  if (exitCode !== 3) return [`promtool check metrics exited with ${exitCode}: ${lines.join('; ') || 'no output'}`];
  return lines.filter((line) => !isAllowed(line, options.allow ?? []));
}

function isAllowed(finding: string, allow: readonly (string | RegExp)[]): boolean {
  const metric = finding.split(' ', 1)[0] ?? '';
  return allow.some((entry) => (typeof entry === 'string' ? entry === metric : new RegExp(entry.source, entry.flags.replace(/[gy]/g, '')).test(finding)));
}

async function runPromtool(binary: string, text: string): Promise<{ exitCode: number; output: string }> {
  const child = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  // promtool may exit before reading all of stdin (parse error on line 1): ignore the broken pipe.
  child.stdin.on('error', () => undefined);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${binary} check metrics: ${error.message}`, { cause: error })));
    child.once('close', (code) => resolve(code ?? -1));
    child.stdin.end(text);
  });
  return { exitCode, output };
}
