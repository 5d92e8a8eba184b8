import { z } from 'zod';

/** The host label names dcgm-exporter has used: `Hostname` up to 4.8.2, `hostname` from 4.8.3; `none` leaves it out (`--no-hostname`). */
export const HOST_LABEL_NAMES = ['Hostname', 'hostname', 'none'] as const;

/** The kubelet's pod-resources socket, where dcgm-exporter looks for it. */
export const DEFAULT_POD_RESOURCES_SOCKET = '/var/lib/kubelet/pod-resources/kubelet.sock';

const section = <TSchema extends z.ZodType>(schema: TSchema) => z.preprocess((value) => value ?? {}, schema);
const seconds = (fallback: number, max: number) => z.number().positive().max(max).default(fallback);

/** The `dcgm` collector's config entry. Every key is optional. */
export const configSchema = z.strictObject({
  backend: z.enum(['auto', 'nvml', 'nvidia-smi']).default('auto'),
  intervalSeconds: seconds(30, 3600),
  sampleTimeoutSeconds: seconds(10, 600),
  nvml: section(z.strictObject({ libraryPath: z.string().min(1).default('libnvidia-ml.so.1') })),
  nvidiaSmi: section(z.strictObject({ path: z.string().min(1).default('nvidia-smi') })),
  countersFile: z.string().default(''),
  hostLabel: z.enum(HOST_LABEL_NAMES).default('Hostname'),
  hostname: z.string().default(''),
  replaceBlanksInModelName: z.boolean().default(false),
  kubernetes: section(
    z.strictObject({
      enabled: z.boolean().default(true),
      podResourcesSocket: z.string().min(1).default(DEFAULT_POD_RESOURCES_SOCKET),
      refreshSeconds: seconds(30, 3600),
      resourceNames: z.array(z.string().min(1)).default([]),
    }),
  ),
});

/** The validated config, defaults applied. */
export type DcgmCollectorConfig = z.output<typeof configSchema>;

/** What a user may write in the `dcgm` entry. */
export type DcgmCollectorConfigInput = z.input<typeof configSchema>;
