// What the benchmarks measure with, in one place, so that a figure printed by two of them is
// measured and summarised the same way.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** The nearest-rank percentile (`fraction` 0.5 is the lower median); NaN for no values. */
export function percentile(values, fraction) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** This process's CPU time (user and system) since `since`, in ms. */
export function cpuMilliseconds(since) {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
}

/** The request headers of a scrape as Prometheus sends it: a compressed answer. */
export const GZIP = { 'accept-encoding': 'gzip' };

/**
 * GETs `url`: the time until its last byte, this process's CPU time meanwhile (the server's too when
 * it runs in this process), and the body. Rejects unless 200, with the status on the error.
 */
export function timedGet(url, { agent, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const req = request(url, { agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
        const cpuMs = cpuMilliseconds(cpu);
        if (response.statusCode === 200) resolve({ milliseconds, cpuMs, body: Buffer.concat(chunks) });
        else reject(Object.assign(new Error(`${url}: HTTP ${response.statusCode}`), { status: response.statusCode }));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resident memory of process `pid`, now and at its peak, in MB (Linux). */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/**
 * A child process talking over IPC: `next()` is its next message, `ask(message)` the answer to one.
 * `stop()` sends `stop` (for a script that handles it), `stop(signal)` sends a signal; both wait for the exit.
 */
export function forkChild(script, args, execArgv = []) {
  const child = fork(script, args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    next,
    ask: async (message) => {
      const reply = next();
      child.send(message);
      return reply;
    },
    stop: async (how = 'stop') => {
      if (how === 'stop') child.send('stop');
      else child.kill(how);
      await exited;
    },
  };
}

/**
 * Runs `work` while `<url>/-/healthy` is asked every 10 ms over a connection of its own: the result,
 * and the time of each check, the one still answering when `work` ended included.
 */
export async function healthChecksDuring(url, work) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const health = [];
  let running = true;
  const checking = (async () => {
    while (running) {
      health.push((await timedGet(`${url}/-/healthy`, { agent })).milliseconds);
      await delay(10);
    }
  })();
  try {
    // `health` gets the last check before the caller does: the finally block awaits it.
    return { result: await work(), health };
  } finally {
    running = false;
    await checking;
    agent.destroy();
  }
}

/** Runs `work` while sampling this process's event loop: the result, and the largest delay and its 99th percentile in ms. */
export async function loopDelayDuring(work, resolutionMs = 5) {
  const loop = monitorEventLoopDelay({ resolution: resolutionMs });
  loop.enable();
  const result = await work();
  loop.disable();
  return { result, maxMs: loop.max / 1e6, p99Ms: loop.percentile(99) / 1e6 };
}
