/** What a censored value is replaced with, everywhere. */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose values are secrets wherever they appear: a config entry, a logged object, request
 * headers. Matched case-insensitively against the whole key, so `apiToken`, `api_token`,
 * `x-auth-token`, `api-token` and `password` match, while `apiTokenFile` (a path) does not.
 */
export const SECRET_KEY_PATTERN = /^[\w-]*(?:token|password|passwd|secret|authorization|cookie|api[-_]?key|credentials?)$/i;

// `scheme://user:password@host`: the userinfo of a URL.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// `token=…`, `password: …`, `Authorization: Bearer …` inside free text (a query string, a header dump).
const INLINE_SECRET = /\b([\w-]*(?:token|password|passwd|secret|authorization|api[-_]?key))(\s*[=:]\s*)(?:(?:bearer|basic|token)\s+)?[^\s,;&"'<>]+/gi;
// `"apiToken":"…"` in a JSON text (a log line).
const JSON_SECRET_MEMBER = /"([\w-]*(?:token|password|passwd|secret|authorization|cookie|api[-_]?key|credentials?))":"(?:[^"\\]|\\.)*"/gi;

/**
 * Censors secrets in text before it leaves the process: values registered as secrets (read from
 * `*File` keys or substituted into secret-named keys), the userinfo of URLs, and `key=value` pairs
 * with a secret-named key. One per exporter; logs, the status page, `tessera collect` and error
 * messages all pass through it.
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  /** The secrets and their JSON-escaped forms, longest first (a secret containing another is censored whole). */
  #patterns: string[] = [];

  /** Registers a secret value; values shorter than 4 characters are ignored (they would censor ordinary words). */
  register(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length < 4 || this.#secrets.has(trimmed)) return;
    this.#secrets.add(trimmed);
    const forms = new Set<string>();
    for (const secret of this.#secrets) {
      forms.add(secret);
      forms.add(JSON.stringify(secret).slice(1, -1));
      forms.add(encodeURIComponent(secret));
    }
    this.#patterns = [...forms].sort((a, b) => b.length - a.length);
  }

  /** Censors one piece of free text (an error message, a status page cell). */
  redact(text: string): string {
    let result = text;
    for (const pattern of this.#patterns) if (result.includes(pattern)) result = result.replaceAll(pattern, REDACTED);
    return result.replace(URL_USERINFO, `$1${REDACTED}@`).replace(INLINE_SECRET, `$1$2${REDACTED}`);
  }

  /** Censors one JSON log line: secret-named members at any depth, then everything {@link redact} does. */
  redactJson(line: string): string {
    return this.redact(line.replace(JSON_SECRET_MEMBER, `"$1":"${REDACTED}"`));
  }
}
