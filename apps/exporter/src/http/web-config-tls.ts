import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { errorMessage, fileReadProblem } from '../runtime/error-message.js';
import type { PemSource, TlsServerSettings } from './web-config.js';
import { TLS_VERSIONS, type ClientAuthType } from './web-config-tls-names.js';

/** A problem with one key of `tls_server_config`; the loader turns it into a `ConfigFileError`. */
export class TlsSettingError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'TlsSettingError';
  }
}

/** TLS settings with their PEM files read and checked: what the HTTPS server is given. */
export interface ServerTls {
  /** For `tls.createSecureContext()` / `server.setSecureContext()`. */
  readonly secureContext: SecureContextOptions;
  /** Node's handshake-level client certificate policy (`tls.Server` options). */
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  readonly clientAuthType: ClientAuthType;
  readonly clientAllowedSans: readonly string[] | undefined;
  /** The serving certificate, for logs. */
  readonly certificate: X509Certificate;
}

/** PEM blocks of the certificate kind in a text. */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads the PEM files of `settings` and checks them the way a handshake would use them: the
 * certificate parses, the key belongs to it, the client CA holds certificates, and OpenSSL accepts
 * the resulting context (ciphers, curves, versions). Synchronous: it also runs between accepting a
 * connection and its handshake, when a file changed. Throws {@link TlsSettingError}.
 */
export function loadServerTls(settings: TlsServerSettings, readText: (file: string) => string = (file) => readFileSync(file, 'utf8')): ServerTls {
  const readPem = (source: PemSource): string => readPemSource(source, readText);
  const certText = readPem(settings.cert);
  const keyText = readPem(settings.key);
  const [firstCertificate] = certText.match(PEM_CERTIFICATE) ?? [];
  if (firstCertificate === undefined) throw new TlsSettingError(settings.cert.key, `${describeSource(settings.cert)} holds no PEM certificate`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(firstCertificate);
  } catch (error) {
    throw new TlsSettingError(settings.cert.key, `${describeSource(settings.cert)} is not a valid certificate: ${errorMessage(error)}`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(keyText);
  } catch (error) {
    // The message never quotes the key, only what OpenSSL made of it.
    throw new TlsSettingError(settings.key.key, `${describeSource(settings.key)} is not a usable PEM private key (encrypted keys are not supported): ${errorMessage(error)}`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsSettingError(settings.key.key, `${describeSource(settings.key)} is not the private key of the certificate in ${describeSource(settings.cert)}`);
  }
  let ca: string | undefined;
  if (settings.clientCa !== undefined) {
    ca = readPem(settings.clientCa);
    if ((ca.match(PEM_CERTIFICATE) ?? []).length === 0) throw new TlsSettingError(settings.clientCa.key, `${describeSource(settings.clientCa)} holds no PEM certificate`);
  }

  const secureContext: SecureContextOptions = {
    cert: certText,
    key: keyText,
    ...(ca === undefined ? {} : { ca }),
    minVersion: TLS_VERSIONS[settings.minVersion].node,
    maxVersion: TLS_VERSIONS[settings.maxVersion].node,
    honorCipherOrder: settings.honorCipherOrder,
    ...(settings.ciphers === undefined ? {} : { ciphers: settings.ciphers }),
    ...(settings.ecdhCurve === undefined ? {} : { ecdhCurve: settings.ecdhCurve }),
  };
  try {
    createSecureContext(secureContext);
  } catch (error) {
    throw new TlsSettingError(settings.ciphers !== undefined ? 'cipher_suites' : settings.ecdhCurve !== undefined ? 'curve_preferences' : settings.cert.key, `OpenSSL refused these settings: ${errorMessage(error)}`);
  }
  const policy = handshakePolicy(settings.clientAuthType);
  return { secureContext, ...policy, clientAuthType: settings.clientAuthType, clientAllowedSans: settings.clientAllowedSans, certificate };
}

/**
 * What Node's handshake enforces for each client auth type. Node either verifies a requested
 * certificate and refuses the handshake, or leaves the result on the socket; "require any
 * certificate" and "verify it if given" are finished by {@link clientCertificateProblem}.
 */
function handshakePolicy(type: ClientAuthType): { readonly requestCert: boolean; readonly rejectUnauthorized: boolean } {
  if (type === 'NoClientCert') return { requestCert: false, rejectUnauthorized: false };
  return { requestCert: true, rejectUnauthorized: type === 'RequireAndVerifyClientCert' };
}

/**
 * Why a finished handshake must not be served under `tls`'s client auth type and allowed SANs,
 * or `undefined` when it may. Covers what Node's handshake options cannot say.
 */
export function clientCertificateProblem(socket: TLSSocket, tls: Pick<ServerTls, 'clientAuthType' | 'clientAllowedSans'>): string | undefined {
  if (tls.clientAuthType === 'NoClientCert') return undefined;
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) {
    if (tls.clientAuthType === 'RequireAnyClientCert' || tls.clientAuthType === 'RequireAndVerifyClientCert') return 'no client certificate';
    return tls.clientAllowedSans === undefined ? undefined : 'no client certificate, and client_allowed_sans needs one';
  }
  if (tls.clientAuthType === 'VerifyClientCertIfGiven' && !socket.authorized) return `client certificate not trusted: ${String(socket.authorizationError)}`;
  if (tls.clientAllowedSans !== undefined) {
    const sans = subjectAltNames(certificate.subjectAltName);
    const allowed = tls.clientAllowedSans.map(canonicalSan);
    if (!sans.some((san) => allowed.includes(canonicalSan(san)))) return `client certificate has none of the allowed SANs (it has: ${sans.join(', ') || 'none'})`;
  }
  return undefined;
}

/**
 * The values of a certificate's subjectAltName as Node prints it (`DNS:a, IP Address:1.2.3.4,
 * email:x@y, URI:spiffe://…`; values with separators in them are JSON-quoted), without their type
 * prefixes: exporter-toolkit matches DNS names, IPs, e-mail addresses and URIs alike.
 */
export function subjectAltNames(printed: string | undefined): string[] {
  if (printed === undefined || printed === '') return [];
  const values: string[] = [];
  const entry = /(DNS|IP Address|email|URI|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  for (let match = entry.exec(printed); match !== null && match[0] !== ''; match = entry.exec(printed)) {
    const [, type, raw = ''] = match;
    if (type === 'DNS' || type === 'IP Address' || type === 'email' || type === 'URI') values.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return values;
}

/** IPv6 addresses compared in one spelling (Go prints them compressed, OpenSSL in full). */
function canonicalSan(value: string): string {
  if (isIP(value) !== 6) return value;
  const [head = '', tail = ''] = value.toLowerCase().split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const missing = 8 - groups(head).length - groups(tail).length;
  const all = value.includes('::') ? [...groups(head), ...Array<string>(missing).fill('0'), ...groups(tail)] : groups(head);
  return all.map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}

function readPemSource(source: PemSource, readText: (file: string) => string): string {
  if ('text' in source) return source.text;
  try {
    return readText(source.file);
  } catch (error) {
    throw new TlsSettingError(source.key, `file ${source.file} ${fileReadProblem(error) ?? `cannot be read: ${errorMessage(error)}`}`);
  }
}

function describeSource(source: PemSource): string {
  return 'file' in source ? `file ${source.file}` : `the inline ${source.key}`;
}
