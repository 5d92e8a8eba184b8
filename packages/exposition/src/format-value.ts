/**
 * Formats a sample value the way Prometheus' Go client does (`strconv.FormatFloat(v, 'g', -1, 64)`),
 * so our output diffs cleanly against node_exporter's: shortest round-trip digits, and exponent form
 * (with at least two exponent digits) when the decimal exponent is below -4 or at least 6.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // Between 1e-4 and 1e6 both Go and JavaScript write the shortest round-trip digits in plain
  // decimal, so the common case needs no exponent arithmetic.
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-4 && magnitude < 1e6) return String(value);
  const exponential = value.toExponential(); // shortest digits that round-trip, e.g. "2.5150341e+10"
  const eIndex = exponential.indexOf('e');
  // Outside that range the exponent is below -4 or at least 6: Go writes it with two digits at least.
  const exponent = Number(exponential.slice(eIndex + 1));
  const sign = exponent < 0 ? '-' : '+';
  const digits = Math.abs(exponent).toString().padStart(2, '0');
  return `${exponential.slice(0, eIndex)}e${sign}${digits}`;
}

/**
 * Formats a value as Go's `%d` of an int64 (dcgm-exporter's integer fields): all digits, no
 * exponent, the fraction dropped. Non-finite values are written as Prometheus reads them.
 */
export function formatInteger(value: number): string {
  if (!Number.isFinite(value)) return formatValue(value);
  return BigInt(Math.trunc(value)).toString();
}

/** Formats a value as Go's `%f` (six decimals, no exponent), as dcgm-exporter writes its double fields. */
export function formatFixed6(value: number): string {
  if (!Number.isFinite(value)) return formatValue(value);
  if (Math.abs(value) < 1e21) return value.toFixed(6);
  return `${BigInt(Math.trunc(value)).toString()}.000000`;
}
