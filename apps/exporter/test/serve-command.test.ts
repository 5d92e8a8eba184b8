import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { createProject, type Project } from './helpers.js';

function buffer(): { readonly stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('tessera (serve) in process', { timeout: 30_000 }, () => {
  let project: Project;
  let occupier: Server;
  let port: number;
  beforeAll(async () => {
    project = await createProject();
    occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const address = occupier.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => occupier.close(resolve));
    await project.remove();
  });

  it('exits 1 when the port is taken, and leaves no signal handlers behind', async () => {
    const before = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') };
    const stdout = buffer();
    const stderr = buffer();
    const code = await main(
      [`--config=${project.configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--web.disable-exporter-metrics', '--log.level=error'],
      { stdout: stdout.stream, stderr: stderr.stream },
    );
    expect(code).toBe(1);
    expect(stderr.text()).toMatch(/^tessera: .*EADDRINUSE.*\n$/);
    expect(stdout.text()).toBe('');
    // A handler left behind would swallow the embedding process' next SIGTERM.
    expect({ SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') }).toEqual(before);
  });
});
