import { setMaxListeners } from 'node:events';
import { createRecordingLogger, type LogRecord } from '@tessera/collector-testkit';
import { startFlashBladeSimulator, type FlashBladeSimulator, type FlashBladeSimulatorOptions } from '@tessera/sim-flashblade';
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
export const NEVER = new AbortController().signal;
setMaxListeners(0, NEVER);
