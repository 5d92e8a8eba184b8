import { describeCollector } from '../src/vitest.js';
import plugin from './fixtures/example-collector/example-collector.js';

// The testkit's own suite run against a collector written the way a third party would write one.
describeCollector(plugin, {
  packageDir: new URL('fixtures/example-collector/', import.meta.url),
  casesDir: 'cases',
  promtool: {},
});
