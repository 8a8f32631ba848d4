/**
 * The semantic cache (optional, approximate): answers a call from the stored answer to a *similar*
 * earlier call. The conversation's text is embedded (by default through an embedding call made with
 * Sluice's own fetch), and a stored answer is served when its prompt's embedding has a cosine
 * similarity at or above `threshold`, within the same namespace and the same exact key (model, tools,
 * parameters, everything but the text: see `prompt.ts`). Matches are approximate: a different
 * question may get a stored answer. Off unless added to `use`.
 *
 * Hits are served like the exact cache serves them (JSON, or a stream replayed with its chunking;
 * Chat Completions converted between the two). Only successful, complete answers are stored. A failed
 * or slow embedding or store never fails a call: it goes on as a miss, and `store:error` says so once.
 *
 * Per-call control through the exact cache's headers: `x-sluice-cache: skip | refresh`,
 * `x-sluice-cache-ttl: 60s`, `x-sluice-cache-namespace: name`.
 * @module
 */
import { zeroRetentionRefusal } from '../retention.js';
import { markPluginFactory } from '../factory.js';
import type { CallContext } from '../../core/context.js';
import type { Middleware, PluginLifecycle } from '../../core/types.js';
import type { SemanticMatch } from '../../stores/semantic-types.js';
import { decodeEntry, encodeAnswer, keepAnswer, matchesRequest, readCacheControl, serveEntry, type CacheControl } from '../cache-entry.js';
import { StoreGuard, UNAVAILABLE } from '../store-guard.js';
import { createEmbedder, embedWithin } from './embed.js';
import { resolveSemanticCacheOptions, type SemanticCacheOptions } from './options.js';
import { splitPrompt, type ExactKey } from './prompt.js';

export type { EmbedFunction, EmbedThroughFetch, SemanticCacheOptions, SemanticOperation } from './options.js';

/** Dot products of float32 vectors round: an identical prompt may score 0.9999999. */
const ROUNDING = 1e-6;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Creates the semantic cache middleware. Put it after the exact cache, which answers exact repeats
 * without an embedding call: `use: [guard(), limits(), cache(), semanticCache({ embed })]`.
 * @param options The embedder, threshold, store and limits; see {@link SemanticCacheOptions}.
 * @param options.embed `{ fetch, model, baseURL?, dimensions?, headers? }` or `(texts, signal) => Promise<number[][]>`.
 * @param options.threshold The lowest cosine similarity served. @default 0.95
 * @param options.namespace The namespace answers live in. @default 'default'
 * @param options.store Where answers are kept. @default memorySemanticStore()
 * @param options.ttl How long an answer is kept. @default '1h'
 * @param options.maxEntryBytes The largest answer stored, in characters. @default 1048576
 * @param options.maxPromptChars The longest conversation text embedded; longer calls skip the cache. @default 8000
 * @param options.embedTimeoutMs The longest wait for an embedding. @default 2000
 * @param options.storeTimeoutMs The longest one store operation may take. @default 500
 * @param options.recoverProbeMs How long a failed embedder or store is skipped before one call tries it. @default 5000
 * @param options.dialects The SDK dialects cached. @default ['openai', 'anthropic', 'gemini']
 * @param options.operations The operations cached. @default ['chat', 'responses']
 * @returns The middleware.
 * @throws {SluiceConfigError} when an option is invalid, e.g. `semanticCache().threshold: expected a cosine similarity in (0, 1] …`.
 * @example
 * import OpenAI from 'openai';
 * import { createSluice } from 'sluice';
 * import { cache, semanticCache } from 'sluice/plugins';
 *
 * const sluice = createSluice({
 *   providers: { openai: { apiKey: process.env.OPENAI_API_KEY } },
 *   use: [
 *     cache(),
 *     semanticCache({
 *       // The embedding call goes through this same instance: routed, priced and recorded. A function,
 *       // because `sluice` does not exist yet while its plugins are created.
 *       embed: { fetch: (input, init) => sluice.fetch(input, init), model: 'openai/text-embedding-3-small', dimensions: 256 },
 *       threshold: 0.95,
 *     }),
 *   ],
 * });
 * const openai = new OpenAI({ fetch: sluice.fetch });
 * await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
 * // Likely served from the cache, if the two embeddings are at least 0.95 similar:
 * await openai.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: "What's the capital of France?" }] });
 */
export function semanticCache(options: SemanticCacheOptions): Middleware & PluginLifecycle {
  const resolved = resolveSemanticCacheOptions(options);
  const { store, maxEntryBytes, maxPromptChars, embedTimeoutMs, dialects, operations } = resolved;
  const embedder = createEmbedder(resolved.embed);
  const minSimilarity = Math.max(0, resolved.threshold - ROUNDING);
  const guardOptions = { plugin: 'semantic-cache', failOpen: true, recoverProbeMs: resolved.recoverProbeMs };
  const storeGuard = new StoreGuard({ ...guardOptions, timeoutMs: resolved.storeTimeoutMs });
  // The embedding bounds itself (and aborts its request) at embedTimeoutMs; this bound is a backstop
  // (capped: setTimeout fires at once beyond 2^31 - 1 ms).
  const embedGuard = new StoreGuard({ ...guardOptions, timeoutMs: Math.min(embedTimeoutMs + 1000, 2_147_483_647) });
  const defaults: CacheControl = Object.freeze({ mode: 'use', ttlMs: resolved.ttlMs, namespace: resolved.namespace });

  /** Serves a match, or returns `null` when it is not for this request or cannot take the call's shape. */
  async function serve(ctx: CallContext, match: SemanticMatch, exact: ExactKey, namespace: string): Promise<Response | null> {
    const entry = decodeEntry(match.value);
    // A hash collision of the exact key, or a malformed value, is never served.
    if (entry === null || !matchesRequest(entry, exact.length, exact.check)) return null;
    const response = await serveEntry(ctx, entry, namespace);
    response?.headers.set('x-sluice-cache-similarity', match.similarity.toFixed(4));
    return response;
  }

  /** Writes under way, for `flush()` (each removes itself when it lands or fails). */
  const pending = new Set<Promise<unknown>>();

  const middleware: Middleware = async function semanticCache(ctx, next) {
    if (!dialects.has(ctx.dialect) || !operations.has(ctx.operation)) return next(ctx);
    // The SDK's own headers: an exact cache before this one removes them from ctx.headers.
    const control = readCacheControl(ctx.init.headers, defaults);
    const namespace = control.namespace;
    if (control.mode === 'skip') {
      ctx.cache = { status: 'bypass', namespace, savedUsd: null };
      return next(ctx);
    }
    const body = ctx.body;
    const split = isObject(body) ? splitPrompt(ctx, body, embedder.id, maxPromptChars) : null;
    if (split === null) return next(ctx);
    const { exact } = split;
    const embedded = await embedGuard.run(ctx.now, ctx.events, () => embedWithin(embedder, split.text, embedTimeoutMs, ctx.signal, ctx.user));
    if (ctx.signal?.aborted === true) throw ctx.signal.reason;
    let vector = embedded === UNAVAILABLE ? null : embedded;
    if (vector !== null && control.mode === 'use') {
      const query = { namespace, key: exact.key, vector, minSimilarity };
      const match = await storeGuard.run(ctx.now, ctx.events, () => store.search(query));
      if (match === UNAVAILABLE) {
        // The store is down: go upstream and do not try to write either.
        vector = null;
      } else if (match !== null) {
        const hit = await serve(ctx, match, exact, namespace);
        if (hit !== null) return hit;
      }
    }
    ctx.cache = { status: 'miss', namespace, savedUsd: null };
    if (ctx.events.has('cache:miss')) ctx.events.emit({ type: 'cache:miss', id: ctx.id, namespace });
    const response = await next(ctx);
    if (vector === null || response.status < 200 || response.status > 299 || response.body === null) return response;
    const stored = vector;
    return keepAnswer(ctx, response, maxEntryBytes, (ended, answer) => {
      const entry = { namespace, key: exact.key, vector: stored, value: encodeAnswer(ended, exact, answer) };
      const writing = storeGuard.run(ended.now, ended.events, () => store.add(entry, { ttlMs: control.ttlMs }));
      pending.add(writing);
      void writing.finally(() => pending.delete(writing));
    });
  };
  // `sluice.flush()` and `close()` wait for the answers being written.
  const flush = async (): Promise<void> => {
    await Promise.all([...pending]);
  };
  return Object.assign(middleware, { flush, retains: () => zeroRetentionRefusal('semanticCache', store, resolved.zeroRetentionMemory) }) satisfies Middleware & PluginLifecycle;
}

markPluginFactory(semanticCache, 'semanticCache');
