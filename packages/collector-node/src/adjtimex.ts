import { arch, endianness, platform } from 'node:os';
import { TIMEX_BYTES } from './parsers/timex.js';

/** Calls adjtimex(2) read-only: fills `buffer` with `struct timex` and returns the clock state. */
export type Adjtimex = (buffer: Buffer) => number;

let loading: Promise<Adjtimex> | undefined;

/**
 * adjtimex(2) from the C library, through the koffi FFI (the kernel's clock discipline state has
 * no file in procfs or sysfs). Only on 64-bit little-endian Linux, whose `struct timex` layout
 * the decoder knows; elsewhere, or when the library cannot be loaded, the promise rejects saying why.
 * Loaded once, at the first call.
 */
export function loadAdjtimex(): Promise<Adjtimex> {
  loading ??= (async () => {
    if (platform() !== 'linux' || endianness() !== 'LE' || !['x64', 'arm64', 'riscv64', 'loong64'].includes(arch())) {
      throw new Error(`adjtimex is read only on 64-bit little-endian Linux, not ${platform()} ${arch()}`);
    }
    const { default: koffi } = await import('koffi');
    const adjtimex = koffi.load('libc.so.6').func('int adjtimex(_Inout_ uint8_t *buf)');
    return (buffer: Buffer): number => {
      if (buffer.length < TIMEX_BYTES) throw new RangeError(`struct timex needs ${TIMEX_BYTES} bytes`);
      buffer.fill(0); // modes 0: read, change nothing
      return adjtimex(buffer) as number;
    };
  })();
  return loading;
}
