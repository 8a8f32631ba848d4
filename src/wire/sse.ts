/**
 * Server-sent events framing on bytes (WHATWG rules: lines end with LF, CRLF or a lone CR; an empty
 * line ends an event). Pure: no I/O, no clock. The framer never decodes text; callers decode only the
 * events they need.
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;

/** The default `stream.maxEventBytes`: room for a Responses `response.completed` event that repeats a long answer with images. */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

/** Options of {@link SseFramer}. */
export interface SseFramerOptions {
  /**
   * The largest event accepted, in bytes (its terminating blank line included); a larger one, complete
   * or not, makes `push` throw {@link EventTooLargeError}, so a runaway stream cannot exhaust memory.
   * @default Infinity
   */
  maxEventBytes?: number;
}

/** A stream event grew past the configured maximum; the stream cannot go on. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  /** The limit that was passed, in bytes. */
  readonly maxEventBytes: number;

  /** @param maxEventBytes The limit that was passed. */
  constructor(maxEventBytes: number) {
    super(`a stream event was larger than ${maxEventBytes} bytes (stream.maxEventBytes)`);
    this.maxEventBytes = maxEventBytes;
  }
}

const EMPTY = /*@__PURE__*/ new Uint8Array(0);

/**
 * Splits a byte stream into complete SSE events. Each byte is scanned once: the chunks of an unfinished
 * event are kept as they came, with where scanning stopped (a CR at the very end of a chunk may be the
 * first half of a CRLF), and joined once, when the event completes. Chunks are kept by reference until
 * then: do not modify a chunk after pushing it.
 * @example
 * const framer = new SseFramer();
 * const { buffer, ends } = framer.push(chunk);
 * let start = 0;
 * for (const end of ends) { handle(buffer.subarray(start, end)); start = end; }
 */
export class SseFramer {
  /** The chunks of the unfinished event, in order. */
  readonly #parts: Uint8Array[] = [];
  #pending = 0;
  /** Whether the current line has no bytes yet (the stream starts on an empty line). */
  #isLineEmpty = true;
  /** Whether the last byte pushed is a CR not yet known to be half of a CRLF. */
  #hasTrailingCr = false;
  /** Whether the line that trailing CR ends was empty (so it ends an event). */
  #isCrLineEmpty = false;
  #failure: EventTooLargeError | null = null;
  readonly #maxEventBytes: number;
  readonly #ends: number[] = [];

  /** @param options The maximum event size. */
  constructor(options: SseFramerOptions = {}) {
    this.#maxEventBytes = options.maxEventBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Bytes held back as a partial event. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Appends a chunk and finds the events it completes.
   * @param chunk The next bytes of the stream.
   * @returns `buffer` (held bytes plus `chunk`, joined only when an event completes; empty otherwise)
   *   and the end offset of each complete event in it. The bytes after the last end are kept for the
   *   next push. `ends` is reused by the next call.
   * @throws {EventTooLargeError} When an event, complete or not, is larger than `maxEventBytes`; every
   *   later push throws it again.
   */
  push(chunk: Uint8Array): { buffer: Uint8Array; ends: number[] } {
    if (this.#failure !== null) throw this.#failure;
    const ends = this.#ends;
    ends.length = 0;
    if (chunk.length === 0) return { buffer: EMPTY, ends };
    const base = this.#pending;
    this.#scan(chunk, base, ends);
    const max = this.#maxEventBytes;
    let previous = 0;
    for (const end of ends) {
      if (end - previous > max) throw (this.#failure = new EventTooLargeError(max));
      previous = end;
    }
    const rest = base + chunk.length - previous;
    if (rest > max) throw (this.#failure = new EventTooLargeError(max));
    if (ends.length === 0) {
      this.#parts.push(chunk);
      this.#pending = rest;
      return { buffer: EMPTY, ends };
    }
    const buffer = this.#parts.length === 0 ? chunk : join(this.#parts, chunk, base);
    this.#parts.length = 0;
    // The rest lies within `chunk`: keep a view of it rather than of a joined buffer, which may be large.
    if (rest > 0) this.#parts.push(chunk.subarray(chunk.length - rest));
    this.#pending = rest;
    return { buffer, ends };
  }

  /**
   * Ends the stream.
   * @returns The bytes of an unterminated last event, or `null` when the stream ended on a boundary.
   */
  flush(): Uint8Array | null {
    const parts = this.#parts;
    const tail = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : join(parts, EMPTY, this.#pending);
    parts.length = 0;
    this.#pending = 0;
    this.#isLineEmpty = true;
    this.#hasTrailingCr = false;
    return tail;
  }

  /** Finds the ends of events in `chunk` (non-empty), offset by `base`, carrying the line state over. */
  #scan(chunk: Uint8Array, base: number, ends: number[]): void {
    const length = chunk.length;
    let position = 0;
    let isLineEmpty = this.#isLineEmpty;
    if (this.#hasTrailingCr) {
      this.#hasTrailingCr = false;
      position = chunk[0] === LF ? 1 : 0;
      if (this.#isCrLineEmpty) ends.push(base + position);
      isLineEmpty = true;
    }
    // Native searches for both line ends, each advanced only past where it was found.
    let nextLf = chunk.indexOf(LF, position);
    let nextCr = chunk.indexOf(CR, position);
    while (nextLf !== -1 || nextCr !== -1) {
      let lineEnd: number;
      let end: number;
      if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
        lineEnd = nextLf;
        end = nextLf + 1;
        nextLf = chunk.indexOf(LF, end);
      } else {
        lineEnd = nextCr;
        if (nextCr + 1 >= length) {
          // A CR at the very end may be the first half of a CRLF: the next chunk decides.
          this.#hasTrailingCr = true;
          this.#isCrLineEmpty = isLineEmpty && lineEnd === position;
          this.#isLineEmpty = true;
          return;
        }
        end = chunk[nextCr + 1] === LF ? nextCr + 2 : nextCr + 1;
        nextCr = chunk.indexOf(CR, end);
        if (nextLf !== -1 && nextLf < end) nextLf = chunk.indexOf(LF, end);
      }
      if (isLineEmpty && lineEnd === position) ends.push(base + end);
      isLineEmpty = true;
      position = end;
    }
    this.#isLineEmpty = position === length ? isLineEmpty : false;
  }
}

/** Joins `parts` and then `last` into one buffer of `partsLength + last.length` bytes. */
function join(parts: readonly Uint8Array[], last: Uint8Array, partsLength: number): Uint8Array {
  const out = new Uint8Array(partsLength + last.length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  out.set(last, offset);
  return out;
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
  // One pass with native searches rather than a regex split or a per-character loop: this runs for
  // every event of a translated stream, and some events are tens of MiB.
  const length = text.length;
  let nextLf = text.indexOf('\n');
  let nextCr = text.indexOf('\r');
  let start = 0;
  while (start < length) {
    if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
    if (nextCr !== -1 && nextCr < start) nextCr = text.indexOf('\r', start);
    const end = nextLf === -1 ? (nextCr === -1 ? length : nextCr) : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
    if (end > start && text.charCodeAt(start) !== 0x3a) {
      // Field names are short: look for the colon within the line only.
      let colon = start;
      while (colon < end && text.charCodeAt(colon) !== 0x3a) colon++;
      const hasValue = colon < end;
      const field = text.slice(start, hasValue ? colon : end);
      if (field === 'data' || field === 'event') {
        let valueStart = hasValue ? colon + 1 : end;
        if (text.charCodeAt(valueStart) === 0x20 && valueStart < end) valueStart++;
        const value = text.slice(valueStart, end);
        if (field === 'data') data = data === null ? value : `${data}\n${value}`;
        else event = value;
      }
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
