/**
 * An incremental parser of server-sent events (the WHATWG "event stream interpretation"), for the live
 * tail read through `fetch` so that the read key travels in a header, never in a URL.
 * @module
 */

/** One dispatched event. */
export interface SseMessage {
  /** The `event:` field; `message` when absent. */
  event: string;
  /** The last `id:` seen on the stream, or `null`. */
  id: string | null;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** Feeds text in any cuts; calls back once per complete event. */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #id: string | null = null;
  #skipLineFeed = false;
  readonly #onMessage: (message: SseMessage) => void;
  readonly #maxLineChars: number;

  /**
   * @param onMessage Called for each event with data.
   * @param maxLineChars The longest line accepted; a longer one throws (the stream is then abandoned).
   */
  constructor(onMessage: (message: SseMessage) => void, maxLineChars = 4_000_000) {
    this.#onMessage = onMessage;
    this.#maxLineChars = maxLineChars;
  }

  /**
   * Parses the next piece of the stream.
   * @param chunk Decoded text.
   */
  push(chunk: string): void {
    let text = chunk;
    if (this.#skipLineFeed && text.startsWith('\n')) text = text.slice(1);
    this.#skipLineFeed = false;
    let start = 0;
    for (let index = 0; index < text.length; index++) {
      const character = text[index];
      if (character !== '\n' && character !== '\r') continue;
      this.#line(this.#buffer + text.slice(start, index));
      this.#buffer = '';
      if (character === '\r') {
        if (index + 1 === text.length) this.#skipLineFeed = true;
        else if (text[index + 1] === '\n') index++;
      }
      start = index + 1;
    }
    this.#buffer += text.slice(start);
    if (this.#buffer.length > this.#maxLineChars) throw new Error(`an event-stream line longer than ${this.#maxLineChars} characters`);
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) this.#onMessage({ event: this.#event || 'message', id: this.#id, data: this.#data.join('\n') });
      this.#data = [];
      this.#event = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
  }
}
