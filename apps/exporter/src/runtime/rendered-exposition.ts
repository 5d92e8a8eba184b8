import { promisify } from 'node:util';
import { constants as zlibConstants, crc32, deflateRaw } from 'node:zlib';
import type { MetricFamily } from '@tessera/collector-api';
import { compareSeries, renderFamilyHeader, renderSeriesLines, type CollectedFamily, type ExtraLabel, type Series } from '@tessera/exposition';

const deflateRawAsync = promisify(deflateRaw);

// Rendering yields to the event loop after this much work, so health checks and other scrapes are
// answered while a 200k-series exposition is written.
const SLICE_BUDGET_MS = 8;
// Series rendered between two looks at the clock.
const SERIES_PER_STEP = 512;
// Families larger than this are sorted in runs that are merged step by step, for the same reason.
const SORT_RUN = 4096;
// Rendered text is encoded to bytes in pieces of about this many characters: V8 first flattens the
// many small strings the text is joined from, fastest for pieces of this size (a third faster than
// a megabyte at a time).
const ENCODE_CHARS = 1 << 16;
// A stable family's lines larger than this are rendered again at every scrape rather than kept.
const MAX_KEPT_CHARS = 1 << 20;
// Fast compression: a scrape is compressed once and served from the cache after, and Prometheus'
// text compresses about 20:1 even at this level.
const GZIP_LEVEL = 1;

/** One instance's families, and the label the host adds to its series (its `instanceLabel`), if any. */
export interface Contribution {
  readonly families: readonly CollectedFamily[];
  readonly extraLabel?: ExtraLabel | undefined;
}

/** Waits for the event loop's next turn when the current slice of work has used its budget. */
class TimeSlicer {
  #since = performance.now();

  async maybeYield(): Promise<void> {
    if (performance.now() - this.#since < SLICE_BUDGET_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#since = performance.now();
  }
}

/** The deflate stream of a body's cacheable head, flushed to a byte boundary so a tail can follow it. */
interface DeflatedHead {
  readonly data: Buffer;
  readonly crc: number;
}

/**
 * Text-format bytes of collector families, rendered once and served as often as the collections
 * behind them stay the same (a cache hit, scrapes that joined one collection). The gzip form is
 * made on first demand, off the event loop, and kept.
 */
export class RenderedCollectors {
  readonly plain: Buffer;
  /** The CRC-32 of `plain`, when it was computed while rendering. */
  readonly #crc: number | undefined;
  #deflated: Promise<DeflatedHead> | undefined;

  constructor(plain: Buffer, crc?: number) {
    this.plain = plain;
    this.#crc = crc;
  }

  /**
   * The whole response, this head followed by `tail` (the scrape's self-metrics, which change every
   * time), as one standard gzip member: the head's deflate stream is cached with a full flush at its
   * end, the tail is compressed as the final block after it, and the CRC is continued across both.
   */
  async gzip(tail: Buffer): Promise<Buffer> {
    this.#deflated ??= (async () => {
      const data = await deflateRawAsync(this.plain, { level: GZIP_LEVEL, finishFlush: zlibConstants.Z_FULL_FLUSH });
      return { data, crc: this.#crc ?? crc32(this.plain) };
    })();
    const head = await this.#deflated;
    const rest = await deflateRawAsync(tail, { level: GZIP_LEVEL });
    const trailer = Buffer.alloc(8);
    // zlib.crc32 of an empty buffer answers 0 whatever CRC it is to continue, on Node 20.
    trailer.writeUInt32LE(tail.length === 0 ? head.crc : crc32(tail, head.crc), 0);
    trailer.writeUInt32LE((this.plain.length + tail.length) % 2 ** 32, 4);
    return Buffer.concat([GZIP_HEADER, head.data, rest, trailer]);
  }
}

// Magic, deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952 §2.3).
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);

/**
 * Renders the contributions of one scrape as text format 0.0.4: families in name order, each with
 * one HELP and TYPE; within a family, each contribution's series sorted by label values (as
 * Prometheus' Go client orders them), contributions in the order given. Yields to the event loop
 * between slices of work.
 */
export async function renderContributions(contributions: readonly Contribution[]): Promise<RenderedCollectors> {
  const slicer = new TimeSlicer();
  const byName = new Map<string, { readonly family: MetricFamily; readonly parts: { readonly collected: CollectedFamily; readonly extraLabel: ExtraLabel | undefined }[] }>();
  for (const { families, extraLabel } of contributions) {
    for (const collected of families) {
      if (collected.series.length === 0) continue;
      let entry = byName.get(collected.family.name);
      if (entry === undefined) {
        entry = { family: collected.family, parts: [] };
        byName.set(collected.family.name, entry);
      }
      entry.parts.push({ collected, extraLabel });
    }
  }
  const chunks: Buffer[] = [];
  let pending = '';
  const flush = (): void => {
    if (pending.length === 0) return;
    chunks.push(Buffer.from(pending));
    pending = '';
  };
  const append = (text: string): void => {
    pending += text;
    if (pending.length > ENCODE_CHARS) flush();
  };
  for (const name of [...byName.keys()].sort()) {
    const { family, parts } = byName.get(name) as { family: MetricFamily; parts: { collected: CollectedFamily; extraLabel: ExtraLabel | undefined }[] };
    append(renderFamilyHeader(family));
    for (const { collected, extraLabel } of parts) {
      // A family replayed from an unchanged snapshot is the same object as last time: its lines too.
      const labelKey = extraLabel === undefined ? '' : `${extraLabel.name}\u0000${extraLabel.value}`;
      const known = renderedLines.get(collected)?.get(labelKey);
      if (known !== undefined) {
        flush();
        chunks.push(known);
        continue;
      }
      const sorted = await sortSeriesInSlices(family, collected.series, slicer);
      // The lines of a stable family are collected to be kept, unless they grow too large to keep.
      let kept: string | undefined = collected.stable === true ? '' : undefined;
      for (let start = 0; start < sorted.length; start += SERIES_PER_STEP) {
        const lines = renderSeriesLines(family, sorted, start, Math.min(start + SERIES_PER_STEP, sorted.length), { extraLabel });
        if (kept === undefined) append(lines);
        else if (kept.length + lines.length <= MAX_KEPT_CHARS) kept += lines;
        else {
          append(kept + lines);
          kept = undefined;
        }
        await slicer.maybeYield();
      }
      if (kept !== undefined) {
        // Kept encoded: turning the many small strings the lines are joined from into bytes again
        // at every scrape cost more than rendering them did.
        const encoded = Buffer.from(kept);
        remember(collected, labelKey, encoded);
        flush();
        chunks.push(encoded);
      }
    }
  }
  flush();
  return joinChunks(chunks, slicer);
}

/** The sample lines rendered for a stable collected family, per added label; dropped with the family. */
const renderedLines = new WeakMap<CollectedFamily, Map<string, Buffer>>();

function remember(collected: CollectedFamily, labelKey: string, lines: Buffer): void {
  let byLabel = renderedLines.get(collected);
  if (byLabel === undefined) {
    byLabel = new Map();
    renderedLines.set(collected, byLabel);
  }
  byLabel.set(labelKey, lines);
}

/**
 * The rendered chunks as one buffer, with its CRC-32 for the gzip form, copied and checksummed a
 * chunk at a time between turns of the event loop: done in one go, joining and checksumming the
 * 60 MB of a 650k-series scrape held the event loop for about 100 ms.
 */
async function joinChunks(chunks: readonly Buffer[], slicer: TimeSlicer): Promise<RenderedCollectors> {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const plain = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.allocUnsafe(length);
  let crc = 0;
  let offset = 0;
  for (const chunk of chunks) {
    if (plain !== chunk) offset += chunk.copy(plain, offset);
    // zlib.crc32 of an empty buffer answers 0 whatever CRC it is to continue, on Node 20.
    if (chunk.length > 0) crc = crc32(chunk, crc);
    await slicer.maybeYield();
  }
  return new RenderedCollectors(plain, crc);
}

/**
 * A family's series in label-value order, sorted in runs merged step by step so no step blocks for
 * long. The input itself when it is in order already (never modified).
 */
async function sortSeriesInSlices(family: MetricFamily, series: readonly Series[], slicer: TimeSlicer): Promise<readonly Series[]> {
  const compare = compareSeries(family);
  // Sources usually list their objects in order already; checking costs one comparison per series,
  // in slices too (130k series of one family take about 10 ms to check).
  let sorted = true;
  for (let index = 1; index < series.length && sorted; index++) {
    sorted = compare(series[index - 1] as Series, series[index] as Series) <= 0;
    if ((index & 0xfff) === 0) await slicer.maybeYield();
  }
  if (sorted) return series;
  let runs: Series[][] = [];
  for (let start = 0; start < series.length; start += SORT_RUN) {
    runs.push(series.slice(start, start + SORT_RUN).sort(compare));
    await slicer.maybeYield();
  }
  while (runs.length > 1) {
    const merged: Series[][] = [];
    for (let index = 0; index < runs.length; index += 2) {
      const left = runs[index] as Series[];
      const right = runs[index + 1];
      merged.push(right === undefined ? left : await mergeRuns(left, right, compare, slicer));
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

async function mergeRuns(left: Series[], right: Series[], compare: (a: Series, b: Series) => number, slicer: TimeSlicer): Promise<Series[]> {
  const result: Series[] = new Array<Series>(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    result[k++] = compare(left[i] as Series, right[j] as Series) <= 0 ? (left[i++] as Series) : (right[j++] as Series);
    if ((k & 0x3fff) === 0) await slicer.maybeYield();
  }
  while (i < left.length) result[k++] = left[i++] as Series;
  while (j < right.length) result[k++] = right[j++] as Series;
  return result;
}
