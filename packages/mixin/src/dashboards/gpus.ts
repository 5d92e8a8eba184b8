import { GPU } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const V = ['cluster', 'instance', 'gpu'];
const GPU_LEGEND = '{{Hostname}} GPU {{gpu}}{{GPU_I_PROFILE}}';

/** GPUs: per GPU and per pod, errors, power, temperature and MIG instances. */
export const gpusDashboard: DashboardSpec = {
  uid: 'tessera-gpus',
  title: 'Tessera / GPUs',
  description: 'NVIDIA GPUs read by tessera with dcgm-exporter names: utilization and memory per GPU and per pod, XID and ECC errors, power, temperature, clocks and MIG instances.',
  variables: [
    { name: 'instance', label: 'Node', selector: 'DCGM_FI_DEV_GPU_TEMP{cluster=~"$cluster"}' },
    { name: 'gpu', label: 'GPU', selector: 'DCGM_FI_DEV_GPU_TEMP{cluster=~"$cluster", instance=~"$instance"}' },
    { name: 'pod', label: 'Pod', selector: 'DCGM_FI_DEV_FB_USED{cluster=~"$cluster", instance=~"$instance", pod!=""}' },
  ],
  rows: [
    {
      title: 'Utilization and memory',
      panels: [
        { kind: 'timeseries', title: 'GPU utilization', description: 'DCGM_FI_DEV_GPU_UTIL per GPU (MIG instances report no utilization; see the MIG row).', unit: 'percent', min: 0, max: 100, queries: [{ expr: select('DCGM_FI_DEV_GPU_UTIL', V), legend: GPU_LEGEND }] },
        { kind: 'timeseries', title: 'Framebuffer memory used', description: 'DCGM_FI_DEV_FB_USED (MiB) per GPU or MIG instance, in bytes.', unit: 'bytes', min: 0, queries: [{ expr: `${select('DCGM_FI_DEV_FB_USED', V)} * 1048576`, legend: GPU_LEGEND }] },
        { kind: 'timeseries', title: 'Tensor core activity', description: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: share of cycles the tensor pipes were busy (GPM, Hopper and later).', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', V), legend: GPU_LEGEND }] },
        { kind: 'timeseries', title: 'Memory copy utilization', description: 'DCGM_FI_DEV_MEM_COPY_UTIL: share of time the memory controller was busy.', unit: 'percent', min: 0, max: 100, queries: [{ expr: select('DCGM_FI_DEV_MEM_COPY_UTIL', V), legend: GPU_LEGEND }] },
      ],
    },
    {
      title: 'Pods',
      panels: [
        {
          kind: 'table',
          title: 'GPUs held by pods',
          description: 'Which pod holds which GPU or MIG instance (from the kubelet pod-resources API), and how much of its memory it uses.',
          unit: 'bytes',
          queries: [{ expr: `${select('DCGM_FI_DEV_FB_USED', [...V, 'pod'], 'pod!=""')} * 1048576`, instant: true }],
        },
        { kind: 'timeseries', title: 'GPU memory per pod', description: 'Framebuffer memory used by each pod, summed over its GPUs (recording rule).', unit: 'bytes', min: 0, queries: [{ expr: select(GPU.podMemory.record, ['cluster', 'pod']), legend: '{{namespace}}/{{pod}}' }] },
        { kind: 'timeseries', title: 'GPUs per pod', description: 'Whole GPUs and MIG instances each pod holds (recording rule).', unit: 'short', min: 0, queries: [{ expr: select(GPU.podDevices.record, ['cluster', 'pod']), legend: '{{namespace}}/{{pod}}' }] },
      ],
    },
    {
      title: 'Errors',
      panels: [
        { kind: 'table', title: 'Last XID error', description: 'DCGM_FI_DEV_XID_ERRORS: the last XID each GPU reported (0: none since tessera started).', unit: 'none', queries: [{ expr: select('DCGM_FI_DEV_XID_ERRORS', V), instant: true }] },
        {
          kind: 'timeseries',
          title: 'ECC errors',
          description: 'Volatile single-bit (corrected) and double-bit (uncorrectable) ECC errors since the last driver load. Needs DCGM_FI_DEV_ECC_* in the counters file.',
          unit: 'short',
          queries: [
            { expr: select('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', V), legend: `${GPU_LEGEND} single-bit` },
            { expr: select('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', V), legend: `${GPU_LEGEND} double-bit` },
          ],
        },
        { kind: 'timeseries', title: 'Remapped rows', description: 'Rows remapped for uncorrectable errors; a GPU that runs out of spare rows must be replaced.', unit: 'short', queries: [{ expr: select('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', V), legend: GPU_LEGEND }] },
        { kind: 'timeseries', title: 'PCIe replays', description: 'PCIe retries per second: a rising rate means a bad riser, slot or link.', unit: 'cps', queries: [{ expr: `rate(${select('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', V)}[$__rate_interval])`, legend: GPU_LEGEND }] },
      ],
    },
    {
      title: 'Power, temperature and clocks',
      panels: [
        { kind: 'timeseries', title: 'Power draw', description: 'DCGM_FI_DEV_POWER_USAGE per GPU.', unit: 'watt', min: 0, queries: [{ expr: select('DCGM_FI_DEV_POWER_USAGE', V, 'GPU_I_ID=""'), legend: GPU_LEGEND }] },
        {
          kind: 'timeseries',
          title: 'Temperature',
          description: 'GPU and memory temperature.',
          unit: 'celsius',
          queries: [
            { expr: select('DCGM_FI_DEV_GPU_TEMP', V, 'GPU_I_ID=""'), legend: `${GPU_LEGEND} GPU` },
            { expr: select('DCGM_FI_DEV_MEMORY_TEMP', V, 'GPU_I_ID=""'), legend: `${GPU_LEGEND} memory` },
          ],
        },
        { kind: 'timeseries', title: 'SM clock', description: 'DCGM_FI_DEV_SM_CLOCK: a clock far below the others under load is a throttled GPU.', unit: 'hertz', queries: [{ expr: `${select('DCGM_FI_DEV_SM_CLOCK', V, 'GPU_I_ID=""')} * 1000000`, legend: GPU_LEGEND }] },
        { kind: 'timeseries', title: 'Energy', description: 'Energy used per second (from DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, mJ).', unit: 'watt', queries: [{ expr: `rate(${select('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', V, 'GPU_I_ID=""')}[$__rate_interval]) / 1000`, legend: GPU_LEGEND }] },
      ],
    },
    {
      title: 'MIG instances',
      panels: [
        { kind: 'timeseries', title: 'Graphics engine activity per MIG instance', description: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE per GPU instance (GPM).', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select('DCGM_FI_PROF_GR_ENGINE_ACTIVE', V, 'GPU_I_ID!=""'), legend: '{{Hostname}} GPU {{gpu}} {{GPU_I_PROFILE}} #{{GPU_I_ID}}' }] },
        { kind: 'timeseries', title: 'Memory per MIG instance', description: 'Framebuffer memory used per GPU instance.', unit: 'bytes', min: 0, queries: [{ expr: `${select('DCGM_FI_DEV_FB_USED', V, 'GPU_I_ID!=""')} * 1048576`, legend: '{{Hostname}} GPU {{gpu}} {{GPU_I_PROFILE}} #{{GPU_I_ID}}' }] },
      ],
    },
  ],
};
