/**
 * The AWS event-stream binary framing (`application/vnd.amazon.eventstream`) that Bedrock's
 * ConverseStream answers with: a 12-byte prelude (total length, headers length, prelude CRC-32), typed
 * headers, a payload and a message CRC-32. Pure: no I/O, no clock.
 * @see https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html (message layout)
 * @module
 */
import type { StreamFrame } from '../codec.js';

/** One decoded event-stream message. */
export interface EventStreamMessage {
  /**
   * Header values as strings. Bedrock sends only strings (type 7); other types are rendered as:
   * bool → `'true'`/`'false'`, byte/short/int/long → decimal, bytes → base64, timestamp → decimal
   * milliseconds since the epoch, uuid → lower-case `8-4-4-4-12` hex.
   */
  headers: Record<string, string>;
  /** The message payload (JSON for Bedrock). */
  payload: Uint8Array;
}

/** A corrupt or oversized event-stream: a CRC or a length does not add up. The stream cannot be resynchronised. */
export class EventStreamError extends Error {
  override readonly name = 'EventStreamError';
}

/** Prelude (12) plus message CRC (4): the smallest possible message. */
const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** AWS's own limits per message. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const MAX_HEADERS_BYTES = 128 * 1024;
const STRING_TYPE = 7;
/** Largest buffer kept between messages. */
const RETAINED_BUFFER_BYTES = 1024 * 1024;

let crcTable: Int32Array | undefined;

function buildCrcTable(): Int32Array {
  const table = new Int32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value;
  }
  return table;
}

/**
 * CRC-32 with the IEEE (zlib) polynomial; the table is built on first use, not at import.
 * @param bytes The bytes to check.
 * @param start First byte (inclusive).
 * @param end Last byte (exclusive).
 * @returns The unsigned CRC.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const table = (crcTable ??= buildCrcTable());
  let crc = -1;
  for (let index = start; index < end; index++) crc = table[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const textEncoder = /*@__PURE__*/ new TextEncoder();
// fatal: a header name or value that is not UTF-8 means the stream is not what we think it is.
const textDecoder = /*@__PURE__*/ new TextDecoder('utf-8', { fatal: true });
const payloadDecoder = /*@__PURE__*/ new TextDecoder();

/**
 * Encodes one message with string headers (the only type Bedrock sends).
 * @param headers Header names and string values, written in insertion order.
 * @param payload The payload bytes.
 * @returns The framed message, CRCs included.
 * @throws {EventStreamError} When a name exceeds 255 bytes, a value 65,535 bytes, or the message 16 MiB.
 * @example
 * const bytes = encodeEventStreamMessage(
 *   { ':message-type': 'event', ':event-type': 'messageStart', ':content-type': 'application/json' },
 *   new TextEncoder().encode('{"role":"assistant"}'),
 * );
 */
export function encodeEventStreamMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Uint8Array {
  const encoded: Array<[Uint8Array, Uint8Array]> = [];
  let headersLength = 0;
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = textEncoder.encode(name);
    const valueBytes = textEncoder.encode(value);
    if (nameBytes.length === 0 || nameBytes.length > 0xff) throw new EventStreamError(`header name '${name}' must be 1 to 255 bytes`);
    if (valueBytes.length > 0xffff) throw new EventStreamError(`header '${name}': value is ${valueBytes.length} bytes; the limit is 65535`);
    encoded.push([nameBytes, valueBytes]);
    headersLength += 1 + nameBytes.length + 1 + 2 + valueBytes.length;
  }
  if (headersLength > MAX_HEADERS_BYTES) throw new EventStreamError(`headers are ${headersLength} bytes; the limit is ${MAX_HEADERS_BYTES}`);
  const totalLength = MIN_MESSAGE_BYTES + headersLength + payload.length;
  if (totalLength > MAX_MESSAGE_BYTES) throw new EventStreamError(`message is ${totalLength} bytes; the limit is ${MAX_MESSAGE_BYTES}`);

  const bytes = new Uint8Array(totalLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, totalLength);
  view.setUint32(4, headersLength);
  view.setUint32(8, crc32(bytes, 0, 8));
  let offset = PRELUDE_BYTES;
  for (const [nameBytes, valueBytes] of encoded) {
    bytes[offset++] = nameBytes.length;
    bytes.set(nameBytes, offset);
    offset += nameBytes.length;
    bytes[offset++] = STRING_TYPE;
    view.setUint16(offset, valueBytes.length);
    offset += 2;
    bytes.set(valueBytes, offset);
    offset += valueBytes.length;
  }
  bytes.set(payload, offset);
  view.setUint32(totalLength - 4, crc32(bytes, 0, totalLength - 4));
  return bytes;
}

/**
 * Splits an event-stream byte stream into messages, whatever the chunking. Keeps one buffer and a read
 * offset, so a read carrying many messages costs no repeated copying of the remainder.
 * @example
 * const decoder = new EventStreamDecoder();
 * for await (const chunk of body) for (const message of decoder.push(chunk)) handle(toStreamFrame(message));
 */
export class EventStreamDecoder {
  readonly #maxMessageBytes: number;
  #buffer: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #failure: EventStreamError | null = null;

  /**
   * @param options `maxMessageBytes`: the largest message accepted, below AWS's own 16 MiB limit.
   *   @default { maxMessageBytes: 16777216 }
   */
  constructor(options: { maxMessageBytes?: number } = {}) {
    this.#maxMessageBytes = Math.min(options.maxMessageBytes ?? MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES);
  }

  /** Bytes held back as a partial message. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends a chunk and decodes every message it completes.
   * @param chunk The next bytes of the stream.
   * @returns The complete messages, in order (payloads are copies the caller may keep).
   * @throws {EventStreamError} On a CRC mismatch or an impossible length; every later push throws it again,
   *   since a corrupt length leaves no way to find the next message.
   */
  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.#failure !== null) throw this.#failure;
    this.#append(chunk);
    const messages: EventStreamMessage[] = [];
    try {
      for (;;) {
        const message = this.#next();
        if (message === null) break;
        messages.push(message);
      }
    } catch (error) {
      if (error instanceof EventStreamError) this.#failure = error;
      throw error;
    }
    if (this.#start === this.#end) {
      this.#start = 0;
      this.#end = 0;
      // One large message must not pin its buffer for the rest of the stream.
      if (this.#buffer.length > RETAINED_BUFFER_BYTES) this.#buffer = new Uint8Array(0);
    }
    return messages;
  }

  #append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buffer.length) {
      const needed = pending + chunk.length;
      if (needed <= this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2, 1024));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = pending;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  #next(): EventStreamMessage | null {
    const available = this.#end - this.#start;
    if (available < PRELUDE_BYTES) return null;
    const buffer = this.#buffer;
    const start = this.#start;
    const view = new DataView(buffer.buffer, buffer.byteOffset + start, available);
    // Checked before waiting for the body: a corrupt length must not make us buffer up to 16 MiB.
    const preludeCrc = crc32(buffer, start, start + 8);
    if (preludeCrc !== view.getUint32(8)) {
      throw new EventStreamError(`prelude CRC mismatch: computed ${hex(preludeCrc)}, message says ${hex(view.getUint32(8))}`);
    }
    const totalLength = view.getUint32(0);
    const headersLength = view.getUint32(4);
    if (totalLength < MIN_MESSAGE_BYTES || totalLength > this.#maxMessageBytes) {
      throw new EventStreamError(`message length ${totalLength} is outside ${MIN_MESSAGE_BYTES}..${this.#maxMessageBytes} bytes`);
    }
    if (headersLength > totalLength - MIN_MESSAGE_BYTES || headersLength > MAX_HEADERS_BYTES) {
      throw new EventStreamError(`headers length ${headersLength} does not fit a ${totalLength}-byte message (limit ${MAX_HEADERS_BYTES})`);
    }
    if (available < totalLength) return null;
    const messageCrc = crc32(buffer, start, start + totalLength - 4);
    const declaredCrc = view.getUint32(totalLength - 4);
    if (messageCrc !== declaredCrc) {
      throw new EventStreamError(`message CRC mismatch: computed ${hex(messageCrc)}, message says ${hex(declaredCrc)}`);
    }
    const headersStart = start + PRELUDE_BYTES;
    const payloadStart = headersStart + headersLength;
    const headers = decodeHeaders(buffer, headersStart, payloadStart);
    const payload = buffer.slice(payloadStart, start + totalLength - 4);
    this.#start = start + totalLength;
    return { headers, payload };
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function decodeHeaders(bytes: Uint8Array, start: number, end: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  let offset = start;
  const need = (count: number, what: string): void => {
    if (offset + count > end) throw new EventStreamError(`header ${what} runs past the headers length`);
  };
  while (offset < end) {
    need(1, 'name length');
    const nameLength = bytes[offset++]!;
    need(nameLength + 1, 'name');
    const name = utf8(bytes, offset, offset + nameLength, 'header name');
    offset += nameLength;
    const type = bytes[offset++]!;
    let value: string;
    switch (type) {
      case 0:
        value = 'true';
        break;
      case 1:
        value = 'false';
        break;
      case 2:
        need(1, `'${name}' value`);
        value = String(view.getInt8(offset));
        offset += 1;
        break;
      case 3:
        need(2, `'${name}' value`);
        value = String(view.getInt16(offset));
        offset += 2;
        break;
      case 4:
        need(4, `'${name}' value`);
        value = String(view.getInt32(offset));
        offset += 4;
        break;
      case 5:
      case 8:
        need(8, `'${name}' value`);
        value = view.getBigInt64(offset).toString();
        offset += 8;
        break;
      case 6:
      case 7: {
        need(2, `'${name}' value length`);
        const length = view.getUint16(offset);
        offset += 2;
        need(length, `'${name}' value`);
        value = type === 7 ? utf8(bytes, offset, offset + length, `header '${name}'`) : base64(bytes.subarray(offset, offset + length));
        offset += length;
        break;
      }
      case 9:
        need(16, `'${name}' value`);
        value = uuid(bytes, offset);
        offset += 16;
        break;
      default:
        throw new EventStreamError(`header '${name}' has unknown type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

function utf8(bytes: Uint8Array, start: number, end: number, what: string): string {
  try {
    return textDecoder.decode(bytes.subarray(start, end));
  } catch {
    throw new EventStreamError(`${what} is not valid UTF-8`);
  }
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function uuid(bytes: Uint8Array, offset: number): string {
  let text = '';
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) text += '-';
    text += bytes[offset + index]!.toString(16).padStart(2, '0');
  }
  return text;
}

/**
 * Turns a message into the frame the Bedrock stream decoder reads.
 * @param message A decoded message.
 * @returns `event` = `:event-type` for events, `:exception-type` for modeled exceptions
 *   (`:message-type` `exception`; `error` when that header is missing); `data` = the payload as UTF-8. An unmodeled error
 *   (`:message-type` `error`) carries its code and text in headers, so it becomes event `error` with
 *   data `{"code","message"}` built from `:error-code` and `:error-message`.
 * @example
 * toStreamFrame(message); // { event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' }
 */
export function toStreamFrame(message: EventStreamMessage): StreamFrame {
  const { headers } = message;
  const messageType = headers[':message-type'];
  if (messageType === 'error') {
    return {
      event: 'error',
      data: JSON.stringify({ code: headers[':error-code'] ?? null, message: headers[':error-message'] ?? 'event-stream error' }),
    };
  }
  // An exception with no type is still an error: never let it read as an ignorable event.
  const event = messageType === 'exception' ? (headers[':exception-type'] ?? 'error') : (headers[':event-type'] ?? headers[':exception-type'] ?? null);
  return { event, data: payloadDecoder.decode(message.payload) };
}
