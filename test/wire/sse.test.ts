import { describe, expect, it } from 'vitest';
import { parseSseEvent, payloadEnd, payloadEndsWithAscii, SseFramer, startsWithAscii } from '../../src/wire/sse.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Frames `chunks` in order; returns the complete events as text and the flushed tail. */
function frameAll(chunks: readonly Uint8Array[]): { events: string[]; tail: string | null } {
  const framer = new SseFramer();
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

const LF_SAMPLE = 'data: {"a":1}\n\n: keep-alive\n\nevent: done\ndata: x\ndata: y\n\ndata: [DONE]\n\n';
const CRLF_SAMPLE = 'data: {"a":1}\r\n\r\n: keep-alive\r\n\r\nevent: done\r\ndata: x\r\ndata: y\r\n\r\ndata: [DONE]\r\n\r\n';
const CR_SAMPLE = 'data: {"a":1}\r\r: keep-alive\r\revent: done\rdata: x\rdata: y\r\rdata: [DONE]\r\r';
const MIXED_SAMPLE = 'data: one\n\ndata: two\r\n\r\ndata: three\r\rdata: four\n\n';

describe('SseFramer', () => {
  it('splits LF-framed events at blank lines', () => {
    expect(frameAll([bytes(LF_SAMPLE)])).toEqual({
      events: ['data: {"a":1}\n\n', ': keep-alive\n\n', 'event: done\ndata: x\ndata: y\n\n', 'data: [DONE]\n\n'],
      tail: null,
    });
  });

  it('splits CRLF-framed events at blank lines', () => {
    expect(frameAll([bytes(CRLF_SAMPLE)])).toEqual({
      events: ['data: {"a":1}\r\n\r\n', ': keep-alive\r\n\r\n', 'event: done\r\ndata: x\r\ndata: y\r\n\r\n', 'data: [DONE]\r\n\r\n'],
      tail: null,
    });
  });

  it('splits lone-CR-framed events, holding a final CR until it cannot be the start of a CRLF', () => {
    const { events, tail } = frameAll([bytes(CR_SAMPLE)]);
    expect(events).toEqual(['data: {"a":1}\r\r', ': keep-alive\r\r', 'event: done\rdata: x\rdata: y\r\r']);
    // The last CR may be half of a CRLF: the event is complete only at the end of the stream.
    expect(tail).toBe('data: [DONE]\r\r');
    const more = frameAll([bytes(CR_SAMPLE), bytes('data: next\r\r')]);
    expect(more.events.at(-1)).toBe('data: [DONE]\r\r');
  });

  it('splits a stream that mixes LF, CRLF and CR line ends', () => {
    const { events, tail } = frameAll([bytes(MIXED_SAMPLE)]);
    expect([...events, tail]).toEqual(['data: one\n\n', 'data: two\r\n\r\n', 'data: three\r\r', 'data: four\n\n', null]);
  });

  for (const [name, sample] of [
    ['LF', LF_SAMPLE],
    ['CRLF', CRLF_SAMPLE],
    ['CR', CR_SAMPLE],
    ['mixed', MIXED_SAMPLE],
  ] as const) {
    it(`gives the same events (${name}) whichever byte boundary the input is split at`, () => {
      const whole = bytes(sample);
      const expected = frameAll([whole]);
      expect(expected.events.join('') + (expected.tail ?? '')).toBe(sample);
      for (let split = 0; split <= whole.length; split++) {
        expect(frameAll([whole.subarray(0, split), whole.subarray(split)]), `split at ${split}`).toEqual(expected);
      }
      for (let first = 1; first < whole.length; first += 7) {
        const parts = [whole.subarray(0, first), whole.subarray(first, first + 5), whole.subarray(first + 5)];
        expect(frameAll(parts), `split at ${first} and ${first + 5}`).toEqual(expected);
      }
      expect(frameAll(Array.from(whole, (byte) => Uint8Array.of(byte)))).toEqual(expected);
    });
  }

  it('holds a partial event until its blank line arrives', () => {
    const framer = new SseFramer();
    expect(framer.push(bytes('data: {"par')).ends).toEqual([]);
    expect(framer.pendingBytes).toBe(11);
    expect(framer.push(bytes('tial":true}\n')).ends).toEqual([]);
    const { buffer, ends } = framer.push(bytes('\ndata: next'));
    expect(ends).toEqual([24]);
    expect(decoder.decode(buffer.subarray(0, 24))).toBe('data: {"partial":true}\n\n');
    expect(framer.pendingBytes).toBe('data: next'.length);
  });

  it('returns an unterminated tail from flush(), and null when the stream ended on a boundary', () => {
    const framer = new SseFramer();
    framer.push(bytes('data: a\n\ndata: b'));
    expect(decoder.decode(framer.flush()!)).toBe('data: b');
    expect(framer.flush()).toBeNull();
    framer.push(bytes('data: c\n\n'));
    expect(framer.flush()).toBeNull();
  });
});

describe('parseSseEvent', () => {
  it('reads data with and without a space after the colon', () => {
    expect(parseSseEvent(bytes('data: {"a":1}\n\n'))).toEqual({ event: null, data: '{"a":1}' });
    expect(parseSseEvent(bytes('data:{"a":1}\n\n'))).toEqual({ event: null, data: '{"a":1}' });
    expect(parseSseEvent(bytes('data:  two spaces\n\n'))).toEqual({ event: null, data: ' two spaces' });
  });

  it('joins multi-line data with LF, whatever the line ends', () => {
    expect(parseSseEvent(bytes('data: a\ndata: b\ndata:\n\n')).data).toBe('a\nb\n');
    expect(parseSseEvent(bytes('data: a\r\ndata: b\r\n\r\n')).data).toBe('a\nb');
    expect(parseSseEvent(bytes('data: a\rdata: b\r\r')).data).toBe('a\nb');
  });

  it('ignores comments and unknown fields; a comment-only event has no data', () => {
    expect(parseSseEvent(bytes(': ping\n\n'))).toEqual({ event: null, data: null });
    expect(parseSseEvent(bytes(': note\nid: 7\nretry: 10\ndata: x\n\n'))).toEqual({ event: null, data: 'x' });
  });

  it('reads the event field', () => {
    expect(parseSseEvent(bytes('event: response.completed\ndata: {}\n\n'))).toEqual({ event: 'response.completed', data: '{}' });
    expect(parseSseEvent(bytes('event:error\ndata:{}\n\n'))).toEqual({ event: 'error', data: '{}' });
  });
});

describe('parseSseEvent: field lines without a colon (issue 20)', () => {
  it('reads a bare field name as that field with an empty value', () => {
    expect(parseSseEvent(bytes('data\n\n'))).toEqual({ event: null, data: '' });
    expect(parseSseEvent(bytes('data\ndata: x\n\n'))).toEqual({ event: null, data: '\nx' });
    expect(parseSseEvent(bytes('event\ndata: x\n\n'))).toEqual({ event: '', data: 'x' });
    expect(parseSseEvent(bytes('datax\ndata: y\n\n'))).toEqual({ event: null, data: 'y' });
  });

  it('keeps a colon inside the value, and reads the last event field', () => {
    expect(parseSseEvent(bytes('data: a: b\n\n')).data).toBe('a: b');
    expect(parseSseEvent(bytes('event: one\nevent: two\ndata: x\n\n')).event).toBe('two');
  });
});

describe('the end of a passed-through stream (issue 20)', () => {
  it('tells whether an event is [DONE], whatever its line ends', () => {
    for (const text of ['data: [DONE]\n\n', 'data: [DONE]\r\n\r\n', 'data: [DONE]\r\r', 'data:[DONE]\n\n', 'data: [DONE]']) {
      expect(payloadEndsWithAscii(bytes(text), '[DONE]'), JSON.stringify(text)).toBe(true);
    }
    for (const text of ['data: [DONE] x\n\n', 'data: {"a":"[DONE]"}\n\n', 'DONE]\n\n', '\n\n', '']) {
      expect(payloadEndsWithAscii(bytes(text), '[DONE]'), JSON.stringify(text)).toBe(false);
    }
  });

  it('finds the payload end before every trailing line break, and compares ASCII at an offset', () => {
    expect(payloadEnd(bytes('data: x\r\n\r\n'))).toBe(7);
    expect(payloadEnd(bytes('\n\n'))).toBe(0);
    expect(payloadEnd(bytes('data: x'))).toBe(7);
    expect(startsWithAscii(bytes('data: x'), 'data:')).toBe(true);
    expect(startsWithAscii(bytes('data: x'), 'x', 6)).toBe(true);
    expect(startsWithAscii(bytes('data: x'), 'x ', 6)).toBe(false);
    expect(startsWithAscii(bytes('dat'), 'data')).toBe(false);
  });
});
