import { KernelFormatError } from './fields.js';

/** One line of `/proc/<pid>/mountinfo` (proc(5)), with escapes decoded. */
export interface MountInfo {
  readonly major: string;
  readonly minor: string;
  readonly mountPoint: string;
  /** Per-mount options (`rw,noatime`). */
  readonly mountOptions: readonly string[];
  readonly fsType: string;
  /** The mount source, usually a device (`/dev/sda1`) or a name (`tmpfs`). */
  readonly source: string;
  /** Per-superblock options (`rw,errors=remount-ro`). */
  readonly superOptions: readonly string[];
}

/**
 * Undoes the kernel's escaping of mount paths: it writes space, tab, newline and backslash as
 * three-digit octal escapes (`\040`, `\011`, `\012`, `\134`) so that fields stay space-separated.
 */
export function decodeOctalEscapes(text: string): string {
  return text.includes('\\') ? text.replace(/\\([0-3][0-7]{2})/g, (_escape, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))) : text;
}

/**
 * Parses mountinfo: `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`.
 * Throws {@link KernelFormatError} for a line without the `-` separator or a bad device number.
 */
export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (fields.length < 10 || separator === -1 || separator + 3 > fields.length) {
      throw new KernelFormatError(`mountinfo: malformed line ${JSON.stringify(line)}`);
    }
    const device = fields[2] ?? '';
    const colon = device.indexOf(':');
    const major = device.slice(0, colon);
    const minor = device.slice(colon + 1);
    if (colon === -1 || !/^\d+$/.test(major) || !/^\d+$/.test(minor)) throw new KernelFormatError(`mountinfo: malformed device number ${JSON.stringify(device)}`);
    mounts.push({
      major,
      minor,
      mountPoint: decodeOctalEscapes(fields[4] ?? ''),
      mountOptions: (fields[5] ?? '').split(','),
      fsType: fields[separator + 1] ?? '',
      source: decodeOctalEscapes(fields[separator + 2] ?? ''),
      superOptions: (fields[separator + 3] ?? '').split(','),
    });
  }
  return mounts;
}
