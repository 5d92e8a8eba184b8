/** adjtimex(2)'s answer when the clock is not synchronized (TIME_ERROR). */
export const TIME_ERROR = 5;

/** STA_NANO in `status`: offset and jitter are in nanoseconds rather than microseconds. */
const STA_NANO = 0x2000;

/** The kernel's frequency unit: parts per million with a 16-bit binary fraction. */
const PPM_16_FRACTION = 1_000_000 * 65_536;

/** The size of `struct timex` on 64-bit Linux (x86-64, arm64). */
export const TIMEX_BYTES = 208;

/** The fields of `struct timex` node_exporter reports, as integers. */
export interface Timex {
  readonly offset: number;
  readonly freq: number;
  readonly maxerror: number;
  readonly esterror: number;
  readonly status: number;
  readonly constant: number;
  readonly tick: number;
  readonly ppsfreq: number;
  readonly jitter: number;
  readonly shift: number;
  readonly stabil: number;
  readonly jitcnt: number;
  readonly calcnt: number;
  readonly errcnt: number;
  readonly stbcnt: number;
  readonly tai: number;
}

/**
 * Reads `struct timex` as 64-bit little-endian Linux lays it out (include/uapi/linux/timex.h:
 * `long` fields of 8 bytes, `int` fields of 4 padded to 8).
 */
export function decodeTimex(buffer: Buffer): Timex {
  const long = (offset: number): number => Number(buffer.readBigInt64LE(offset));
  const int = (offset: number): number => buffer.readInt32LE(offset);
  return {
    offset: long(8),
    freq: long(16),
    maxerror: long(24),
    esterror: long(32),
    status: int(40),
    constant: long(48),
    // precision (56), tolerance (64) and time (72) are not reported.
    tick: long(88),
    ppsfreq: long(96),
    jitter: long(104),
    shift: int(112),
    stabil: long(120),
    jitcnt: long(128),
    calcnt: long(136),
    errcnt: long(144),
    stbcnt: long(152),
    tai: int(160),
  };
}

/** What node_exporter reports, in base units, from adjtimex's return value and the structure it filled. */
export function timexReadings(state: number, timex: Timex): Record<keyof Timex | 'syncStatus', number> {
  const divisor = (timex.status & STA_NANO) !== 0 ? 1_000_000_000 : 1_000_000;
  return {
    syncStatus: state === TIME_ERROR ? 0 : 1,
    offset: timex.offset / divisor,
    freq: 1 + timex.freq / PPM_16_FRACTION,
    maxerror: timex.maxerror / 1_000_000,
    esterror: timex.esterror / 1_000_000,
    status: timex.status,
    constant: timex.constant,
    tick: timex.tick / 1_000_000,
    ppsfreq: timex.ppsfreq / PPM_16_FRACTION,
    jitter: timex.jitter / divisor,
    shift: timex.shift,
    stabil: timex.stabil / PPM_16_FRACTION,
    jitcnt: timex.jitcnt,
    calcnt: timex.calcnt,
    errcnt: timex.errcnt,
    stbcnt: timex.stbcnt,
    tai: timex.tai,
  };
}
