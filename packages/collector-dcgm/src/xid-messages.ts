/**
 * Short descriptions of common XID codes, for the `err_msg` label of DCGM_FI_DEV_XID_ERRORS, from
 * NVIDIA's public XID catalogue (docs.nvidia.com/deploy/xid-errors). The wording is tessera's; codes
 * not listed read `Unknown Error`, and 0 (no XID seen yet) reads `No Error`, as dcgm-exporter does.
 */
const XID_MESSAGES: ReadonlyMap<number, string> = new Map([
  [8, 'GPU stopped processing'],
  [13, 'Graphics Engine Exception'],
  [31, 'GPU memory page fault'],
  [32, 'Invalid or corrupted push buffer stream'],
  [38, 'Driver firmware error'],
  [43, 'GPU stopped processing'],
  [45, 'Preemptive cleanup, due to previous errors'],
  [48, 'Double Bit ECC Error'],
  [61, 'Internal micro-controller breakpoint/warning'],
  [62, 'Internal micro-controller halt'],
  [63, 'ECC page retirement or row remapping recording event'],
  [64, 'ECC page retirement or row remapper recording failure'],
  [68, 'Video processor exception'],
  [69, 'Graphics Engine class error'],
  [74, 'NVLINK Error'],
  [79, 'GPU has fallen off the bus'],
  [92, 'High single-bit ECC error rate'],
  [94, 'Contained ECC error'],
  [95, 'Uncontained ECC error'],
  [109, 'Context Switch Timeout Error'],
  [119, 'GSP RPC Timeout'],
  [120, 'GSP Error'],
  [121, 'C2C Link Error'],
  [140, 'Unrecovered ECC Error'],
]);

/** The `err_msg` label value for an XID code. */
export function xidMessage(xid: number): string {
  if (xid === 0) return 'No Error';
  return XID_MESSAGES.get(xid) ?? 'Unknown Error';
}
