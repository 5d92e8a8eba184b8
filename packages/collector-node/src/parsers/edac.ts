/**
 * node_exporter's DIMM label: the firmware's text with `#` removed and `_` put before `csrow` and
 * `channel` (`CPU_SrcID#0_Ha#0_Chan#0_DIMM#0` → `CPU_SrcID0_Ha0_Chan0_DIMM0`); `unknown` without one.
 */
export function edacDimmLabel(text: string | undefined): string {
  if (text === undefined) return 'unknown';
  return text.trim().replaceAll('#', '').replaceAll('csrow', '_csrow').replaceAll('channel', '_channel');
}
