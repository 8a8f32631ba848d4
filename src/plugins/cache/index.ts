/**
 * The exact cache: answers a call from a stored answer to the same request (same dialect, operation,
 * model and body, up to fields that do not change the answer), in memory or in Redis. A stored stream
 * is replayed as a stream with its original chunking; for OpenAI Chat Completions a stream can answer
 * a JSON call and the other way round. Only successful, complete answers are stored. A store that
 * fails or is slow never fails a call: the cache steps aside and says so once with `store:error`.
 *
 * Per-call control through request headers (removed before the request goes upstream):
 * `x-sluice-cache: skip | refresh`, `x-sluice-cache-ttl: 60s`, `x-sluice-cache-namespace: name`.
 * @module
 */
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import { readHeader } from '../../core/headers.js';
import type { Middleware } from '../../core/types.js';
import type { ChatResponse } from '../../wire/chat/types.js';
import { captureStream, type Captured } from './capture.js';
import { decodeEntry, encodeEntry, matchesRequest, type CacheEntry, type EntryMeta } from './entry.js';
import { cacheKey, type CacheKey } from './key.js';
import { isNamespace, parseDuration, resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './options.js';
import { chatResponseToEvents, insertUsageChunk, removeUsage, replayStream, sliceChunks, streamToChatResponse, toChatUsage } from './replay.js';
import { STORE_FAILED, StoreGuard } from './store-guard.js';

export type { CacheOptions, CacheableOperation, Duration } from './options.js';
export { parseDuration } from './options.js';
export { canonicalJson, hashText, IGNORED_FIELDS, type TextHash } from './key.js';

/** The per-call control headers, lower-case. */
export const CACHE_HEADERS = ['x-sluice-cache', 'x-sluice-cache-ttl', 'x-sluice-cache-namespace'] as const;

/** What the headers of one call ask of the cache. */
interface CallControl {
  mode: 'use' | 'skip' | 'refresh';
  ttlMs: number;
  namespace: string;
}

const SSE_TYPE = 'text/event-stream; charset=utf-8';
const JSON_TYPE = 'application/json';
/** The header each dialect's SDK reads its request id from. */
const REQUEST_ID_HEADER: Readonly<Record<string, string>> = { openai: 'x-request-id', anthropic: 'request-id', gemini: 'x-request-id' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether an OpenAI chat request asked to see usage in its stream. */
function wantsUsage(body: unknown): boolean {
  const options = isObject(body) ? body['stream_options'] : undefined;
  return isObject(options) && options['include_usage'] === true;
}

function invalidHeader(name: string, value: string, expected: string): SluiceError {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return new SluiceError('sluice_invalid_cache_header', `${name}: expected ${expected}, received "${shown}"`, { status: 400 });
}

/** Reads (and removes, so they never go upstream) the call's cache headers. */
function readControl(ctx: CallContext, options: ResolvedCacheOptions, defaults: CallControl): CallControl {
  const source = ctx.hasHeaderCopy ? ctx.headers : ctx.init.headers;
  const mode = readHeader(source, 'x-sluice-cache');
  const ttl = readHeader(source, 'x-sluice-cache-ttl');
  const namespace = readHeader(source, 'x-sluice-cache-namespace');
  if (mode === null && ttl === null && namespace === null) return defaults;
  const headers = ctx.headers;
  for (const name of CACHE_HEADERS) headers.delete(name);
  const control: CallControl = { mode: 'use', ttlMs: options.ttlMs, namespace: options.namespace };
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
 * Builds the answer to a call from a stored entry, in the shape the call asked for.
 * @returns The response, or `null` when the entry cannot be served in that shape.
 */
function replay(ctx: CallContext, entry: CacheEntry): Response | null {
  const { meta, body } = entry;
  if (ctx.dialect !== 'openai' || ctx.operation !== 'chat') {
    // Other dialects and operations keep the shape in their key: serve what was stored.
    return meta.kind === 'sse' ? streamResponse(ctx, meta, sliceChunks(body, meta.chunks), meta.contentType) : jsonResponse(ctx, meta, body, meta.contentType);
  }
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
 * Creates the exact cache middleware. Put it after guard and limits: `use: [guard(), limits(), cache()]`.
 * @param options Store, TTL, namespace, bucket size and limits; see {@link CacheOptions}.
 * @param options.store Where answers are kept. @default memoryCacheStore()
 * @param options.ttl How long an answer is kept. @default '1h'
 * @param options.namespace The namespace keys live in. @default 'default'
 * @param options.bucketSize Different answers kept per key, served at random once full. @default 1
 * @param options.maxEntryBytes The largest answer stored, in characters. @default 1048576
 * @param options.storeTimeoutMs The longest one store operation may take. @default 50
 * @param options.operations The operations cached. @default ['chat', 'responses', 'embeddings']
 * @param options.random Random source in [0, 1) for buckets. @default Math.random
 * @param options.hash Key hash. @default hashText
 * @returns The middleware.
 * @throws {SluiceConfigError} when an option is invalid, e.g. `cache().ttl: expected a duration like "10m" …`.
 * @example
 * import OpenAI from 'openai';
 * import { createSluice } from 'sluice';
 * import { cache } from 'sluice/plugins';
 *
 * const sluice = createSluice({ use: [cache({ ttl: '10m' })] });
 * const openai = new OpenAI({ fetch: sluice.fetch });
 * await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }); // goes to OpenAI
 * await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }); // served from the cache
 * // Per call: skip the cache, or keep this answer for 30 seconds only.
 * await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-sluice-cache': 'skip' } });
 * await openai.chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-sluice-cache-ttl': '30s' } });
 */
export function cache(options: CacheOptions = {}): Middleware {
  const resolved = resolveCacheOptions(options);
  const { store, bucketSize, maxEntryBytes, operations, random, hash } = resolved;
  const guard = new StoreGuard(resolved.storeTimeoutMs);
  const defaults: CallControl = Object.freeze({ mode: 'use', ttlMs: resolved.ttlMs, namespace: resolved.namespace });

  /** Serves a hit from the stored answers, or returns `null` for a miss. */
  function serve(ctx: CallContext, stored: readonly string[], key: CacheKey, namespace: string): Response | null {
    if (stored.length < bucketSize) return null;
    const entries: CacheEntry[] = [];
    for (const text of stored) {
      const entry = decodeEntry(text);
      // A collision (another request with the same hash) or a malformed value is never served.
      if (entry !== null && matchesRequest(entry, key.length, key.check)) entries.push(entry);
    }
    if (entries.length < bucketSize) return null;
    const entry = entries[Math.min(entries.length - 1, Math.floor(random() * entries.length))]!;
    const response = replay(ctx, entry);
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

  /** Stores a completed answer (never awaited by the call). */
  function write(ctx: CallContext, key: CacheKey, control: CallControl, kind: 'json' | 'sse', contentType: string, status: number, chunks: string[]): void {
    const meta: EntryMeta = {
      version: 1,
      length: key.length,
      check: key.check,
      kind,
      status,
      contentType,
      model: ctx.responseModel,
      usage: { ...ctx.usage },
      hasUsageChunk: kind === 'sse' && ctx.dialect === 'openai' && ctx.operation === 'chat' && wantsUsage(ctx.body),
      chunks: kind === 'sse' ? chunks.map((chunk) => chunk.length) : [],
    };
    const value = encodeEntry({ meta, body: chunks.join('') });
    const addOptions = { ttlMs: control.ttlMs, maxAnswers: bucketSize, replace: control.mode === 'refresh' };
    void guard.run(ctx, () => store.add(key.key, value, addOptions));
  }

  /** Passes a fresh answer to the SDK and arranges for it to be stored if it completes. */
  async function keep(ctx: CallContext, response: Response, key: CacheKey, control: CallControl): Promise<Response> {
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
        write(ctx, key, control, 'sse', contentType, status, captured.chunks);
      };
      ctx.onEnd((ended) => {
        completed = ended.outcome === 'completed';
        tryStore();
      });
      const stream = captureStream(response.body!, maxEntryBytes, (result) => {
        captured = result;
        tryStore();
      });
      const wrapped = new Response(stream, { status, statusText, headers: response.headers });
      wrapped.headers.set('x-sluice-cache', 'miss');
      return wrapped;
    }
    if (!contentType.includes('json')) return response;
    const text = await response.text();
    const wrapped = new Response(text, { status, statusText, headers: response.headers });
    wrapped.headers.set('x-sluice-cache', 'miss');
    if (text.length <= maxEntryBytes) {
      ctx.onEnd((ended) => {
        if (ended.outcome === 'completed') write(ended, key, control, 'json', contentType, status, [text]);
      });
    }
    return wrapped;
  }

  return async function cache(ctx, next) {
    const control = readControl(ctx, resolved, defaults);
    if (!operations.has(ctx.operation)) return next(ctx);
    const namespace = control.namespace;
    if (control.mode === 'skip') {
      ctx.cache = { status: 'bypass', namespace, savedUsd: null };
      return next(ctx);
    }
    const body = ctx.body;
    if (!isObject(body)) return next(ctx);
    // Chat Completions answers convert between stream and JSON, embeddings never stream: one key for
    // both shapes. Elsewhere the shape is part of the key.
    const convertible = (ctx.dialect === 'openai' && ctx.operation === 'chat') || ctx.operation === 'embeddings';
    const key = cacheKey(
      { dialect: ctx.dialect, operation: ctx.operation, requestedModel: ctx.requestedModel, shape: convertible ? null : ctx.isStream, body },
      namespace,
      hash,
    );
    let canStore = true;
    if (control.mode === 'use') {
      const stored = await guard.run(ctx, () => store.get(key.key));
      if (stored === STORE_FAILED) {
        // The store is down: go upstream and do not try to write either.
        canStore = false;
      } else {
        const hit = serve(ctx, stored, key, namespace);
        if (hit !== null) return hit;
      }
    }
    ctx.cache = { status: 'miss', namespace, savedUsd: null };
    if (ctx.events.has('cache:miss')) ctx.events.emit({ type: 'cache:miss', id: ctx.id, namespace });
    const response = await next(ctx);
    if (!canStore || response.status < 200 || response.status > 299 || response.body === null) return response;
    return keep(ctx, response, key, control);
  };
}
