/**
 * The little of the protobuf wire format the pod-resources messages need: varints and
 * length-delimited fields, every other wire type skipped, so fields a newer kubelet adds are
 * ignored as protobuf requires.
 */

/** A malformed message. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(`malformed protobuf message: ${message}`);
    this.name = 'ProtobufError';
  }
}

/** One field of a message: its number and, for length-delimited fields, its bytes. */
export interface ProtobufField {
  readonly number: number;
  readonly wireType: number;
  readonly bytes?: Uint8Array;
}

/** Splits an encoded message into its fields, in order. */
export function readFields(buffer: Uint8Array): ProtobufField[] {
  const fields: ProtobufField[] = [];
  let offset = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (offset >= buffer.length) throw new ProtobufError('truncated varint');
      const byte = buffer[offset++] ?? 0;
      if (shift < 49) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
      if (shift > 70) throw new ProtobufError('varint too long');
    }
  };
  while (offset < buffer.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new ProtobufError('field number 0');
    switch (wireType) {
      case 0:
        varint();
        fields.push({ number, wireType });
        break;
      case 1:
        offset += 8;
        fields.push({ number, wireType });
        break;
      case 2: {
        const length = varint();
        if (offset + length > buffer.length) throw new ProtobufError(`field ${number} runs past the end`);
        fields.push({ number, wireType, bytes: buffer.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        fields.push({ number, wireType });
        break;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
    if (offset > buffer.length) throw new ProtobufError('truncated field');
  }
  return fields;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The length-delimited fields numbered `number`, as sub-messages or strings. */
export function bytesFields(fields: readonly ProtobufField[], number: number): Uint8Array[] {
  return fields.filter((field) => field.number === number && field.bytes !== undefined).map((field) => field.bytes as Uint8Array);
}

/** The last string field numbered `number` ('' when absent, as proto3 defaults). */
export function stringField(fields: readonly ProtobufField[], number: number): string {
  const all = bytesFields(fields, number);
  const last = all[all.length - 1];
  return last === undefined ? '' : decoder.decode(last);
}

/** Every string of a repeated string field. */
export function repeatedStrings(fields: readonly ProtobufField[], number: number): string[] {
  return bytesFields(fields, number).map((bytes) => decoder.decode(bytes));
}
