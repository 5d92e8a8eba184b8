/**
 * Parses a udev database entry (`/run/udev/data/b<major>:<minor>`): the device properties are the
 * `E:NAME=value` lines; everything else (symlinks, tags, …) is ignored.
 */
export function parseUdevProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const equals = line.indexOf('=', 2);
    if (equals !== -1) properties.set(line.slice(2, equals), line.slice(equals + 1));
  }
  return properties;
}
