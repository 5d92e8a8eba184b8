// The array side of `pnpm bench flashblade`, run as a child process so that its work does not
// count against tessera's event loop: a FlashBlade simulator, its call statistics over IPC.
// argv: file systems, buckets, latency in ms. Messages: `reset`, `stats`, `stop`.
import { startFlashBladeSimulator } from '@tessera/sim-flashblade';

const [fileSystems, buckets, latencyMs] = process.argv.slice(2).map(Number);
const simulator = await startFlashBladeSimulator({ fileSystems, buckets, latencyMs });
process.on('message', (message) => {
  if (message === 'reset') {
    simulator.stats.reset();
    process.send({ reset: true });
  } else if (message === 'stats') {
    process.send({ calls: simulator.stats.calls(), byEndpoint: simulator.stats.byEndpoint(), maxInFlight: simulator.stats.maxInFlight });
  } else if (message === 'stop') {
    void simulator.close().then(() => process.exit(0));
  }
});
process.send({ url: simulator.url, apiToken: simulator.apiToken });
