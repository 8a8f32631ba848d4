import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallContext, type EventSink } from '../../src/core/context.js';
import { isSluiceError } from '../../src/core/errors.js';
import type { Middleware, Next } from '../../src/core/types.js';
import type { CallOutcome, Dialect, Operation } from '../../src/events/record.js';
import type { SluiceEvent } from '../../src/events/types.js';
import { cache, hashText, type CacheOptions } from '../../src/plugins/cache/index.js';
import { memoryCacheStore } from '../../src/stores/memory/cache.js';
import type { CacheStore } from '../../src/stores/types.js';
import { fakeNext } from '../../src/testing/harness.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const chatResponse = JSON.parse(fixture('chat-response.json')) as Record<string, unknown>;
/** The documented stream with usage, cut into its events (one network chunk each). */
const usageStream = fixture('chat-stream-text-usage.sse.txt')
  .split(/(?<=\n\n)/)
  .filter((event) => event.trim() !== '');
const usage = { inputTokens: 9, outputTokens: 2, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null };

const messages = [{ role: 'user', content: 'hello' }];
const chatBody = { model: 'gpt-4o-mini', messages, temperature: 0 };

interface CallInit {
  body?: unknown;
  headers?: Record<string, string>;
  dialect?: Dialect;
  operation?: Operation;
  events?: EventSink;
  id?: string;
}

let ids = 0;

/** A context as the instance builds it, with an event sink (makeContext has none). */
function context(init: CallInit = {}): CallContext {
  const body = init.body ?? chatBody;
  const bodyText = JSON.stringify(body);
  const ctx = new CallContext({
    id: init.id ?? `call_${ids++}`,
    dialect: init.dialect ?? 'openai',
    operation: init.operation ?? 'chat',
    method: 'POST',
    url: 'https://api.openai.com/v1/chat/completions',
    init: { method: 'POST', headers: { 'content-type': 'application/json', ...init.headers }, body: bodyText },
    bodyText,
    now: () => performance.now(),
    startedAt: 0,
    ...(init.events === undefined ? {} : { events: init.events }),
  });
  const parsed = body as { model?: unknown; stream?: unknown };
  if (typeof parsed.model === 'string') ctx.requestedModel = parsed.model;
  ctx.isStream = parsed.stream === true;
  return ctx;
}

/** Ends a call as the instance does: outcome, then the end listeners. */
function end(ctx: CallContext, outcome: CallOutcome, savedUsd: number | null = null): void {
  ctx.outcome = outcome;
  if (ctx.cache?.status === 'hit') ctx.cache.savedUsd = savedUsd;
  ctx.runEndListeners();
}

async function readChunks(response: Response): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(decoder.decode(read.value));
  return chunks;
}

interface Result {
  ctx: CallContext;
  response: Response;
  /** The body text (JSON) or the chunks' text (streams). */
  text: string;
  chunks: string[];
}

/** Runs one call through the middleware to its end, as the instance would. */
async function run(middleware: Middleware, next: Next, init: CallInit = {}, outcome?: CallOutcome): Promise<Result> {
  const ctx = context(init);
  const response = await middleware(ctx, next);
  const chunks = await readChunks(response);
  ctx.status = response.status;
  end(ctx, outcome ?? (response.status >= 400 ? 'failed' : 'completed'));
  // Let store writes (fire-and-forget, a few promise hops) settle; works under fake timers too.
  for (let tick = 0; tick < 10; tick++) await Promise.resolve();
  return { ctx, response, text: chunks.join(''), chunks };
}

/** Events sent to a sink, by type. */
function sink(): EventSink & { events: SluiceEvent[] } {
  const events: SluiceEvent[] = [];
  return { events, has: () => true, emit: (event) => void events.push(event) };
}

function jsonNext(...answers: Array<Record<string, unknown>>): ReturnType<typeof fakeNext> {
  return fakeNext(...answers.map((json) => ({ json, headers: { 'x-request-id': 'req_upstream' } })));
}

const answer = (content: string): Record<string, unknown> => ({
  ...chatResponse,
  choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content, refusal: null } }],
});

afterEach(() => {
  vi.useRealTimers();
});

describe('hits and misses', () => {
  it('answers the second identical call from the cache, with the hit headers and the stored usage', async () => {
    const middleware = cache();
    const next = fakeNext((ctx) => {
      ctx.usage = usage;
      ctx.responseModel = 'gpt-4o-2024-08-06';
      return new Response(JSON.stringify(chatResponse), { headers: { 'content-type': 'application/json', 'x-request-id': 'req_upstream' } });
    });
    const first = await run(middleware, next);
    expect(first.ctx.cache).toEqual({ status: 'miss', namespace: 'default', savedUsd: null });
    expect(first.response.headers.get('x-sluice-cache')).toBe('miss');
    expect(first.response.headers.get('x-request-id')).toBe('req_upstream');

    const second = await run(middleware, next, { id: 'call_hit' });
    expect(next.calls).toHaveLength(1);
    expect(second.text).toBe(first.text);
    expect(second.ctx.cache?.status).toBe('hit');
    expect(second.ctx.usage).toEqual(usage);
    expect(second.ctx.responseModel).toBe('gpt-4o-2024-08-06');
    expect(Object.fromEntries(second.response.headers)).toEqual({
      'content-type': 'application/json',
      'x-sluice-cache': 'hit',
      'x-request-id': 'call_hit',
    });
  });

  it('ignores key order, user and metadata, and misses when temperature changes', async () => {
    const middleware = cache();
    const next = jsonNext(answer('one'), answer('two'));
    await run(middleware, next, { body: { model: 'gpt-4o-mini', messages, temperature: 0 } });
    const reordered = await run(middleware, next, { body: { temperature: 0, user: 'bob', metadata: { a: '1' }, messages, model: 'gpt-4o-mini' } });
    expect(reordered.ctx.cache?.status).toBe('hit');
    const warmer = await run(middleware, next, { body: { ...chatBody, temperature: 1 } });
    expect(warmer.ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
  });

  it('emits cache:miss at once and cache:hit at the end with what the hit saved', async () => {
    const events = sink();
    const middleware = cache();
    const next = jsonNext(chatResponse);
    await run(middleware, next, { events, id: 'a' });
    expect(events.events).toEqual([{ type: 'cache:miss', id: 'a', namespace: 'default' }]);
    const ctx = context({ events, id: 'b' });
    await (await middleware(ctx, next)).text();
    expect(events.events).toHaveLength(1);
    end(ctx, 'completed', 0.0042);
    expect(events.events[1]).toEqual({ type: 'cache:hit', id: 'b', namespace: 'default', streamed: false, savedUsd: 0.0042 });
  });

  it('does not cache errors', async () => {
    const middleware = cache();
    const next = fakeNext({ json: { error: { message: 'overloaded', type: 'server_error', param: null, code: null } }, status: 500 }, { json: chatResponse });
    const failed = await run(middleware, next);
    expect(failed.response.status).toBe(500);
    const second = await run(middleware, next);
    expect(second.ctx.cache?.status).toBe('miss');
    expect(second.response.status).toBe(200);
    const third = await run(middleware, next);
    expect(third.ctx.cache?.status).toBe('hit');
    expect(next.calls).toHaveLength(2);
  });

  it('does not store an answer whose call did not complete', async () => {
    const middleware = cache();
    const next = jsonNext(chatResponse);
    await run(middleware, next, {}, 'cancelled');
    expect((await run(middleware, next)).ctx.cache?.status).toBe('miss');
  });

  it('caches embeddings, and leaves operations it was not asked to cache alone', async () => {
    const embeddings = { object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0091] }], usage: { prompt_tokens: 5, total_tokens: 5 } };
    const body = { model: 'text-embedding-3-small', input: 'hello' };
    const middleware = cache();
    const next = jsonNext(embeddings);
    await run(middleware, next, { body, operation: 'embeddings' });
    const hit = await run(middleware, next, { body, operation: 'embeddings' });
    expect(hit.ctx.cache?.status).toBe('hit');
    expect(JSON.parse(hit.text)).toEqual(embeddings);

    const chatOnly = cache({ operations: ['chat'] });
    const other = await run(chatOnly, next, { body, operation: 'embeddings' });
    expect(other.ctx.cache).toBeNull();
    const models = await run(cache(), fakeNext({ json: { object: 'list', data: [] } }), { operation: 'models' });
    expect(models.ctx.cache).toBeNull();
  });

  it('never serves an entry stored for another request whose key collided', async () => {
    // Every request gets the same key; the check (an independent hash) tells them apart.
    const collide = (text: string) => ({ key: '0000000000000000', check: hashText(text).check });
    const middleware = cache({ hash: collide });
    const next = jsonNext(answer('for hello'), answer('for bye'));
    await run(middleware, next);
    const other = await run(middleware, next, { body: { ...chatBody, messages: [{ role: 'user', content: 'bye' }] } });
    expect(other.ctx.cache?.status).toBe('miss');
    expect(JSON.parse(other.text).choices[0].message.content).toBe('for bye');
    expect((await run(middleware, next)).ctx.cache?.status).toBe('hit');
  });
});

describe('TTL', () => {
  it('expires answers after the configured TTL', async () => {
    vi.useFakeTimers();
    const middleware = cache({ ttl: '10m' });
    const next = jsonNext(answer('one'), answer('two'));
    await run(middleware, next);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect((await run(middleware, next)).ctx.cache?.status).toBe('hit');
    await vi.advanceTimersByTimeAsync(60_001);
    const expired = await run(middleware, next);
    expect(expired.ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
  });

  it('takes a per-call TTL from x-sluice-cache-ttl', async () => {
    vi.useFakeTimers();
    const middleware = cache({ ttl: '1h' });
    const next = jsonNext(answer('one'));
    await run(middleware, next, { headers: { 'x-sluice-cache-ttl': '30s' } });
    await vi.advanceTimersByTimeAsync(29_000);
    expect((await run(middleware, next)).ctx.cache?.status).toBe('hit');
    await vi.advanceTimersByTimeAsync(1_001);
    expect((await run(middleware, next)).ctx.cache?.status).toBe('miss');
  });
});

describe('per-call headers', () => {
  it('skip: goes upstream, stores nothing, records a bypass, and removes the header', async () => {
    const middleware = cache();
    const next = jsonNext(answer('one'), answer('two'));
    const skipped = await run(middleware, next, { headers: { 'x-sluice-cache': 'skip' } });
    expect(skipped.ctx.cache).toEqual({ status: 'bypass', namespace: 'default', savedUsd: null });
    expect(skipped.ctx.headers.has('x-sluice-cache')).toBe(false);
    expect((await run(middleware, next)).ctx.cache?.status).toBe('miss');
  });

  it('refresh: goes upstream even when cached and replaces the stored answer', async () => {
    const middleware = cache();
    const next = jsonNext(answer('old'), answer('new'));
    await run(middleware, next);
    const refreshed = await run(middleware, next, { headers: { 'x-sluice-cache': 'refresh' } });
    expect(refreshed.ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
    const hit = await run(middleware, next);
    expect(JSON.parse(hit.text).choices[0].message.content).toBe('new');
  });

  it('namespace: keeps answers apart per namespace', async () => {
    const middleware = cache();
    const next = jsonNext(answer('a'), answer('b'));
    await run(middleware, next, { headers: { 'x-sluice-cache-namespace': 'tenant-a' } });
    const other = await run(middleware, next, { headers: { 'x-sluice-cache-namespace': 'tenant-b' } });
    expect(other.ctx.cache).toEqual({ status: 'miss', namespace: 'tenant-b', savedUsd: null });
    const again = await run(middleware, next, { headers: { 'x-sluice-cache-namespace': 'tenant-a' } });
    expect(again.ctx.cache).toEqual({ status: 'hit', namespace: 'tenant-a', savedUsd: null });
    expect(JSON.parse(again.text).choices[0].message.content).toBe('a');
    expect((await run(middleware, next)).ctx.cache?.status).toBe('miss');
  });

  it('refuses invalid header values with a 400 naming the header', async () => {
    const middleware = cache();
    for (const headers of [{ 'x-sluice-cache': 'never' }, { 'x-sluice-cache-ttl': '10' }, { 'x-sluice-cache-namespace': 'has space' }]) {
      const error = await middleware(context({ headers }), fakeNext()).catch((caught: unknown) => caught);
      expect(isSluiceError(error)).toBe(true);
      expect(error).toMatchObject({ status: 400, code: 'sluice_invalid_cache_header', message: expect.stringContaining(Object.keys(headers)[0]!) });
    }
  });
});

describe('buckets', () => {
  it('goes upstream until the bucket is full, then serves one of its answers at random', async () => {
    let roll = 0;
    const middleware = cache({ bucketSize: 3, random: () => roll });
    const next = jsonNext(answer('a'), answer('b'), answer('c'), answer('d'));
    const contents: string[] = [];
    for (let index = 0; index < 3; index++) {
      const result = await run(middleware, next);
      expect(result.ctx.cache?.status).toBe('miss');
      contents.push(JSON.parse(result.text).choices[0].message.content);
    }
    expect(contents).toEqual(['a', 'b', 'c']);
    roll = 0;
    expect(JSON.parse((await run(middleware, next)).text).choices[0].message.content).toBe('a');
    roll = 0.5;
    expect(JSON.parse((await run(middleware, next)).text).choices[0].message.content).toBe('b');
    roll = 0.99;
    expect(JSON.parse((await run(middleware, next)).text).choices[0].message.content).toBe('c');
    expect(next.calls).toHaveLength(3);
  });
});

describe('streams', () => {
  const streamBody = { ...chatBody, stream: true, stream_options: { include_usage: true } };
  const streamNext = (events: string[] = usageStream) =>
    fakeNext((ctx) => {
      ctx.usage = usage;
      return fakeNext({ sse: events })(ctx);
    });

  it('replays a stored stream as a stream with its original chunking', async () => {
    const middleware = cache();
    const next = streamNext();
    const first = await run(middleware, next, { body: streamBody });
    expect(first.chunks).toEqual(usageStream);
    expect(first.response.headers.get('x-sluice-cache')).toBe('miss');
    const second = await run(middleware, next, { body: streamBody });
    expect(next.calls).toHaveLength(1);
    expect(second.ctx.cache?.status).toBe('hit');
    expect(second.chunks).toEqual(usageStream);
    expect(second.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('stores only after both the stream end and a completed call, in either order', async () => {
    const store = memoryCacheStore();
    const middleware = cache({ store });
    const next = streamNext();
    // The call ends (completed) before this wrapper has seen the stream's end.
    const early = context({ body: streamBody });
    const earlyResponse = await middleware(early, next);
    end(early, 'completed');
    expect(store.size).toBe(0);
    await readChunks(earlyResponse);
    expect(store.size).toBe(1);

    // The stream's end is seen first (as with the instance, which ends the call after the last read).
    const late = cache({ store: memoryCacheStore() });
    const lateCtx = context({ body: streamBody });
    await readChunks(await late(lateCtx, next));
    end(lateCtx, 'completed');
    expect((await run(late, next, { body: streamBody })).ctx.cache?.status).toBe('hit');
  });

  it('does not store a stream that errored, was cancelled, or outgrew maxEntryBytes', async () => {
    const errored = cache();
    const next = streamNext();
    await run(errored, next, { body: streamBody }, 'errored');
    expect((await run(errored, next, { body: streamBody })).ctx.cache?.status).toBe('miss');

    const cancelled = cache();
    const ctx = context({ body: streamBody });
    const reader = (await cancelled(ctx, next)).body!.getReader();
    await reader.read();
    await reader.cancel();
    end(ctx, 'cancelled');
    expect((await run(cancelled, next, { body: streamBody })).ctx.cache?.status).toBe('miss');

    const small = cache({ maxEntryBytes: 300 });
    const big = await run(small, next, { body: streamBody });
    expect(big.chunks).toEqual(usageStream);
    expect((await run(small, next, { body: streamBody })).ctx.cache?.status).toBe('miss');
  });

  it('does not store a stream that broke mid-way', async () => {
    const middleware = cache();
    const broken = fakeNext(() => {
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) return controller.error(new TypeError('terminated'));
          sent = true;
          controller.enqueue(new TextEncoder().encode(usageStream[0]));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const ctx = context({ body: streamBody });
    const response = await middleware(ctx, broken);
    await expect(readChunks(response)).rejects.toThrow('terminated');
    end(ctx, 'errored');
    expect((await run(middleware, jsonNext(chatResponse), { body: streamBody })).ctx.cache?.status).toBe('miss');
  });

  it('serves a JSON call from a stored stream, and a stream call from a stored JSON answer', async () => {
    const fromStream = cache();
    await run(fromStream, streamNext(), { body: streamBody });
    const json = await run(fromStream, fakeNext(), { body: chatBody });
    expect(json.ctx.cache?.status).toBe('hit');
    expect(json.response.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(json.text)).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'Hel' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    });

    const fromJson = cache();
    await run(fromJson, jsonNext(chatResponse), { body: chatBody });
    const stream = await run(fromJson, fakeNext(), { body: { ...chatBody, stream: true } });
    expect(stream.ctx.cache?.status).toBe('hit');
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.chunks.at(-1)).toBe('data: [DONE]\n\n');
    expect(stream.text).toContain('"content":"Hi."');
    expect(stream.text).not.toContain('usage');
  });

  it('shows usage in a replayed stream only to callers that asked for include_usage', async () => {
    const middleware = cache();
    await run(middleware, streamNext(), { body: streamBody });
    const without = await run(middleware, fakeNext(), { body: { ...chatBody, stream: true } });
    expect(without.text).not.toContain('usage');
    expect(without.text).toContain('data: [DONE]');

    // Stored from a caller that did not see usage (Sluice asked for it on its own): shown on request.
    const hidden = cache();
    const strippedEvents = usageStream.filter((event) => !event.includes('"choices":[]')).map((event) => event.replace(',"usage":null}', '}'));
    await run(hidden, streamNext(strippedEvents), { body: { ...chatBody, stream: true } });
    const shown = await run(hidden, fakeNext(), { body: streamBody });
    expect(shown.ctx.cache?.status).toBe('hit');
    const usageChunk = shown.chunks.find((chunk) => chunk.includes('"choices":[]'));
    expect(JSON.parse(usageChunk!.slice(6))).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } });
    expect(shown.chunks.at(-1)).toBe('data: [DONE]\n\n');
  });

  it('keeps the shape in the key where it cannot convert (the Responses API)', async () => {
    const middleware = cache();
    const init = { operation: 'responses' as const, url: 'https://api.openai.com/v1/responses' };
    const body = { model: 'gpt-4o-mini', input: 'Hi' };
    const next = fakeNext({ json: { id: 'resp_1', object: 'response', status: 'completed', output: [] } }, { sse: ['event: response.completed\ndata: {"type":"response.completed"}\n\n'] });
    await run(middleware, next, { ...init, body });
    expect((await run(middleware, next, { ...init, body })).ctx.cache?.status).toBe('hit');
    expect((await run(middleware, next, { ...init, body: { ...body, stream: true } })).ctx.cache?.status).toBe('miss');
  });

  it('serves an Anthropic stream from a stored message, and never a JSON answer from a broken stream', async () => {
    const middleware = cache();
    const body = { model: 'claude-sonnet-4-5', max_tokens: 64, messages };
    const anthropicJson = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Hi' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } };
    const next = fakeNext({ json: anthropicJson }, { sse: ['event: message_stop\ndata: {"type":"message_stop"}\n\n'] }, { json: anthropicJson });
    await run(middleware, next, { body, dialect: 'anthropic' });
    const hit = await run(middleware, next, { body, dialect: 'anthropic', id: 'msg_call' });
    expect(hit.ctx.cache?.status).toBe('hit');
    expect(hit.response.headers.get('request-id')).toBe('msg_call');
    const streamed = await run(middleware, next, { body: { ...body, stream: true }, dialect: 'anthropic' });
    expect(streamed.ctx.cache?.status).toBe('hit');
    expect(streamed.response.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.text).toMatch(/^event: message_start\n/);
    expect(streamed.text).toContain('"text":"Hi"');
    expect(streamed.text).toContain('event: message_stop');

    // A stored stream holding no message is not turned into an empty answer: the call goes upstream.
    const other = { ...body, messages: [{ role: 'user' as const, content: 'another question' }] };
    await run(middleware, next, { body: { ...other, stream: true }, dialect: 'anthropic' });
    const json = await run(middleware, next, { body: other, dialect: 'anthropic' });
    expect(json.ctx.cache?.status).toBe('miss');
    expect(JSON.parse(json.text)).toEqual(anthropicJson);
  });
});

describe('store failures', () => {
  /** A store that fails (or hangs) while `state.mode` says so. */
  function flakyStore(state: { mode: 'ok' | 'fail' | 'hang' }): CacheStore & { adds: number } {
    const inner = memoryCacheStore();
    const store = {
      adds: 0,
      get(key: string) {
        if (state.mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
        if (state.mode === 'hang') return new Promise<readonly string[]>(() => {});
        return Promise.resolve(inner.get(key));
      },
      add(key: string, value: string, options: Parameters<CacheStore['add']>[2]) {
        store.adds++;
        if (state.mode !== 'ok') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6390'));
        return Promise.resolve(inner.add(key, value, options));
      },
      delete: (key: string) => inner.delete(key),
    };
    return store;
  }

  it('fails open: calls go upstream, nothing is written, store:error fires once per outage and store:recover after', async () => {
    const state: { mode: 'ok' | 'fail' | 'hang' } = { mode: 'fail' };
    const store = flakyStore(state);
    const events = sink();
    const middleware = cache({ store });
    const next = jsonNext(chatResponse);
    for (let index = 0; index < 3; index++) {
      const result = await run(middleware, next, { events });
      expect(result.response.status).toBe(200);
      expect(result.ctx.cache?.status).toBe('miss');
    }
    expect(store.adds).toBe(0);
    const storeEvents = events.events.filter((event) => event.type.startsWith('store:'));
    expect(storeEvents).toEqual([{ type: 'store:error', plugin: 'cache', message: 'connect ECONNREFUSED 127.0.0.1:6390', failOpen: true }]);

    state.mode = 'ok';
    await run(middleware, next, { events });
    expect(events.events.filter((event) => event.type === 'store:recover')).toEqual([{ type: 'store:recover', plugin: 'cache', downMs: expect.any(Number) }]);
    expect((await run(middleware, next, { events })).ctx.cache?.status).toBe('hit');
  });

  it('does not let a hanging store hold a call longer than storeTimeoutMs', async () => {
    vi.useFakeTimers();
    const store = flakyStore({ mode: 'hang' });
    const events = sink();
    const middleware = cache({ store, storeTimeoutMs: 20 });
    const next = jsonNext(chatResponse);
    const pending = middleware(context({ events }), next);
    await vi.advanceTimersByTimeAsync(20);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(next.calls).toHaveLength(1);
    expect(events.events).toContainEqual({ type: 'store:error', plugin: 'cache', message: 'the cache store did not answer within 20 ms', failOpen: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind when the store answers', async () => {
    vi.useFakeTimers();
    const middleware = cache({ store: flakyStore({ mode: 'ok' }) });
    await (await middleware(context(), jsonNext(chatResponse))).text();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('options passed through', () => {
  it('uses the given namespace', async () => {
    const options: CacheOptions = { namespace: 'v2' };
    const result = await run(cache(options), jsonNext(chatResponse));
    expect(result.ctx.cache?.namespace).toBe('v2');
  });
});
