import { createTestContext, collectOnce } from '@tessera/collector-testkit';
import { parseText, SampleCollection } from '@tessera/exposition';
import { startNodeExporter } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { CollectionFiles } from '../src/collection-files.js';
import { TimexCollector } from '../src/collectors/timex.js';
import plugin from '../src/index.js';
import { decodeTimex, TIMEX_BYTES, timexReadings } from '../src/parsers/timex.js';

/** A `struct timex` as a 64-bit little-endian kernel fills it. */
function timexBuffer(fields: { offset?: number; freq?: number; maxerror?: number; esterror?: number; status?: number; constant?: number; tick?: number; jitter?: number; tai?: number }): Buffer {
  const buffer = Buffer.alloc(TIMEX_BYTES);
  const long = (offset: number, value = 0): void => {
    buffer.writeBigInt64LE(BigInt(value), offset);
  };
  long(8, fields.offset);
  long(16, fields.freq);
  long(24, fields.maxerror);
  long(32, fields.esterror);
  buffer.writeInt32LE(fields.status ?? 0, 40);
  long(48, fields.constant);
  long(88, fields.tick);
  long(104, fields.jitter);
  buffer.writeInt32LE(fields.tai ?? 0, 160);
  return buffer;
}

describe('timex readings', () => {
  it('converts adjtimex units as node_exporter does', () => {
    const timex = decodeTimex(timexBuffer({ offset: -1500, freq: -655_360, maxerror: 16_000_000, esterror: 250, status: 0x1, constant: 7, tick: 10_000, jitter: 30, tai: 37 }));
    expect(timexReadings(0, timex)).toMatchObject({
      syncStatus: 1,
      offset: -0.0015,
      freq: 1 - 10 / 1_000_000,
      maxerror: 16,
      esterror: 0.00025,
      status: 1,
      constant: 7,
      tick: 0.01,
      jitter: 0.00003,
      tai: 37,
    });
  });

  it('reads offset and jitter in nanoseconds under STA_NANO, and TIME_ERROR as not synchronized', () => {
    const readings = timexReadings(5, decodeTimex(timexBuffer({ offset: 1500, jitter: 30, status: 0x2000 | 0x40 })));
    expect(readings).toMatchObject({ syncStatus: 0, offset: 0.0000015, jitter: 0.00000003, status: 0x2040 });
  });
});

describe('the timex sub-collector', () => {
  const files = () => new CollectionFiles(new AbortController().signal);

  it('reports every family from the structure adjtimex fills', async () => {
    const collector = new TimexCollector({
      load: () =>
        Promise.resolve((buffer: Buffer) => {
          timexBuffer({ maxerror: 4_000, tick: 10_000 }).copy(buffer);
          return 0;
        }),
    });
    const sink = new SampleCollection(plugin.metrics);
    await collector.collect(sink, files());
    const values = Object.fromEntries(sink.seal().map(({ family, series }) => [family.name, series[0]?.value]));
    expect(Object.keys(values)).toHaveLength(17);
    expect(values).toMatchObject({ node_timex_sync_status: 1, node_timex_maxerror_seconds: 0.004, node_timex_tick_seconds: 0.01 });
  });

  it('has no data when adjtimex cannot be called', async () => {
    const collector = new TimexCollector({ load: () => Promise.reject(new Error('adjtimex is read only on 64-bit little-endian Linux')) });
    await expect(collector.collect(new SampleCollection(plugin.metrics), files())).rejects.toMatchObject({ name: 'NoDataError', message: expect.stringMatching(/64-bit little-endian/) });
  });
});

describe('timex on this machine, against node_exporter 1.5.0 reading the same kernel', () => {
  it('agrees on the clock state', async () => {
    const nodeExporter = await startNodeExporter(['--collector.disable-defaults', '--collector.timex', '--web.disable-exporter-metrics']);
    try {
      const theirs = parseText(await (await fetch(`${nodeExporter.url}/metrics`)).text());
      const { text } = await collectOnce(plugin, { collectors: ['timex'] }, { context: createTestContext({ collector: 'node' }) });
      const ours = parseText(text);
      const value = (families: typeof theirs, name: string): number | undefined => families.find((family) => family.name === name)?.samples[0]?.value;
      const timexFamilies = (families: typeof theirs): string[] => families.filter((family) => family.name.startsWith('node_timex_')).map((family) => `${family.name} ${family.type}`).sort();
      expect(timexFamilies(ours)).toEqual(timexFamilies(theirs));
      // What does not move between two reads a few milliseconds apart (maxerror grows while unsynchronized).
      for (const name of ['sync_status', 'status', 'loop_time_constant', 'tick_seconds', 'tai_offset_seconds', 'pps_frequency_hertz', 'pps_calibration_total', 'pps_error_total']) {
        expect(value(ours, `node_timex_${name}`), name).toBe(value(theirs, `node_timex_${name}`));
      }
      expect(value(ours, 'node_scrape_collector_success')).toBe(1);
    } finally {
      await nodeExporter.stop();
    }
  }, 30_000);
});
