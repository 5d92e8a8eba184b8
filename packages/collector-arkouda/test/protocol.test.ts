import { describe, expect, it } from 'vitest';
import { ArkoudaError } from '../src/errors.js';
import { encodeRequest, parseMessageJson, parseReplyEnvelope } from '../src/protocol.js';

const frame = (text: string): Uint8Array => new TextEncoder().encode(text);

function reasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArkoudaError);
    return `${(error as ArkoudaError).reason}: ${(error as Error).message}`;
  }
  throw new Error('expected an ArkoudaError');
}

describe('requests', () => {
  it('double-encodes the metrics arguments and sends all six fields, size a number', () => {
    const request = encodeRequest({ cmd: 'metrics', category: 'ALL' });
    expect(request).toBe(
      '{"user":"tessera","token":"","cmd":"metrics","format":"STRING","args":"[\\"{\\\\\\"key\\\\\\":\\\\\\"category\\\\\\",\\\\\\"dtype\\\\\\":\\\\\\"str\\\\\\",\\\\\\"val\\\\\\":\\\\\\"ALL\\\\\\"}\\"]","size":1}',
    );
    const decoded = JSON.parse(request) as { args: string; size: number };
    const [parameter] = JSON.parse(decoded.args) as string[];
    expect(JSON.parse(parameter!)).toEqual({ key: 'category', dtype: 'str', val: 'ALL' });
    expect(decoded.size).toBe(1);
  });

  it('sends getconfig without arguments', () => {
    expect(JSON.parse(encodeRequest({ cmd: 'getconfig' }))).toEqual({ user: 'tessera', token: '', cmd: 'getconfig', format: 'STRING', args: '', size: -1 });
  });
});

describe('reply envelopes', () => {
  it('reads the MsgTuple of current releases and the ReplyMsg of older ones alike', () => {
    expect(parseReplyEnvelope(frame('{"msg":"[]", "msgType":"NORMAL", "msgFormat":"STRING", "user":"", "payload":""}'), 'metrics ALL')).toEqual({ msg: '[]', msgType: 'NORMAL' });
    expect(parseReplyEnvelope(frame('{"msg":"{}", "msgType":"WARNING", "msgFormat":"STRING", "user":"alice"}'), 'getconfig')).toEqual({ msg: '{}', msgType: 'WARNING' });
  });

  it('turns an ERROR reply into an error_reply failure carrying the server text', () => {
    expect(reasonOf(() => parseReplyEnvelope(frame('{"msg":"Error executing command metrics: boom", "msgType":"ERROR", "msgFormat":"STRING", "user":""}'), 'metrics ALL'))).toBe(
      'error_reply: metrics ALL: the server answered ERROR: Error executing command metrics: boom',
    );
  });

  it('turns an empty msg into an empty_reply failure', () => {
    expect(reasonOf(() => parseReplyEnvelope(frame('{"msg":"", "msgType":"NORMAL", "msgFormat":"STRING", "user":"", "payload":""}'), 'metrics ALL'))).toMatch(
      /^empty_reply: metrics ALL: the server answered an empty message/,
    );
  });

  it.each([
    ['not JSON', 'HTTP/1.1 400 Bad Request', /^malformed_reply: getconfig: the reply is not JSON \(.*\): HTTP\/1\.1 400 Bad Request$/],
    ['a JSON array', '["msg"]', /^malformed_reply: getconfig: the reply is not a JSON object: \["msg"\]$/],
    ['without msg', '{"msgType":"NORMAL"}', /^malformed_reply: getconfig: the reply has no msg string/],
    ['with an unknown msgType', '{"msg":"x", "msgType":"FINE"}', /^malformed_reply: getconfig: the reply's msgType is "FINE", not NORMAL, WARNING or ERROR$/],
  ])('refuses a reply that is %s', (_, text, expected) => {
    expect(reasonOf(() => parseReplyEnvelope(frame(text), 'getconfig'))).toMatch(expected);
  });

  it('refuses invalid UTF-8, and cuts long replies short in messages', () => {
    expect(reasonOf(() => parseReplyEnvelope(new Uint8Array([0x7b, 0xff, 0x7d]), 'getconfig'))).toBe('malformed_reply: getconfig: the reply is not valid UTF-8');
    const message = reasonOf(() => parseReplyEnvelope(frame('x'.repeat(10_000)), 'getconfig'));
    expect(message.length).toBeLessThan(300);
  });

  it('parses the msg as a second JSON document, and says so when it is not one (Chapel writes nan for NaN)', () => {
    expect(parseMessageJson({ msg: '[1, 2]', msgType: 'NORMAL' }, 'metrics ALL')).toEqual([1, 2]);
    expect(reasonOf(() => parseMessageJson({ msg: '[{"name":"x", "value":nan}]', msgType: 'NORMAL' }, 'metrics ALL'))).toMatch(
      /^malformed_reply: metrics ALL: the reply's msg is not JSON \(.*\): \[\{"name":"x", "value":nan\}\]$/,
    );
  });
});
