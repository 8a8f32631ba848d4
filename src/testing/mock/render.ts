/**
 * Shared pieces of the mock provider's answers: what a route renders, token estimates, SSE framing,
 * OpenAI's error body and the defaults of a scripted reply. Pure: no I/O, no clock.
 *
 * @module
 */

import type { MockDialect, MockFinishReason, MockMidStreamErrorStep, MockReplyStep, MockToolCall } from './script.js';

/** Fixed `created` time so every answer is reproducible (2025-01-01T00:00:00Z). */
export const MOCK_CREATED_S = 1735689600;

/** The body format a route speaks (Azure speaks OpenAI's, Vertex speaks Gemini's or Anthropic's). */
export type BodyFormat = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'ollama';

/** The operations the mock answers besides OpenAI's own routes. */
export type Operation =
  | 'chat'
  | 'responses'
  | 'embeddings'
  | 'messages'
  | 'count-tokens'
  | 'generate'
  | 'converse'
  | 'ollama-chat'
  | 'token'
  | 'other';

/** What the request path says: who is asked, in which body format, for what, and for which model. */
export interface Route {
  readonly dialect: MockDialect;
  readonly format: BodyFormat;
  readonly operation: Operation;
  /** The model the path names (Azure deployment, Gemini, Vertex and Bedrock model), decoded. */
  readonly pathModel: string | undefined;
  /** True or false when the path decides streaming (Gemini, Vertex, Bedrock); undefined when the body does. */
  readonly isStreamPath: boolean | undefined;
  /** Whether an unrestricted step may be consumed by this request. */
  readonly isModelCall: boolean;
}

/** What a route handler sees of a request. */
export interface RouteInput {
  readonly method: string;
  readonly path: string;
  /** The query string without `?`. */
  readonly query: string;
  /** Parsed JSON body, or undefined. */
  readonly body: unknown;
  /** 1-based number of the request since the mock started or was reset; seeds every id. */
  readonly requestNumber: number;
  readonly contentType: string | undefined;
  readonly bodyBytes: number;
  /** The route the path names. */
  readonly route: Route;
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

/** One piece of a body: text (SSE, NDJSON) or bytes (event-stream frames). */
export type Chunk = string | Uint8Array;

/** A streamed answer (SSE, NDJSON or event-stream), cut by faults between `events` and before `final` / `done`. */
export interface StreamRender {
  readonly type: 'stream';
  readonly headers: Readonly<Record<string, string>>;
  /** Events a fault may cut after (each one `res.write`). */
  readonly events: readonly Chunk[];
  /** Terminal events of a healthy stream (`response.completed`, `message_stop`); empty when the body just ends. */
  readonly final: readonly Chunk[];
  /** The `data: [DONE]` event, for dialects that have one. */
  readonly done: Chunk | undefined;
  /** One event whose JSON does not parse. */
  readonly broken: Chunk;
  /** The dialect's in-stream error event, sent as event number `sequenceNumber` (0-based). */
  readonly error: (step: MockMidStreamErrorStep, sequenceNumber: number) => Chunk;
}

/** What a route produces for one request. */
export type Render = JsonRender | StreamRender;

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

/**
 * The text of every `text` field in a list of parts or blocks, joined by a space.
 * @param parts - Anthropic blocks, Gemini parts or Bedrock content blocks
 */
export function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  const texts: string[] = [];
  for (const part of parts) {
    if (isRecord(part) && typeof part['text'] === 'string') texts.push(part['text']);
  }
  return texts.join(' ');
}

/**
 * Parses a tool call's JSON arguments into the object Anthropic, Gemini, Bedrock and Ollama send whole.
 * @param text - the scripted arguments string
 * @returns the parsed object, or `{}` when the text is not a JSON object
 */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

/** The numbers a reply reports, before each dialect shapes them. */
export interface UsageNumbers {
  /** Every input token, cached ones included. */
  readonly input: number;
  /** Every output token, reasoning included. */
  readonly output: number;
  readonly cachedInput: number;
  readonly cacheWriteInput: number;
  readonly reasoningOutput: number;
}

/** What a reply says, after defaults are applied. */
export interface ReplyContent {
  /** The assistant text, or null when the reply is tool calls only. */
  readonly content: string | null;
  /** The reasoning text, or null. */
  readonly thinking: string | null;
  readonly toolCalls: readonly MockToolCall[];
  readonly finishReason: MockFinishReason;
  readonly model: string;
}

/**
 * Applies a scripted reply's overrides to the default echo answer.
 * @param reply - the scripted reply, if any
 * @param echo - the default text
 * @param model - the requested model
 */
export function resolveReply(reply: MockReplyStep | undefined, echo: string, model: string): ReplyContent {
  const toolCalls = reply?.toolCalls ?? [];
  const content = reply?.content ?? (toolCalls.length > 0 ? null : echo);
  return {
    content,
    thinking: reply?.thinking ?? null,
    toolCalls,
    finishReason: reply?.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    model: reply?.model ?? model,
  };
}

/**
 * The output tokens a reply is estimated at: its text, its tool calls and, when the dialect renders it,
 * its thinking.
 * @param reply - the resolved reply
 * @param hasThinking - whether the dialect sends the thinking
 */
export function estimateOutputTokens(reply: ReplyContent, hasThinking: boolean): number {
  let total = estimateTokens(reply.content ?? '');
  if (hasThinking) total += estimateTokens(reply.thinking ?? '');
  for (const call of reply.toolCalls) total += estimateTokens(call.name) + estimateTokens(call.arguments);
  return total;
}

/**
 * The usage to report: the scripted one, else an estimate from the input and output sizes.
 * @param reply - the scripted reply, if any
 * @param inputTokens - the estimated input tokens
 * @param outputTokens - the estimated output tokens, reasoning included
 * @param reasoningTokens - the estimated reasoning tokens
 */
export function resolveUsage(
  reply: MockReplyStep | undefined,
  inputTokens: number,
  outputTokens: number,
  reasoningTokens = 0,
): UsageNumbers {
  const usage = reply?.usage;
  if (usage === undefined) {
    return { input: inputTokens, output: outputTokens, cachedInput: 0, cacheWriteInput: 0, reasoningOutput: reasoningTokens };
  }
  return {
    input: usage.prompt_tokens,
    output: usage.completion_tokens,
    cachedInput: usage.cached_tokens ?? 0,
    cacheWriteInput: usage.cache_write_tokens ?? 0,
    reasoningOutput: usage.reasoning_tokens ?? 0,
  };
}

/**
 * Input tokens neither read from nor written to the cache (Anthropic `input_tokens`, Bedrock `inputTokens`).
 * @param usage - the reply's usage
 */
export function uncachedInput(usage: UsageNumbers): number {
  return Math.max(0, usage.input - usage.cachedInput - usage.cacheWriteInput);
}

/**
 * The seconds a `rate-limit` step asks the client to wait, rounded up.
 * @param retryAfterS - the step's seconds
 * @param retryAfterMs - the step's milliseconds
 */
export function retryAfterSeconds(retryAfterS: number | undefined, retryAfterMs: number | undefined): number {
  return retryAfterS ?? (retryAfterMs === undefined ? 1 : Math.ceil(retryAfterMs / 1000));
}

/**
 * Cuts a text in half for a body that stops or breaks mid-way.
 * @param text - the whole text
 */
export function firstHalf(text: string): string {
  return text.slice(0, Math.floor(text.length / 2));
}
