/**
 * @tessera/exposition — Prometheus text format 0.0.4: the validating sink the host hands to
 * collectors, a renderer that matches the Go client's output, and a strict parser (textfiles,
 * pushed files, tests).
 */
export type { CollectedFamily, Series } from './collected.js';
export { escapeHelp, escapeLabelValue } from './escape.js';
export { formatValue } from './format-value.js';
export { ExpositionParseError, parseText, parseValue, type ParsedFamily, type ParsedSample } from './parse.js';
export { renderText, sortCollectedFamilies, TEXT_CONTENT_TYPE } from './render.js';
export { SampleCollection, seriesKey } from './sample-collection.js';
