/**
 * Puts original values back where the provider wrote placeholders: in JSON answers (string
 * replacement on the body text, JSON-escaped, `\u003c`/`\u003e` forms included) and in SSE streams
 * of every dialect, where a placeholder may be split across deltas and across network chunks.
 *
 * The stream restorer frames events on bytes and passes every event that holds no `<` (nor
 * `\u003c`) through as the same bytes. An event whose text fragment ends with what could be the
 * start of a placeholder (`<EMA`) is held back whole; the next event of the same text decides:
 * when it continues the text, the held prefix moves into it (and is restored there), otherwise the
 * held event goes out as it was. Only one event is ever held.
 * @module
 */
import { DEFAULT_MAX_EVENT_BYTES, SseFramer } from '../../wire/sse.js';
import { groupOf, viewEvent, type EventView, type TextSlot } from './sse-slots.js';

/** Placeholder (`<EMAIL_1>`) → original value. */
export type Placeholders = ReadonlyMap<string, string>;

type Json = Record<string, unknown>;

const PLACEHOLDER = /<[A-Z][A-Z0-9_]*_[1-9]\d*>/g;
const ESCAPED_PLACEHOLDER = /(<|\\u003[cC])([A-Z][A-Z0-9_]*_[1-9]\d*)(?:>|\\u003[eE])/g;
/** Keys whose string values are JSON text in every dialect (tool-call arguments). */
const JSON_TEXT_KEYS: ReadonlySet<string> = new Set(['arguments', 'partial_json']);
/** Whether a value changes when JSON-escaped (quotes, backslashes, control characters). */
const needsEscape = (value: string): boolean => jsonEscape(value) !== value;

/**
 * Escapes a value for the inside of a JSON string.
 * @param value Any text.
 */
export function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Restores placeholders in plain text.
 * @param text Text the provider wrote.
 * @param placeholders What to put back.
 * @returns The text with every known placeholder replaced (the same string when there is none).
 */
export function restoreText(text: string, placeholders: Placeholders): string {
  if (text.indexOf('<') === -1) return text;
  return text.replace(PLACEHOLDER, (whole) => placeholders.get(whole) ?? whole);
}

/** Whether the backslash at `offset` starts an escape (it is not itself escaped). */
function isEscapeAt(text: string, offset: number): boolean {
  let count = 0;
  for (let index = offset - 1; index >= 0 && text.charCodeAt(index) === 0x5c; index--) count++;
  return count % 2 === 0;
}

/**
 * Restores placeholders inside JSON text, without parsing it: `<X_1>` and `\u003cX_1\u003e` are
 * replaced by the JSON-escaped original.
 * @param text JSON text (a whole body, or tool-call arguments).
 * @param placeholders What to put back.
 * @returns The text with every known placeholder replaced.
 */
export function restoreJsonText(text: string, placeholders: Placeholders): string {
  if (text.indexOf('<') === -1 && text.indexOf('\\u003') === -1) return text;
  return text.replace(ESCAPED_PLACEHOLDER, (whole, open: string, label: string, offset: number) => {
    const value = placeholders.get(`<${label}>`);
    if (value === undefined) return whole;
    // `\\u003c` is a backslash followed by the letters "u003c", not an escaped `<`.
    if (open.length > 1 && !isEscapeAt(text, offset)) return whole;
    return jsonEscape(value);
  });
}

/**
 * Restores placeholders in every string of a parsed JSON value, in place.
 * @param value A freshly parsed value (it is mutated).
 * @param placeholders What to put back.
 * @param skip Slots already handled, left alone.
 * @returns Whether anything changed.
 */
export function restoreDeep(value: unknown, placeholders: Placeholders, skip: readonly TextSlot[] = []): boolean {
  if (typeof value !== 'object' || value === null) return false;
  let changed = false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item === 'string') {
        const restored = restoreText(item, placeholders);
        if (restored !== item) {
          value[index] = restored;
          changed = true;
        }
      } else if (restoreDeep(item, placeholders, skip)) changed = true;
    }
    return changed;
  }
  const object = value as Json;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === 'string') {
      if (skip.length > 0 && skip.some((slot) => slot.owner === object && slot.key === key)) continue;
      const restored = JSON_TEXT_KEYS.has(key) ? restoreJsonText(item, placeholders) : restoreText(item, placeholders);
      if (restored !== item) {
        object[key] = restored;
        changed = true;
      }
    } else if (restoreDeep(item, placeholders, skip)) changed = true;
  }
  return changed;
}

/**
 * Restores a whole JSON answer. String replacement on the text is exact unless a value needs JSON
 * escaping and sits inside tool-call arguments (JSON inside a JSON string needs two levels), so such
 * values send the body through a parse.
 * @param text The answer's body text.
 * @param placeholders What to put back.
 * @returns The restored text (the same string when nothing changed).
 */
export function restoreJsonBody(text: string, placeholders: Placeholders): string {
  if (text.indexOf('<') === -1 && text.indexOf('\\u003') === -1) return text;
  let needsParse = false;
  for (const value of placeholders.values()) if (needsEscape(value)) needsParse = true;
  if (needsParse) {
    try {
      const parsed: unknown = JSON.parse(text);
      return restoreDeep(parsed, placeholders) ? JSON.stringify(parsed) : text;
    } catch {
      // Not JSON after all: text replacement is the best that can be done.
    }
  }
  return restoreJsonText(text, placeholders);
}

// ---------------------------------------------------------------------------------------------
// Streams

const decoder = /*@__PURE__*/ new TextDecoder();
const encoder = /*@__PURE__*/ new TextEncoder();
const LT = 0x3c;
const BACKSLASH = 0x5c;

/** Whether bytes[start, end) hold `<` or `\u003c`/`\u003C`, scanning forward from cursors kept by the caller. */
class MarkerScanner {
  #bytes: Uint8Array = new Uint8Array(0);
  #nextLt = -1;
  #nextEscape = -1;

  reset(bytes: Uint8Array): void {
    this.#bytes = bytes;
    this.#nextLt = bytes.indexOf(LT);
    this.#nextEscape = this.#findEscape(0);
  }

  has(start: number, end: number): boolean {
    const bytes = this.#bytes;
    if (this.#nextLt !== -1 && this.#nextLt < start) this.#nextLt = bytes.indexOf(LT, start);
    if (this.#nextLt !== -1 && this.#nextLt < end) return true;
    if (this.#nextEscape !== -1 && this.#nextEscape < start) this.#nextEscape = this.#findEscape(start);
    return this.#nextEscape !== -1 && this.#nextEscape < end;
  }

  #findEscape(from: number): number {
    const bytes = this.#bytes;
    for (let index = bytes.indexOf(BACKSLASH, from); index !== -1; index = bytes.indexOf(BACKSLASH, index + 1)) {
      if (bytes[index + 1] === 0x75 && bytes[index + 2] === 0x30 && bytes[index + 3] === 0x30 && bytes[index + 4] === 0x33 && ((bytes[index + 5] ?? 0) | 0x20) === 0x63) {
        return index;
      }
    }
    return -1;
  }
}

/** One event's lines, parsed enough to rewrite its `data`. */
interface ParsedEvent {
  readonly bytes: Uint8Array;
  readonly lines: readonly string[];
  readonly json: Json;
  readonly view: EventView;
  /** Whether the data text held a marker, so strings outside the slots may need restoring too. */
  readonly hasMarker: boolean;
}

interface Pending {
  readonly slot: TextSlot;
  readonly suffix: string;
}

interface Prepared {
  readonly event: ParsedEvent;
  changed: boolean;
  /** Held-back placeholder prefixes by channel; `null` when none. */
  pending: Map<string, Pending> | null;
}

function isDataLine(line: string): boolean {
  return line.startsWith('data:') || line === 'data';
}

function concat(parts: readonly Uint8Array[]): Uint8Array | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Restores placeholders in an SSE byte stream; feed it chunks in order, then call {@link SseRestorer.end}.
 * @example
 * const restorer = new SseRestorer(new Map([['<EMAIL_1>', 'jane@example.com']]));
 * const out = restorer.push(chunk); // bytes to deliver now, or null
 */
export class SseRestorer {
  readonly #placeholders: Placeholders;
  readonly #longest: number;
  readonly #framer: SseFramer;
  readonly #scanner = new MarkerScanner();
  #held: Prepared | null = null;

  /**
   * @param placeholders What to put back.
   * @param maxEventBytes The largest event held while waiting for its end; a larger one makes `push`
   *   throw `EventTooLargeError`. Sluice's own framing of the provider's stream has usually ended such
   *   a stream before it gets here. @default 67108864 (64 MiB)
   */
  constructor(placeholders: Placeholders, maxEventBytes = DEFAULT_MAX_EVENT_BYTES) {
    this.#framer = new SseFramer({ maxEventBytes });
    this.#placeholders = placeholders;
    let longest = 0;
    for (const key of placeholders.keys()) longest = Math.max(longest, key.length);
    this.#longest = longest;
  }

  /** Whether an event is held back, waiting for the next one. */
  get isHolding(): boolean {
    return this.#held !== null;
  }

  /**
   * Takes the next chunk of the stream.
   * @param chunk Bytes as they came.
   * @returns The bytes to deliver now (the chunk itself when nothing needed changing), or `null`.
   */
  push(chunk: Uint8Array): Uint8Array | null {
    const { buffer, ends } = this.#framer.push(chunk);
    if (ends.length === 0) return null;
    const last = ends[ends.length - 1]!;
    const scanner = this.#scanner;
    scanner.reset(buffer);
    if (this.#held === null && !scanner.has(0, last)) return last === buffer.length ? buffer : buffer.subarray(0, last);
    const out: Uint8Array[] = [];
    // Untouched events are delivered as one run of the original bytes.
    let runStart = 0;
    let start = 0;
    for (const stop of ends) {
      if (this.#held === null && !scanner.has(start, stop)) {
        start = stop;
        continue;
      }
      if (start > runStart) out.push(buffer.subarray(runStart, start));
      this.#event(buffer.subarray(start, stop), scanner.has(start, stop), out);
      start = stop;
      runStart = stop;
    }
    if (start > runStart) out.push(buffer.subarray(runStart, start));
    return concat(out);
  }

  /**
   * Ends the stream: delivers a held event and any unterminated last event.
   * @returns The bytes still to deliver, or `null`.
   */
  end(): Uint8Array | null {
    const out: Uint8Array[] = [];
    const rest = this.#framer.flush();
    if (rest !== null && rest.length > 0) {
      this.#scanner.reset(rest);
      this.#event(rest, this.#scanner.has(0, rest.length), out);
    }
    this.#release(out);
    return concat(out);
  }

  /** Parses an event; `blank` when it has no data (comments, keep-alives), `null` when its data is not a JSON object. */
  #parse(bytes: Uint8Array, hasMarker: boolean): ParsedEvent | 'blank' | null {
    const lines = decoder.decode(bytes).split(/\r\n|\r|\n/);
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let data: string | null = null;
    for (const line of lines) {
      if (!isDataLine(line)) continue;
      let value = line.slice(5);
      if (value.charCodeAt(0) === 0x20) value = value.slice(1);
      data = data === null ? value : `${data}\n${value}`;
    }
    // An event without data is never dispatched (WHATWG), so it ends nothing.
    if (data === null) return 'blank';
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return null;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
    return { bytes, lines, json: json as Json, view: viewEvent(json as Json), hasMarker };
  }

  #event(bytes: Uint8Array, hasMarker: boolean, out: Uint8Array[]): void {
    const event = this.#parse(bytes, hasMarker);
    if (event === 'blank') {
      out.push(bytes);
      return;
    }
    if (event === null) {
      // `[DONE]` and anything unreadable end every text.
      this.#release(out);
      out.push(bytes);
      return;
    }
    const view = event.view;
    const held = this.#held;
    let carry: Map<string, string> | null = null;
    if (held !== null) {
      if (view.kind === 'transparent') {
        this.#emit(this.#prepare(event, null), out);
        return;
      }
      if (view.kind === 'delta') {
        for (const slot of view.slots) {
          const pending = held.pending?.get(slot.channel);
          if (pending === undefined) continue;
          (carry ??= new Map()).set(slot.channel, pending.suffix);
          held.pending!.delete(slot.channel);
        }
        if (carry === null && !this.#sharesGroup(view, held)) {
          // A delta of another choice or candidate may pass the held event.
          const prepared = this.#prepare(event, null);
          if (prepared.pending === null) {
            this.#emit(prepared, out);
            return;
          }
          this.#release(out);
          this.#held = prepared;
          return;
        }
      }
      this.#release(out);
    }
    const prepared = this.#prepare(event, carry);
    if (prepared.pending !== null) this.#held = prepared;
    else this.#emit(prepared, out);
  }

  #sharesGroup(view: EventView, held: Prepared): boolean {
    const groups = new Set(held.event.view.slots.map((slot) => groupOf(slot.channel)));
    return view.slots.some((slot) => groups.has(groupOf(slot.channel)));
  }

  #prepare(event: ParsedEvent, carry: Map<string, string> | null): Prepared {
    const prepared: Prepared = { event, changed: false, pending: null };
    for (const slot of event.view.slots) {
      const owner = slot.owner;
      let text = owner[slot.key] as string;
      const incoming = carry?.get(slot.channel) ?? prepared.pending?.get(slot.channel)?.suffix;
      if (incoming !== undefined) {
        text = incoming + text;
        carry?.delete(slot.channel);
        prepared.pending?.delete(slot.channel);
      }
      const restored = slot.isJsonText ? restoreJsonText(text, this.#placeholders) : restoreText(text, this.#placeholders);
      text = restored;
      if (!slot.isFinal) {
        const cut = this.#partialStart(text);
        if (cut !== -1) {
          (prepared.pending ??= new Map()).set(slot.channel, { slot, suffix: text.slice(cut) });
          text = text.slice(0, cut);
        }
      }
      if (text !== owner[slot.key]) {
        owner[slot.key] = text;
        prepared.changed = true;
      }
    }
    if (prepared.pending !== null && prepared.pending.size === 0) prepared.pending = null;
    if (event.hasMarker && restoreDeep(event.json, this.#placeholders, event.view.slots)) prepared.changed = true;
    return prepared;
  }

  /** Where a possible placeholder prefix starts at the end of `text`, or -1. */
  #partialStart(text: string): number {
    const open = text.lastIndexOf('<');
    if (open === -1 || text.length - open >= this.#longest || text.indexOf('>', open) !== -1) return -1;
    const tail = text.slice(open);
    for (const placeholder of this.#placeholders.keys()) if (placeholder.startsWith(tail)) return open;
    return -1;
  }

  /** Delivers the held event, with its held-back prefixes put back where they were. */
  #release(out: Uint8Array[]): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    if (held.pending !== null) {
      for (const { slot, suffix } of held.pending.values()) slot.owner[slot.key] = (slot.owner[slot.key] as string) + suffix;
    }
    this.#emit(held, out);
  }

  #emit(prepared: Prepared, out: Uint8Array[]): void {
    if (!prepared.changed) {
      out.push(prepared.event.bytes);
      return;
    }
    let text = '';
    let wroteData = false;
    for (const line of prepared.event.lines) {
      if (!isDataLine(line)) text += `${line}\n`;
      else if (!wroteData) {
        text += `data: ${JSON.stringify(prepared.event.json)}\n`;
        wroteData = true;
      }
    }
    out.push(encoder.encode(`${text}\n`));
  }
}

/**
 * Wraps an SSE body so that placeholders come out restored, reading upstream only when the SDK reads.
 * @param body The upstream body.
 * @param placeholders What to put back.
 * @returns The body to hand to the SDK; cancelling it cancels upstream.
 */
export function restoreSseStream(body: ReadableStream<Uint8Array>, placeholders: Placeholders): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const restorer = new SseRestorer(placeholders);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) {
              const rest = restorer.end();
              if (rest !== null) controller.enqueue(rest);
              controller.close();
              return;
            }
            const out = restorer.push(value);
            if (out !== null && out.length > 0) {
              controller.enqueue(out);
              return;
            }
          }
        } catch (error) {
          controller.error(error);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
