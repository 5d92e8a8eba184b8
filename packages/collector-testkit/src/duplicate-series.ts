import { ExpositionParseError, parseText } from '@tessera/exposition';

/**
 * Finds series that appear more than once in exposition text: the same sample name with the same
 * label set, label order ignored. `promtool check metrics` does not catch these, and they arise
 * across families, where no single sink sees them (a gauge `x_count` declared during a collection
 * beside a histogram `x`; `defineCollector` refuses the pair when both are declared up front).
 *
 * Returns one line per duplicated series, naming every line it is on, plus one line per sample
 * line that does not parse; empty when the text is clean.
 */
export function findDuplicateSeries(text: string): string[] {
  const problems: string[] = [];
  const linesBySeries = new Map<string, number[]>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    // Parsing line by line (not the whole text) lets the scan go on past the first duplicate,
    // where parseText stops.
    let key: string;
    try {
      const [family] = parseText(line);
      const sample = family?.samples[0];
      if (sample === undefined) continue;
      key = `${sample.name}${formatSortedLabels(sample.labels)}`;
    } catch (error) {
      if (!(error instanceof ExpositionParseError)) throw error;
      problems.push(`line ${index + 1}: ${error.message.replace(/^line \d+: /, '')}`);
      continue;
    }
    const seen = linesBySeries.get(key);
    if (seen === undefined) linesBySeries.set(key, [index + 1]);
    else seen.push(index + 1);
  }
  for (const [series, lineNumbers] of linesBySeries) {
    if (lineNumbers.length > 1) problems.push(`duplicate series ${series} on lines ${lineNumbers.join(', ')}`);
  }
  return problems;
}

function formatSortedLabels(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(',')}}`;
}
