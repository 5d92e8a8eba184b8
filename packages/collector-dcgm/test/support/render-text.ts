import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { parseText, type ParsedFamily } from '@tessera/exposition';
import plugin from '../../src/index.js';

/** One collection with a fresh test context: the families parsed back, the text and the logs. */
export async function collectParsed(config: Record<string, unknown>): Promise<{ families: ParsedFamily[]; text: string; context: TestContext }> {
  const context = createTestContext({ collector: 'dcgm' });
  const { text } = await collectOnce(plugin, config, { context });
  return { families: parseText(text), text, context };
}

/** Every sample as `name{labels}` → value. */
export function seriesMap(families: readonly ParsedFamily[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const family of families) {
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(',');
      map.set(`${family.name}{${labels}}`, sample.value);
    }
  }
  return map;
}
