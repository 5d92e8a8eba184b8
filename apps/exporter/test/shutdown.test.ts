import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, createProject, type Project } from './helpers.js';

let project: Project;
beforeAll(async () => {
  project = await createProject();
});
afterAll(async () => {
  await project.remove();
});

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(file);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
      await delay(20);
    }
  }
}

/** Starts the bin on a free port (project config) and waits for its "listening" line. */
async function serve(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; stderr(): string }> {
  const child = spawn(process.execPath, [BIN, '--web.listen-address=127.0.0.1:0', '--no-collector.node', '--no-collector.dcgm'], {
    cwd: project.directory,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening" line within 10 s:\n${stderr}`));
    }, 10_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return { child, url, exited, stderr: () => stderr };
}

/** The status of a GET /metrics on a connection of its own, or the code of the error that ended it. */
function requestOutcome(port: number): Promise<string> {
  return new Promise<string>((resolve) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(String(response.statusCode)));
      response.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end();
  });
}

/** Outcome → how often; fails if any connection was accepted and then reset (or failed otherwise). */
function expectNoneReset(results: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result] = (counts[result] ?? 0) + 1;
  // Answered (200, or 503 while closing), or refused once the listener is gone: never accepted and then reset.
  expect(Object.keys(counts).filter((result) => !['200', '503', 'ECONNREFUSED'].includes(result)), JSON.stringify(counts)).toEqual([]);
  return counts;
}

describe('SIGTERM', { timeout: 30_000 }, () => {
  it('lets the scrape in flight complete, closes the collectors, then exits 0', async () => {
    const started = join(project.directory, 'started');
    const closed = join(project.directory, 'closed');
    await project.writeConfig(`collectors:\n  fake: { value: 9, delayMs: 1500, startedMarker: "${started}", closeMarker: "${closed}" }\n`);
    const server = await serve();
    const { child, exited, url } = server;
    try {
      const scrape = fetch(`${url}/metrics`).then(async (response) => ({ status: response.status, body: await response.text() }));
      await waitForFile(started, 10_000);
      child.kill('SIGTERM');
      const response = await scrape;
      expect(response.status).toBe(200);
      expect(response.body).toContain('fake_value{label="default"} 9\n');
      expect(response.body).toContain('tessera_scrape_collector_success{collector="fake",collector_instance="default"} 1\n');
      expect(await exited).toBe(0);
      expect(await readFile(closed, 'utf8')).toBe('closed\n');
      expect(server.stderr()).toContain('received SIGTERM');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 1 at once on a second signal while a scrape is still draining', async () => {
    const started = join(project.directory, 'started-twice');
    await project.writeConfig(`collectors:\n  fake: { value: 9, delayMs: 20000, startedMarker: "${started}" }\n`);
    const server = await serve();
    const { child, exited, url } = server;
    try {
      const scrape = fetch(`${url}/metrics`).then(
        () => 'answered',
        () => 'cut',
      );
      await waitForFile(started, 10_000);
      child.kill('SIGTERM');
      while (!server.stderr().includes('received SIGTERM')) await delay(20);
      child.kill('SIGINT');
      expect(await exited).toBe(1);
      expect(server.stderr()).toContain('second SIGINT: exiting without waiting for in-flight scrapes');
      expect(await scrape).toBe('cut');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('answers or drains every connection of a burst that a SIGTERM interrupts: no connection is reset', async () => {
    await project.writeConfig('collectors:\n  fake: { value: 3, delayMs: 50 }\n');
    const server = await serve();
    const { child, exited, url } = server;
    const { port } = new URL(url);
    try {
      // 40 requests, each on a connection of its own, and the SIGTERM in the middle of them.
      const outcomes = Array.from({ length: 40 }, (_, index) => delay(index * 5).then(() => requestOutcome(Number(port))));
      await delay(60);
      child.kill('SIGTERM');
      const results = await Promise.all(outcomes);
      expect(await exited).toBe(0);
      const counts = expectNoneReset(results);
      expect(counts['200'] ?? 0).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('answers the connections that queued while the process was stalled, shutting down', async () => {
    await project.writeConfig('collectors:\n  fake: { value: 3, delayMs: 50 }\n');
    const server = await serve();
    const { child, exited, url } = server;
    try {
      child.kill('SIGTERM');
      while (!server.stderr().includes('received SIGTERM')) await delay(5);
      // A busy machine stops the process for longer than the quiet period it waits for; meanwhile the
      // kernel completes the handshakes and queues the connections for it to accept.
      child.kill('SIGSTOP');
      const outcomes = Array.from({ length: 20 }, () => requestOutcome(Number(new URL(url).port)));
      await delay(400);
      child.kill('SIGCONT');
      const results = await Promise.all(outcomes);
      expect(await exited).toBe(0);
      expectNoneReset(results);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
