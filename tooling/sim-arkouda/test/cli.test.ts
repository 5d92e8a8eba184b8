import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TestClient } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('the sim CLI', () => {
  it('prints one JSON line with the servers and the collector config, serves them, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, '--servers', '2', '--locales', '2', '--era', '2023.04'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    const printed = JSON.parse(line) as { servers: { name: string; url: string }[]; config: { instance: string; host: string; port: number }[] };
    expect(printed.servers.map((server) => server.name)).toEqual(['arkouda-1', 'arkouda-2']);
    expect(printed.config).toEqual(printed.servers.map((server) => ({ instance: server.name, host: '127.0.0.1', port: Number(new URL(server.url).port) })));

    const client = new TestClient(printed.servers[1]!.url);
    try {
      expect(JSON.parse((await client.ask('getconfig')).msg)).toMatchObject({ arkoudaVersion: 'v2023.04.07', numLocales: 2 });
    } finally {
      client.close();
    }
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('refuses an unknown era with a usage message and exit code 2', async () => {
    const child = spawn(process.execPath, [MAIN, '--era', '1999.01'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain('--era must be one of 2022.08, 2022.09, 2023.04, 2024.04, 2024.10');
  });
});
