import { stringify } from 'yaml';

/** How urgent an alert is: `critical` pages someone, `warning` goes to a ticket queue or a channel. */
export type Severity = 'critical' | 'warning';

/** A Prometheus alerting rule, in the shape of a rule file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

/** A Prometheus recording rule: `record` follows the `level:metric:operations` convention. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** A rule group, as Prometheus evaluates it: rules of a group run one after the other, in order. */
export interface RuleGroup<TRule extends AlertingRule | RecordingRule> {
  readonly name: string;
  readonly rules: readonly TRule[];
}

/** The text of a rule file (`groups:`), with a comment saying where it came from. */
export function renderRuleFile(groups: readonly RuleGroup<AlertingRule | RecordingRule>[], header: string): string {
  const body = stringify({ groups }, { lineWidth: 0 });
  return `${header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n')}\n${body}`;
}
