import type { MetricFamily } from '@tessera/collector-api';
import { labelKey, type TextfileFamily, type TextfileSeries } from './parsers/textfile.js';

/** One textfile that parsed, ready to merge. */
export interface ParsedTextfile {
  /** The file's path, as reported in `node_textfile_mtime_seconds{file}`. */
  readonly path: string;
  readonly families: readonly TextfileFamily[];
}

/** A merged family: declared as `family`, series with every label of `family.labelNames`. */
export interface MergedTextfileFamily {
  readonly family: MetricFamily;
  readonly series: readonly TextfileSeries[];
}

/** What merging the files of one collection gives. */
export interface TextfileMerge {
  readonly families: readonly MergedTextfileFamily[];
  /** The files whose metrics are served, in merge order. */
  readonly accepted: readonly string[];
  /** Files refused as a whole because they clash with a built-in family or an earlier file. */
  readonly rejected: readonly { readonly path: string; readonly reason: string }[];
  /** Families whose HELP differs between files: the first file's HELP is kept. */
  readonly helpConflicts: readonly { readonly name: string; readonly kept: string; readonly ignored: string; readonly path: string }[];
}

interface Building {
  readonly name: string;
  readonly type: TextfileFamily['type'];
  help: string | undefined;
  readonly paths: string[];
  readonly labelNames: Set<string>;
  readonly series: TextfileSeries[];
  readonly seriesKeys: Set<string>;
}

/**
 * Merges the families of several textfiles, in the order given (node_exporter's: file name order),
 * the way node_exporter serves them, with one difference: a file is accepted or refused as a
 * whole, never half-served.
 *
 * - A file declaring a family `isReserved` accepts (the node collector's own families) or a family an
 *   earlier file has with another type, or repeating a series an earlier file has, is refused.
 * - HELP: the first file's wins; a differing one is reported in `helpConflicts`. A family no file
 *   describes gets node_exporter's `Metric read from <files>`.
 * - Label sets may differ between series: the family gets the union of label names and a series
 *   lacking one gets `""`, which Prometheus treats as the label being absent.
 */
export function mergeTextfiles(files: readonly ParsedTextfile[], isReserved: (name: string) => boolean): TextfileMerge {
  const building = new Map<string, Building>();
  const accepted: string[] = [];
  const rejected: { path: string; reason: string }[] = [];
  const helpConflicts: { name: string; kept: string; ignored: string; path: string }[] = [];

  for (const file of files) {
    const reason = describeClash(file, building, isReserved);
    if (reason !== undefined) {
      rejected.push({ path: file.path, reason });
      continue;
    }
    accepted.push(file.path);
    for (const family of file.families) {
      let entry = building.get(family.name);
      if (entry === undefined) {
        entry = { name: family.name, type: family.type, help: family.help, paths: [], labelNames: new Set(), series: [], seriesKeys: new Set() };
        building.set(family.name, entry);
      } else if (family.help !== undefined) {
        if (entry.help === undefined) entry.help = family.help;
        else if (entry.help !== family.help) helpConflicts.push({ name: family.name, kept: entry.help, ignored: family.help, path: file.path });
      }
      entry.paths.push(file.path);
      for (const name of family.labelNames) entry.labelNames.add(name);
      for (const series of family.series) {
        entry.series.push(series);
        entry.seriesKeys.add(seriesKey(series));
      }
    }
  }

  const families = [...building.values()].map((entry): MergedTextfileFamily => {
    const labelNames = [...entry.labelNames].sort();
    return {
      family: { name: entry.name, type: entry.type, help: entry.help ?? `Metric read from ${entry.paths.join(', ')}`, labelNames },
      series: entry.series.map(({ labels, value }) => ({ labels: Object.fromEntries(labelNames.map((name) => [name, labels[name] ?? ''])), value })),
    };
  });
  return { families, accepted, rejected, helpConflicts };
}

/** Labels with an empty value are no labels at all in Prometheus: `{a="1",b=""}` is `{a="1"}`. */
function seriesKey(series: TextfileSeries): string {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(series.labels)) if (value !== '') present[name] = value;
  return labelKey(present);
}

function describeClash(file: ParsedTextfile, building: ReadonlyMap<string, Building>, isReserved: (name: string) => boolean): string | undefined {
  for (const family of file.families) {
    if (isReserved(family.name)) return `${family.name} is a family of the node collector itself`;
    const earlier = building.get(family.name);
    if (earlier === undefined) continue;
    if (earlier.type !== family.type) return `${family.name} is a ${family.type} here but a ${earlier.type} in ${earlier.paths[0] ?? 'an earlier file'}`;
    const repeated = family.series.find((series) => earlier.seriesKeys.has(seriesKey(series)));
    if (repeated !== undefined) return `${family.name}${formatLabels(repeated.labels)} is already in ${earlier.paths.join(', ')}`;
  }
  return undefined;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels).filter(([, value]) => value !== '');
  return entries.length === 0 ? '' : `{${entries.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}}`;
}
