import Anthropic from '@anthropic-ai/sdk';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { cache, type CacheOptions } from '../../src/plugins/cache/index.js';
import { redisCacheStore } from '../../src/stores/redis/cache.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const model = 'openai/gpt-4o-mini';

function setup(options: CacheOptions = {}) {
  const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } }, use: [cache(options)] });
  return { sluice, client: clientFor(sluice, mock.baseURL) };
}

describe('cache through the OpenAI SDK', () => {
  it('serves the second identical call without a request reaching the provider, and records the hit', async () => {
    const { sluice, client } = setup();
    const misses = collect(sluice, 'cache:miss');
    const hits = collect(sluice, 'cache:hit');
    mock.script({ kind: 'reply', content: 'Cached answer', usage: { prompt_tokens: 1000, completion_tokens: 500 } });

    const firstEnded = nextRecord(sluice);
    const first = await client.chat.completions.create({ model, messages });
    const firstRecord = await firstEnded;
    expect(firstRecord.cache).toEqual({ status: 'miss', namespace: 'default', savedUsd: null });
    expect(firstRecord.costUsd).toBeGreaterThan(0);

    const secondEnded = nextRecord(sluice);
    const { data: second, response } = await client.chat.completions.create({ model, messages }).withResponse();
    const record = await secondEnded;
    expect(mock.requests).toHaveLength(1);
    expect(second).toEqual(first);
    expect(response.headers.get('x-sluice-cache')).toBe('hit');
    expect(response.headers.get('x-request-id')).toBe(record.id);
    expect(record.cache).toEqual({ status: 'hit', namespace: 'default', savedUsd: firstRecord.costUsd });
    expect(record.costUsd).toBe(0);
    expect(record.attempts).toEqual([]);
    expect(record.usage).toEqual(firstRecord.usage);
    expect(misses).toHaveLength(1);
    expect(hits).toEqual([{ type: 'cache:hit', id: record.id, namespace: 'default', streamed: false, savedUsd: firstRecord.costUsd }]);
  });

  it('answers a JSON call from a cached stream', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'reply', content: 'Streamed once' });
    const stream = await client.chat.completions.create({ model, messages, stream: true });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe('Streamed once');
    // The call ends (and its answer is stored) once it is priced; the first call loads the catalog.
    await sluice.flush();

    const json = await client.chat.completions.create({ model, messages });
    expect(mock.requests).toHaveLength(1);
    expect(json.choices[0]?.message.content).toBe('Streamed once');
    expect(json.choices[0]?.finish_reason).toBe('stop');
    // The stream's usage was hidden from the caller (Sluice asked for it), yet the JSON answer has it.
    expect(json.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('answers a stream call from a cached JSON answer, with usage when asked', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'reply', content: 'JSON once', usage: { prompt_tokens: 12, completion_tokens: 3 } });
    await client.chat.completions.create({ model, messages });
    await sluice.flush();

    const stream = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(mock.requests).toHaveLength(1);
    expect(text).toBe('JSON once');
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
  });

  it('replays a cached stream as a stream, tool calls included', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    // The SDK's own accumulator joins the replayed tool-call fragments.
    const collectCalls = () => client.chat.completions.stream({ model, messages }).finalChatCompletion();
    const first = await collectCalls();
    await sluice.flush();
    const ended = nextRecord(sluice);
    const second = await collectCalls();
    expect(mock.requests).toHaveLength(1);
    expect((await ended).cache?.status).toBe('hit');
    expect(second.choices[0]?.message.tool_calls).toEqual(first.choices[0]?.message.tool_calls);
    expect(second.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } });

    const json = await client.chat.completions.create({ model, messages });
    expect(json.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { arguments: '{"city":"Oslo"}' } });
    expect(json.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('takes per-call control from request headers and never sends them upstream', async () => {
    const { sluice, client } = setup();
    await client.chat.completions.create({ model, messages }, { headers: { 'x-sluice-cache-namespace': 'team-a' } });
    await sluice.flush();
    const ended = nextRecord(sluice);
    await client.chat.completions.create({ model, messages }, { headers: { 'x-sluice-cache': 'skip' } });
    expect((await ended).cache).toEqual({ status: 'bypass', namespace: 'default', savedUsd: null });
    expect(mock.requests).toHaveLength(2);
    for (const request of mock.requests) expect(Object.keys(request.headers).filter((name) => name.startsWith('x-sluice'))).toEqual([]);
    await client.chat.completions.create({ model, messages }, { headers: { 'x-sluice-cache-namespace': 'team-a' } });
    expect(mock.requests).toHaveLength(2);

    // Without providers, the SDK's own request goes out as it came, except for these headers.
    const direct = createSluice({ use: [cache()] });
    await clientFor(direct, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }, { headers: { 'x-sluice-cache-ttl': '5m' } });
    expect(Object.keys(mock.requests[2]!.headers).filter((name) => name.startsWith('x-sluice'))).toEqual([]);
    expect(mock.requests[2]!.headers['authorization']).toBe('Bearer client-key');
  });

  it('does not cache provider errors', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'error', status: 400, message: 'bad request' });
    await expect(client.chat.completions.create({ model, messages })).rejects.toThrow('bad request');
    await sluice.flush();
    const ok = await client.chat.completions.create({ model, messages });
    expect(ok.choices[0]?.message.content).toContain('Echo');
    expect(mock.requests).toHaveLength(2);
  });

  it('does not cache a stream that broke mid-way or carried an error event', async () => {
    const { sluice, client } = setup();
    mock.script({ kind: 'reset-mid-stream', afterChunks: 2 }, { kind: 'mid-stream-error', afterChunks: 2 });
    for (let index = 0; index < 2; index++) {
      const broken = await client.chat.completions.create({ model, messages, stream: true });
      await expect(
        (async () => {
          for await (const _chunk of broken) {
            // drain until it fails
          }
        })(),
      ).rejects.toThrow();
      await sluice.flush();
    }
    await client.chat.completions.create({ model, messages, stream: true }).then(async (stream) => {
      for await (const _chunk of stream) {
        // drain
      }
    });
    expect(mock.requests).toHaveLength(3);
  });
});

describe('cache through the Anthropic SDK', () => {
  const claude = 'claude-opus-4-1';
  const request = { model: claude, max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello brave new world' }] };

  it('serves JSON from JSON, streams from streams, and each from the other', async () => {
    const sluice = createSluice({ use: [cache()] });
    const client = new Anthropic({ baseURL: mock.baseURL.replace(/\/v1$/, ''), apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    const first = await client.messages.create(request);
    await sluice.flush();
    const ended = nextRecord(sluice);
    const { data: second, response } = await client.messages.create(request).withResponse();
    const record = await ended;
    expect(second).toEqual(first);
    expect(record.cache?.status).toBe('hit');
    expect(response.headers.get('request-id')).toBe(record.id);
    expect(mock.requests).toHaveLength(1);

    // A stream shares the key: it is made from the stored message (test/plugins/cache-dialects.test.ts covers more).
    const replayed = await client.messages.stream(request).finalMessage();
    expect(mock.requests).toHaveLength(1);
    expect(replayed.content).toEqual(first.content);
    expect(replayed.stop_reason).toBe(first.stop_reason);
  });
});

const redisPrefix = `sluice-test:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

afterAll(async () => {
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('cache in Redis', () => {
  it('shares answers between two Sluice instances', async () => {
    const one = setup({ store: redisCacheStore(redis, { prefix: redisPrefix }) });
    const two = setup({ store: redisCacheStore(redis, { prefix: redisPrefix }) });
    mock.script({ kind: 'reply', content: 'Shared' });
    const stream = await one.client.chat.completions.create({ model, messages, stream: true });
    for await (const _chunk of stream) {
      // drain: the answer is stored once the stream completes
    }
    // The write is not awaited by the call: wait until it landed.
    await expect.poll(async () => (await redis.keys(`${redisPrefix}*`)).length).toBe(1);
    const ended = nextRecord(two.sluice);
    const answer = await two.client.chat.completions.create({ model, messages });
    expect(answer.choices[0]?.message.content).toBe('Shared');
    expect((await ended).cache?.status).toBe('hit');
    expect(mock.requests).toHaveLength(1);
  });

  it('fails open when Redis is unreachable, reporting store:error once', async () => {
    const down = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    // ioredis reports the refused connection as an 'error' event too; the cache reports it as store:error.
    down.on('error', () => {});
    try {
      const { sluice, client } = setup({ store: redisCacheStore(down), storeTimeoutMs: 1000 });
      const errors = collect(sluice, 'store:error');
      const first = await client.chat.completions.create({ model, messages });
      const second = await client.chat.completions.create({ model, messages });
      expect(first.choices[0]?.message.content).toContain('Echo');
      expect(second.choices[0]?.message.content).toContain('Echo');
      expect(mock.requests).toHaveLength(2);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ type: 'store:error', plugin: 'cache', failOpen: true });
    } finally {
      down.disconnect();
    }
  });
});
