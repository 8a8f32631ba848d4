import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallContext, type EventSink } from '../../src/core/context.js';
import { isSluiceError, SluiceConfigError } from '../../src/core/errors.js';
import type { Middleware, Next } from '../../src/core/types.js';
import type { CallOutcome, Dialect } from '../../src/events/record.js';
import type { SluiceEvent } from '../../src/events/types.js';
import { semanticCache, type EmbedFunction, type SemanticCacheOptions } from '../../src/plugins/semantic-cache/index.js';
import { memorySemanticStore } from '../../src/stores/memory/semantic.js';
import type { SemanticStore } from '../../src/stores/semantic-types.js';
import { fakeNext } from '../../src/testing/harness.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const chatResponse = JSON.parse(fixture('chat-response.json')) as Record<string, unknown>;
/** The documented stream with usage, one event per network chunk. */
const usageStream = fixture('chat-stream-text-usage.sse.txt')
  .split(/(?<=\n\n)/)
  .filter((event) => event.trim() !== '');
const usage = { inputTokens: 12, outputTokens: 3, cachedTokens: 0, reasoningTokens: 0, cacheWriteTokens: null };

const FRANCE = 'What is the capital of France?';
const FRANCE_AGAIN = "What's the capital city of France?";
const EIFFEL = 'How tall is the Eiffel Tower?';

/** A unit vector in 8 dimensions at cosine `similarity` from the first axis. */
function near(similarity: number): number[] {
  const vector = new Array<number>(8).fill(0);
  vector[0] = similarity;
  vector[1] = Math.sqrt(1 - similarity * similarity);
  return vector;
}

/** The fake embedder: fixed vectors per question (the last user line), recording what it was asked. */
function fakeEmbed(table: Record<string, number[]> = { [FRANCE]: near(1), [FRANCE_AGAIN]: near(0.97), [EIFFEL]: near(0.5) }): EmbedFunction & { texts: string[] } {
  const texts: string[] = [];
  const embed = async (input: string[]) => {
    texts.push(...input);
    return input.map((text) => {
      const question = text.slice(text.lastIndexOf('user: ') + 'user: '.length);
      const vector = table[question];
      if (vector === undefined) throw new Error(`no vector for ${JSON.stringify(question)}`);
      return vector;
    });
  };
  return Object.assign(embed, { texts });
}

const chatBody = (question: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], ...extra });

interface CallInit {
  body?: unknown;
  headers?: Record<string, string>;
  dialect?: Dialect;
  signal?: AbortSignal;
  user?: string;
  operation?: 'chat' | 'responses' | 'embeddings';
}

let ids = 0;

function context(init: CallInit, events: EventSink): CallContext {
  const body = init.body ?? chatBody(FRANCE);
  const bodyText = JSON.stringify(body);
  const requestInit: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json', ...init.headers }, body: bodyText };
  if (init.signal !== undefined) requestInit.signal = init.signal;
  const ctx = new CallContext({
    id: `call_${ids++}`,
    dialect: init.dialect ?? 'openai',
    operation: init.operation ?? 'chat',
    method: 'POST',
    url: 'https://api.openai.com/v1/chat/completions',
    init: requestInit,
    bodyText,
    now: () => performance.now(),
    startedAt: 0,
    events,
    user: init.user ?? null,
  });
  const parsed = body as { model?: unknown; stream?: unknown };
  if (typeof parsed.model === 'string') ctx.requestedModel = parsed.model;
  ctx.isStream = parsed.stream === true;
  return ctx;
}

interface Result {
  ctx: CallContext;
  response: Response;
  text: string;
  chunks: string[];
}

/** Events sent to a sink. */
function sink(): EventSink & { events: SluiceEvent[] } {
  const events: SluiceEvent[] = [];
  return { events, has: () => true, emit: (event) => void events.push(event) };
}

/** Runs one call through the middleware and reads it to its end, as the instance would. */
async function run(middleware: Middleware, next: Next, init: CallInit = {}, options: { outcome?: CallOutcome; events?: EventSink } = {}): Promise<Result> {
  const ctx = context(init, options.events ?? sink());
  const response = await middleware(ctx, next);
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(decoder.decode(read.value));
  ctx.status = response.status;
  ctx.outcome = options.outcome ?? (response.status >= 400 ? 'failed' : 'completed');
  ctx.runEndListeners();
  // Store writes are fire-and-forget: let their few promise hops settle (works under fake timers too).
  for (let tick = 0; tick < 10; tick++) await Promise.resolve();
  return { ctx, response, text: chunks.join(''), chunks };
}

const answer = (content: string): Record<string, unknown> => ({
  ...chatResponse,
  choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content, refusal: null } }],
});

/** A next answering JSON with the given content each time, setting usage like dispatch does. */
function upstream(...contents: string[]): ReturnType<typeof fakeNext> {
  return fakeNext(
    ...contents.map((content) => (ctx: CallContext) => {
      ctx.usage = { ...usage };
      ctx.responseModel = 'gpt-4o-2024-08-06';
      return new Response(JSON.stringify(answer(content)), { headers: { 'content-type': 'application/json', 'x-request-id': 'req_upstream' } });
    }),
  );
}

function setup(options: Partial<SemanticCacheOptions> = {}) {
  const embed = fakeEmbed();
  return { embed, middleware: semanticCache({ embed, ...options }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('hits and misses', () => {
  it('serves a similar question above the threshold from the cache, with hit headers, usage and the similarity', async () => {
    const { embed, middleware } = setup();
    const next = upstream('Paris.');
    const events = sink();
    const first = await run(middleware, next, { body: chatBody(FRANCE) }, { events });
    expect(first.ctx.cache).toEqual({ status: 'miss', namespace: 'default', savedUsd: null });
    expect(first.response.headers.get('x-sluice-cache')).toBe('miss');

    const second = await run(middleware, next, { body: chatBody(FRANCE_AGAIN) }, { events });
    expect(next.calls).toHaveLength(1);
    expect(JSON.parse(second.text)).toEqual(answer('Paris.'));
    expect(second.response.headers.get('x-sluice-cache')).toBe('hit');
    expect(second.response.headers.get('x-sluice-cache-similarity')).toBe('0.9700');
    expect(second.response.headers.get('x-request-id')).toBe(second.ctx.id);
    expect(second.ctx.cache).toEqual({ status: 'hit', namespace: 'default', savedUsd: null });
    expect(second.ctx.usage).toEqual(usage);
    expect(second.ctx.responseModel).toBe('gpt-4o-2024-08-06');
    expect(embed.texts).toEqual([`user: ${FRANCE}`, `user: ${FRANCE_AGAIN}`]);
    expect(events.events).toEqual([
      { type: 'cache:miss', id: first.ctx.id, namespace: 'default' },
      { type: 'cache:hit', id: second.ctx.id, namespace: 'default', streamed: false, savedUsd: null },
    ]);
  });

  it('misses below the threshold, and keeps both answers', async () => {
    const { middleware } = setup();
    const next = upstream('Paris.', '330 m.');
    await run(middleware, next, { body: chatBody(FRANCE) });
    const other = await run(middleware, next, { body: chatBody(EIFFEL) });
    expect(next.calls).toHaveLength(2);
    expect(other.ctx.cache?.status).toBe('miss');
    expect(JSON.parse((await run(middleware, next, { body: chatBody(EIFFEL) })).text)).toEqual(answer('330 m.'));
    expect(JSON.parse((await run(middleware, next, { body: chatBody(FRANCE) })).text)).toEqual(answer('Paris.'));
    expect(next.calls).toHaveLength(2);
  });

  it('follows the threshold option', async () => {
    const { middleware } = setup({ threshold: 0.99 });
    const next = upstream('Paris.', 'Paris, France.');
    await run(middleware, next, { body: chatBody(FRANCE) });
    await run(middleware, next, { body: chatBody(FRANCE_AGAIN) });
    expect(next.calls).toHaveLength(2);
  });

  it.each([
    ['another model', { model: 'gpt-4o' }],
    ['tools', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }] }],
    ['another temperature', { temperature: 1.2 }],
    ['a response format', { response_format: { type: 'json_object' } }],
  ])('never shares an answer with a similar question that asks for %s', async (_name, extra) => {
    const { middleware } = setup();
    const next = upstream('Paris.', 'other');
    await run(middleware, next, { body: chatBody(FRANCE) });
    const second = await run(middleware, next, { body: chatBody(FRANCE, extra) });
    expect(next.calls).toHaveLength(2);
    expect(second.ctx.cache?.status).toBe('miss');
  });

  it('keeps namespaces apart, from the option and from x-sluice-cache-namespace', async () => {
    const store = memorySemanticStore();
    const next = upstream('Paris.', 'other', 'third');
    await run(semanticCache({ embed: fakeEmbed(), store, namespace: 'a' }), next, { body: chatBody(FRANCE) });
    const otherNamespace = await run(semanticCache({ embed: fakeEmbed(), store, namespace: 'b' }), next, { body: chatBody(FRANCE) });
    expect(otherNamespace.ctx.cache).toEqual({ status: 'miss', namespace: 'b', savedUsd: null });
    const byHeader = await run(semanticCache({ embed: fakeEmbed(), store, namespace: 'b' }), next, { body: chatBody(FRANCE), headers: { 'x-sluice-cache-namespace': 'a' } });
    expect(byHeader.ctx.cache).toEqual({ status: 'hit', namespace: 'a', savedUsd: null });
    expect(next.calls).toHaveLength(2);
  });

  it('expires answers after the TTL, and takes a per-call TTL from x-sluice-cache-ttl', async () => {
    let nowMs = 0;
    const store = memorySemanticStore({ now: () => nowMs });
    const { middleware } = setup({ store, ttl: '10m' });
    const next = upstream('one', 'two', 'three');
    await run(middleware, next, { body: chatBody(FRANCE) });
    nowMs += 10 * 60_000 - 1;
    expect((await run(middleware, next, { body: chatBody(FRANCE_AGAIN) })).ctx.cache?.status).toBe('hit');
    nowMs += 2;
    expect((await run(middleware, next, { body: chatBody(FRANCE_AGAIN) })).ctx.cache?.status).toBe('miss');
    await run(middleware, next, { body: chatBody(EIFFEL), headers: { 'x-sluice-cache-ttl': '5s' } });
    nowMs += 5001;
    expect((await run(middleware, next, { body: chatBody(EIFFEL) })).ctx.cache?.status).toBe('miss');
  });

  it('skip: no embedding, no lookup, nothing stored, a bypass; refresh: no lookup, the new answer wins', async () => {
    const { embed, middleware } = setup();
    const next = upstream('skipped', 'old', 'fresh');
    const skipped = await run(middleware, next, { body: chatBody(FRANCE), headers: { 'x-sluice-cache': 'skip' } });
    expect(skipped.ctx.cache).toEqual({ status: 'bypass', namespace: 'default', savedUsd: null });
    expect(embed.texts).toEqual([]);
    await run(middleware, next, { body: chatBody(FRANCE) });
    const refreshed = await run(middleware, next, { body: chatBody(FRANCE), headers: { 'x-sluice-cache': 'refresh' } });
    expect(refreshed.ctx.cache?.status).toBe('miss');
    expect(JSON.parse((await run(middleware, next, { body: chatBody(FRANCE) })).text)).toEqual(answer('fresh'));
    expect(next.calls).toHaveLength(3);
  });

  it('refuses an invalid control header with a 400 naming it', async () => {
    const { middleware } = setup();
    const error = await run(middleware, upstream('x'), { headers: { 'x-sluice-cache-ttl': 'soon' } }).catch((caught: unknown) => caught);
    expect(isSluiceError(error) && error.status).toBe(400);
    expect(String(error)).toMatch(/x-sluice-cache-ttl: expected a duration/);
  });

  it('leaves alone calls it does not cache: embeddings, dialects not listed, no text, too much text', async () => {
    const { embed, middleware } = setup({ dialects: ['openai'], maxPromptChars: 100 });
    const next = upstream('a', 'b', 'c', 'd');
    const calls = [
      await run(middleware, next, { operation: 'embeddings', body: { model: 'text-embedding-3-small', input: FRANCE } }),
      await run(middleware, next, { dialect: 'anthropic', body: { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: FRANCE }] } }),
      await run(middleware, next, { body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] } }),
      await run(middleware, next, { body: chatBody('x'.repeat(200)) }),
    ];
    expect(calls.map((call) => call.ctx.cache)).toEqual([null, null, null, null]);
    expect(embed.texts).toEqual([]);
  });

  it('never serves a stored answer whose exact key does not match (a hash collision)', async () => {
    const values: string[] = [];
    // A store that answers every search with the first answer it was given, whatever the key.
    const lying: SemanticStore = {
      search: () => (values[0] === undefined ? null : { value: values[0], similarity: 1 }),
      add: (entry) => {
        values.push(entry.value);
        return true;
      },
      clear: () => {},
    };
    const { middleware } = setup({ store: lying });
    const next = upstream('Paris.', 'other');
    await run(middleware, next, { body: chatBody(FRANCE) });
    expect(values).toHaveLength(1);
    expect((await run(middleware, next, { body: chatBody(FRANCE, { model: 'gpt-4o' }) })).ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
    expect((await run(middleware, next, { body: chatBody(FRANCE) })).ctx.cache?.status).toBe('hit');
  });
});

/** A next answering with a stream of `events`, setting usage like dispatch does. */
function streamUpstream(events: readonly string[], options: { breakAfter?: number } = {}): ReturnType<typeof fakeNext> {
  return fakeNext((ctx) => {
    ctx.usage = { ...usage };
    const encoder = new TextEncoder();
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (options.breakAfter !== undefined && index === options.breakAfter) controller.error(new TypeError('terminated'));
        else if (index < events.length) controller.enqueue(encoder.encode(events[index++]!));
        else controller.close();
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  });
}

const streamBody = (question: string) => chatBody(question, { stream: true, stream_options: { include_usage: true } });

describe('streams', () => {
  it('replays a stored stream as a stream, with its original chunking', async () => {
    const { middleware } = setup();
    const next = streamUpstream(usageStream);
    const first = await run(middleware, next, { body: streamBody(FRANCE) });
    expect(first.chunks).toEqual(usageStream);
    const second = await run(middleware, next, { body: streamBody(FRANCE_AGAIN) });
    expect(next.calls).toHaveLength(1);
    expect(second.ctx.cache?.status).toBe('hit');
    expect(second.response.headers.get('content-type')).toContain('text/event-stream');
    expect(second.chunks).toEqual(usageStream);
  });

  it('serves a JSON call from a stored stream, and a stream call from a stored JSON answer', async () => {
    const fromStream = setup();
    await run(fromStream.middleware, streamUpstream(usageStream), { body: streamBody(FRANCE) });
    const json = JSON.parse((await run(fromStream.middleware, upstream('unused'), { body: chatBody(FRANCE_AGAIN) })).text) as { choices: Array<{ message: { content: string }; finish_reason: string }>; usage: unknown };
    expect(json.choices[0]?.message.content).toBe('Hel');
    expect(json.choices[0]?.finish_reason).toBe('stop');
    expect(json.usage).toEqual({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 });

    const fromJson = setup();
    await run(fromJson.middleware, upstream('Paris.'), { body: chatBody(FRANCE) });
    const stream = await run(fromJson.middleware, streamUpstream(['unused']), { body: streamBody(FRANCE_AGAIN) });
    expect(stream.ctx.cache?.status).toBe('hit');
    expect(stream.text).toContain('"content":"Paris."');
    expect(stream.text).toContain('"usage":{"prompt_tokens":12');
    expect(stream.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('serves an Anthropic stream from a stored message: chat answers convert between shapes, as in the exact cache', async () => {
    const { middleware } = setup();
    const body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: FRANCE }] };
    const next = fakeNext({ json: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'Paris.' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 5, output_tokens: 2 } } });
    await run(middleware, next, { dialect: 'anthropic', body });
    const streamed = await run(middleware, next, { dialect: 'anthropic', body: { ...body, stream: true } });
    expect(streamed.ctx.cache?.status).toBe('hit');
    expect(streamed.text).toContain('"text":"Paris."');
    expect(next.calls).toHaveLength(1);
  });
});

describe('what is never stored', () => {
  it('an error answer', async () => {
    const { middleware } = setup();
    const next = fakeNext({ json: { error: { message: 'overloaded' } }, status: 500 }, { json: answer('Paris.') });
    expect((await run(middleware, next, { body: chatBody(FRANCE) })).response.status).toBe(500);
    expect((await run(middleware, next, { body: chatBody(FRANCE) })).ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
  });

  it('an answer whose call did not complete', async () => {
    const { middleware } = setup();
    const next = upstream('Paris.', 'again');
    await run(middleware, next, { body: chatBody(FRANCE) }, { outcome: 'errored' });
    expect((await run(middleware, next, { body: chatBody(FRANCE) })).ctx.cache?.status).toBe('miss');
  });

  it('a stream the caller cancelled part-way', async () => {
    const { middleware } = setup();
    const next = streamUpstream(usageStream);
    const ctx = context({ body: streamBody(FRANCE) }, sink());
    const response = await middleware(ctx, next);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    ctx.outcome = 'cancelled';
    ctx.runEndListeners();
    for (let tick = 0; tick < 10; tick++) await Promise.resolve();
    expect((await run(middleware, next, { body: streamBody(FRANCE) })).ctx.cache?.status).toBe('miss');
  });

  it('a stream that broke part-way', async () => {
    const { middleware } = setup();
    const broken = streamUpstream(usageStream, { breakAfter: 2 });
    const ctx = context({ body: streamBody(FRANCE) }, sink());
    const response = await middleware(ctx, broken);
    await expect(response.text()).rejects.toThrow('terminated');
    ctx.outcome = 'completed';
    ctx.runEndListeners();
    for (let tick = 0; tick < 10; tick++) await Promise.resolve();
    expect((await run(middleware, streamUpstream(usageStream), { body: streamBody(FRANCE) })).ctx.cache?.status).toBe('miss');
  });

  it('an answer larger than maxEntryBytes', async () => {
    const { middleware } = setup({ maxEntryBytes: 100 });
    const next = upstream('Paris.', 'again');
    await run(middleware, next, { body: chatBody(FRANCE) });
    expect((await run(middleware, next, { body: chatBody(FRANCE) })).ctx.cache?.status).toBe('miss');
  });
});

describe('failing open', () => {
  it('goes upstream as a miss when the embedding fails, says so once, stores nothing, and recovers', async () => {
    let failing = true;
    const embed = fakeEmbed();
    const flaky: EmbedFunction = (texts, signal) => (failing ? Promise.reject(new Error('boom')) : embed(texts, signal));
    const store = memorySemanticStore();
    const middleware = semanticCache({ embed: flaky, store, recoverProbeMs: 0 });
    const events = sink();
    const next = upstream('one', 'two', 'three');
    const first = await run(middleware, next, { body: chatBody(FRANCE) }, { events });
    expect(first.ctx.cache?.status).toBe('miss');
    expect(first.response.status).toBe(200);
    await run(middleware, next, { body: chatBody(FRANCE) }, { events });
    expect(store.size).toBe(0);
    failing = false;
    await run(middleware, next, { body: chatBody(FRANCE) }, { events });
    expect(store.size).toBe(1);
    const health = events.events.filter((event) => event.type === 'store:error' || event.type === 'store:recover');
    expect(health).toEqual([
      { type: 'store:error', plugin: 'semantic-cache', message: 'the embedding failed: boom', failOpen: true },
      { type: 'store:recover', plugin: 'semantic-cache', downMs: expect.any(Number) },
    ]);
    expect(events.events.filter((event) => event.type === 'cache:miss')).toHaveLength(3);
  });

  it('skips a failed embedder for recoverProbeMs before one call tries it again', async () => {
    let attempts = 0;
    const failing: EmbedFunction = () => {
      attempts++;
      return Promise.reject(new Error('down'));
    };
    const middleware = semanticCache({ embed: failing, recoverProbeMs: 60_000 });
    const next = upstream('a', 'b', 'c');
    for (let index = 0; index < 3; index++) await run(middleware, next, { body: chatBody(FRANCE) });
    expect(attempts).toBe(1);
    expect(next.calls).toHaveLength(3);
  });

  it('does not wait longer than embedTimeoutMs for an embedding, and aborts it', async () => {
    vi.useFakeTimers();
    let seen: AbortSignal | undefined;
    const hanging: EmbedFunction = (_texts, signal) => {
      seen = signal;
      return new Promise(() => {});
    };
    const events = sink();
    const middleware = semanticCache({ embed: hanging, embedTimeoutMs: 300 });
    const pending = run(middleware, upstream('Paris.'), { body: chatBody(FRANCE) }, { events });
    await vi.advanceTimersByTimeAsync(299);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const result = await pending;
    expect(result.ctx.cache?.status).toBe('miss');
    expect(seen?.aborted).toBe(true);
    expect(events.events.find((event) => event.type === 'store:error')).toMatchObject({ message: 'the embedding did not answer within 300 ms' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops waiting for the embedding when the caller aborts, and rejects with its reason', async () => {
    let seen: AbortSignal | undefined;
    const hanging: EmbedFunction = (_texts, signal) => {
      seen = signal;
      return new Promise(() => {});
    };
    const events = sink();
    const middleware = semanticCache({ embed: hanging });
    const controller = new AbortController();
    const next = upstream('unused');
    const pending = middleware(context({ body: chatBody(FRANCE), signal: controller.signal }, events), next);
    await Promise.resolve();
    controller.abort(new DOMException('stop', 'AbortError'));
    await expect(pending).rejects.toThrow('stop');
    expect(seen?.aborted).toBe(true);
    expect(next.calls).toHaveLength(0);
    expect(events.events.filter((event) => event.type === 'store:error')).toEqual([]);
  });

  it('goes upstream as a miss when the store throws or hangs, and writes nothing then', async () => {
    vi.useFakeTimers();
    let added = 0;
    let mode: 'throw' | 'hang' = 'throw';
    const broken: SemanticStore = {
      search: () => (mode === 'throw' ? Promise.reject(new Error('connection refused')) : new Promise(() => {})),
      add: () => {
        added++;
        return true;
      },
      clear: () => {},
    };
    const events = sink();
    const middleware = semanticCache({ embed: fakeEmbed(), store: broken, storeTimeoutMs: 100, recoverProbeMs: 0 });
    const next = upstream('a', 'b');
    expect((await run(middleware, next, { body: chatBody(FRANCE) }, { events })).ctx.cache?.status).toBe('miss');
    mode = 'hang';
    const pending = run(middleware, next, { body: chatBody(FRANCE) }, { events });
    await vi.advanceTimersByTimeAsync(100);
    expect((await pending).ctx.cache?.status).toBe('miss');
    expect(next.calls).toHaveLength(2);
    expect(added).toBe(0);
    expect(events.events.filter((event) => event.type === 'store:error')).toEqual([
      { type: 'store:error', plugin: 'semantic-cache', message: 'connection refused', failOpen: true },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind on a miss or a hit', async () => {
    vi.useFakeTimers();
    const { middleware } = setup();
    const next = upstream('Paris.');
    await run(middleware, next, { body: chatBody(FRANCE) });
    await run(middleware, next, { body: chatBody(FRANCE_AGAIN) });
    expect(next.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('embedding through a fetch', () => {
  function fakeFetch(answer: (body: Record<string, unknown>) => Response) {
    const requests: Array<{ url: string; headers: Headers; body: Record<string, unknown> }> = [];
    const fetch = async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as Record<string, unknown>;
      requests.push({ url, headers: new Headers(init.headers), body });
      return answer(body);
    };
    return { fetch, requests };
  }

  const vectorFor = (input: unknown) => (String(input).includes('France') ? near(String(input).includes('city') ? 0.97 : 1) : near(0.2));

  it('posts an OpenAI embeddings request, marked not to be cached, tagged and attributed to the user', async () => {
    const { fetch, requests } = fakeFetch((body) => Response.json({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: vectorFor(body['input']) }] }));
    const middleware = semanticCache({ embed: { fetch, model: 'openai/text-embedding-3-small', baseURL: 'http://localhost:1234/v1/', dimensions: 8, headers: { authorization: 'Bearer k' } } });
    const next = upstream('Paris.');
    await run(middleware, next, { body: chatBody(FRANCE), user: 'alice' });
    expect((await run(middleware, next, { body: chatBody(FRANCE_AGAIN) })).ctx.cache?.status).toBe('hit');
    expect(requests[0]?.url).toBe('http://localhost:1234/v1/embeddings');
    expect(requests[0]?.body).toEqual({ model: 'openai/text-embedding-3-small', encoding_format: 'float', dimensions: 8, input: `user: ${FRANCE}` });
    expect(Object.fromEntries(requests[0]!.headers)).toEqual({
      authorization: 'Bearer k',
      'content-type': 'application/json',
      'x-sluice-cache': 'skip',
      'x-sluice-tags': 'semantic-cache',
      'x-sluice-user': 'alice',
    });
    expect(requests[1]?.headers.has('x-sluice-user')).toBe(false);
  });

  it('reads base64 embeddings', async () => {
    const base64 = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString('base64');
    const { fetch } = fakeFetch((body) => Response.json({ data: [{ embedding: base64(vectorFor(body['input'])) }] }));
    const middleware = semanticCache({ embed: { fetch, model: 'm' } });
    const next = upstream('Paris.');
    await run(middleware, next, { body: chatBody(FRANCE) });
    const hit = await run(middleware, next, { body: chatBody(FRANCE_AGAIN) });
    expect(hit.response.headers.get('x-sluice-cache-similarity')).toBe('0.9700');
  });

  it('fails open on an error answer, without reading its body into the message', async () => {
    const { fetch } = fakeFetch(() => Response.json({ error: { message: 'Incorrect API key provided: sk-…' } }, { status: 401 }));
    const events = sink();
    const middleware = semanticCache({ embed: { fetch, model: 'm' } });
    const result = await run(middleware, upstream('Paris.'), { body: chatBody(FRANCE) }, { events });
    expect(result.ctx.cache?.status).toBe('miss');
    expect(events.events.find((event) => event.type === 'store:error')).toMatchObject({ message: 'the embedding failed: the embedding request answered HTTP 401' });
  });
});

describe('options', () => {
  const issues = (options: unknown): string[] => {
    try {
      semanticCache(options as SemanticCacheOptions);
    } catch (error) {
      if (error instanceof SluiceConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
      throw error;
    }
    return [];
  };

  it('reports every problem with a path rooted at semanticCache()', () => {
    expect(issues(undefined)).toEqual(['semanticCache(): expected an options object with "embed", e.g. semanticCache({ embed: { fetch, model } })']);
    expect(issues({})).toEqual([expect.stringMatching(/^semanticCache\(\)\.embed: expected \{ fetch, model \}/)]);
    expect(issues({ embed: fakeEmbed(), threshold: 1.5, ttl: '10', treshold: 0.9, dialects: ['cohere'], store: {} })).toEqual([
      'semanticCache().threshold: expected a cosine similarity in (0, 1], e.g. 0.95',
      'semanticCache().store: expected a SemanticStore (search(), add() and clear()), e.g. memorySemanticStore() or postgresSemanticStore(pool)',
      'semanticCache().ttl: expected a duration like "10m" (ms, s, m, h, d) or a number of milliseconds > 0',
      'semanticCache().dialects: expected a non-empty list of "openai", "anthropic", "gemini"',
      'semanticCache().treshold: unknown key; expected one of embed, threshold, namespace, store, ttl, maxEntryBytes, maxPromptChars, embedTimeoutMs, storeTimeoutMs, recoverProbeMs, dialects, operations, zeroRetention',
    ]);
    expect(issues({ embed: { fetch: () => {}, baseURL: 'ftp://x', size: 3 } })).toEqual([
      'semanticCache().embed.model: expected an embedding model name, e.g. "openai/text-embedding-3-small"',
      'semanticCache().embed.baseURL: expected an http(s) URL, e.g. "https://api.openai.com/v1"',
      'semanticCache().embed.size: unknown key; expected one of fetch, model, baseURL, dimensions, headers',
    ]);
  });

  it('accepts both forms of embed', () => {
    expect(semanticCache({ embed: fakeEmbed() }).name).toBe('semanticCache');
    expect(semanticCache({ embed: { fetch: globalThis.fetch, model: 'openai/text-embedding-3-small' } }).name).toBe('semanticCache');
  });
});
