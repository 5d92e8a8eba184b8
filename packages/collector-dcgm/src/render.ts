import { defineMetric, type MetricFamily, type MetricSink } from '@tessera/collector-api';
import { fieldValue, type DcgmLabelField, type DcgmMetricField } from './dcgm-fields.js';
import type { CountersRow } from './counters-csv.js';
import type { GpuReading, GpuSnapshot, MigInstanceReading } from './gpu-sample.js';
import type { DeviceOwner } from './pod-resources/device-owners.js';
import { xidMessage } from './xid-messages.js';

/** The identity labels of every series, in dcgm-exporter's order. */
const IDENTITY_LABELS = ['gpu', 'UUID', 'pci_bus_id', 'device', 'modelName'] as const;
const MIG_LABELS = ['GPU_I_PROFILE', 'GPU_I_ID'] as const;
const POD_LABELS = ['container', 'namespace', 'pod'] as const;
const XID_FIELD = 'DCGM_FI_DEV_XID_ERRORS';

/** How the series of one collector instance are labelled. */
export interface LabelLayout {
  /** `Hostname`, `hostname`, or undefined for no host label. */
  readonly hostLabel: 'Hostname' | 'hostname' | undefined;
  /** Label-type fields (`DCGM_FI_DRIVER_VERSION`, …), added to every series. */
  readonly labelFields: readonly DcgmLabelField[];
  /** Whether series carry `pod`/`namespace`/`container` (Kubernetes attribution on). */
  readonly podLabels: boolean;
}

/** A family with the field it renders. */
export interface RenderedFamily {
  readonly field: DcgmMetricField;
  readonly family: MetricFamily;
}

/**
 * The families for the configured rows, labelled as dcgm-exporter labels them: identity, then the
 * MIG labels, the host label, the label-type fields sorted by name, then the attributes sorted by
 * name (pod labels, and `err_code`/`err_msg` on the XID family).
 */
export function buildFamilies(rows: readonly CountersRow[], layout: LabelLayout): RenderedFamily[] {
  const labelFieldNames = layout.labelFields.map((field) => field.name).sort();
  const families: RenderedFamily[] = [];
  for (const row of rows) {
    if (row.field.kind !== 'metric' || row.type === 'label') continue;
    const attributes = [...(layout.podLabels ? POD_LABELS : []), ...(row.field.name === XID_FIELD ? ['err_code', 'err_msg'] : [])].sort();
    const hostLabel = layout.hostLabel === undefined ? [] : [layout.hostLabel];
    const family = defineMetric({
      name: row.field.name,
      type: row.type,
      help: row.help,
      unit: row.field.unit,
      labelNames: [...IDENTITY_LABELS, ...MIG_LABELS, ...hostLabel, ...labelFieldNames, ...attributes],
      // dcgm-exporter leaves out what does not apply (MIG labels on a whole GPU, pod labels on a GPU no pod holds).
      optionalLabels: [...MIG_LABELS, ...hostLabel, ...labelFieldNames, ...(layout.podLabels ? POD_LABELS : [])],
      // dcgm-exporter prints int64 fields with Go's %d and double fields with %f.
      valueFormat: row.field.valueType === 'double' ? 'fixed6' : 'integer',
    });
    families.push({ field: row.field, family });
  }
  return families;
}

/** What labels the renderer needs beyond the snapshot. */
export interface RenderContext {
  readonly families: readonly RenderedFamily[];
  readonly layout: LabelLayout;
  readonly hostname: string;
  readonly replaceBlanksInModelName: boolean;
  /** Which pod holds a GPU or MIG device, by UUID. */
  readonly owners: ReadonlyMap<string, DeviceOwner>;
}

/** One GPU of a snapshot, rendered as a part of the collection of its own. */
export interface GpuPart {
  /** `gpu/<index>` (`tessera_collector_part_success{part="gpu/3"}`). */
  readonly name: string;
  /** Adds the GPU's series; throws for a GPU whose reading failed, so that only its part fails. */
  readonly render: (sink: MetricSink) => void;
}

/** The name of a GPU's part. */
export function gpuPartName(index: number): string {
  return `gpu/${index}`;
}

/**
 * Splits a snapshot into one part per GPU, in index order, each rendering that GPU's series with
 * dcgm-exporter's rules: fields a GPU does not report have no series; a MIG GPU is reported once
 * per instance, with `GPU_I_PROFILE`/`GPU_I_ID`, its own framebuffer and profiling values and the
 * parent's others, and without the utilisation fields; pod labels only where a pod holds the device.
 */
export function snapshotParts(snapshot: GpuSnapshot, context: RenderContext): GpuPart[] {
  const parts = [
    ...snapshot.gpus.map((gpu) => ({ index: gpu.index, render: (sink: MetricSink) => renderGpu(gpu, snapshot, context, sink) })),
    ...snapshot.failures.map((failure) => ({
      index: failure.index,
      render: () => {
        throw new Error(`GPU ${failure.index}${failure.uuid === undefined ? '' : ` (${failure.uuid})`}: ${failure.message}`);
      },
    })),
  ];
  return parts.sort((a, b) => a.index - b.index).map(({ index, render }) => ({ name: gpuPartName(index), render }));
}

function renderGpu(gpu: GpuReading, snapshot: GpuSnapshot, context: RenderContext, sink: MetricSink): void {
  const { layout } = context;
  const common: Record<string, string> = {
    gpu: String(gpu.index),
    UUID: gpu.uuid,
    pci_bus_id: gpu.pciBusId,
    device: `nvidia${gpu.index}`,
    modelName: context.replaceBlanksInModelName ? gpu.name.replaceAll(' ', '-') : gpu.name,
  };
  if (layout.hostLabel !== undefined) common[layout.hostLabel] = context.hostname;
  for (const field of layout.labelFields) common[field.name] = labelFieldValue(field, gpu, snapshot) ?? '';
  const instances: readonly (MigInstanceReading | undefined)[] = gpu.migInstances !== undefined && gpu.migInstances.length > 0 ? gpu.migInstances : [undefined];
  for (const instance of instances) {
    const labels: Record<string, string> = { ...common, GPU_I_PROFILE: instance?.profile ?? '', GPU_I_ID: instance === undefined ? '' : String(instance.gpuInstanceId) };
    if (layout.podLabels) {
      const owner = context.owners.get(instance?.uuid ?? gpu.uuid);
      labels.container = owner?.container ?? '';
      labels.namespace = owner?.namespace ?? '';
      labels.pod = owner?.pod ?? '';
    }
    for (const { field, family } of context.families) {
      if (instance !== undefined && field.mig === 'unavailable') continue;
      const value = fieldValue(field, instance !== undefined && field.mig === 'instance' ? instance.values : gpu.values);
      if (value === undefined) continue;
      const series = field.name === XID_FIELD ? { ...labels, err_code: String(value), err_msg: xidMessage(value) } : labels;
      sink.add(family, series, value);
    }
  }
}

function labelFieldValue(field: DcgmLabelField, gpu: GpuReading, snapshot: GpuSnapshot): string | undefined {
  switch (field.source) {
    case 'driverVersion':
      return snapshot.driverVersion;
    case 'nvmlVersion':
      return snapshot.nvmlVersion;
    case 'serial':
      return gpu.serial;
    case 'vbiosVersion':
      return gpu.vbiosVersion;
  }
}
