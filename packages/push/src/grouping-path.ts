import { LABEL_NAME_PATTERN } from './metric-definition.js';

/**
 * Builds the Pushgateway path of a group: `/metrics/job/<job>/<name>/<value>…`.
 *
 * Values go through `encodeURIComponent`, except those the path cannot carry that way, which use the
 * Pushgateway's `<name>@base64/<base64url>` form:
 * - a value containing `/`: even percent-encoded as `%2F`, Go's router cleans the path and answers
 *   301, so the push is silently lost (prom-client's Pushgateway class resolves on that 301);
 * - an empty value, which would leave an empty path segment (sent as `=`, the Pushgateway's spelling
 *   of an empty base64 value);
 * - `.` and `..`, which path cleaning would remove in the same way.
 */
export function buildGroupingPath(job: string, groupingKey: Readonly<Record<string, string>>): string {
  let path = `/metrics/${encodeSegment('job', job)}`;
  for (const [name, value] of Object.entries(groupingKey)) path += `/${encodeSegment(name, value)}`;
  return path;
}

function encodeSegment(name: string, value: string): string {
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value === '.' || value === '..') return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/**
 * Returns why a job name and grouping key cannot address a group, or `undefined` when they can.
 * The job name must not be empty (the Pushgateway requires it); label names must be legal and not
 * `job`, which the path already carries.
 */
export function describeGroupingProblem(job: string, groupingKey: Readonly<Record<string, string>>): string | undefined {
  if (typeof job !== 'string' || job === '') return 'the job name must be a non-empty string';
  for (const [name, value] of Object.entries(groupingKey)) {
    if (!LABEL_NAME_PATTERN.test(name) || name.startsWith('__')) return `grouping key label ${JSON.stringify(name)} is not a valid label name`;
    if (name === 'job') return 'the grouping key must not contain "job": the job name is given separately';
    if (typeof value !== 'string') return `grouping key label ${name} must have a string value`;
  }
  return undefined;
}
