/**
 * Turns a provider's stream bytes into {@link StreamFrame}s: SSE events and NDJSON lines here; the
 * AWS event-stream framer lives with Bedrock (`./bedrock/event-stream.ts`) and is loaded only for it.
 * Pure: no I/O, no clock.
 * @module
 */
import type { StreamFrame } from './codec.js';
import { EventTooLargeError, parseSseEvent, SseFramer, type SseFramerOptions } from './sse.js';

/** Frames a byte stream; any chunking gives the same frames. */
export interface Framer {
  /** Appends bytes; returns the frames they complete. */
  push(chunk: Uint8Array): StreamFrame[];
  /** Ends the stream; returns a last frame left without its terminator, if any. */
  end(): StreamFrame[];
}

/**
 * Frames server-sent events (LF, CRLF or CR line ends); events without data (comments, keep-alives) are skipped.
 * @example
 * const framer = createSseFramer();
 * framer.push(new TextEncoder().encode('event: ping\ndata: {}\n\n')); // [{ event: 'ping', data: '{}' }]
 * @param options The maximum event size; a larger event makes `push` throw {@link EventTooLargeError}.
 */
export function createSseFramer(options: SseFramerOptions = {}): Framer {
  const framer = new SseFramer(options);
  const frames = (buffer: Uint8Array, ends: readonly number[]): StreamFrame[] => {
    const out: StreamFrame[] = [];
    let start = 0;
    for (const stop of ends) {
      const { event, data } = parseSseEvent(buffer.subarray(start, stop));
      if (data !== null) out.push({ event, data });
      start = stop;
    }
    return out;
  };
  return {
    push(chunk) {
      const { buffer, ends } = framer.push(chunk);
      return ends.length === 0 ? [] : frames(buffer, ends);
    },
    end() {
      const rest = framer.flush();
      if (rest === null) return [];
      const { event, data } = parseSseEvent(rest);
      return data === null ? [] : [{ event, data }];
    },
  };
}

const LF = 0x0a;

/**
 * Frames newline-delimited JSON (Ollama): one frame per non-blank line, `event` always `null`. Each byte
 * is scanned once; the pieces of an unfinished line are joined once, when its newline arrives.
 * @param options The maximum line size; a longer line makes `push` throw {@link EventTooLargeError}.
 * @example
 * createNdjsonFramer().push(new TextEncoder().encode('{"done":true}\n')); // [{ event: null, data: '{"done":true}' }]
 */
export function createNdjsonFramer(options: SseFramerOptions = {}): Framer {
  const max = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  // A newline byte never occurs inside a multi-byte UTF-8 sequence, so each line decodes on its own.
  const decoder = new TextDecoder();
  const parts: Uint8Array[] = [];
  let pending = 0;
  const emit = (out: StreamFrame[], line: Uint8Array): void => {
    const data = decoder.decode(line).trim();
    if (data !== '') out.push({ event: null, data });
  };
  const held = (last: Uint8Array): Uint8Array => {
    if (parts.length === 0) return last;
    const out = new Uint8Array(pending + last.length);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    out.set(last, offset);
    parts.length = 0;
    return out;
  };
  return {
    push(chunk) {
      const out: StreamFrame[] = [];
      let start = 0;
      for (let newline = chunk.indexOf(LF); newline !== -1; newline = chunk.indexOf(LF, start)) {
        if (pending + newline - start > max) throw new EventTooLargeError(max);
        emit(out, held(chunk.subarray(start, newline)));
        pending = 0;
        start = newline + 1;
      }
      if (start < chunk.length) {
        pending += chunk.length - start;
        if (pending > max) throw new EventTooLargeError(max);
        parts.push(chunk.subarray(start));
      }
      return out;
    },
    end() {
      const out: StreamFrame[] = [];
      if (pending > 0) emit(out, held(new Uint8Array(0)));
      pending = 0;
      return out;
    },
  };
}
