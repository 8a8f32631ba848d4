/**
 * Server-sent events framing on bytes (WHATWG rules: lines end with LF, CRLF or a lone CR; an empty
 * line ends an event). Pure: no I/O, no clock. The framer never decodes text; callers decode only the
 * events they need.
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into complete SSE events, keeping at most one partial event between pushes.
 * @example
 * const framer = new SseFramer();
 * const { buffer, ends } = framer.push(chunk);
 * let start = 0;
 * for (const end of ends) { handle(buffer.subarray(start, end)); start = end; }
 */
export class SseFramer {
  #tail: Uint8Array | null = null;
  readonly #ends: number[] = [];

  /** Bytes held back as a partial event. */
  get pendingBytes(): number {
    return this.#tail?.length ?? 0;
  }

  /**
   * Appends a chunk and finds the events it completes.
   * @param chunk The next bytes of the stream.
   * @returns `buffer` (held bytes plus `chunk`) and the end offset of each complete event in it. The
   *   bytes after the last end are kept for the next push. `ends` is reused by the next call.
   */
  push(chunk: Uint8Array): { buffer: Uint8Array; ends: number[] } {
    let buffer = chunk;
    const tail = this.#tail;
    if (tail !== null) {
      buffer = new Uint8Array(tail.length + chunk.length);
      buffer.set(tail, 0);
      buffer.set(chunk, tail.length);
    }
    const ends = this.#ends;
    ends.length = 0;
    if (buffer.indexOf(CR) === -1) scanLf(buffer, ends);
    else scanGeneral(buffer, ends);
    const last = ends.length === 0 ? 0 : ends[ends.length - 1]!;
    this.#tail = last === buffer.length ? null : buffer.slice(last);
    return { buffer, ends };
  }

  /**
   * Ends the stream.
   * @returns The bytes of an unterminated last event, or `null` when the stream ended on a boundary.
   */
  flush(): Uint8Array | null {
    const tail = this.#tail;
    this.#tail = null;
    return tail;
  }
}

function scanLf(buffer: Uint8Array, ends: number[]): void {
  let position = 0;
  for (;;) {
    const index = buffer.indexOf(LF, position);
    if (index === -1 || index + 1 >= buffer.length) return;
    if (buffer[index + 1] === LF) {
      ends.push(index + 2);
      position = index + 2;
    } else {
      position = index + 1;
    }
  }
}

function scanGeneral(buffer: Uint8Array, ends: number[]): void {
  let lineLength = 0;
  for (let index = 0; index < buffer.length; index++) {
    const byte = buffer[index];
    if (byte !== LF && byte !== CR) {
      lineLength++;
      continue;
    }
    let end = index + 1;
    if (byte === CR) {
      // A CR at the very end may be the first half of a CRLF: wait for more bytes.
      if (index + 1 >= buffer.length) return;
      if (buffer[index + 1] === LF) {
        end = index + 2;
        index++;
      }
    }
    if (lineLength === 0) ends.push(end);
    lineLength = 0;
  }
}

const decoder = /*@__PURE__*/ new TextDecoder();

/** One parsed SSE event. */
export interface SseEvent {
  /** The `event:` field, or `null` when absent (the spec's `message`). */
  event: string | null;
  /** The `data:` lines joined with `\n`, or `null` when the event has no data (comment-only). */
  data: string | null;
}

/**
 * Parses the fields of one complete event.
 * @param bytes The event's bytes, including its terminating blank line.
 * @returns Its `event` and `data` fields; comments and other fields are ignored.
 */
export function parseSseEvent(bytes: Uint8Array): SseEvent {
  const text = decoder.decode(bytes);
  let event: string | null = null;
  let data: string | null = null;
  // One pass with indexOf rather than a regex split: this runs for every event of a translated stream.
  const length = text.length;
  let start = 0;
  while (start < length) {
    let end = start;
    while (end < length) {
      const code = text.charCodeAt(end);
      if (code === LF || code === CR) break;
      end++;
    }
    if (end > start && text.charCodeAt(start) !== 0x3a) {
      const line = text.slice(start, end);
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 0x20) value = value.slice(1);
      if (field === 'data') data = data === null ? value : `${data}\n${value}`;
      else if (field === 'event') event = value;
    }
    // A CRLF pair is one line end.
    start = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
  }
  return { event, data };
}

/**
 * Tells whether `bytes` starts with the given ASCII text at `offset`, without decoding.
 * @param bytes Any bytes.
 * @param ascii ASCII text to compare.
 * @param offset Where to start comparing. @default 0
 */
export function startsWithAscii(bytes: Uint8Array, ascii: string, offset = 0): boolean {
  if (bytes.length - offset < ascii.length) return false;
  for (let index = 0; index < ascii.length; index++) {
    if (bytes[offset + index] !== ascii.charCodeAt(index)) return false;
  }
  return true;
}

/**
 * Tells whether the event's payload (before its trailing line breaks) ends with the given ASCII text.
 * @param bytes One complete event.
 * @param ascii ASCII text to compare.
 */
export function payloadEndsWithAscii(bytes: Uint8Array, ascii: string): boolean {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
  return startsWithAscii(bytes, ascii, end - ascii.length) && end - ascii.length >= 0;
}

/**
 * Offset just past the payload of one event (before its trailing line breaks).
 * @param bytes One complete event.
 */
export function payloadEnd(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
  return end;
}
