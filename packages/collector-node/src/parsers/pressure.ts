import { KernelFormatError, parseNumber } from './fields.js';

/** One line of a PSI file: the share of time stalled over 10 s, 60 s and 300 s, and the total in microseconds. */
export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  readonly totalMicroseconds: number;
}

/** A `/proc/pressure/<resource>` file: `some` (at least one task stalled) and `full` (all non-idle tasks stalled), each when present. */
export interface PressureStats {
  readonly some: PressureLine | undefined;
  readonly full: PressureLine | undefined;
}

/**
 * Parses a pressure stall information file (Documentation/accounting/psi.rst):
 * `some avg10=0.00 avg60=0.00 avg300=0.00 total=0`, and the same for `full`. The `full` line is
 * absent for cpu before Linux 5.13, the `some` line for irq. Lines with other prefixes are
 * ignored, so the kernel can add kinds; a `some` or `full` line of another shape throws
 * {@link KernelFormatError}.
 */
export function parsePressure(text: string, where: string): PressureStats {
  let some: PressureLine | undefined;
  let full: PressureLine | undefined;
  for (const line of text.split('\n')) {
    const kind = line.split(' ', 1)[0];
    if (kind !== 'some' && kind !== 'full') continue;
    const match = /^(?:some|full) avg10=(\S+) avg60=(\S+) avg300=(\S+) total=(\d+)$/.exec(line.trimEnd());
    if (match === null) throw new KernelFormatError(`${where}: unexpected line ${JSON.stringify(line)}`);
    const parsed = {
      avg10: parseNumber(match[1], `${where} ${kind} avg10`),
      avg60: parseNumber(match[2], `${where} ${kind} avg60`),
      avg300: parseNumber(match[3], `${where} ${kind} avg300`),
      totalMicroseconds: parseNumber(match[4], `${where} ${kind} total`),
    };
    if (kind === 'some') some = parsed;
    else full = parsed;
  }
  return { some, full };
}
