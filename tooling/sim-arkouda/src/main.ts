/**
 * `pnpm --silent sim arkouda [options]`: starts simulated Arkouda metrics daemons, prints one JSON
 * line (each server's name and `tcp://127.0.0.1:PORT`, and `config`, the `collectors.arkouda`
 * entry of tessera.yaml that polls them) and runs until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ERA, ERAS, isEraName, startArkoudaSimulator, type ArkoudaSimulatorOptions } from './index.js';

const USAGE = `usage: pnpm --silent sim arkouda [--servers N] [--locales N] [--users N] [--commands N] [--latency-ms N]
                                  [--era ${Object.keys(ERAS).join('|')}] [--connections N] [--poll-interval-seconds N]

Starts N simulated Arkouda metrics daemons (ZeroMQ REP on 127.0.0.1, ephemeral ports), prints one
JSON line {"servers":[{"name","url"}],"config":[…]} and runs until SIGTERM or SIGINT.
  --servers N                servers to start (default 1)
  --locales N                locales per server (default 1)
  --users N                  users sending commands to each server (default 1)
  --commands N               distinct commands each server has run (default 8)
  --latency-ms N             delay before each reply (default 0)
  --era E                    release era of the replies (default ${DEFAULT_ERA})
  --connections N            report num_connections in the SERVER category (upstream leaves it empty)
  --poll-interval-seconds N  pollIntervalSeconds written into config`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function count(name: string, text: string | undefined, minimum: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) fail(`--${name} must be an integer ≥ ${minimum}, got ${JSON.stringify(text)}`);
  return value;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      servers: { type: 'string' },
      locales: { type: 'string' },
      users: { type: 'string' },
      commands: { type: 'string' },
      'latency-ms': { type: 'string' },
      era: { type: 'string' },
      connections: { type: 'string' },
      'poll-interval-seconds': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (values.era !== undefined && !isEraName(values.era)) fail(`--era must be one of ${Object.keys(ERAS).join(', ')}, got ${JSON.stringify(values.era)}`);
const pollInterval = values['poll-interval-seconds'] === undefined ? undefined : Number(values['poll-interval-seconds']);
if (pollInterval !== undefined && !(pollInterval > 0)) fail('--poll-interval-seconds must be a positive number');

const options: ArkoudaSimulatorOptions = {
  servers: count('servers', values.servers, 1),
  locales: count('locales', values.locales, 1),
  users: count('users', values.users, 1),
  commands: count('commands', values.commands, 1),
  latencyMs: count('latency-ms', values['latency-ms'], 0),
  connections: count('connections', values.connections, 0),
  pollIntervalSeconds: pollInterval,
  ...(values.era !== undefined && isEraName(values.era) ? { era: values.era } : {}),
};
const simulator = await startArkoudaSimulator(options);
process.stdout.write(`${JSON.stringify({ servers: simulator.servers.map((server) => ({ name: server.name, url: server.url })), config: simulator.config })}\n`);

const stop = (): void => {
  simulator.close();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// The REP sockets keep the process alive until a signal arrives.
