import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlashBladeSimulator } from '../src/index.js';
import { RestSession } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const children: ChildProcessByStdio<null, Readable, Readable>[] = [];

function run(args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('pnpm sim flashblade (dist/main.js)', () => {
  it('prints one JSON line that reaches it, serves until SIGTERM, then exits 0', async () => {
    const child = run(['--filesystems', '3', '--buckets', '2', '--tls', '--page-size', '2']);
    const line = await firstLine(child);
    const printed = JSON.parse(line) as { url: string; apiToken: string; ca: string; config: { endpoint: string; apiToken: string; ca: string } };
    expect(printed.config).toEqual({ endpoint: printed.url, apiToken: printed.apiToken, ca: printed.ca });

    const simulator = { url: printed.url, apiToken: printed.apiToken } as FlashBladeSimulator;
    const session = new RestSession(simulator, new Agent({ connect: { ca: printed.ca } }));
    expect((await session.login()).status).toBe(200);
    expect((await session.all('/file-systems')).map((item) => item.name)).toEqual(['fs-00000', 'fs-00001', 'fs-00002']);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('refuses a malformed option with exit code 2 and the usage', async () => {
    const child = run(['--filesystems', 'many']);
    const stderr: string[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr.join('')).toContain('--filesystems expects a non-negative integer');
    expect(stderr.join('')).toContain('usage: pnpm --silent sim flashblade');
  });
});
