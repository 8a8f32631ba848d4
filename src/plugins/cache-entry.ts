/**
 * What the exact cache (`cache()`) and the semantic cache (`semanticCache()`) share, so neither
 * imports the other: the stored entry format, serving an entry in the shape a call asks for (JSON or
 * a replayed stream, converted between the two for chat in every dialect), keeping a fresh answer
 * while it passes to the SDK, and the per-call `x-sluice-cache*` headers. Not a plugin.
 *
 * The entry format, key hashing, durations and stream conversions are re-exported from where the
 * exact cache keeps them, unchanged; the functions below serve both caches.
 * @module
 */
import type { CallContext } from '../core/context.js';
import { SluiceError } from '../core/errors.js';
import { readHeader } from '../core/headers.js';
import type { ChatResponse } from '../wire/chat/types.js';
import { captureStream, type Captured } from './cache/capture.js';
import { encodeEntry, type CacheEntry, type EntryMeta } from './cache/entry.js';
import { isNamespace, parseDuration } from './cache/options.js';
import {
  chatResponseToEvents,
  dialectJsonToEvents,
  dialectStreamToJson,
  insertUsageChunk,
  removeUsage,
  replayStream,
  sliceChunks,
  streamToChatResponse,
  toChatUsage,
  type DialectCodecs,
} from './cache/replay.js';

export { decodeEntry, encodeEntry, matchesRequest, type CacheEntry, type EntryMeta } from './cache/entry.js';
export { canonicalJson, hashText, IGNORED_FIELDS, type TextHash } from './cache/key.js';
export { isNamespace, MAX_NAMESPACE_LENGTH, parseDuration, type Duration } from './cache/options.js';

/** The per-call control headers, lower-case. */
export const CACHE_HEADERS = ['x-sluice-cache', 'x-sluice-cache-ttl', 'x-sluice-cache-namespace'] as const;

/** What the headers of one call ask of a cache. */
export interface CacheControl {
  /** `use`: look up and store; `skip`: neither; `refresh`: store without looking up. */
  mode: 'use' | 'skip' | 'refresh';
  /** How long the answer is kept, in ms. */
  ttlMs: number;
  /** The namespace looked in and stored in. */
  namespace: string;
}

/** A fresh answer that completed, ready to be stored. */
export interface FreshAnswer {
  /** `json` for a whole body, `sse` for a stream. */
  kind: 'json' | 'sse';
  /** The response's `content-type`. */
  contentType: string;
  /** The HTTP status (2xx). */
  status: number;
  /** The body's text: one piece for JSON, the stream's chunks in order for SSE. */
  chunks: string[];
}

const SSE_TYPE = 'text/event-stream; charset=utf-8';
const JSON_TYPE = 'application/json';
/** The header each dialect's SDK reads its request id from. */
const REQUEST_ID_HEADER: Readonly<Record<string, string>> = { openai: 'x-request-id', anthropic: 'request-id', gemini: 'x-request-id' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tells whether an OpenAI chat request asked to see usage in its stream.
 * @param body The parsed request body.
 */
export function wantsUsage(body: unknown): boolean {
  const options = isObject(body) ? body['stream_options'] : undefined;
  return isObject(options) && options['include_usage'] === true;
}

function invalidHeader(name: string, value: string, expected: string): SluiceError {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return new SluiceError('sluice_invalid_cache_header', `${name}: expected ${expected}, received "${shown}"`, { status: 400 });
}

/**
 * Reads what a call's `x-sluice-cache`, `x-sluice-cache-ttl` and `x-sluice-cache-namespace` headers ask.
 * @param source The headers to read.
 * @param defaults The plugin's settings, returned as they are when no header is set.
 * @returns The call's control.
 * @throws {SluiceError} (status 400) when a header holds an invalid value.
 */
export function readCacheControl(source: HeadersInit | undefined, defaults: CacheControl): CacheControl {
  const mode = readHeader(source, 'x-sluice-cache');
  const ttl = readHeader(source, 'x-sluice-cache-ttl');
  const namespace = readHeader(source, 'x-sluice-cache-namespace');
  if (mode === null && ttl === null && namespace === null) return defaults;
  const control: CacheControl = { mode: 'use', ttlMs: defaults.ttlMs, namespace: defaults.namespace };
  if (mode !== null) {
    const value = mode.trim().toLowerCase();
    if (value !== 'skip' && value !== 'refresh') throw invalidHeader('x-sluice-cache', mode, '"skip" or "refresh"');
    control.mode = value;
  }
  if (ttl !== null) {
    const ms = parseDuration(ttl);
    if (ms === null) throw invalidHeader('x-sluice-cache-ttl', ttl, 'a duration like "60s" (ms, s, m, h, d)');
    control.ttlMs = ms;
  }
  if (namespace !== null) {
    const value = namespace.trim();
    if (!isNamespace(value)) throw invalidHeader('x-sluice-cache-namespace', namespace, '1 to 128 visible ASCII characters');
    control.namespace = value;
  }
  return control;
}

function hitHeaders(ctx: CallContext, contentType: string): Headers {
  const headers = new Headers({ 'content-type': contentType, 'x-sluice-cache': 'hit' });
  headers.set(REQUEST_ID_HEADER[ctx.dialect] ?? 'x-request-id', ctx.id);
  return headers;
}

function streamResponse(ctx: CallContext, meta: EntryMeta, chunks: readonly string[], contentType: string): Response {
  return new Response(replayStream(chunks), { status: meta.status, headers: hitHeaders(ctx, contentType) });
}

function jsonResponse(ctx: CallContext, meta: EntryMeta, body: string, contentType: string): Response {
  return new Response(body, { status: meta.status, headers: hitHeaders(ctx, contentType) });
}

function parseChatResponse(text: string): ChatResponse | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) && Array.isArray(value['choices']) ? (value as ChatResponse) : null;
  } catch {
    return null;
  }
}

/**
 * Tells whether a call's answer converts between stream and JSON, so both shapes share one cache key:
 * chat in every dialect. A Gemini stream without `alt=sse` is a JSON array, which neither shape's
 * conversion reads: it keeps its own key.
 * @param ctx The call.
 * @returns Whether the shape is left out of the key.
 */
export function convertsShape(ctx: CallContext): boolean {
  if (ctx.operation !== 'chat') return false;
  if (ctx.dialect !== 'gemini') return ctx.dialect === 'openai' || ctx.dialect === 'anthropic';
  return !ctx.isStream || /[?&]alt=sse(?:&|$)/.test(ctx.url);
}

/** Loads a dialect's codecs on first conversion, so the `sluice/plugins` entry does not carry them. */
async function loadCodecs(dialect: 'anthropic' | 'gemini'): Promise<DialectCodecs> {
  const framing = import('../wire/framing.js');
  if (dialect === 'anthropic') {
    const [{ anthropicClient, anthropicProvider }, { createSseFramer }] = await Promise.all([import('../wire/anthropic/codec.js'), framing]);
    return { dialect, client: anthropicClient, provider: anthropicProvider, createFramer: createSseFramer };
  }
  const [{ geminiClient, geminiProvider }, { createSseFramer }] = await Promise.all([import('../wire/gemini/codec.js'), framing]);
  return { dialect, client: geminiClient, provider: geminiProvider, createFramer: createSseFramer };
}

/** Replays an OpenAI Chat Completions entry in the call's shape, showing usage as the call asked. */
function replayChat(ctx: CallContext, entry: CacheEntry): Response | null {
  const { meta, body } = entry;
  const includeUsage = wantsUsage(ctx.body);
  if (ctx.isStream) {
    if (meta.kind === 'sse') {
      let chunks = sliceChunks(body, meta.chunks);
      if (meta.hasUsageChunk && !includeUsage) {
        chunks = removeUsage(chunks);
      } else if (!meta.hasUsageChunk && includeUsage) {
        // The original caller did not see usage (Sluice asked for it on its own): show it to this one.
        const usage = toChatUsage(meta.usage);
        if (usage !== null) chunks = insertUsageChunk(chunks, usage);
      }
      return streamResponse(ctx, meta, chunks, meta.contentType);
    }
    const json = parseChatResponse(body);
    return json === null ? null : streamResponse(ctx, meta, chatResponseToEvents(json, includeUsage, toChatUsage(meta.usage)), SSE_TYPE);
  }
  if (meta.kind === 'json') return jsonResponse(ctx, meta, body, meta.contentType);
  const json = streamToChatResponse(body, toChatUsage(meta.usage));
  return json === null ? null : jsonResponse(ctx, meta, JSON.stringify(json), JSON_TYPE);
}

/**
 * Builds the answer to a call from a stored entry, in the shape the call asked for. An entry in that
 * shape is replayed as stored (a stream with its original chunking); chat entries of the other shape
 * are converted (Anthropic and Gemini through their codecs, loaded on first use).
 * @param ctx The call.
 * @param entry The stored entry.
 * @returns The response, or `null` when the entry cannot be served in that shape.
 */
export async function replayEntry(ctx: CallContext, entry: CacheEntry): Promise<Response | null> {
  const { meta, body } = entry;
  if (ctx.dialect === 'openai' && ctx.operation === 'chat') return replayChat(ctx, entry);
  const sameShape = (meta.kind === 'sse') === ctx.isStream;
  if (sameShape || !convertsShape(ctx) || (ctx.dialect !== 'anthropic' && ctx.dialect !== 'gemini')) {
    // Served as stored: other operations keep the shape in their key, and embeddings never stream.
    return meta.kind === 'sse' ? streamResponse(ctx, meta, sliceChunks(body, meta.chunks), meta.contentType) : jsonResponse(ctx, meta, body, meta.contentType);
  }
  const codecs = await loadCodecs(ctx.dialect);
  if (ctx.isStream) {
    const events = dialectJsonToEvents(codecs, body, toChatUsage(meta.usage));
    return events === null ? null : streamResponse(ctx, meta, events, SSE_TYPE);
  }
  const json = dialectStreamToJson(codecs, body, toChatUsage(meta.usage));
  return json === null ? null : jsonResponse(ctx, meta, json, JSON_TYPE);
}

/**
 * Answers a call from a stored entry and marks it a hit: `ctx.cache`, the stored usage and model, and
 * `cache:hit` when the call ends (once the saved amount is priced).
 * @param ctx The call.
 * @param entry The stored entry.
 * @param namespace The namespace it came from.
 * @returns The response, or `null` (and nothing marked) when the entry cannot be served in the call's shape.
 */
export async function serveEntry(ctx: CallContext, entry: CacheEntry, namespace: string): Promise<Response | null> {
  const response = await replayEntry(ctx, entry);
  if (response === null) return null;
  ctx.cache = { status: 'hit', namespace, savedUsd: null };
  ctx.usage = { ...entry.meta.usage };
  if (entry.meta.model !== null) ctx.responseModel = entry.meta.model;
  if (ctx.events.has('cache:hit')) {
    const streamed = response.headers.get('content-type')?.includes('text/event-stream') === true;
    // The saved amount is priced when the call ends, from the usage set above.
    ctx.onEnd((ended) => ended.events.emit({ type: 'cache:hit', id: ended.id, namespace, streamed, savedUsd: ended.cache?.savedUsd ?? null }));
  }
  return response;
}

/**
 * Encodes a completed answer as an entry, with the request's check values and the call's usage and model.
 * @param ctx The call that produced it.
 * @param key The request's canonical text length and check hash, compared when the entry is read.
 * @param answer The answer.
 * @returns The text to store.
 */
export function encodeAnswer(ctx: CallContext, key: { length: number; check: string }, answer: FreshAnswer): string {
  const { kind, chunks } = answer;
  const meta: EntryMeta = {
    version: 1,
    length: key.length,
    check: key.check,
    kind,
    status: answer.status,
    contentType: answer.contentType,
    model: ctx.responseModel,
    usage: { ...ctx.usage },
    hasUsageChunk: kind === 'sse' && ctx.dialect === 'openai' && ctx.operation === 'chat' && wantsUsage(ctx.body),
    chunks: kind === 'sse' ? chunks.map((chunk) => chunk.length) : [],
  };
  return encodeEntry({ meta, body: chunks.join('') });
}

/** Marks a fresh answer `x-sluice-cache: miss`, unless a cache further down already answered it (a hit). */
function markMiss(response: Response): Response {
  if (!response.headers.has('x-sluice-cache')) response.headers.set('x-sluice-cache', 'miss');
  return response;
}

/**
 * Passes a fresh 2xx answer to the SDK (marked `x-sluice-cache: miss`) and calls `store` once if it
 * completes: a stream that reached its end within `maxChars` in a call that ended `completed`, or a
 * JSON body of at most `maxChars`. Streams pass through pull-based, never buffered whole.
 * @param ctx The call.
 * @param response What `next(ctx)` returned (2xx, with a body).
 * @param maxChars The largest answer kept, in characters.
 * @param store Called with the answer once it is known to be complete; never awaited.
 * @returns The response to hand to the SDK.
 */
export async function keepAnswer(ctx: CallContext, response: Response, maxChars: number, store: (ended: CallContext, answer: FreshAnswer) => void): Promise<Response> {
  const contentType = response.headers.get('content-type') ?? '';
  const { status, statusText } = response;
  if (contentType.includes('text/event-stream')) {
    let captured: Captured | null = null;
    let completed = false;
    let stored = false;
    // Store once both are known, in whichever order they arrive: the stream reached its end, and the
    // call ended completed (not errored by an error event, not cancelled).
    const tryStore = (): void => {
      if (stored || !completed || captured === null || captured.chunks === null) return;
      stored = true;
      store(ctx, { kind: 'sse', contentType, status, chunks: captured.chunks });
    };
    ctx.onEnd((ended) => {
      completed = ended.outcome === 'completed';
      tryStore();
    });
    const stream = captureStream(response.body!, maxChars, (result) => {
      captured = result;
      tryStore();
    });
    return markMiss(new Response(stream, { status, statusText, headers: response.headers }));
  }
  if (!contentType.includes('json')) return response;
  const known = ctx.knownAnswer;
  let text: string;
  let wrapped: Response;
  if (known !== null && known.response === response) {
    // Sluice built this answer from its text: keep it as it is, unread.
    text = known.text;
    wrapped = markMiss(response);
  } else {
    text = await response.text();
    wrapped = markMiss(new Response(text, { status, statusText, headers: response.headers }));
    ctx.knownAnswer = { response: wrapped, text };
  }
  if (text.length <= maxChars) {
    ctx.onEnd((ended) => {
      if (ended.outcome === 'completed') store(ended, { kind: 'json', contentType, status, chunks: [text] });
    });
  }
  return wrapped;
}
