import { describe, expect, it } from 'vitest';
import { adaptHeapToScrape, LARGE_SCRAPE_SERIES, useSmallExporterHeap } from '../src/runtime/heap-settings.js';

describe('heap settings', () => {
  it('leave a heap the bin did not size for memory alone, and give the small-exporter settings up once, at the first large scrape', () => {
    expect(adaptHeapToScrape(10 * LARGE_SCRAPE_SERIES)).toBe(false);
    useSmallExporterHeap();
    expect(adaptHeapToScrape(LARGE_SCRAPE_SERIES - 1)).toBe(false);
    expect(adaptHeapToScrape(LARGE_SCRAPE_SERIES)).toBe(true);
    expect(adaptHeapToScrape(10 * LARGE_SCRAPE_SERIES)).toBe(false);
  });
});
