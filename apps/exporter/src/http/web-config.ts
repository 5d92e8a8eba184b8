import { dirname, isAbsolute, resolve } from 'node:path';
import type { ConfigPath } from '@tessera/collector-api';
import { z } from 'zod';
import { ConfigFileError, tidyIssueMessage } from '../config/config-error.js';
import { describeValue, isMapping } from '../config/parse-config-document.js';
import { CLIENT_AUTH_TYPES, cipherSuiteProblem, CURVES, toOpenSslCiphers, TLS_VERSIONS, type ClientAuthType, type TlsVersionName } from './web-config-tls-names.js';

/**
 * `--web.config.file`: the web configuration file shared by Prometheus exporters (exporter-toolkit
 * format, snake_case keys): TLS and client certificates, basic auth with bcrypt hashes, response
 * headers and a rate limit. Parsing here is pure; files are read by `loadWebConfigFile`.
 */
export interface WebConfig {
  /** Absent: plain HTTP. */
  readonly tls: TlsServerSettings | undefined;
  /** Added to every response (only the headers exporter-toolkit allows). */
  readonly headers: Readonly<Record<string, string>>;
  /** User name → bcrypt hash; empty means no authentication. */
  readonly users: ReadonlyMap<string, string>;
  /** Absent: no limit. */
  readonly rateLimit: RateLimit | undefined;
}

/** PEM text given inline or in a file; `key` is the config key, for messages. */
export type PemSource = { readonly key: string; readonly file: string } | { readonly key: string; readonly text: string };

/** `tls_server_config`, checked and mapped onto Node's names; nothing is read yet. */
export interface TlsServerSettings {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly clientCa: PemSource | undefined;
  readonly clientAuthType: ClientAuthType;
  /** Exact SAN values a client certificate must carry one of; absent = no SAN check. */
  readonly clientAllowedSans: readonly string[] | undefined;
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** OpenSSL cipher string; absent = Node's default list. */
  readonly ciphers: string | undefined;
  readonly honorCipherOrder: boolean;
  /** OpenSSL group list (`P-256:X25519`); absent = Node's default. */
  readonly ecdhCurve: string | undefined;
}

/** A token bucket: one request per `intervalMs`, bursts of up to `burst`. */
export interface RateLimit {
  readonly intervalMs: number;
  readonly burst: number;
}

/**
 * The response headers an operator may set, and the values allowed where the header is an
 * enumeration; the same set as exporter-toolkit, so a file works with every exporter.
 */
export const ALLOWED_HEADERS: Readonly<Record<string, readonly string[] | undefined>> = {
  'Content-Security-Policy': undefined,
  'Strict-Transport-Security': undefined,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': undefined,
};

// bcrypt's modular crypt format: version, two-digit cost (4–31), 22 salt and 31 hash characters.
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const optionalList = z.array(z.string()).nullish();

const tlsServerConfigSchema = z.strictObject({
  cert: z.string().nullish(),
  key: z.string().nullish(),
  client_ca: z.string().nullish(),
  cert_file: z.string().nullish(),
  key_file: z.string().nullish(),
  client_auth_type: z.string().nullish(),
  client_ca_file: z.string().nullish(),
  client_allowed_sans: optionalList,
  min_version: z.string().nullish(),
  max_version: z.string().nullish(),
  cipher_suites: optionalList,
  prefer_server_cipher_suites: z.boolean().nullish(),
  curve_preferences: optionalList,
});

const httpServerConfigSchema = z.strictObject({
  http2: z.boolean().nullish(),
  headers: z.record(z.string(), z.string().nullable()).nullish(),
});

const rateLimitSchema = z.strictObject({
  interval: z.union([z.string(), z.number()]).nullish(),
  burst: z.number().int().min(0).nullish(),
});

const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfigSchema.nullish(),
  http_server_config: httpServerConfigSchema.nullish(),
  basic_auth_users: z.record(z.string(), z.string()).nullish(),
  rate_limit: rateLimitSchema.nullish(),
});

/** The valid keys of each section, for "unknown key" messages. */
const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(webConfigSchema.shape),
  tls_server_config: Object.keys(tlsServerConfigSchema.shape),
  http_server_config: Object.keys(httpServerConfigSchema.shape),
  rate_limit: Object.keys(rateLimitSchema.shape),
};

type RawWebConfig = z.infer<typeof webConfigSchema>;
type RawTlsServerConfig = NonNullable<RawWebConfig['tls_server_config']>;

/**
 * Validates a parsed web config document. Relative file names are resolved against the directory
 * of `file` (the web config file itself). Throws {@link ConfigFileError} naming `shownFile`, the key
 * and what was expected; secrets (inline keys, password hashes) are never quoted.
 */
export function parseWebConfig(document: unknown, file: string, shownFile: string): WebConfig {
  const root = document ?? {};
  if (!isMapping(root)) throw new ConfigFileError(shownFile, `expected a mapping of sections, received ${describeValue(root)}`);
  const result = webConfigSchema.safeParse(root);
  if (!result.success) throw issueToError(result.error.issues, shownFile);
  const raw = result.data;
  const fail = (path: ConfigPath, reason: string): never => {
    throw new ConfigFileError(shownFile, reason, { path });
  };

  if (raw.http_server_config?.http2 === true) {
    fail(['http_server_config', 'http2'], 'HTTP/2 is not supported: tessera serves HTTP/1.1 (over TLS too), which Prometheus scrapes the same way; remove the key or set it to false');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.http_server_config?.headers ?? {})) {
    const path = ['http_server_config', 'headers', name];
    if (!Object.hasOwn(ALLOWED_HEADERS, name)) fail(path, `this header cannot be configured; allowed: ${Object.keys(ALLOWED_HEADERS).join(', ')}`);
    // A blank value leaves the header unset, as in exporter-toolkit.
    if (value === null || value === '') continue;
    const allowed = ALLOWED_HEADERS[name];
    if (allowed !== undefined && !allowed.includes(value)) fail(path, `expected one of ${allowed.join(', ')}, received ${describeValue(value)}`);
    headers[name] = value;
  }

  const users = new Map<string, string>();
  for (const [name, hash] of Object.entries(raw.basic_auth_users ?? {})) {
    // The hash is not quoted: it is as good as the password against an offline guesser.
    if (!BCRYPT_HASH.test(hash)) fail(['basic_auth_users', name], 'expected a bcrypt hash ($2a$, $2b$ or $2y$, cost 04–31, 60 characters), such as `htpasswd -nBC 10 "" | tr -d \':\\n\'` prints');
    users.set(name, hash);
  }

  return {
    tls: parseTlsServerConfig(raw.tls_server_config ?? undefined, dirname(file), fail),
    headers,
    users,
    rateLimit: parseRateLimit(raw.rate_limit ?? undefined, fail),
  };
}

function parseTlsServerConfig(raw: RawTlsServerConfig | undefined, directory: string, fail: (path: ConfigPath, reason: string) => never): TlsServerSettings | undefined {
  // Any TLS key turns TLS on (exporter-toolkit's IsEnabled); a section of blanks means plain HTTP.
  if (raw === undefined || !Object.values(raw).some((value) => value !== null && value !== undefined && value !== '')) return undefined;
  const path = (key: string): ConfigPath => ['tls_server_config', key];
  const pem = (fileKey: 'cert_file' | 'key_file' | 'client_ca_file', textKey: 'cert' | 'key' | 'client_ca'): PemSource | undefined => {
    const file = raw[fileKey] || undefined;
    const text = raw[textKey] || undefined;
    if (file !== undefined && text !== undefined) fail(path(fileKey), `give ${fileKey} or ${textKey}, not both`);
    if (file !== undefined) return { key: fileKey, file: isAbsolute(file) ? file : resolve(directory, file) };
    return text === undefined ? undefined : { key: textKey, text };
  };
  const cert = pem('cert_file', 'cert') ?? fail(path('cert_file'), 'TLS needs a certificate: set cert_file (or cert, inline PEM)');
  const key = pem('key_file', 'key') ?? fail(path('key_file'), 'TLS needs the certificate\'s private key: set key_file (or key, inline PEM)');
  const clientCa = pem('client_ca_file', 'client_ca');

  // "RequireClientCert" is the older spelling exporter-toolkit still accepts.
  const authName = raw.client_auth_type === 'RequireClientCert' ? 'RequireAnyClientCert' : raw.client_auth_type || 'NoClientCert';
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(authName)) {
    fail(path('client_auth_type'), `expected one of ${CLIENT_AUTH_TYPES.join(', ')}, received ${describeValue(raw.client_auth_type)}`);
  }
  const clientAuthType = authName as ClientAuthType;
  if (clientCa !== undefined && clientAuthType === 'NoClientCert') {
    fail(path(clientCa.key), 'a client CA is set but client_auth_type is NoClientCert: set client_auth_type (RequireAndVerifyClientCert for mutual TLS)');
  }
  if (raw.client_allowed_sans && clientAuthType === 'NoClientCert') {
    fail(path('client_allowed_sans'), 'client certificates are not requested: set client_auth_type (RequireAndVerifyClientCert for mutual TLS)');
  }

  const version = (key: 'min_version' | 'max_version', fallback: TlsVersionName): TlsVersionName => {
    const value = raw[key] || fallback;
    if (!Object.hasOwn(TLS_VERSIONS, value)) fail(path(key), `expected one of ${Object.keys(TLS_VERSIONS).join(', ')}, received ${describeValue(raw[key])}`);
    return value as TlsVersionName;
  };
  const minVersion = version('min_version', 'TLS12');
  const maxVersion = version('max_version', 'TLS13');
  if (TLS_VERSIONS[minVersion].order > TLS_VERSIONS[maxVersion].order) fail(path('min_version'), `${minVersion} is above max_version ${maxVersion}`);

  const suites = raw.cipher_suites ?? [];
  suites.forEach((suite, index) => {
    const problem = cipherSuiteProblem(suite);
    if (problem !== undefined) fail([...path('cipher_suites'), index], problem);
  });
  const curves = raw.curve_preferences ?? [];
  curves.forEach((curve, index) => {
    if (!Object.hasOwn(CURVES, curve)) fail([...path('curve_preferences'), index], `unknown curve ${describeValue(curve)}; expected one of ${Object.keys(CURVES).join(', ')}`);
  });

  return {
    cert,
    key,
    clientCa,
    clientAuthType,
    clientAllowedSans: raw.client_allowed_sans ?? undefined,
    minVersion,
    maxVersion,
    ciphers: toOpenSslCiphers(suites, minVersion),
    honorCipherOrder: raw.prefer_server_cipher_suites ?? true,
    ecdhCurve: curves.length === 0 ? undefined : curves.map((curve) => CURVES[curve]).join(':'),
  };
}

function parseRateLimit(raw: z.infer<typeof rateLimitSchema> | undefined, fail: (path: ConfigPath, reason: string) => never): RateLimit | undefined {
  if (raw === undefined) return undefined;
  const intervalMs = raw.interval === undefined || raw.interval === null ? 0 : parseGoDuration(raw.interval);
  if (intervalMs === undefined || intervalMs < 0) fail(['rate_limit', 'interval'], `expected a duration such as 100ms, 1s or 1m (0 disables the limit), received ${describeValue(raw.interval)}`);
  if (intervalMs === 0) return undefined;
  const burst = raw.burst ?? 0;
  // A bucket that holds no token would refuse every request.
  if (burst < 1) fail(['rate_limit', 'burst'], 'expected at least 1 when interval is set (the number of requests allowed at once)');
  return { intervalMs, burst };
}

const GO_DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration in Go's `time.ParseDuration` spelling (`1m30s`, `250ms`, `1.5h`), or a bare number
 * of nanoseconds as YAML gives Go's `time.Duration`; in milliseconds. `undefined` when malformed.
 */
export function parseGoDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value / 1e6 : undefined;
  const text = value.trim();
  if (text === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let milliseconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) milliseconds += Number(amount) * (GO_DURATION_UNITS[unit ?? 's'] ?? 0);
  return milliseconds;
}

function issueToError(issues: readonly z.core.$ZodIssue[], shownFile: string): ConfigFileError {
  const issue = issues[0];
  if (issue === undefined) return new ConfigFileError(shownFile, 'invalid web configuration');
  const path: ConfigPath = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
  if (issue.code === 'unrecognized_keys') {
    const valid = SECTION_KEYS[path.join('.')];
    return new ConfigFileError(shownFile, `unknown key${valid === undefined ? '' : ` (valid keys: ${valid.join(', ')})`}`, { path: [...path, issue.keys[0] ?? ''] });
  }
  return new ConfigFileError(shownFile, tidyIssueMessage(issue.message), { path });
}
