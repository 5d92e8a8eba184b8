import { KernelFormatError } from './fields.js';

/**
 * Parses a sysfs CPU list (`0-3,8,10-11`, as in `/sys/devices/system/cpu/isolated`) into CPU
 * numbers in ascending order. An empty file is an empty list.
 */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') return [];
  for (const part of trimmed.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) throw new KernelFormatError(`invalid CPU list ${JSON.stringify(trimmed)}`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first || last - first > 65_536) throw new KernelFormatError(`invalid CPU range ${JSON.stringify(part)}`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}
