import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineCollector, defineMetric } from '@tessera/collector-api';
import { requireBinary } from '@tessera/test-support';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger } from './helpers.js';
import { throwingPlugin, valuePlugin } from './fixtures/plugins.js';

// Screenshots go with the test reports, so a person can look at what the browser rendered.
const OUTPUT = fileURLToPath(new URL('../test-results/', import.meta.url));

const endpoint = defineMetric({ name: 'array_endpoint_items', type: 'gauge', help: 'Items per endpoint.', labelNames: ['endpoint'] });
/** An array of two instances with one endpoint group failing: a degraded instance. */
const arrays = defineCollector({
  specificationVersion: 'v1',
  name: 'arrays',
  description: 'Storage arrays with endpoint groups.',
  defaultEnabled: false,
  instanceLabel: 'array',
  configSchema: z.strictObject({}),
  metrics: [endpoint],
  create: () => ({
    async collect(sink) {
      await sink.part('array', (part) => part.add(endpoint, { endpoint: '/arrays' }, 1));
      await sink.part('usage', () => Promise.reject(new Error('GET https://admin:hunter22@array-a.example/api/2.12/usage/users answered 500')));
    },
  }),
});

// Run inside the page; this project's TypeScript has no DOM types, so the page's globals are typed here.
interface PageGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}
const BACKGROUND_COLOUR = (element: unknown): string => (globalThis as unknown as PageGlobals).getComputedStyle(element).backgroundColor;
const HORIZONTAL_OVERFLOW = (): number => {
  const page = globalThis as unknown as PageGlobals;
  return page.document.documentElement.scrollWidth - page.innerWidth;
};

let exporter: Exporter;
let browser: Browser;
let url: string;
beforeAll(async () => {
  exporter = await createExporter({
    config: { collectors: { healthy: {}, broken: {}, arrays: [{ instance: 'array-a' }, { instance: 'array-b' }] } },
    configFile: '/etc/tessera/tessera.yaml',
    plugins: { healthy: valuePlugin('healthy').plugin, broken: throwingPlugin('broken'), arrays },
    onlySuppliedPlugins: true,
    logger: captureLogger().logger,
  });
  url = await exporter.listen('127.0.0.1:0');
  await fetch(`${url}/metrics`).then((response) => response.text());
  browser = await chromium.launch({
    executablePath: requireBinary('chromium'),
    // The flags a sandboxed CI box without network needs (no GPU, no background traffic to Google).
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  await mkdir(OUTPUT, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await exporter?.close();
});

describe('the status page in a real browser', { timeout: 60_000 }, () => {
  it('renders every instance with its health, shows the failing and the degraded ones as such, and fits a phone screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('(failing) Tessera exporter');

    const state = (collector: string, instance: string) => page.locator(`section[data-collector="${collector}"][data-instance="${instance}"]`);
    expect(await state('healthy', 'default').getAttribute('data-state')).toBe('ok');
    expect(await state('broken', 'default').getAttribute('data-state')).toBe('failing');
    expect(await state('broken', 'default').locator('.summary').innerText()).toBe('failed: the source is on fire');
    expect(await state('arrays', 'array-a').getAttribute('data-state')).toBe('degraded');
    const degraded = await state('arrays', 'array-a').innerText();
    expect(degraded).toContain('partly failed: 1 of 2 parts');
    expect(degraded).toContain('usage: GET https://[REDACTED]@array-a.example/api/2.12/usage/users answered 500');
    expect(degraded).not.toContain('hunter22');
    // The failing badge is drawn in the failing colour, not just labelled.
    const failingColour = await state('broken', 'default').locator('.badge').evaluate(BACKGROUND_COLOUR);
    const okColour = await state('healthy', 'default').locator('.badge').evaluate(BACKGROUND_COLOUR);
    expect(failingColour).not.toBe(okColour);

    const header = await page.locator('header').innerText();
    expect(header).toContain('/etc/tessera/tessera.yaml');
    expect(header).toMatch(/listening on 127\.0\.0\.1:\d+/);
    expect(header).toContain('1 ok');
    expect(header).toContain('1 failing');
    expect(header).toContain('2 degraded');
    for (const link of ['/metrics', '/metrics/arrays', '/probe?collector=arrays&target=array-a', '/-/healthy', '/-/ready']) {
      expect(await page.locator(`a:text-is("${link}")`).count(), link).toBeGreaterThan(0);
    }
    // Nothing but the page itself is loaded (no scripts, fonts or styles from elsewhere), and nothing is wider than a phone.
    expect(requests).toEqual([`${url}/`]);
    expect(await page.locator('script').count()).toBe(0);
    const overflow = await page.evaluate(HORIZONTAL_OVERFLOW);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('15');
    await page.screenshot({ path: `${OUTPUT}status-page-phone.png`, fullPage: true });

    const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(`${url}/`);
    await desktop.screenshot({ path: `${OUTPUT}status-page-desktop.png`, fullPage: true });
    await Promise.all([page.close(), desktop.close()]);
  });
});
