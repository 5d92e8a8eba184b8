import { NoDataError, type MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { timexMetrics } from '../metrics.js';
import { decodeTimex, TIMEX_BYTES, timexReadings } from '../parsers/timex.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';
import { loadAdjtimex, type Adjtimex } from '../adjtimex.js';

/**
 * timex: the kernel's clock discipline as adjtimex(2) reports it: whether NTP/PTP keeps the clock
 * synchronized (`node_timex_sync_status`, the alert for distributed training whose ranks must
 * agree on time), the offset, frequency adjustment, error bounds and PPS statistics. Always the
 * running kernel's, whatever procfs is configured.
 */
export class TimexCollector implements SubCollector {
  readonly name = 'timex';
  readonly #buffer = Buffer.alloc(TIMEX_BYTES);
  readonly #load: () => Promise<Adjtimex>;

  /** @param load replaces the system call in tests. */
  constructor(options: { readonly load?: () => Promise<Adjtimex> } = {}) {
    this.#load = options.load ?? loadAdjtimex;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    files.signal.throwIfAborted();
    let adjtimex: Adjtimex;
    try {
      adjtimex = await this.#load();
    } catch (error) {
      throw new NoDataError(`cannot call adjtimex: ${(error as Error).message}`, { cause: error });
    }
    const state = adjtimex(this.#buffer);
    if (state < 0) throw new NoDataError('adjtimex failed (not permitted here)');
    const readings = timexReadings(state, decodeTimex(this.#buffer));
    for (const key of Object.keys(timexMetrics) as (keyof typeof timexMetrics)[]) output.add(timexMetrics[key], NO_LABELS, readings[key]);
  }
}
