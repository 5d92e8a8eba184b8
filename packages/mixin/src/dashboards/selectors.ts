/**
 * `cluster=~"$cluster", instance=~"$instance"`: matchers for the given template variables, each
 * matching the label of the same name unless another label is given (`{ server: 'arkouda_server_name' }`).
 */
export function byVariables(names: readonly string[], labels: Readonly<Record<string, string>> = {}): string {
  return names.map((name) => `${labels[name] ?? name}=~"$${name}"`).join(', ');
}

/** `metric{<matchers of the variables>, <extra>}`. */
export function select(metric: string, variables: readonly string[], extra = '', labels: Readonly<Record<string, string>> = {}): string {
  const matchers = [byVariables(variables, labels), extra].filter((part) => part !== '').join(', ');
  return `${metric}{${matchers}}`;
}
