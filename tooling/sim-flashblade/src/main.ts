#!/usr/bin/env node
/*
 * `pnpm --silent sim flashblade [options]`: starts a FlashBlade simulator, prints one JSON line
 * (`url`, `apiToken`, `ca` when TLS, `config`: the `collectors.flashblade` entry that reaches it)
 * and serves until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startFlashBladeSimulator, type FlashBladeSimulatorOptions } from './simulator.js';

const USAGE = `usage: pnpm --silent sim flashblade [options]

  --filesystems N            live file systems (default 10)
  --buckets N                live buckets (default 10)
  --destroyed-filesystems N  destroyed file systems pending eradication (default 0)
  --destroyed-buckets N      destroyed buckets pending eradication (default 0)
  --clients N                NFS/SMB clients (default 20)
  --null-space-fields        serve null space fields where arrays do
  --latency-ms N             added to every answer (default 0)
  --page-size N              largest page served, and the default limit (default 1000)
  --api-version 2.N          newest REST version served (default 2.12)
  --api-token T              the token logins must present (default a fresh T-<uuid>)
  --tls                      serve HTTPS with a CA generated at start
  --port N                   port on 127.0.0.1 (default any free port)
  --help                     this text`;

function count(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) {
    console.error(`--${name} expects a non-negative integer, not ${JSON.stringify(raw)}\n\n${USAGE}`);
    process.exit(2);
  }
  return Number(raw);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      filesystems: { type: 'string' },
      buckets: { type: 'string' },
      'destroyed-filesystems': { type: 'string' },
      'destroyed-buckets': { type: 'string' },
      clients: { type: 'string' },
      'null-space-fields': { type: 'boolean' },
      'latency-ms': { type: 'string' },
      'page-size': { type: 'string' },
      'api-version': { type: 'string' },
      'api-token': { type: 'string' },
      tls: { type: 'boolean' },
      port: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}

const options: FlashBladeSimulatorOptions = {
  fileSystems: count('filesystems', values.filesystems),
  buckets: count('buckets', values.buckets),
  destroyedFileSystems: count('destroyed-filesystems', values['destroyed-filesystems']),
  destroyedBuckets: count('destroyed-buckets', values['destroyed-buckets']),
  clients: count('clients', values.clients),
  nullSpaceFields: values['null-space-fields'],
  latencyMs: count('latency-ms', values['latency-ms']),
  pageSize: count('page-size', values['page-size']),
  apiVersion: values['api-version'],
  apiToken: values['api-token'],
  tls: values.tls,
  port: count('port', values.port),
};

let simulator;
try {
  simulator = await startFlashBladeSimulator(options);
} catch (error) {
  console.error(`cannot start the FlashBlade simulator: ${(error as Error).message}`);
  process.exit(1);
}
const { url, apiToken, ca, config } = simulator;
process.stdout.write(`${JSON.stringify({ url, apiToken, ...(ca === undefined ? {} : { ca }), config })}\n`);

const running = simulator;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
