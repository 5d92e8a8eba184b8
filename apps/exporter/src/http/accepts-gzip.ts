/**
 * True when an `Accept-Encoding` header allows gzip: `gzip` (or `*`) with a non-zero quality,
 * and gzip not refused explicitly with `q=0`.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  let wildcard = false;
  for (const part of header.split(',')) {
    const [coding = '', ...parameters] = part.trim().toLowerCase().split(';');
    const qualityParameter = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    const quality = qualityParameter === undefined ? 1 : Number(qualityParameter.slice(2));
    if (coding.trim() === 'gzip') return quality > 0;
    if (coding.trim() === '*') wildcard = quality > 0;
  }
  return wildcard;
}
