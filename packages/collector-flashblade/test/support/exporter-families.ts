import { readFileSync } from 'node:fs';

/** One family of pure-fb-openmetrics-exporter, as transcribed in the fixture. */
export interface ExporterFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Labels with a closed set of values, and that set. */
  readonly vocabularies: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The exporter's v1.1.4 families, from `fixtures/pure-fb-openmetrics-exporter-1.1.4.tsv`. */
export function readExporterFamilies(): ExporterFamily[] {
  const text = readFileSync(new URL('../fixtures/pure-fb-openmetrics-exporter-1.1.4.tsv', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [name = '', help = '', labels = '', vocabularies = ''] = line.split('\t');
      return {
        name,
        help,
        labelNames: labels.split(','),
        vocabularies: new Map(
          vocabularies
            .split(';')
            .filter((entry) => entry !== '')
            .map((entry) => {
              const [label = '', values = ''] = entry.split('=');
              return [label, new Set(values.split('|'))] as const;
            }),
        ),
      };
    });
}

/** Families the collector adds to the exporter's, each documented in the README. */
export const ADDED_FAMILIES = [
  'purefb_file_systems_smb_performance_latency_usec',
  'purefb_file_systems_smb_performance_throughput_iops',
  'purefb_file_systems_smb_performance_bandwidth_bytes',
  'purefb_file_systems_smb_performance_average_bytes',
];
