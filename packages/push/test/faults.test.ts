import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { startPushgateway, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createJob, PushError } from '../src/index.js';
import { captureLogger, closedPortUrl, familyOf, findGroup, runNodeScript, startHttpServer, startSilentServer, warningLines } from './helpers.js';

const unhandledRejection = vi.fn();
let gateway: RunningPeer;

beforeAll(async () => {
  process.on('unhandledRejection', unhandledRejection);
  gateway = await startPushgateway();
});

afterAll(async () => {
  process.off('unhandledRejection', unhandledRejection);
  await gateway.stop();
});

describe('push failures never break the job', () => {
  test('gateway down: the result says the connection was refused, after the configured retries, with one warning', async () => {
    const { logger, records, warnings } = captureLogger();
    const job = createJob({ job: 'down', gateway: await closedPortUrl(), logger, retries: 2, retryDelayMs: 10 });
    job.gauge({ name: 'loss', help: 'Training loss.' }).set(0.3);
    const steps: string[] = [];
    const result = await job.push();
    steps.push('the job went on');
    expect(steps).toEqual(['the job went on']);
    expect(result).toMatchObject({ ok: false, reason: 'connection', attempts: 3 });
    expect(result.ok ? '' : result.message).toMatch(/ECONNREFUSED/);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ job: 'down', reason: 'connection', attempts: 3 });
    expect(records.filter((record) => record.msg.includes('retrying'))).toHaveLength(2);
  });

  test('500s are retried with jittered exponential backoff, then reported with the answer', async () => {
    const server = await startHttpServer((_request, response) => response.writeHead(500).end('storage on fire'));
    try {
      const { logger, records, warnings } = captureLogger();
      const job = createJob({ job: 'five_hundred', gateway: server.url, logger, retries: 3, retryDelayMs: 40, maxRetryDelayMs: 100 });
      const result = await job.push();
      expect(result).toMatchObject({ ok: false, reason: 'status', status: 500, attempts: 4 });
      expect(result.ok ? '' : result.message).toContain('storage on fire');
      expect(server.requests).toHaveLength(4);
      const delays = records.filter((record) => record.msg.includes('retrying')).map((record) => record.delayMs as number);
      // Equal jitter: each delay lies in [step/2, step], step = 40, 80, then capped at 100.
      expect(delays).toHaveLength(3);
      expect(delays[0]).toBeGreaterThanOrEqual(20);
      expect(delays[0]).toBeLessThanOrEqual(40);
      expect(delays[1]).toBeGreaterThanOrEqual(40);
      expect(delays[1]).toBeLessThanOrEqual(80);
      expect(delays[2]).toBeGreaterThanOrEqual(50);
      expect(delays[2]).toBeLessThanOrEqual(100);
      expect(warnings()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('a 503 followed by a 200 succeeds on the retry', async () => {
    const server = await startHttpServer((_request, response, index) => response.writeHead(index === 0 ? 503 : 200).end());
    try {
      const { logger, warnings } = captureLogger();
      const result = await createJob({ job: 'flaky', gateway: server.url, logger, retryDelayMs: 5 }).push();
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
      expect(warnings()).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test('a gateway that never answers: each attempt times out, the retry happens, the job goes on', async () => {
    const silent = await startSilentServer();
    try {
      const { logger, warnings } = captureLogger();
      const job = createJob({ job: 'hung', gateway: silent.url, logger, timeoutMs: 250, retries: 1, retryDelayMs: 10 });
      const started = performance.now();
      const result = await job.push();
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ ok: false, reason: 'timeout', attempts: 2 });
      expect(result.ok ? '' : result.message).toMatch(/within 250 ms/);
      expect(silent.requests()).toBe(2);
      expect(elapsed).toBeGreaterThanOrEqual(490);
      expect(elapsed).toBeLessThan(3000);
      expect(warnings()).toHaveLength(1);
      await job.close();
    } finally {
      await silent.close();
    }
  });

  test("400 from the real Pushgateway (inconsistent types) is not retried and carries the gateway's reason", async () => {
    const { logger, warnings } = captureLogger();
    const first = createJob({ job: 'conflict_a', namespace: 'shared', gateway: gateway.url, logger });
    first.gauge({ name: 'value', help: 'A value.' }).set(1);
    expect(await first.push()).toMatchObject({ ok: true });
    const second = createJob({ job: 'conflict_b', namespace: 'shared', gateway: gateway.url, logger, retries: 3 });
    second.histogram({ name: 'value', help: 'A value.' }).observe(1);
    const result = await second.push();
    expect(result).toMatchObject({ ok: false, reason: 'status', status: 400, attempts: 1 });
    expect(result.ok ? '' : result.message).toMatch(/pushed metrics are invalid or inconsistent/);
    expect(warnings()).toHaveLength(1);
  });

  test('an error answer whose body never ends: the failure reports the status and the start of the body, without reading it all', async () => {
    const chunk = `${'gateway melting '.repeat(4096)}\n`;
    let written = 0;
    const server = await startHttpServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      // Streams until the client hangs up, bounded at 1 GiB so the test stops by itself.
      const pump = (): void => {
        while (!response.destroyed && written < 2 ** 30) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      response.on('error', () => undefined);
      pump();
    });
    try {
      const { logger } = captureLogger();
      const result = await createJob({ job: 'endless_answer', gateway: server.url, logger, retries: 0, timeoutMs: 20_000 }).push();
      expect(result).toMatchObject({ ok: false, reason: 'status', status: 500, attempts: 1 });
      expect(result.ok ? '' : result.message).toMatch(/^the Pushgateway answered 500: gateway melting gateway melting/);
      expect(result.ok ? 0 : result.message.length).toBeLessThan(600);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('a redirect is a failure (nothing was stored), and it is not retried', async () => {
    const server = await startHttpServer((_request, response) => response.writeHead(301, { location: '/elsewhere' }).end());
    try {
      const { logger } = captureLogger();
      const result = await createJob({ job: 'moved', gateway: server.url, logger }).push();
      expect(result).toMatchObject({ ok: false, reason: 'status', status: 301, attempts: 1 });
      expect(result.ok ? '' : result.message).toMatch(/redirect to \/elsewhere/);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('no gateway configured: a configuration failure, not an exception', async () => {
    const { logger, warnings } = captureLogger();
    const previous = process.env.PUSHGATEWAY_URL;
    delete process.env.PUSHGATEWAY_URL;
    try {
      const result = await createJob({ job: 'nowhere', logger }).push();
      expect(result).toMatchObject({ ok: false, reason: 'configuration', attempts: 0 });
      expect(warnings()).toHaveLength(1);
    } finally {
      if (previous !== undefined) process.env.PUSHGATEWAY_URL = previous;
    }
  });

  test('a collector that throws while rendering is a render failure, not an exception', async () => {
    const { logger, warnings } = captureLogger();
    const job = createJob({ job: 'broken_collect', gateway: gateway.url, logger });
    job.gauge({ name: 'broken', help: 'Throws on collect.' });
    // prom-client calls a metric's collect() (its config option, set on the instance) when rendering.
    Object.assign(job.registry.getSingleMetric('broken_collect_broken')!, {
      collect: () => {
        throw new Error('sensor gone');
      },
    });
    const result = await job.push();
    expect(result).toMatchObject({ ok: false, reason: 'render', attempts: 0 });
    expect(warnings()).toHaveLength(1);
  });

  test('strict: true throws a PushError that carries the same result', async () => {
    const { logger } = captureLogger();
    const job = createJob({ job: 'strict', gateway: await closedPortUrl(), logger, strict: true, retries: 0 });
    const error: unknown = await job.push().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PushError);
    expect((error as PushError).result).toMatchObject({ ok: false, reason: 'connection', attempts: 1 });
  });

  test.each([
    ['timeoutMs', { timeoutMs: -1 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['timeoutMs', { timeoutMs: 2 ** 31 }],
    ['retries', { retries: Number.NaN }],
    ['retries', { retries: Number.POSITIVE_INFINITY }],
    ['retryDelayMs', { retryDelayMs: -5 }],
    ['maxRetryDelayMs', { maxRetryDelayMs: 2 ** 32 }],
  ])('%s out of range (%o): a configuration failure naming the option, no request, no exception', async (option, settings) => {
    const server = await startHttpServer((_request, response) => response.writeHead(500).end());
    try {
      const { logger, warnings } = captureLogger();
      const job = createJob({ job: 'bad_setting', gateway: server.url, logger, ...settings });
      const result = await job.push();
      expect(result).toMatchObject({ ok: false, reason: 'configuration', attempts: 0 });
      expect(result.ok ? '' : result.message).toContain(option);
      expect(server.requests).toHaveLength(0);
      expect(warnings()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test('a gateway URL whose password holds a bare "%" still pushes, with that password', async () => {
    const server = await startHttpServer((_request, response) => response.writeHead(200).end());
    try {
      const { logger } = captureLogger();
      const result = await createJob({ job: 'percent', gateway: `http://pusher:50%off@${new URL(server.url).host}`, logger }).push();
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('pusher:50%off').toString('base64')}`);
    } finally {
      await server.close();
    }
  });

  test('no unhandled rejection came out of any of the failures above', () => {
    expect(unhandledRejection).not.toHaveBeenCalled();
  });
});

describe('a gateway that never answers does not hold the exit', () => {
  test('periodic.stop() with default settings gives up after about 5 s, where an in-flight push and a final push with retries took 30 s', async () => {
    const silent = await startSilentServer();
    try {
      const { logger, warnings } = captureLogger();
      // Default timeout (5 s) and retries (2): each push alone could take 15 s.
      const job = createJob({ job: 'hung_stop', gateway: silent.url, logger });
      const periodic = job.startPeriodicPush(20, { handleSignals: false });
      await vi.waitFor(() => expect(silent.requests()).toBe(1), { timeout: 5000 });
      const started = performance.now();
      const result = await periodic.stop();
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ ok: false, reason: 'timeout' });
      expect(result.ok ? '' : result.message).toBe('gave up: the final push deadline of 5000 ms passed');
      expect(elapsed).toBeGreaterThanOrEqual(4900);
      expect(elapsed).toBeLessThan(8000);
      // The superseded periodic push is not a warning of its own: one warning, for the final push.
      expect(warnings()).toHaveLength(1);
      await job.close({ deadlineMs: 100 });
    } finally {
      await silent.close();
    }
  }, 20_000);

  test('close({ deadlineMs }) bounds the pushes already called and the periodic final push together', async () => {
    const silent = await startSilentServer();
    try {
      const { logger } = captureLogger();
      const job = createJob({ job: 'hung_close', gateway: silent.url, logger });
      job.startPeriodicPush(60_000, { handleSignals: false });
      const first = job.push();
      const second = job.pushAdd();
      await vi.waitFor(() => expect(silent.requests()).toBe(1), { timeout: 5000 });
      const started = performance.now();
      await job.close({ deadlineMs: 800 });
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThan(3000);
      expect(await first).toMatchObject({ ok: false, reason: 'timeout', message: 'gave up: the close deadline of 800 ms passed' });
      expect(await second).toMatchObject({ ok: false, reason: 'timeout', attempts: 0 });
    } finally {
      await silent.close();
    }
  });
});

describe('the gateway URL', () => {
  test('without a scheme (host:port, the common PUSHGATEWAY_URL spelling) is read as http://', async () => {
    const { logger } = captureLogger();
    const hostAndPort = new URL(gateway.url).host;
    const job = createJob({ job: 'schemeless', gateway: hostAndPort, logger });
    job.gauge({ name: 'up', help: 'Pushed.' }).set(1);
    expect(await job.push()).toMatchObject({ ok: true, url: `http://${hostAndPort}/metrics/job/schemeless` });
    const previous = process.env.PUSHGATEWAY_URL;
    process.env.PUSHGATEWAY_URL = hostAndPort;
    try {
      expect(await createJob({ job: 'schemeless_env', logger }).push()).toMatchObject({ ok: true });
    } finally {
      if (previous === undefined) delete process.env.PUSHGATEWAY_URL;
      else process.env.PUSHGATEWAY_URL = previous;
    }
    expect(familyOf(await findGroup(gateway.url, { job: 'schemeless' }), 'schemeless_up')?.metrics[0]?.value).toBe('1');
  });

  test.each([
    ['ftp://gateway:21', /must be http or https, not ftp/],
    ['http://', /invalid Pushgateway URL/],
    ['http://gateway:9091/?x=1', /must not have a query or fragment/],
  ])('%s is a configuration failure', async (url, message) => {
    const { logger } = captureLogger();
    const result = await createJob({ job: 'bad_url', gateway: url, logger }).push();
    expect(result).toMatchObject({ ok: false, reason: 'configuration', attempts: 0 });
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('the request', () => {
  test('carries the exact text-format Content-Type, the credentials, and keeps a path prefix', async () => {
    const server = await startHttpServer((_request, response) => response.writeHead(200).end());
    try {
      const { logger } = captureLogger();
      const url = new URL(server.url);
      const withPrefix = createJob({ job: 'headers', gateway: `http://pusher:s%3Acret@${url.host}/gateway/`, logger });
      const result = await withPrefix.push();
      expect(result).toMatchObject({ ok: true, url: `${server.url}/gateway/metrics/job/headers` });
      const withToken = createJob({ job: 'headers', gateway: server.url, logger, bearerToken: 'token-123' });
      await withToken.pushAdd();
      await withToken.delete();
      const [put, post, remove] = server.requests;
      expect(put).toMatchObject({ method: 'PUT', url: '/gateway/metrics/job/headers' });
      expect(put?.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(put?.headers.authorization).toBe(`Basic ${Buffer.from('pusher:s:cret').toString('base64')}`);
      expect(post?.headers.authorization).toBe('Bearer token-123');
      expect(post?.method).toBe('POST');
      expect(remove?.method).toBe('DELETE');
      expect(remove?.body).toBe('');
    } finally {
      await server.close();
    }
  });
});

describe('overlapping pushes of one job', () => {
  test('go out one after the other, each with the values of its turn, so a retried older push never lands after a newer one', async () => {
    const server = await startHttpServer((_request, response, index) => response.writeHead(index === 0 ? 503 : 200).end());
    try {
      const { logger } = captureLogger();
      const job = createJob({ job: 'overlap', gateway: server.url, logger, retries: 1, retryDelayMs: 200 });
      const epoch = job.gauge({ name: 'epoch', help: 'Current epoch.' });
      epoch.set(1);
      const first = job.push();
      // The first PUT got its 503 and waits for its retry; meanwhile the job moves on and pushes again.
      await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 5000 });
      epoch.set(2);
      const second = job.pushAdd();
      expect(await first).toMatchObject({ ok: true, attempts: 2 });
      expect(await second).toMatchObject({ ok: true, attempts: 1 });
      const sent = server.requests.map((request) => `${request.method} ${/^overlap_epoch (\S+)$/m.exec(request.body)?.[1] ?? '?'}`);
      expect(sent).toEqual(['PUT 1', 'PUT 1', 'POST 2']);
      await job.close();
    } finally {
      await server.close();
    }
  });

  test('close() lets a push that is waiting for its retry finish before closing the connections', async () => {
    const server = await startHttpServer((_request, response, index) => response.writeHead(index === 0 ? 503 : 200).end());
    try {
      const { logger } = captureLogger();
      const job = createJob({ job: 'close_mid_retry', gateway: server.url, logger, retries: 1, retryDelayMs: 100 });
      const pending = job.push();
      await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 5000 });
      await job.close();
      expect(await pending).toMatchObject({ ok: true, status: 200, attempts: 2 });
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});

describe('through a proxy', () => {
  test('the push tunnels through the proxy (CONNECT) and reaches the Pushgateway', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (request: IncomingMessage, clientSocket: Socket, head: Buffer) => {
      tunnels.push(request.url ?? '');
      const [host = '', port = ''] = (request.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(clientSocket);
        clientSocket.pipe(upstream);
      });
      upstream.on('error', () => clientSocket.destroy());
      clientSocket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address() as AddressInfo;
    try {
      const { logger } = captureLogger();
      const job = createJob({ job: 'proxied', gateway: gateway.url, proxy: `http://127.0.0.1:${address.port}`, logger });
      job.gauge({ name: 'hops', help: 'Proxies crossed.' }).set(1);
      expect(await job.push()).toMatchObject({ ok: true, status: 200 });
      expect(tunnels).toEqual([new URL(gateway.url).host]);
      expect(familyOf(await findGroup(gateway.url, { job: 'proxied' }), 'proxied_hops')?.metrics[0]?.value).toBe('1');
      await job.close();
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('a job process whose gateway is down or hung', () => {
  test('finishes its work and exits cleanly with code 0, one warning per failed push, no hang', async () => {
    const silent = await startSilentServer();
    const down = await closedPortUrl();
    try {
      const outcome = await runNodeScript(`
        import { createJob } from PUSH_ENTRY;
        const down = createJob({ job: 'exit_down', gateway: ${JSON.stringify(down)}, retries: 1, retryDelayMs: 10 });
        const hung = createJob({ job: 'exit_hung', gateway: ${JSON.stringify(silent.url)}, timeoutMs: 300, retries: 1, retryDelayMs: 10 });
        down.gauge({ name: 'loss', help: 'Loss.' }).set(1);
        await hung.time('train', async () => { await new Promise((resolve) => setTimeout(resolve, 20)); });
        const results = [await down.push(), await hung.push()];
        hung.startPeriodicPush(60_000);
        console.log('work done', JSON.stringify(results.map((result) => [result.ok, result.reason, result.attempts])));
      `);
      expect(outcome.stdout).toContain('work done [[false,"connection",2],[false,"timeout",2]]');
      expect(outcome.exitCode).toBe(0);
      expect(outcome.signal).toBeNull();
      expect(warningLines(outcome.stderr)).toHaveLength(2);
      expect(outcome.durationMs).toBeLessThan(8000);
    } finally {
      await silent.close();
    }
  });
});
