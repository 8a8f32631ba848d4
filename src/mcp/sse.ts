/**
 * Server-sent events as MCP's Streamable HTTP uses them, framed without re-chunking the whole stream:
 * each complete event is handed over as its text (so an event that passes unchanged is sent on as
 * the same bytes), with its fields read; an event larger than the limit is skipped to its end and
 * reported. Pure.
 * @module
 */

/** One event read from the stream. */
export interface SseEvent {
  /** The event's text, its closing blank line included. */
  raw: string;
  /** The `data` lines joined with `\n`, or `null` when none. */
  data: string | null;
  /** The `event` field, or `null`. */
  event: string | null;
  /** The `id` field, or `null`. */
  id: string | null;
}

/** What the framer hands over: an event, or the notice that one was too large (skipped). */
export type SseItem = { kind: 'event'; event: SseEvent } | { kind: 'too_large'; bytes: number };

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/;

function parseEvent(raw: string): SseEvent {
  let data: string | null = null;
  let event: string | null = null;
  let id: string | null = null;
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === null ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  return { raw, data, event, id };
}

/** Splits decoded stream text into events. */
export class SseFramer {
  readonly #maxChars: number;
  #buffer = '';
  /** Characters of an oversized event skipped so far; `-1` when not skipping. */
  #skipped = -1;

  /** @param maxChars The largest event held, in characters. */
  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  /**
   * Takes the next piece of text.
   * @param text Decoded text.
   * @returns The items completed by it, in order.
   */
  push(text: string): SseItem[] {
    const items: SseItem[] = [];
    let buffer = this.#buffer + text;
    for (;;) {
      const match = BOUNDARY.exec(buffer);
      if (match === null) break;
      const end = match.index + match[0].length;
      if (this.#skipped !== -1) {
        items.push({ kind: 'too_large', bytes: this.#skipped + end });
        this.#skipped = -1;
      } else {
        items.push({ kind: 'event', event: parseEvent(buffer.slice(0, end)) });
      }
      buffer = buffer.slice(end);
    }
    if (buffer.length > this.#maxChars || this.#skipped !== -1) {
      // Keep the last characters: a boundary may straddle two pieces.
      this.#skipped = (this.#skipped === -1 ? 0 : this.#skipped) + buffer.length - 3;
      buffer = buffer.slice(-3);
    }
    this.#buffer = buffer;
    return items;
  }

  /** The text left when the stream ended (an event without its closing blank line), or `''`. */
  rest(): string {
    return this.#skipped === -1 ? this.#buffer : '';
  }
}

/**
 * An SSE event carrying one JSON-RPC message, keeping the original event's `id` and `event` fields.
 * @param data The message's JSON text.
 * @param like The event it replaces, if any.
 */
export function sseEventText(data: string, like: SseEvent | null = null): string {
  let out = '';
  if (like?.event !== null && like?.event !== undefined) out += `event: ${like.event}\n`;
  if (like?.id !== null && like?.id !== undefined) out += `id: ${like.id}\n`;
  return `${out}data: ${data}\n\n`;
}
