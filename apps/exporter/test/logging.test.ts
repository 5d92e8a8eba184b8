import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import { formatLogfmt } from '../src/logging/logfmt.js';

function capture(format: 'json' | 'logfmt'): { readonly lines: string[]; readonly logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', format, destination: { write: (line: string) => destination.write(line) } }) };
}

describe('logging', () => {
  it('redacts secrets wherever a config or request object carries them', () => {
    const { lines, logger } = capture('json');
    logger.info({ config: { apiToken: 'T-1', password: 'p', endpoint: 'https://a' }, req: { headers: { authorization: 'Bearer x' } }, authorization: 'Basic y' }, 'hello');
    const text = lines.join('');
    for (const secret of ['T-1', '"p"', 'Bearer x', 'Basic y']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ level: 'info', msg: 'hello', config: { apiToken: '[REDACTED]', endpoint: 'https://a' } });
  });

  it('writes logfmt lines when asked, child bindings included', () => {
    const { lines, logger } = capture('logfmt');
    logger.child({ collector: 'node', instance: 'default' }).warn({ apiToken: 'secret' }, 'slow "disk" = sda');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ts=\d{4}-\d\d-\d\dT\S+Z level=warn msg="slow \\"disk\\" = sda" collector=node instance=default apiToken=\[REDACTED\]\n$/);
  });

  it('formats values the logfmt way', () => {
    expect(formatLogfmt({ time: 0, level: 'error', msg: 'x', err: { type: 'Error', message: 'a b', stack: 'Error: a b\n at x' }, count: 3, empty: '', list: [1, 2] })).toBe(
      'ts=1970-01-01T00:00:00.000Z level=error msg=x err.type=Error err.message="a b" count=3 empty="" list=[1,2]\n',
    );
  });
});
