/**
 * The exact cache: answers a call from a stored answer to the same request (same dialect, operation,
 * model and body, up to fields that do not change the answer), in memory or in Redis. A stored stream
 * is replayed as a stream with its original chunking; for chat (OpenAI Chat Completions, Anthropic
 * Messages, Gemini generateContent) a stream can answer a JSON call and the other way round. Only
 * successful, complete answers are stored. A store that fails or is slow never fails a call: the cache
 * steps aside and says so once with `store:error`.
 *
 * Per-call control through request headers (removed before the request goes upstream):
 * `x-sluice-cache: skip | refresh`, `x-sluice-cache-ttl: 60s`, `x-sluice-cache-namespace: name`.
 * @module
 */
import { markPluginFactory } from '../factory.js';
import type { CallContext } from '../../core/context.js';
import type { Middleware, PluginLifecycle } from '../../core/types.js';
import { CACHE_HEADERS, convertsShape, encodeAnswer, keepAnswer, readCacheControl, serveEntry, type CacheControl, type FreshAnswer } from '../cache-entry.js';
import { decodeEntry, matchesRequest, type CacheEntry } from './entry.js';
import { cacheKey, type CacheKey } from './key.js';
import { resolveCacheOptions, type CacheOptions } from './options.js';
import { STORE_FAILED, StoreGuard } from './store-guard.js';
import { zeroRetentionRefusal } from '../retention.js';

export type { CacheOptions, CacheableOperation, Duration } from './options.js';
export { parseDuration } from './options.js';
export { canonicalJson, hashText, IGNORED_FIELDS, type TextHash } from './key.js';

export { CACHE_HEADERS } from '../cache-entry.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the call's cache headers, and removes them (they never go upstream, nor into the record). */
function readControl(ctx: CallContext, defaults: CacheControl): CacheControl {
  const control = readCacheControl(ctx.hasHeaderCopy ? ctx.headers : ctx.init.headers, defaults);
  if (control !== defaults) {
    const headers = ctx.headers;
    for (const name of CACHE_HEADERS) headers.delete(name);
  }
  return control;
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
export function cache(options: CacheOptions = {}): Middleware & PluginLifecycle {
  const resolved = resolveCacheOptions(options);
  const { store, bucketSize, maxEntryBytes, operations, random, hash } = resolved;
  const guard = new StoreGuard(resolved.storeTimeoutMs);
  const defaults: CacheControl = Object.freeze({ mode: 'use', ttlMs: resolved.ttlMs, namespace: resolved.namespace });

  /** Serves a hit from the stored answers, or returns `null` for a miss. */
  async function serve(ctx: CallContext, stored: readonly string[], key: CacheKey, namespace: string): Promise<Response | null> {
    if (stored.length < bucketSize) return null;
    const entries: CacheEntry[] = [];
    for (const text of stored) {
      const entry = decodeEntry(text);
      // A collision (another request with the same hash) or a malformed value is never served.
      if (entry !== null && matchesRequest(entry, key.length, key.check)) entries.push(entry);
    }
    if (entries.length < bucketSize) return null;
    const entry = entries[Math.min(entries.length - 1, Math.floor(random() * entries.length))]!;
    return serveEntry(ctx, entry, namespace);
  }

  /** Writes under way, for `flush()` (each removes itself when it lands or fails). */
  const pending = new Set<Promise<unknown>>();

  /** Stores a completed answer (never awaited by the call). */
  function write(ctx: CallContext, key: CacheKey, control: CacheControl, answer: FreshAnswer): void {
    const addOptions = { ttlMs: control.ttlMs, maxAnswers: bucketSize, replace: control.mode === 'refresh' };
    const writing = guard.run(ctx, () => store.add(key.key, encodeAnswer(ctx, key, answer), addOptions));
    pending.add(writing);
    void writing.finally(() => pending.delete(writing));
  }

  const middleware: Middleware = async function cache(ctx, next) {
    const control = readControl(ctx, defaults);
    if (!operations.has(ctx.operation)) return next(ctx);
    const namespace = control.namespace;
    if (control.mode === 'skip') {
      ctx.cache = { status: 'bypass', namespace, savedUsd: null };
      return next(ctx);
    }
    const body = ctx.body;
    if (!isObject(body)) return next(ctx);
    // Chat answers convert between stream and JSON, embeddings never stream: one key for both shapes.
    // Elsewhere the shape is part of the key.
    const convertible = convertsShape(ctx) || ctx.operation === 'embeddings';
    let key: CacheKey;
    try {
      key = cacheKey({ dialect: ctx.dialect, operation: ctx.operation, requestedModel: ctx.requestedModel, shape: convertible ? null : ctx.isStream, body }, namespace, hash);
    } catch {
      // A body the key builder refuses (nested past MAX_KEY_DEPTH): the cache never fails a call.
      ctx.cache = { status: 'bypass', namespace, savedUsd: null };
      return next(ctx);
    }
    let canStore = true;
    if (control.mode === 'use') {
      const stored = await guard.run(ctx, () => store.get(key.key));
      if (stored === STORE_FAILED) {
        // The store is down: go upstream and do not try to write either.
        canStore = false;
      } else {
        const hit = await serve(ctx, stored, key, namespace);
        if (hit !== null) return hit;
      }
    }
    ctx.cache = { status: 'miss', namespace, savedUsd: null };
    if (ctx.events.has('cache:miss')) ctx.events.emit({ type: 'cache:miss', id: ctx.id, namespace });
    const response = await next(ctx);
    if (!canStore || response.status < 200 || response.status > 299 || response.body === null) return response;
    return keepAnswer(ctx, response, maxEntryBytes, (ended, answer) => write(ended, key, control, answer));
  };
  // `sluice.flush()` and `close()` wait for the answers being written.
  const flush = async (): Promise<void> => {
    await Promise.all([...pending]);
  };
  return Object.assign(middleware, { flush, retains: () => zeroRetentionRefusal('cache', store, resolved.zeroRetentionMemory) }) satisfies Middleware & PluginLifecycle;
}

markPluginFactory(cache, 'cache');
