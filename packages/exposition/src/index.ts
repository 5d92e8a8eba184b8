/**
 * @tessera/exposition — Prometheus text format 0.0.4: the validating sink the host hands to
 * collectors, a renderer that matches the Go client's output, and a strict parser (textfiles,
 * pushed files, tests).
 */
export type { CollectedFamily, Series } from './collected.js';
export { escapeHelp, escapeLabelValue } from './escape.js';
export { formatFixed6, formatInteger, formatValue } from './format-value.js';
export { ExpositionParseError, parseText, parseValue, type ParsedFamily, type ParsedSample } from './parse.js';
export {
  compareSeries,
  renderFamilyHeader,
  renderSeriesLines,
  renderText,
  sortCollectedFamilies,
  sortSeries,
  TEXT_CONTENT_TYPE,
  type ExtraLabel,
  type RenderOptions,
} from './render.js';
export { PartReuseCache, SampleCollection, seriesKey, type PartRecord, type SampleCollectionOptions } from './sample-collection.js';
