import { setMaxListeners } from 'node:events';
import { createRecordingLogger, type LogRecord, type StartSimulator } from '@tessera/collector-testkit';
import { startFlashBladeSimulator, type FlashBladeFault, type FlashBladeSimulator, type FlashBladeSimulatorOptions } from '@tessera/sim-flashblade';
import { Agent } from 'undici';
import { afterEach } from 'vitest';
import { FlashBladeClient, type FlashBladeClientOptions } from '../../src/client/flashblade-client.js';

const simulators: FlashBladeSimulator[] = [];
const agents: Agent[] = [];
const clients: FlashBladeClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await Promise.all(simulators.splice(0).map((simulator) => simulator.close()));
});

/** Starts a simulator that the current test's afterEach closes. */
export async function startSimulator(options: FlashBladeSimulatorOptions = {}): Promise<FlashBladeSimulator> {
  const simulator = await startFlashBladeSimulator(options);
  simulators.push(simulator);
  return simulator;
}

/** An undici Agent closed after the test (what the host's dispatcher would be). */
export function newAgent(options: Agent.Options = {}): Agent {
  const agent = new Agent(options);
  agents.push(agent);
  return agent;
}

/** A client of `simulator`, closed (logged out) after the test; its log lines land in `logs`. */
export function clientOf(simulator: FlashBladeSimulator, options: Partial<FlashBladeClientOptions> = {}): { client: FlashBladeClient; logs: LogRecord[] } {
  const logs: LogRecord[] = [];
  const client = new FlashBladeClient({
    origin: simulator.url,
    dispatcher: newAgent(simulator.ca === undefined ? {} : { connect: { ca: simulator.ca } }),
    apiToken: () => Promise.resolve(simulator.apiToken),
    logger: createRecordingLogger(logs, {}),
    ...options,
  });
  clients.push(client);
  return { client, logs };
}

/** A signal that never fires, shared by every client of a test file (each listens to it once). */
export const NEVER: AbortSignal = new AbortController().signal;
setMaxListeners(0, NEVER);

/**
 * Starts the simulator a golden case's `simulator.yaml` names: its options are the simulator's,
 * plus `faults` set at start. The simulator keeps the case's clock and numbers its sessions, so a
 * case answers the same on every run. Placeholders: `endpoint` (the URL), `host` (`127.0.0.1:<port>`,
 * as error messages name the array), `apiToken` and, with TLS, `ca`.
 */
export const startGoldenSimulator: StartSimulator = async (name, options, { clock }) => {
  if (name !== 'flashblade') throw new Error(`simulator.yaml names ${name}: only the flashblade simulator is known here`);
  const { faults = [], ...simulatorOptions } = options as FlashBladeSimulatorOptions & { readonly faults?: readonly FlashBladeFault[] };
  let sessions = 0;
  const simulator = await startFlashBladeSimulator({ ...simulatorOptions, clock: () => clock.now(), sessionTokens: () => `session-${++sessions}` });
  for (const fault of faults) simulator.setFault(fault);
  const placeholders: Record<string, string> = { endpoint: simulator.url, host: new URL(simulator.url).host, apiToken: simulator.apiToken };
  if (simulator.ca !== undefined) placeholders.ca = simulator.ca;
  return { placeholders, close: () => simulator.close() };
};
