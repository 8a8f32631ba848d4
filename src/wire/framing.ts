/**
 * Turns a provider's stream bytes into {@link StreamFrame}s: SSE events and NDJSON lines here; the
 * AWS event-stream framer lives with Bedrock (`./bedrock/event-stream.ts`) and is loaded only for it.
 * Pure: no I/O, no clock.
 * @module
 */
import type { StreamFrame } from './codec.js';
import { parseSseEvent, SseFramer } from './sse.js';

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
 */
export function createSseFramer(): Framer {
  const framer = new SseFramer();
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

/**
 * Frames newline-delimited JSON (Ollama): one frame per non-blank line, `event` always `null`.
 * @example
 * createNdjsonFramer().push(new TextEncoder().encode('{"done":true}\n')); // [{ event: null, data: '{"done":true}' }]
 */
export function createNdjsonFramer(): Framer {
  const decoder = new TextDecoder();
  let pending = '';
  const lines = (text: string, isLast: boolean): StreamFrame[] => {
    const out: StreamFrame[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      const line = text.slice(start, newline).trim();
      if (line !== '') out.push({ event: null, data: line });
      start = newline + 1;
    }
    pending = text.slice(start);
    if (isLast && pending.trim() !== '') {
      out.push({ event: null, data: pending.trim() });
      pending = '';
    }
    return out;
  };
  return {
    push: (chunk) => lines(pending + decoder.decode(chunk, { stream: true }), false),
    end: () => lines(pending + decoder.decode(), true),
  };
}
