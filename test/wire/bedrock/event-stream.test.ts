import { readFileSync } from 'node:fs';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  encodeEventStreamMessage,
  EventStreamDecoder,
  EventStreamError,
  type EventStreamMessage,
  toStreamFrame,
} from '../../../src/wire/bedrock/event-stream.js';

const text = new TextEncoder();

/** A ConverseStream recording: the frames of providers.md §5.5, encoded as Bedrock sends them. */
function loadStream(name: string): Uint8Array[] {
  const fixture = JSON.parse(readFileSync(new URL(`../../fixtures/bedrock/${name}`, import.meta.url), 'utf8')) as {
    messages: Array<{ headers: Record<string, string>; payload: unknown }>;
  };
  return fixture.messages.map((message) => encodeEventStreamMessage(message.headers, text.encode(JSON.stringify(message.payload))));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

function decodeAll(bytes: Uint8Array): EventStreamMessage[] {
  return new EventStreamDecoder().push(bytes);
}

// Vectors from the AWS SDK for JavaScript v3: aws/aws-sdk-js-v3
// packages/eventstream-marshaller/src/TestVectors.fixture.ts (shared with aws-c-event-stream).
const VECTORS = {
  empty_message: [0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255],
  int32_header: [0, 0, 0, 43, 0, 0, 0, 14, 52, 139, 236, 123, 8, 101, 118, 101, 110, 116, 45, 105, 100, 4, 0, 0, 160, 12, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 211, 137, 2, 133],
  payload_no_headers: [0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 195, 101, 57, 54],
  payload_one_str_header: [
    0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110, 123, 39, 102,
    111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8, 177,
  ],
  corrupted_headers: [
    0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 43, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110, 123, 39, 102,
    111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8, 177,
  ],
  corrupted_header_len: [
    0, 0, 0, 61, 0, 0, 1, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 45, 116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110, 123, 39, 102,
    111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8, 177,
  ],
  corrupted_length: [1, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 195, 101, 57, 54],
  corrupted_payload: [0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 141, 195, 101, 57, 54],
} as const;
const FOO_BAR = "{'foo':'bar'}";

describe('crc32', () => {
  it('is the IEEE (zlib) CRC-32', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
      }),
    );
    expect(crc32(text.encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('AWS event-stream test vectors', () => {
  it('decodes the success vectors', () => {
    expect(decodeAll(Uint8Array.from(VECTORS.empty_message))).toEqual([{ headers: {}, payload: new Uint8Array(0) }]);
    expect(decodeAll(Uint8Array.from(VECTORS.payload_no_headers))).toEqual([{ headers: {}, payload: text.encode(FOO_BAR) }]);
    expect(decodeAll(Uint8Array.from(VECTORS.payload_one_str_header))).toEqual([{ headers: { 'content-type': 'application/json' }, payload: text.encode(FOO_BAR) }]);
    // An int32 header (type 4) is rendered in decimal: 0x0000a00c.
    expect(decodeAll(Uint8Array.from(VECTORS.int32_header))).toEqual([{ headers: { 'event-id': '40972' }, payload: text.encode(FOO_BAR) }]);
  });

  it('encodes string headers byte for byte like the AWS SDK', () => {
    expect(encodeEventStreamMessage({}, new Uint8Array(0))).toEqual(Uint8Array.from(VECTORS.empty_message));
    expect(encodeEventStreamMessage({}, text.encode(FOO_BAR))).toEqual(Uint8Array.from(VECTORS.payload_no_headers));
    expect(encodeEventStreamMessage({ 'content-type': 'application/json' }, text.encode(FOO_BAR))).toEqual(Uint8Array.from(VECTORS.payload_one_str_header));
  });

  it.each([
    ['corrupted_headers', /message CRC mismatch/],
    ['corrupted_header_len', /prelude CRC mismatch/],
    ['corrupted_length', /prelude CRC mismatch/],
    ['corrupted_payload', /message CRC mismatch/],
  ] as const)('rejects %s', (name, message) => {
    const decoder = new EventStreamDecoder();
    expect(() => decoder.push(Uint8Array.from(VECTORS[name]))).toThrow(message);
  });
});

describe('EventStreamDecoder', () => {
  const stream = concat(loadStream('converse-stream-tool.json'));

  it('round-trips a recorded ConverseStream', () => {
    const messages = decodeAll(stream);
    expect(messages).toHaveLength(10);
    expect(messages[0]!.headers).toEqual({ ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' });
    expect(JSON.parse(new TextDecoder().decode(messages[1]!.payload))).toEqual({ contentBlockIndex: 0, delta: { text: 'It is' }, p: 'abcdefghijklmnopqrstu' });
    const reencoded = concat(messages.map((message) => encodeEventStreamMessage(message.headers, message.payload)));
    expect(reencoded).toEqual(stream);
  });

  it('gives the same messages however the bytes are split', () => {
    const expected = decodeAll(stream);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }), (cuts) => {
        const decoder = new EventStreamDecoder();
        const got: EventStreamMessage[] = [];
        let start = 0;
        for (const cut of [...cuts].sort((left, right) => left - right)) {
          got.push(...decoder.push(stream.subarray(start, cut)));
          start = cut;
        }
        got.push(...decoder.push(stream.subarray(start)));
        expect(got).toEqual(expected);
        expect(decoder.pendingBytes).toBe(0);
      }),
    );
  });

  it('decodes a stream fed one byte at a time, holding the partial message', () => {
    const decoder = new EventStreamDecoder();
    const got: EventStreamMessage[] = [];
    for (let index = 0; index < stream.length; index++) {
      got.push(...decoder.push(stream.subarray(index, index + 1)));
      if (index === 5) expect(decoder.pendingBytes).toBe(6);
    }
    expect(got).toEqual(decodeAll(stream));
    expect(decoder.pendingBytes).toBe(0);
  });

  it('copies payloads, so reused input buffers do not change decoded messages', () => {
    const bytes = stream.slice();
    const [first] = new EventStreamDecoder().push(bytes);
    bytes.fill(0);
    expect(new TextDecoder().decode(first!.payload)).toContain('assistant');
  });

  it('detects any single flipped byte', () => {
    const message = loadStream('converse-stream-tool.json')[1]!;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: message.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
        const corrupt = message.slice();
        corrupt[position]! ^= mask;
        expect(() => new EventStreamDecoder().push(corrupt)).toThrow(EventStreamError);
      }),
      { numRuns: 300 },
    );
  });

  it('names the error and keeps failing after corruption', () => {
    const corrupt = stream.slice();
    corrupt[20]! ^= 1;
    const decoder = new EventStreamDecoder();
    let caught: unknown;
    try {
      decoder.push(corrupt);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventStreamError);
    expect((caught as Error).name).toBe('EventStreamError');
    expect((caught as Error).message).toMatch(/^message CRC mismatch: computed 0x[0-9a-f]{8}, message says 0x[0-9a-f]{8}$/);
    expect(() => decoder.push(new Uint8Array(0))).toThrow(EventStreamError);
  });

  it('refuses a length over 16 MiB before buffering it', () => {
    const prelude = new Uint8Array(12);
    const view = new DataView(prelude.buffer);
    view.setUint32(0, 16 * 1024 * 1024 + 1);
    view.setUint32(4, 0);
    view.setUint32(8, crc32(prelude, 0, 8));
    expect(() => new EventStreamDecoder().push(prelude)).toThrow(/message length 16777217 is outside 16\.\.16777216 bytes/);
  });

  it('refuses a headers length that does not fit the message', () => {
    const prelude = new Uint8Array(12);
    const view = new DataView(prelude.buffer);
    view.setUint32(0, 20);
    view.setUint32(4, 5);
    view.setUint32(8, crc32(prelude, 0, 8));
    expect(() => new EventStreamDecoder().push(prelude)).toThrow(/headers length 5 does not fit a 20-byte message/);
  });

  /** Frames raw header bytes into a message with an empty payload. */
  function withHeaders(headers: number[]): Uint8Array {
    const total = 16 + headers.length;
    const bytes = new Uint8Array(total);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, total);
    view.setUint32(4, headers.length);
    view.setUint32(8, crc32(bytes, 0, 8));
    bytes.set(headers, 12);
    view.setUint32(total - 4, crc32(bytes, 0, total - 4));
    return bytes;
  }
  const named = (name: string, type: number, ...value: number[]): number[] => [name.length, ...text.encode(name), type, ...value];

  it('decodes every header type into a string', () => {
    const bytes = withHeaders([
      ...named('true', 0),
      ...named('false', 1),
      ...named('byte', 2, 0xff),
      ...named('short', 3, 0x80, 0x00),
      ...named('int', 4, 0xff, 0xff, 0xff, 0xfe),
      ...named('long', 5, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
      ...named('bytes', 6, 0x00, 0x03, 0x01, 0x02, 0x03),
      ...named('string', 7, 0x00, 0x03, ...text.encode('hé')),
      ...named('time', 8, 0x00, 0x00, 0x01, 0x4f, 0x7e, 0x9b, 0x6f, 0x80),
      ...named('uuid', 9, ...Array.from({ length: 16 }, (_, index) => index * 17)),
    ]);
    expect(decodeAll(bytes)[0]!.headers).toEqual({
      true: 'true',
      false: 'false',
      byte: '-1',
      short: '-32768',
      int: '-2',
      long: '9007199254740993',
      bytes: 'AQID',
      string: 'hé',
      time: '1440938160000',
      uuid: '00112233-4455-6677-8899-aabbccddeeff',
    });
  });

  it('refuses malformed headers whose CRCs are right', () => {
    expect(() => decodeAll(withHeaders(named('s', 7, 0x00, 0x01, 0xff)))).toThrow("header 's' is not valid UTF-8");
    expect(() => decodeAll(withHeaders(named('s', 7, 0x00, 0x09, 0x41)))).toThrow("header 's' value runs past the headers length");
    expect(() => decodeAll(withHeaders(named('s', 10)))).toThrow("header 's' has unknown type 10");
  });

  it('refuses names and values too long to encode', () => {
    expect(() => encodeEventStreamMessage({ ['x'.repeat(256)]: 'v' }, new Uint8Array(0))).toThrow(/must be 1 to 255 bytes/);
    expect(() => encodeEventStreamMessage({ name: 'x'.repeat(65536) }, new Uint8Array(0))).toThrow(/limit is 65535/);
  });
});

describe('toStreamFrame', () => {
  it('names events by :event-type and gives the payload as text', () => {
    const [message] = decodeAll(loadStream('converse-stream-tool.json')[2]!);
    expect(toStreamFrame(message!)).toEqual({ event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":" 4°C in Oslo."},"p":"abcd"}' });
  });

  it('names modeled exceptions by :exception-type', () => {
    const frames = loadStream('converse-stream-throttled.json').map((bytes) => toStreamFrame(decodeAll(bytes)[0]!));
    expect(frames[2]).toEqual({ event: 'throttlingException', data: '{"message":"Too many requests, please wait before trying again."}' });
  });

  it('turns an unmodeled error into an error frame carrying its headers', () => {
    const frame = toStreamFrame({ headers: { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, payload: new Uint8Array(0) });
    expect(frame).toEqual({ event: 'error', data: '{"code":"InternalFailure","message":"boom"}' });
  });

  it('keeps an exception without :exception-type an error', () => {
    expect(toStreamFrame({ headers: { ':message-type': 'exception' }, payload: text.encode('{"message":"x"}') })).toEqual({ event: 'error', data: '{"message":"x"}' });
  });

  it('releases a large buffer once it is drained', () => {
    const big = encodeEventStreamMessage({ ':message-type': 'event', ':event-type': 'contentBlockDelta' }, new Uint8Array(2 * 1024 * 1024));
    const decoder = new EventStreamDecoder();
    expect(decoder.push(big.subarray(0, 100))).toEqual([]);
    expect(decoder.push(big.subarray(100))).toHaveLength(1);
    expect(decoder.pendingBytes).toBe(0);
    expect(decoder.push(loadStream('converse-stream-tool.json')[0]!)).toHaveLength(1);
  });

  it('has a null event when there is no type header', () => {
    expect(toStreamFrame({ headers: {}, payload: text.encode('{}') })).toEqual({ event: null, data: '{}' });
  });
});

describe('EventStreamDecoder maximum message size', () => {
  it('rejects a message over the configured maximum once its prelude arrives, before waiting for the rest', () => {
    const message = encodeEventStreamMessage({ ':event-type': 'contentBlockDelta' }, text.encode(JSON.stringify({ delta: { text: 'x'.repeat(500) } })));
    const decoder = new EventStreamDecoder({ maxMessageBytes: 256 });
    expect(() => decoder.push(message.subarray(0, 12))).toThrow(/outside 16\.\.256 bytes/);
    expect(new EventStreamDecoder({ maxMessageBytes: 1024 }).push(message)).toHaveLength(1);
  });

  it('never raises the limit above AWS’s own 16 MiB', () => {
    const prelude = new Uint8Array(12);
    const view = new DataView(prelude.buffer);
    view.setUint32(0, 16 * 1024 * 1024 + 1);
    view.setUint32(4, 0);
    view.setUint32(8, crc32(prelude, 0, 8));
    expect(() => new EventStreamDecoder({ maxMessageBytes: 64 * 1024 * 1024 }).push(prelude)).toThrow(EventStreamError);
  });
});
