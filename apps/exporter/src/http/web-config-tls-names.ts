import { DEFAULT_CIPHERS, getCiphers, type SecureVersion } from 'node:tls';

/**
 * The Go `crypto/tls` names a web config file uses (exporter-toolkit passes them to Go), mapped
 * onto what Node's OpenSSL understands.
 */

/** exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType`). */
export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** `min_version` / `max_version` values → Node's protocol names, with their order. */
export const TLS_VERSIONS = {
  TLS10: { node: 'TLSv1', order: 0 },
  TLS11: { node: 'TLSv1.1', order: 1 },
  TLS12: { node: 'TLSv1.2', order: 2 },
  TLS13: { node: 'TLSv1.3', order: 3 },
} as const satisfies Record<string, { node: SecureVersion; order: number }>;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

/** `curve_preferences` values (the curves exporter-toolkit accepts) → OpenSSL group names. */
export const CURVES: Readonly<Record<string, string>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
};

/**
 * The suites Go's `tls.CipherSuites()` returns (the ones exporter-toolkit accepts) → OpenSSL names.
 * The TLS 1.3 suites are configurable in OpenSSL (Go ignores them): listing some restricts TLS 1.3
 * to those, listing none leaves TLS 1.3 at its defaults, as in Go.
 */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
  TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
  TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};

/** Go's `tls.InsecureCipherSuites()`: refused, as exporter-toolkit refuses them, with the reason. */
const INSECURE_CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'RC4',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'RC4',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: '3DES',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: '3DES',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'CBC-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'CBC-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'CBC-SHA256',
};

/** Why a `cipher_suites` entry cannot be used, or `undefined` when Node's OpenSSL offers it. */
export function cipherSuiteProblem(name: string): string | undefined {
  const openSsl = CIPHER_SUITES[name];
  const supported = `supported: ${Object.keys(CIPHER_SUITES).join(', ')}`;
  if (openSsl === undefined) {
    const weakness = INSECURE_CIPHER_SUITES[name];
    if (weakness === 'RC4' || weakness === '3DES') return `${name} cannot be honoured: Node.js's OpenSSL has no ${weakness} cipher (and Go marks it insecure); ${supported}`;
    if (weakness !== undefined) return `${name} is insecure (Go lists it in InsecureCipherSuites, so no exporter accepts it); ${supported}`;
    return `unknown cipher suite ${JSON.stringify(name)}: expected a Go crypto/tls name; ${supported}`;
  }
  // A build of Node.js with a restricted OpenSSL (FIPS) may lack a suite Go has.
  if (!getCiphers().includes(openSsl.toLowerCase())) return `${name} cannot be honoured: this Node.js build's OpenSSL does not offer ${openSsl}`;
  return undefined;
}

/**
 * The OpenSSL cipher string for checked `cipher_suites` (`undefined`: Node's default). OpenSSL 3
 * refuses TLS 1.0 and 1.1 handshakes at its default security level, so allowing those versions
 * lowers it, which is what choosing them asks for.
 */
export function toOpenSslCiphers(suites: readonly string[], minVersion: TlsVersionName): string | undefined {
  const legacy = TLS_VERSIONS[minVersion].order < TLS_VERSIONS.TLS12.order;
  if (suites.length === 0) return legacy ? `${DEFAULT_CIPHERS}:@SECLEVEL=0` : undefined;
  const list = suites.map((suite) => CIPHER_SUITES[suite] ?? suite).join(':');
  return legacy ? `${list}:@SECLEVEL=0` : list;
}
