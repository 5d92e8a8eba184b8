import { ArkoudaError } from './errors.js';

/**
 * The only requests this client ever sends. Arkouda's metrics daemon has no try/catch around its
 * loop: a request it cannot read (a missing field, a category it has no case for such as
 * RESPONSE_TIME, arguments in another era's encoding) ends its task, and the port stays silent
 * until the server restarts. So nothing is probed or guessed: `getconfig` (answered by every
 * daemon, no arguments) and `metrics` for the two categories every supported release answers.
 * `connect` is left out: with `--authenticate` its reply formatting may throw.
 */
export type SafeRequest = { readonly cmd: 'getconfig' } | { readonly cmd: 'metrics'; readonly category: 'ALL' | 'SERVER_INFO' };

/** The `user` field: the metrics daemon ignores it, and at most echoes it. */
const REQUEST_USER = 'tessera';

/**
 * The request frame: a RequestMsg with all six fields (Chapel's deserializer throws on a missing
 * one). `args` is double-encoded, as Arkouda has read it since v2022.09.30: a JSON string holding
 * an array of JSON strings, each a `{key, dtype, val}` parameter; `size` is the parameter count.
 */
export function encodeRequest(request: SafeRequest): string {
  const parameters = request.cmd === 'metrics' ? [JSON.stringify({ key: 'category', dtype: 'str', val: request.category })] : [];
  return JSON.stringify({
    user: REQUEST_USER,
    token: '',
    cmd: request.cmd,
    format: 'STRING',
    args: parameters.length === 0 ? '' : JSON.stringify(parameters),
    size: parameters.length === 0 ? -1 : parameters.length,
  });
}

/** How a request is named in messages: `getconfig`, `metrics ALL`. */
export function describeRequest(request: SafeRequest): string {
  return request.cmd === 'metrics' ? `metrics ${request.category}` : request.cmd;
}

/** The reply object's fields this client reads; the rest (`msgFormat`, `user`, `payload`) differ between releases and are ignored. */
export interface ReplyEnvelope {
  /** The answer, itself a JSON document for `getconfig` and `metrics`. Never empty here. */
  readonly msg: string;
  /** NORMAL or WARNING (ERROR replies are thrown). */
  readonly msgType: 'NORMAL' | 'WARNING';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * First stage of reading a reply: the envelope. Accepts both shapes the daemon has written
 * (`ReplyMsg` with the user echoed until v2024.06.21, `MsgTuple` with `payload` since v2024.10.02).
 * Throws an {@link ArkoudaError}: `error_reply` for msgType ERROR (with the server's text),
 * `empty_reply` for an empty `msg`, `malformed_reply` for anything that is not a reply object.
 */
export function parseReplyEnvelope(frame: Uint8Array, what: string): ReplyEnvelope {
  let text: string;
  try {
    text = utf8.decode(frame);
  } catch (error) {
    throw new ArkoudaError('malformed_reply', `${what}: the reply is not valid UTF-8`, { cause: error });
  }
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch (error) {
    throw new ArkoudaError('malformed_reply', `${what}: the reply is not JSON (${(error as Error).message}): ${excerpt(text)}`, { cause: error });
  }
  if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
    throw new ArkoudaError('malformed_reply', `${what}: the reply is not a JSON object: ${excerpt(text)}`);
  }
  const { msg, msgType } = reply as { msg?: unknown; msgType?: unknown };
  if (typeof msg !== 'string') throw new ArkoudaError('malformed_reply', `${what}: the reply has no msg string: ${excerpt(text)}`);
  if (msgType === 'ERROR') throw new ArkoudaError('error_reply', `${what}: the server answered ERROR: ${excerpt(msg)}`);
  if (msgType !== 'NORMAL' && msgType !== 'WARNING') {
    throw new ArkoudaError('malformed_reply', `${what}: the reply's msgType is ${JSON.stringify(msgType)}, not NORMAL, WARNING or ERROR`);
  }
  if (msg === '') {
    throw new ArkoudaError('empty_reply', `${what}: the server answered an empty message (is this port a metrics daemon? the main port answers other commands)`);
  }
  return { msg, msgType };
}

/**
 * Second stage: the JSON document inside `msg`. Throws `malformed_reply` when it does not parse
 * (a real server writes `nan` or `inf` for a non-finite real, which is not JSON).
 */
export function parseMessageJson(envelope: ReplyEnvelope, what: string): unknown {
  try {
    return JSON.parse(envelope.msg);
  } catch (error) {
    throw new ArkoudaError('malformed_reply', `${what}: the reply's msg is not JSON (${(error as Error).message}): ${excerpt(envelope.msg)}`, { cause: error });
  }
}

/** The start of a long text, for messages. */
export function excerpt(text: string, length = 120): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
