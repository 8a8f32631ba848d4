import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTooLargeError, SseFramer } from '../../src/wire/sse.js';
import { createNdjsonFramer, createSseFramer } from '../../src/wire/framing.js';
import type { StreamFrame } from '../../src/wire/codec.js';

const LF = 0x0a;
const CR = 0x0d;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The framing rule written as plainly as possible: an event ends after a line terminator (LF, CRLF or
 * a lone CR) that ends an empty line; a CR as the last byte of the input may be half of a CRLF, so it
 * ends nothing until the stream ends.
 */
function referenceEvents(input: Uint8Array): { events: string[]; tail: string | null } {
  const events: string[] = [];
  let eventStart = 0;
  let lineStart = 0;
  for (let index = 0; index < input.length; index++) {
    const byte = input[index];
    if (byte !== LF && byte !== CR) continue;
    let end = index + 1;
    if (byte === CR) {
      if (index + 1 >= input.length) break;
      if (input[index + 1] === LF) end = index + 2;
    }
    if (index === lineStart) {
      events.push(decoder.decode(input.subarray(eventStart, end)));
      eventStart = end;
    }
    index = end - 1;
    lineStart = end;
  }
  return { events, tail: eventStart === input.length ? null : decoder.decode(input.subarray(eventStart)) };
}

function frameAll(chunks: readonly Uint8Array[], framer = new SseFramer()): { events: string[]; tail: string | null } {
  const events: string[] = [];
  for (const chunk of chunks) {
    const { buffer, ends } = framer.push(chunk);
    let start = 0;
    for (const end of ends) {
      events.push(decoder.decode(buffer.subarray(start, end)));
      start = end;
    }
  }
  const tail = framer.flush();
  return { events, tail: tail === null ? null : decoder.decode(tail) };
}

/** Splits `input` at the given offsets (sorted, deduplicated, kept in range). */
function split(input: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const offsets = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const offset of offsets) {
    parts.push(input.subarray(start, offset));
    start = offset;
  }
  parts.push(input.subarray(start));
  return parts;
}

/** Streams built from the pieces that matter to framing: line ends of every kind, fields, text. */
const streamBytes = fc
  .array(fc.constantFrom('\n', '\r', '\r\n', '\n\n', '\r\n\r\n', '\r\r', 'data: ', 'event: x', ': c', 'a', '{"k":"é"}', ''), { maxLength: 60 })
  .map((pieces) => encoder.encode(pieces.join('')));

describe('SseFramer over arbitrary chunkings', () => {
  it('gives the events of the reference rule, whatever the chunking', () => {
    fc.assert(
      fc.property(streamBytes, fc.array(fc.nat(), { maxLength: 12 }), (input, cuts) => {
        const expected = referenceEvents(input);
        expect(frameAll([input])).toEqual(expected);
        expect(frameAll(split(input, cuts))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same events fed one byte at a time', () => {
    fc.assert(
      fc.property(streamBytes, (input) => {
        expect(frameAll(Array.from(input, (byte) => Uint8Array.of(byte)))).toEqual(referenceEvents(input));
      }),
      { numRuns: 500 },
    );
  });

  it('ends an event on a CR at the end of one chunk and an LF at the start of the next as one CRLF', () => {
    const framer = new SseFramer();
    expect(framer.push(encoder.encode('data: a\r\n\r')).ends).toEqual([]);
    const { buffer, ends } = framer.push(encoder.encode('\ndata: b\r\n\r\n'));
    expect(ends).toEqual([11, 22]);
    expect(decoder.decode(buffer.subarray(0, 11))).toBe('data: a\r\n\r\n');
  });

  it('keeps a large event in pieces and joins it once, when it completes', () => {
    const framer = new SseFramer();
    const piece = encoder.encode('x'.repeat(1000));
    const head = framer.push(encoder.encode('data: '));
    expect(head.ends).toEqual([]);
    for (let index = 0; index < 100; index++) expect(framer.push(piece).ends).toEqual([]);
    expect(framer.pendingBytes).toBe(6 + 100_000);
    const { buffer, ends } = framer.push(encoder.encode('\n\ndata: next'));
    expect(ends).toEqual([100_008]);
    expect(decoder.decode(buffer.subarray(0, 6))).toBe('data: ');
    expect(buffer[100_005]).toBe(0x78);
    expect(framer.pendingBytes).toBe('data: next'.length);
  });
});

describe('maximum event size', () => {
  it('throws EventTooLargeError once an unfinished event passes the limit', () => {
    const framer = new SseFramer({ maxEventBytes: 64 });
    framer.push(encoder.encode('data: ok\n\n'));
    framer.push(encoder.encode(`data: ${'x'.repeat(50)}`));
    expect(() => framer.push(encoder.encode('y'.repeat(20)))).toThrow(EventTooLargeError);
    expect(() => framer.push(encoder.encode('\n\n'))).toThrow(/64 bytes/);
  });

  it('throws for a complete event over the limit that arrives in one chunk', () => {
    const framer = new SseFramer({ maxEventBytes: 64 });
    expect(() => framer.push(encoder.encode(`data: ${'x'.repeat(100)}\n\n`))).toThrow(EventTooLargeError);
  });

  it('accepts an event of exactly the limit', () => {
    const framer = new SseFramer({ maxEventBytes: 16 });
    const event = 'data: 123456789\n\n'.slice(1);
    expect(event.length).toBe(16);
    expect(framer.push(encoder.encode(event)).ends).toEqual([16]);
  });

  it('applies to the SSE and NDJSON frame readers', () => {
    expect(() => createSseFramer({ maxEventBytes: 32 }).push(encoder.encode(`data: ${'x'.repeat(40)}`))).toThrow(EventTooLargeError);
    const ndjson = createNdjsonFramer({ maxEventBytes: 32 });
    expect(ndjson.push(encoder.encode('{"a":1}\n'))).toEqual([{ event: null, data: '{"a":1}' }]);
    expect(() => ndjson.push(encoder.encode(`{"a":"${'x'.repeat(40)}`))).toThrow(EventTooLargeError);
  });
});

describe('createNdjsonFramer over arbitrary chunkings', () => {
  it('gives the same lines whatever the chunking', () => {
    const lines = fc.array(fc.constantFrom('{"a":1}', '{"é":"ü"}', '', '  ', '{"b":[1,2]}\r'), { maxLength: 30 });
    fc.assert(
      fc.property(lines, fc.boolean(), fc.array(fc.nat(), { maxLength: 10 }), (parts, trailing, cuts) => {
        const input = encoder.encode(parts.join('\n') + (trailing ? '\n' : ''));
        const read = (chunks: readonly Uint8Array[]): StreamFrame[] => {
          const framer = createNdjsonFramer();
          return [...chunks.flatMap((chunk) => framer.push(chunk)), ...framer.end()];
        };
        const expected = parts.map((line) => line.trim()).filter((line) => line !== '').map((data) => ({ event: null, data }));
        expect(read([input])).toEqual(expected);
        expect(read(split(input, cuts))).toEqual(expected);
        expect(read(Array.from(input, (byte) => Uint8Array.of(byte)))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
