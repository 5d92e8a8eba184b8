// Fields printed first, in this order; the rest follow in record order.
const LEADING_FIELDS = ['time', 'level', 'msg'] as const;
// Fields that only add noise to a one-line format (pino's bookkeeping, multi-line stacks).
const DROPPED_FIELDS: ReadonlySet<string> = new Set(['pid', 'hostname', 'stack']);

/**
 * Turns one pino JSON record into one logfmt line (`ts=… level=info msg="…" collector=node`), the
 * format node_exporter and the Prometheus tools write. Nested objects are flattened with dots
 * (`err.message=…`); stacks are dropped. Returns the line with its trailing newline.
 */
export function formatLogfmt(record: Readonly<Record<string, unknown>>): string {
  const fields: string[] = [];
  for (const key of LEADING_FIELDS) {
    if (record[key] === undefined) continue;
    fields.push(`${key === 'time' ? 'ts' : key}=${formatValue(key === 'time' ? formatTime(record[key]) : record[key])}`);
  }
  for (const [key, value] of Object.entries(record)) {
    if ((LEADING_FIELDS as readonly string[]).includes(key) || DROPPED_FIELDS.has(key)) continue;
    appendField(fields, key, value);
  }
  return `${fields.join(' ')}\n`;
}

function appendField(fields: string[], key: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [child, childValue] of Object.entries(value)) {
      if (!DROPPED_FIELDS.has(child)) appendField(fields, `${key}.${child}`, childValue);
    }
    return;
  }
  fields.push(`${key}=${formatValue(value)}`);
}

function formatTime(value: unknown): unknown {
  return typeof value === 'number' ? new Date(value).toISOString() : value;
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  if (text !== '' && !/[\s"=\\]/.test(text)) return text;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}
