/**
 * A simulated Arkouda metrics daemon for Tessera's tests, benchmarks and demo: ZeroMQ REP sockets on
 * loopback speaking the daemon's protocol (request and reply JSON, Chapel-style formatting, every
 * category and scope), with switches for the release era, restarts, latency and the wedge the real
 * daemon falls into after a request it cannot read.
 */
import { DEFAULT_ERA, ERAS, type EraName } from './eras.js';
import { SimulatedArkouda, type SimulatedLocale } from './simulated-arkouda.js';
import { SimulatedServer, type MetricsReplyMode } from './simulated-server.js';

export { DEFAULT_ERA, ERAS, isEraName, type Category, type Era, type EraName } from './eras.js';
export type { SimulatedArkouda, SimulatedLocale } from './simulated-arkouda.js';
export type { MetricsReplyMode, SimulatedServer } from './simulated-server.js';

/** Options of {@link startArkoudaSimulator}. Every server gets the same shape. */
export interface ArkoudaSimulatorOptions {
  /** Number of servers (default 1). */
  readonly servers?: number;
  /** Locales per server (default 1). */
  readonly locales?: number;
  /** Users sending commands to each server (default 1). */
  readonly users?: number;
  /** Distinct command names each server has run (default 8). */
  readonly commands?: number;
  /** Delay before each reply, in milliseconds (default 0). */
  readonly latencyMs?: number;
  /** The release era the servers speak (default the newest, `2024.10`). */
  readonly era?: EraName;
  /** SERVER-category `num_connections`; by default SERVER is empty, as upstream leaves it. */
  readonly connections?: number;
  /** Categories no release has, appended to `ALL` (a newer server). */
  readonly extraCategories?: readonly string[];
  /** How `metrics` answers (default `normal`). */
  readonly metricsReply?: MetricsReplyMode;
  /** Wall-clock milliseconds for the records' timestamps (default `Date.now`); fix it for byte-stable replies. */
  readonly clock?: () => number;
  /** `pollIntervalSeconds` written into `config`; absent leaves the collector's default. */
  readonly pollIntervalSeconds?: number;
}

/** One collector instance reaching one simulated server: an entry of the `collectors.arkouda` list. */
export interface ArkoudaInstanceConfig {
  readonly instance: string;
  readonly host: string;
  readonly port: number;
  readonly pollIntervalSeconds?: number;
}

/** The running simulator. */
export interface ArkoudaSimulator {
  readonly servers: readonly SimulatedServer[];
  /** The `collectors.arkouda` entry of tessera.yaml that polls every server, one instance each. */
  readonly config: readonly ArkoudaInstanceConfig[];
  /** Closes every socket; idempotent. */
  close(): void;
}

const COMMAND_NAMES = [
  'create', 'set', 'delete', 'info', 'str', 'repr', 'tondarray', 'array', 'arange', 'linspace',
  'randint', 'binopvv', 'binopvs', 'binopsv', 'opeqvv', 'opeqvs', 'efunc', 'reduction', 'cumsum', 'where',
  'sort', 'argsort', 'coargsort', 'unique', 'groupby', 'segmentedReduction', 'segmentedEfunc', 'segmentedIndex', 'in1d', 'concatenate',
  'histogram', 'readAllHdf', 'tohdf', 'lshdf', 'readParquet', 'writeParquet', 'getmemused', 'getconfig', 'connect', 'clear',
];
const USER_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

const names = (base: readonly string[], count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, index) => base[index] ?? `${prefix}${index + 1}`);

const GIB = 1024 ** 3;

/** Servers listen on loopback only: they serve this machine's tests, benchmarks and demo. */
const LOOPBACK = '127.0.0.1';

/**
 * Starts `servers` simulated Arkouda metrics daemons on ephemeral loopback ports. Each (re)start of
 * a server allocates fresh nodes for its locales (`nid00001`, `nid00002`, …, never reused), as a
 * scheduler would, so a restart changes the locale set.
 */
export async function startArkoudaSimulator(options: ArkoudaSimulatorOptions = {}): Promise<ArkoudaSimulator> {
  const era = ERAS[options.era ?? DEFAULT_ERA];
  const users = names(USER_NAMES, options.users ?? 1, 'user');
  const commands = names(COMMAND_NAMES, options.commands ?? 8, 'command');
  const clock = options.clock ?? Date.now;
  let nextNode = 1;
  const allocate = (count: number): SimulatedLocale[] =>
    Array.from({ length: count }, (_, id) => {
      const hostname = `nid${String(nextNode++).padStart(5, '0')}`;
      return { id, name: hostname, hostname, numPUs: 16, maxTaskPar: 16, physicalMemory: 64 * GIB };
    });

  const servers: SimulatedServer[] = [];
  try {
    const count = options.servers ?? 1;
    for (let index = 0; index < count; index++) {
      let locales = options.locales ?? 1;
      let boots = 0;
      const server = await SimulatedServer.start({
        name: `arkouda-${index + 1}`,
        host: LOOPBACK,
        port: 0,
        latencyMs: options.latencyMs ?? 0,
        boot: (requested) => {
          locales = requested ?? locales;
          return new SimulatedArkouda({
            era,
            locales: allocate(locales),
            users,
            commands,
            connections: options.connections,
            extraCategories: options.extraCategories,
            seed: index * 7919 + boots++,
            clock,
          });
        },
      });
      server.setMetricsReply(options.metricsReply ?? 'normal');
      servers.push(server);
    }
  } catch (error) {
    for (const server of servers) server.close();
    throw error;
  }

  return {
    servers,
    config: servers.map((server) => ({
      instance: server.name,
      host: LOOPBACK,
      port: server.port,
      ...(options.pollIntervalSeconds === undefined ? {} : { pollIntervalSeconds: options.pollIntervalSeconds }),
    })),
    close() {
      for (const server of servers) server.close();
    },
  };
}
