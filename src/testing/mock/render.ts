/**
 * Shared pieces of the mock provider's answers: what a route renders, token estimates, SSE framing and
 * OpenAI's error body. Pure: no I/O, no clock.
 *
 * @module
 */

/** Fixed `created` time so every answer is reproducible (2025-01-01T00:00:00Z). */
export const MOCK_CREATED_S = 1735689600;

/** What a route handler sees of a request. */
export interface RouteInput {
  readonly method: string;
  readonly path: string;
  /** Parsed JSON body, or undefined. */
  readonly body: unknown;
  /** 1-based number of the request since the mock started or was reset; seeds every id. */
  readonly requestNumber: number;
  readonly contentType: string | undefined;
  readonly bodyBytes: number;
}

/** Fields of an OpenAI error object. */
export interface ErrorFields {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

/** A JSON answer: one body written at once with a `content-length`. */
export interface JsonRender {
  readonly type: 'json';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A streamed answer, cut by faults between `events` and before `final` / `done`. */
export interface SseRender {
  readonly type: 'sse';
  readonly headers: Readonly<Record<string, string>>;
  /** Events a fault may cut after (each one `res.write`). */
  readonly events: readonly string[];
  /** Terminal events of a healthy stream (`response.completed`); empty for Chat. */
  readonly final: readonly string[];
  /** The `data: [DONE]` event, for dialects that have one. */
  readonly done: string | undefined;
  /** One event whose JSON does not parse. */
  readonly broken: string;
  /** The dialect's in-stream error event, sent as event number `sequenceNumber` (0-based). */
  readonly error: (fields: ErrorFields, sequenceNumber: number) => string;
}

/** What a route produces for one request. */
export type Render = JsonRender | SseRender;

/** Headers of every JSON answer. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

/** Headers of every SSE answer. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/**
 * Renders a JSON answer.
 * @param status - HTTP status
 * @param value - the body, serialised with `JSON.stringify`
 */
export function json(status: number, value: unknown): JsonRender {
  return { type: 'json', status, headers: JSON_HEADERS, body: JSON.stringify(value) };
}

/**
 * Frames one SSE event, with an `event:` line when a name is given.
 * @param data - the `data:` payload (a single line)
 * @param event - the event name
 */
export function sseEvent(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

/**
 * OpenAI's error body, all four keys present.
 * @param fields - message, type, param and code
 */
export function errorBody(fields: ErrorFields): { error: ErrorFields } {
  return { error: { message: fields.message, type: fields.type, param: fields.param, code: fields.code } };
}

/**
 * A deterministic token estimate: one token per four characters, rounded up.
 * @param text - the text to count
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Splits text into stream deltas: word by word (leading space kept), at least three when the text has
 * three characters or more, so chunk-level behaviour is observable.
 * @param text - the full text
 */
export function splitDeltas(text: string): string[] {
  if (text.length === 0) return [];
  const words = text.match(/\s*\S+|\s+$/g) ?? [text];
  if (words.length >= 3 || text.length < 3) return words;
  const size = Math.ceil(text.length / 3);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/**
 * Splits a tool call's JSON arguments into up to three fragments, as providers stream them.
 * @param text - the arguments string
 */
export function splitFragments(text: string): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / 3));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

/**
 * Narrows a value to a plain object.
 * @param value - anything
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text of a message `content`: a string, or the `text` of its parts joined by a space.
 * @param content - a Chat or Responses message content
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (isRecord(part) && typeof part['text'] === 'string') texts.push(part['text']);
  }
  return texts.join(' ');
}

/**
 * The model named in a request body, or the fallback.
 * @param body - the parsed body
 * @param fallback - used when the body has no string `model`
 */
export function requestedModel(body: unknown, fallback: string): string {
  return isRecord(body) && typeof body['model'] === 'string' ? body['model'] : fallback;
}

/**
 * Whether the body asks for a stream (`stream: true`).
 * @param body - the parsed body
 */
export function isStreamRequest(body: unknown): boolean {
  return isRecord(body) && body['stream'] === true;
}
