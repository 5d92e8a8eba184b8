import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectOnce, createTestContext, FIXED_NOW_MS } from '@tessera/collector-testkit';
import type { FlashBladeFault, FlashBladeSimulatorOptions, RecordedExchange } from '@tessera/sim-flashblade';
import { Agent } from 'undici';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseEndpoint } from '../../src/config.js';
import plugin from '../../src/index.js';
import { startSimulator } from './simulators.js';

/**
 * How a golden case's `input/http.yaml` is recorded (`capture.json` beside `config.yaml`): the
 * simulator's options and faults. The collector runs once with the case's `config.yaml`, its
 * endpoint pointed at the simulator, and every exchange becomes a fixture.
 */
export interface CaptureSpecification {
  readonly simulator?: Omit<FlashBladeSimulatorOptions, 'clock' | 'sessionTokens' | 'record' | 'tls' | 'port'>;
  readonly faults?: readonly FlashBladeFault[];
}

/** Headers of an answer that a client acts on, and so belong in a fixture. */
const KEPT_HEADERS = /^(x-auth-token|retry-after|x-ratelimit-.*)$/;

/**
 * Records the exchanges of one collection of the case in `caseDir` against a simulator with a
 * frozen clock (the test context's) and numbered session tokens, and returns them as the text of
 * an `http.yaml` (the testkit's fixture format). The same case gives the same text on every run.
 */
export async function captureCase(caseDir: string): Promise<string> {
  const specification = JSON.parse(await readFile(join(caseDir, 'capture.json'), 'utf8')) as CaptureSpecification;
  const config = parseYaml(await readFile(join(caseDir, 'config.yaml'), 'utf8')) as Record<string, unknown>;
  let sessions = 0;
  const simulator = await startSimulator({
    apiToken: typeof config.apiToken === 'string' ? config.apiToken : undefined,
    ...specification.simulator,
    clock: () => FIXED_NOW_MS,
    sessionTokens: () => `session-${++sessions}`,
    record: true,
  });
  for (const fault of specification.faults ?? []) simulator.setFault(fault);
  const agent = new Agent();
  const context = createTestContext({ collector: plugin.name, dispatcher: agent });
  try {
    await collectOnce(plugin, { ...config, endpoint: simulator.url }, { context }).catch(() => undefined);
  } finally {
    await agent.close();
  }
  // Every fixture names the case's origin: the testkit serves fixtures without one from a pool per
  // method, and the pool registered first (GET) then shadows the other (the POST of the login).
  return toFixtureYaml(simulator.exchanges, parseEndpointOrigin(String(config.endpoint)));
}

function parseEndpointOrigin(endpoint: string): string {
  const parsed = parseEndpoint(endpoint);
  if ('problem' in parsed) throw new Error(`config.yaml endpoint: ${parsed.problem}`);
  return parsed.origin;
}

/** Exchanges as fixtures, once per request (a request answered two ways cannot be a fixture). */
function toFixtureYaml(exchanges: readonly RecordedExchange[], origin: string): string {
  const fixtures = new Map<string, Record<string, unknown>>();
  for (const exchange of exchanges) {
    const key = `${exchange.method} ${exchange.path}`;
    const headers = Object.fromEntries(Object.entries(exchange.headers).filter(([name]) => KEPT_HEADERS.test(name)));
    let body: unknown = exchange.body;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      // A deliberately malformed body stays a string.
    }
    const fixture = { origin, method: exchange.method, path: exchange.path, status: exchange.status, ...(Object.keys(headers).length === 0 ? {} : { headers }), body };
    const previous = fixtures.get(key);
    if (previous !== undefined && JSON.stringify(previous) !== JSON.stringify(fixture)) throw new Error(`${key} was answered in two ways: a fixture cannot say which comes first`);
    fixtures.set(key, fixture);
  }
  return stringifyYaml([...fixtures.values()].sort((a, b) => `${String(a.method)} ${String(a.path)}`.localeCompare(`${String(b.method)} ${String(b.path)}`)), { lineWidth: 0 });
}
