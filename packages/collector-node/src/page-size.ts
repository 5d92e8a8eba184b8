import { readFileSync } from 'node:fs';

/** AT_PAGESZ in the ELF auxiliary vector. */
const AT_PAGESZ = 6n;

let pageSize: number | undefined;

/**
 * The memory page size of the running kernel (4096 on x86-64, 4096 or 65536 on arm64), as Go's
 * `os.Getpagesize()` gives it to node_exporter: read once from this process's auxiliary vector
 * (`/proc/self/auxv`, pairs of 64-bit little-endian words), else 4096.
 */
export function systemPageSize(): number {
  if (pageSize !== undefined) return pageSize;
  pageSize = 4096;
  try {
    const auxv = readFileSync('/proc/self/auxv');
    for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
      if (auxv.readBigUInt64LE(offset) === AT_PAGESZ) {
        pageSize = Number(auxv.readBigUInt64LE(offset + 8));
        break;
      }
    }
  } catch {
    // Not Linux, or procfs not mounted: keep the common size.
  }
  return pageSize;
}
