import { sampleNameSuffixes, type MetricFamily, type MetricType } from '@tessera/collector-api';
import { canonicalKey, type TextfileFamily, type TextfileSeries } from './parsers/textfile.js';

/** One textfile that parsed, ready to merge. */
export interface ParsedTextfile {
  /** The file's path, as reported in `node_textfile_mtime_seconds{file}`. */
  readonly path: string;
  readonly families: readonly TextfileFamily[];
}

/** The series one file contributes to a merged family. */
export interface TextfileContribution {
  readonly path: string;
  /** Series with every label of the merged family's `labelNames` (`""` for those the file lacks). */
  readonly series: readonly TextfileSeries[];
}

/** A merged family: declared as `family`, its series listed per file. */
export interface MergedTextfileFamily {
  readonly family: MetricFamily;
  readonly contributions: readonly TextfileContribution[];
}

/** A file refused as a whole, with the family that made it so. */
export interface RejectedTextfile {
  readonly path: string;
  readonly family: string;
  readonly reason: string;
}

/** What merging the files of one collection gives. */
export interface TextfileMerge {
  readonly families: readonly MergedTextfileFamily[];
  /** The files whose metrics are served, in merge order. */
  readonly accepted: readonly string[];
  /** Files refused as a whole because they clash with a family of the node collector or of an earlier file. */
  readonly rejected: readonly RejectedTextfile[];
  /** Families whose HELP differs between files: the first file's HELP is kept. */
  readonly helpConflicts: readonly { readonly name: string; readonly kept: string; readonly ignored: string; readonly path: string }[];
}

interface Building {
  readonly name: string;
  readonly type: MetricType;
  help: string | undefined;
  readonly files: { readonly path: string; readonly family: TextfileFamily }[];
  readonly labelNames: Set<string>;
  /** The series keys of the files so far, built only when a second file brings the family. */
  seriesKeys: Set<string> | undefined;
}

/** The sample names a family writes: its name, and for histograms and summaries the suffixed ones. */
export function sampleNames(name: string, type: MetricType): string[] {
  return [name, ...sampleNameSuffixes(type).map((suffix) => `${name}${suffix}`)];
}

/** The series keys of a family as {@link TextfileFamily.seriesKeys} defines them (computed for histograms and summaries). */
function keysOf(family: TextfileFamily): readonly string[] {
  return family.seriesKeys.length === family.series.length ? family.seriesKeys : family.series.map((series) => canonicalKey(series.labels));
}

/**
 * Merges the families of several textfiles, in the order given (node_exporter's: file name order),
 * the way node_exporter serves them, with one difference: a file is accepted or refused as a
 * whole, never half-served.
 *
 * - A file is refused when one of its families writes a sample name `isReserved` accepts (a family
 *   of the node collector), has another type than in an earlier file, writes a sample name another
 *   family already writes (a histogram `x` and an untyped `x_count`), or repeats a series an earlier
 *   file has.
 * - HELP: the first file's wins; a differing one is reported in `helpConflicts`. A family no file
 *   describes gets node_exporter's `Metric read from <files>`.
 * - Label sets may differ between series: the family gets the union of label names and a series
 *   lacking one gets `""`, which Prometheus treats as the label being absent.
 */
export function mergeTextfiles(files: readonly ParsedTextfile[], isReserved: (name: string) => boolean): TextfileMerge {
  const building = new Map<string, Building>();
  /** Which family writes each sample name of the accepted files. */
  const writers = new Map<string, string>();
  const accepted: string[] = [];
  const rejected: RejectedTextfile[] = [];
  const helpConflicts: { name: string; kept: string; ignored: string; path: string }[] = [];

  for (const file of files) {
    const clash = describeClash(file, building, writers, isReserved);
    if (clash !== undefined) {
      rejected.push({ path: file.path, ...clash });
      continue;
    }
    accepted.push(file.path);
    for (const family of file.families) {
      let entry = building.get(family.name);
      if (entry === undefined) {
        entry = { name: family.name, type: family.type, help: family.help, files: [], labelNames: new Set(), seriesKeys: undefined };
        building.set(family.name, entry);
        for (const name of sampleNames(family.name, family.type)) writers.set(name, family.name);
      } else if (family.help !== undefined) {
        if (entry.help === undefined) entry.help = family.help;
        else if (entry.help !== family.help) helpConflicts.push({ name: family.name, kept: entry.help, ignored: family.help, path: file.path });
      }
      if (entry.seriesKeys !== undefined) for (const key of keysOf(family)) entry.seriesKeys.add(key);
      entry.files.push({ path: file.path, family });
      for (const name of family.labelNames) entry.labelNames.add(name);
    }
  }

  const families = [...building.values()].map((entry): MergedTextfileFamily => {
    const labelNames = [...entry.labelNames].sort();
    return {
      family: { name: entry.name, type: entry.type, help: entry.help ?? `Metric read from ${entry.files.map((file) => file.path).join(', ')}`, labelNames },
      contributions: entry.files.map(({ path, family }) => ({ path, series: completeLabels(family, labelNames) })),
    };
  });
  return { families, accepted, rejected, helpConflicts };
}

/** The family's series with every label of `labelNames`; the file's own objects when they already have them all. */
function completeLabels(family: TextfileFamily, labelNames: readonly string[]): readonly TextfileSeries[] {
  if (family.labelNames.length === labelNames.length && family.series.every((series) => Object.keys(series.labels).length === labelNames.length)) return family.series;
  return family.series.map(({ labels, value }) => {
    const complete: Record<string, string> = {};
    for (const name of labelNames) complete[name] = labels[name] ?? '';
    return { labels: complete, value };
  });
}

function describeClash(
  file: ParsedTextfile,
  building: Map<string, Building>,
  writers: ReadonlyMap<string, string>,
  isReserved: (name: string) => boolean,
): { family: string; reason: string } | undefined {
  // Sample names this file's families write, to catch a clash between two families of the file itself.
  const ownWriters = new Map<string, string>();
  for (const family of file.families) {
    for (const name of sampleNames(family.name, family.type)) {
      if (isReserved(name)) return { family: family.name, reason: `${name === family.name ? family.name : `${family.name} (sample ${name})`} is a family of the node collector itself` };
      const writer = writers.get(name) ?? ownWriters.get(name);
      if (writer !== undefined && writer !== family.name) return { family: family.name, reason: `${family.name} writes ${name}, which ${writer} writes too` };
      ownWriters.set(name, family.name);
    }
    const earlier = building.get(family.name);
    if (earlier === undefined) continue;
    const firstPath = earlier.files[0]?.path ?? 'an earlier file';
    if (earlier.type !== family.type) return { family: family.name, reason: `${family.name} is a ${family.type} here but a ${earlier.type} in ${firstPath}` };
    earlier.seriesKeys ??= new Set(earlier.files.flatMap((entry) => keysOf(entry.family)));
    const repeated = keysOf(family).find((key) => earlier.seriesKeys?.has(key));
    if (repeated !== undefined) return { family: family.name, reason: `${family.name}${repeated} is already in ${earlier.files.map((entry) => entry.path).join(', ')}` };
  }
  return undefined;
}
