/**
 * A simulated training job that reports to a Pushgateway while it runs (a run that lasts days
 * should not wait until its end to be seen) and survives the Pushgateway being down.
 *
 * Run it against a local Pushgateway:
 *
 *   PUSHGATEWAY_URL=http://127.0.0.1:9091 pnpm --filter @tessera/push example:training
 */
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createJob, type PushResult } from '@tessera/push';
import type { Logger } from 'pino';

/** Knobs of the simulation; the defaults make a run of a few seconds. */
export interface TrainingOptions {
  /** Defaults to `PUSHGATEWAY_URL`. */
  readonly gateway?: string;
  readonly epochs?: number;
  readonly stepsPerEpoch?: number;
  readonly batchSize?: number;
  /** How often to push while training; a real job would use a minute or so. */
  readonly pushIntervalMs?: number;
  /** Make the run fail at this epoch, to see `last_failure_timestamp_seconds` move. */
  readonly failAtEpoch?: number;
  readonly logger?: Logger;
}

/** Runs the simulated training and returns the result of the final push. */
export async function runTrainingJob(options: TrainingOptions = {}): Promise<PushResult> {
  const epochs = options.epochs ?? 5;
  const stepsPerEpoch = options.stepsPerEpoch ?? 20;
  const batchSize = options.batchSize ?? 256;

  // One group per model and dataset: stable labels, never a run id, so each run replaces the last.
  const job = createJob({
    job: 'resnet_training',
    groupingKey: { model: 'resnet50', dataset: 'imagenet-1k' },
    labels: { team: 'vision' },
    ...(options.gateway === undefined ? {} : { gateway: options.gateway }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const epochInProgress = job.gauge({ name: 'epoch', help: 'Epoch in progress (1-based).' });
  const loss = job.gauge({ name: 'loss', help: 'Mean loss over the last epoch.', labelNames: ['split'] });
  const accuracy = job.gauge({ name: 'accuracy_ratio', help: 'Top-1 accuracy on the validation split after the last epoch.' });
  const throughput = job.gauge({ name: 'samples_per_second', help: 'Training samples per second over the last epoch.' });
  const samples = job.counter({ name: 'samples_total', help: 'Training samples processed by this run.' });

  // Each decorated method records <job>_<method>_duration_seconds (sum and count) and
  // <job>_<method>_failures_total.
  class Trainer {
    #weights = 2.5;

    @job.timed()
    async loadData(): Promise<void> {
      await sleep(15);
    }

    @job.timed()
    async trainEpoch(epoch: number): Promise<number> {
      const started = performance.now();
      for (let step = 0; step < stepsPerEpoch; step++) {
        await sleep(1);
        this.#weights *= 0.97;
        samples.inc(batchSize);
      }
      if (epoch === options.failAtEpoch) throw new Error(`loss diverged at epoch ${epoch}`);
      const seconds = (performance.now() - started) / 1000;
      throughput.set((stepsPerEpoch * batchSize) / seconds);
      return this.#weights;
    }

    @job.timed()
    async evaluate(): Promise<{ loss: number; accuracy: number }> {
      await sleep(5);
      return { loss: this.#weights * 1.1, accuracy: 1 - this.#weights / 3 };
    }
  }

  const periodicPush = job.startPeriodicPush(options.pushIntervalMs ?? 1000);
  const trainer = new Trainer();
  try {
    await trainer.loadData();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      epochInProgress.set(epoch);
      loss.set({ split: 'train' }, await trainer.trainEpoch(epoch));
      const validation = await trainer.evaluate();
      loss.set({ split: 'validation' }, validation.loss);
      accuracy.set(validation.accuracy);
    }
    await job.time('save_checkpoint', () => sleep(10));
    job.succeed();
  } catch (error) {
    // The failure is recorded; the periodic push uses POST, so the last success of an earlier run
    // stays in the group and the stale-success alert keeps working.
    job.fail(error);
  }
  // Never throws (no `strict`): if the Pushgateway is down, the result says so and one warning is logged.
  const result = await periodicPush.stop();
  await job.close();
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runTrainingJob();
  console.log(result.ok ? `pushed to ${result.url}` : `metrics not pushed (${result.reason}): ${result.message}`);
}
