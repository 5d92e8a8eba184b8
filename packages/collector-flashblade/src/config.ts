import { z } from 'zod';
import { GROUP_NAMES, type GroupName } from './parts.js';

/** Default background refresh: the groups that are slow on large arrays, on the intervals the exporter's users settled on. */
const DEFAULT_REFRESH_SECONDS: Readonly<Partial<Record<GroupName, number>>> = { usage: 3600, clients: 300 };

/**
 * The array's management address as an origin. `fb01.example.com`, `10.0.0.5:8443` and
 * `[fd00::5]` mean HTTPS (the API is HTTPS only); a URL with `https://` is taken as it is, and
 * `http://` is accepted for simulators. Anything with a path, a query or credentials is refused.
 */
export function parseEndpoint(endpoint: string): { origin: string } | { problem: string } {
  const text = endpoint.includes('://') ? endpoint : `https://${endpoint}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `${JSON.stringify(endpoint)} is not a host name, an address or an https:// URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `the array's API is HTTPS: ${url.protocol}// is not supported` };
  if (url.username !== '' || url.password !== '') return { problem: 'credentials do not belong in the endpoint: use apiToken or apiTokenFile' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return { problem: 'give the array\'s address only, without a path or query (the collector adds /api/…)' };
  }
  return { origin: url.origin };
}

const seconds = (maximum: number) => z.number().positive().max(maximum);

const refreshSchema = z.strictObject(Object.fromEntries(GROUP_NAMES.map((group) => [group, seconds(86_400).optional()])) as Record<GroupName, z.ZodOptional<z.ZodNumber>>);

/**
 * The `flashblade` collector's config entry: one array. `endpoint` and a token (`apiToken`, usually
 * `${ENV_VAR}`, or `apiTokenFile`) are required; everything else has a default.
 */
export const configSchema = z
  .strictObject({
    endpoint: z.string().trim().min(1, 'the array\'s management address is required'),
    apiToken: z.string().trim().min(1, 'the API token is empty').optional(),
    apiTokenFile: z.string().min(1).optional(),
    apiVersion: z
      .string()
      .regex(/^2\.\d+$/, 'expected a REST 2.x version such as 2.12')
      .optional(),
    ca: z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'expected PEM certificates (-----BEGIN CERTIFICATE-----)' }).optional(),
    caFile: z.string().min(1).optional(),
    insecureSkipVerify: z.boolean().default(false),
    servername: z.string().min(1).optional(),
    groups: z
      .array(z.enum(GROUP_NAMES))
      .refine((groups) => new Set(groups).size === groups.length, { message: 'a group is listed twice' })
      .default([...GROUP_NAMES]),
    refreshSeconds: refreshSchema.default({ ...DEFAULT_REFRESH_SECONDS }),
    maxConcurrentRequests: z.number().int().min(1).max(64).default(8),
    requestTimeoutSeconds: seconds(600).default(30),
    pageSize: z.number().int().min(1).max(10_000).default(1000),
    acceptBearerToken: z.boolean().default(false),
  })
  .transform((config, context) => {
    const endpoint = parseEndpoint(config.endpoint);
    if ('problem' in endpoint) context.addIssue({ code: 'custom', path: ['endpoint'], message: endpoint.problem });
    if ((config.apiToken === undefined) === (config.apiTokenFile === undefined)) {
      context.addIssue({ code: 'custom', path: ['apiToken'], message: 'give the API token as apiToken (e.g. "${FLASHBLADE_TOKEN}") or apiTokenFile, one of the two' });
    }
    if (config.ca !== undefined && config.caFile !== undefined) context.addIssue({ code: 'custom', path: ['caFile'], message: 'ca and caFile are mutually exclusive: set one of them' });
    if (config.insecureSkipVerify && (config.ca !== undefined || config.caFile !== undefined)) {
      context.addIssue({ code: 'custom', path: ['insecureSkipVerify'], message: 'insecureSkipVerify turns certificate checks off, so a CA would not be used: set one or the other' });
    }
    return { ...config, origin: 'origin' in endpoint ? endpoint.origin : '' };
  });

/** The validated config: defaults applied, the endpoint resolved to an origin. */
export type FlashBladeCollectorConfig = z.output<typeof configSchema>;

/** What a user may write in a `flashblade` entry. */
export type FlashBladeCollectorConfigInput = z.input<typeof configSchema>;
