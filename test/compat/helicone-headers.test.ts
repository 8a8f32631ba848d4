import { RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { heliconeCompat, parseRateLimitPolicy, readRetryPolicy } from '../../src/compat/helicone-headers.js';
import { isSluiceError } from '../../src/core/errors.js';
import { createSluice } from '../../src/core/sluice.js';
import type { Middleware } from '../../src/core/types.js';
import { cache } from '../../src/plugins/cache/index.js';
import { makeContext } from '../../src/testing/harness.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const model = 'gpt-4o-mini';
const REQUEST_ID = '123e4567-e89b-12d3-a456-426614174000';

/** The headers a Helicone app sets on its client (Helicone's header directory). */
const heliconeDefaults = {
  'Helicone-Auth': 'Bearer sk-helicone-secret-key',
  'Helicone-User-Id': 'alice@example.com',
  'Helicone-Property-App': 'mobile',
  'Helicone-Prompt-Id': 'story',
  'Helicone-Unknown-Future-Header': 'x',
};

function heliconeHeadersThatArrived(): string[] {
  return mock.requests.flatMap((request) => Object.keys(request.headers).filter((name) => name.startsWith('helicone-')));
}

describe('compat.helicone: an app written for Helicone runs unchanged', () => {
  it('without compat, Helicone headers reach the provider (what the compat layer prevents)', async () => {
    const sluice = createSluice();
    const client = clientFor(sluice, mock.baseURL, { defaultHeaders: heliconeDefaults });
    mock.script({ kind: 'reply', content: 'hi' });
    await client.chat.completions.create({ model, messages });
    expect(heliconeHeadersThatArrived()).toContain('helicone-auth');
  });

  it('maps user, session, properties and the request id, and no helicone-* header reaches the provider', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL, { defaultHeaders: heliconeDefaults });
    mock.script({ kind: 'reply', content: 'hi' });
    const ended = nextRecord(sluice);
    const { response } = await client.chat.completions
      .create(
        { model, messages },
        {
          headers: {
            'Helicone-Session-Id': 'session-42',
            'Helicone-Session-Path': '/plan/step-1',
            'Helicone-Session-Name': 'Course Plan',
            'Helicone-Property-Environment': 'staging',
            'Helicone-Request-Id': REQUEST_ID,
          },
        },
      )
      .withResponse();
    const record = await ended;
    expect(heliconeHeadersThatArrived()).toEqual([]);
    expect(mock.requests[0]!.headers['authorization']).toBe('Bearer client-key');
    expect(record.id).toBe(REQUEST_ID);
    expect(record.user).toBe('alice@example.com');
    expect(record.session).toBe('session-42');
    expect(record.metadata).toEqual({ app: 'mobile', environment: 'staging', sessionPath: '/plan/step-1', sessionName: 'Course Plan' });
    expect(response.headers.get('helicone-id')).toBe(REQUEST_ID);
    expect(response.headers.get('helicone-cache')).toBeNull();
    await sluice.close();
  });

  it('keeps its own id when Helicone-Request-Id is not a UUID', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'hi' });
    const ended = nextRecord(sluice);
    const { response } = await client.chat.completions.create({ model, messages }, { headers: { 'Helicone-Request-Id': 'not-a-uuid' } }).withResponse();
    const record = await ended;
    expect(record.id).not.toBe('not-a-uuid');
    expect(response.headers.get('helicone-id')).toBe(record.id);
  });

  it('caches only what the cache headers ask for: HIT and MISS answers, a seed namespace, false skips', async () => {
    const sluice = createSluice({ compat: { helicone: true }, use: [cache()] });
    const client = clientFor(sluice, mock.baseURL, { defaultHeaders: heliconeDefaults });
    const on = { headers: { 'Helicone-Cache-Enabled': 'true', 'Cache-Control': 'max-age=3600', 'Helicone-Cache-Seed': 'user 123' } };
    mock.script({ kind: 'reply', content: 'cached' }, { kind: 'reply', content: 'fresh' });

    let ended = nextRecord(sluice);
    const first = await client.chat.completions.create({ model, messages }, on).withResponse();
    expect(first.response.headers.get('helicone-cache')).toBe('MISS');
    expect((await ended).cache).toEqual({ status: 'miss', namespace: 'helicone-seed:user%20123', savedUsd: null });
    await sluice.flush();

    ended = nextRecord(sluice);
    const second = await client.chat.completions.create({ model, messages }, on).withResponse();
    expect(second.response.headers.get('helicone-cache')).toBe('HIT');
    expect(second.data.choices[0]!.message.content).toBe('cached');
    expect((await ended).cache?.status).toBe('hit');

    ended = nextRecord(sluice);
    const skipped = await client.chat.completions.create({ model, messages }, { headers: { 'Helicone-Cache-Enabled': 'false' } }).withResponse();
    expect(skipped.data.choices[0]!.message.content).toBe('fresh');
    expect((await ended).cache?.status).toBe('bypass');
    expect(mock.requests).toHaveLength(2);
    expect(heliconeHeadersThatArrived()).toEqual([]);
    await sluice.close();
  });

  it('streams pass through: a streamed miss then a replayed hit, with helicone-cache and the session recorded, bodies omitted on request', async () => {
    const sluice = createSluice({ compat: { helicone: true }, use: [cache()] });
    const client = clientFor(sluice, mock.baseURL);
    const headers = { 'Helicone-Cache-Enabled': 'true', 'Helicone-Session-Id': 'stream-session', 'Helicone-Omit-Response': 'true' };
    mock.script({ kind: 'reply', content: 'streamed words', usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const read = async (): Promise<{ text: string; cacheHeader: string | null }> => {
      const { data: stream, response } = await client.chat.completions.create({ model, messages, stream: true }, { headers }).withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return { text, cacheHeader: response.headers.get('helicone-cache') };
    };
    let ended = nextRecord(sluice);
    expect(await read()).toEqual({ text: 'streamed words', cacheHeader: 'MISS' });
    const first = await ended;
    expect(first.session).toBe('stream-session');
    expect(first.responseBody).toBeNull();
    expect(first.usage.outputTokens).toBe(2);
    await sluice.flush();
    ended = nextRecord(sluice);
    expect(await read()).toEqual({ text: 'streamed words', cacheHeader: 'HIT' });
    expect((await ended).cache?.status).toBe('hit');
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });

  it('Helicone-Omit-Request / -Response leave the bodies out of that call\'s record only', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'secret answer' }, { kind: 'reply', content: 'kept answer' });
    let ended = nextRecord(sluice);
    await client.chat.completions.create({ model, messages }, { headers: { 'Helicone-Omit-Request': 'true', 'Helicone-Omit-Response': 'true' } });
    const omitted = await ended;
    expect(omitted.requestBody).toBeNull();
    expect(omitted.responseBody).toBeNull();
    expect(omitted.usage.outputTokens).not.toBeNull();
    ended = nextRecord(sluice);
    await client.chat.completions.create({ model, messages });
    const kept = await ended;
    expect(kept.requestBody).toContain('hello brave new world');
    expect(kept.responseBody).toContain('kept answer');
  });

  it('Helicone-Retry-* retries a 503 on the same call until it succeeds', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'error', status: 503 }, { kind: 'error', status: 503 }, { kind: 'reply', content: 'third time' });
    const ended = nextRecord(sluice);
    const headers = { 'Helicone-Retry-Enabled': 'true', 'Helicone-Retry-Num': '3', 'Helicone-Retry-Min-Timeout': '1', 'Helicone-Retry-Max-Timeout': '2' };
    const answer = await client.chat.completions.create({ model, messages }, { headers });
    expect(answer.choices[0]!.message.content).toBe('third time');
    expect(mock.requests).toHaveLength(3);
    const record = await ended;
    expect(record.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
    expect(record.error).toBeNull();
  });

  it('without Helicone-Retry-Enabled a 503 reaches the SDK at once', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'error', status: 503 }, { kind: 'reply', content: 'unused' });
    const error = await rejection(client.chat.completions.create({ model, messages }, { headers: { 'Helicone-Retry-Num': '3' } }));
    expect((error as { status?: number }).status).toBe(503);
    expect(mock.requests).toHaveLength(1);
  });

  it('Helicone-RateLimit-Policy limits each segment (here: per user) and refuses over it with a 429', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'a' }, { kind: 'reply', content: 'b' }, { kind: 'reply', content: 'c' });
    const asUser = (user: string) => ({ headers: { 'Helicone-RateLimit-Policy': '2;w=60;s=user', 'Helicone-User-Id': user } });
    await client.chat.completions.create({ model, messages }, asUser('alice'));
    await client.chat.completions.create({ model, messages }, asUser('alice'));
    const refused = await rejection(client.chat.completions.create({ model, messages }, asUser('alice')));
    expect(refused).toBeInstanceOf(RateLimitError);
    await client.chat.completions.create({ model, messages }, asUser('bob'));
    expect(mock.requests).toHaveLength(3);
    await sluice.close();
  });

  it('a policy in cents is a USD budget per window: the call after the spend is refused with a 429', async () => {
    const sluice = createSluice({ compat: { helicone: true } });
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply', content: 'expensive', usage: { prompt_tokens: 100_000, completion_tokens: 100_000 } }, { kind: 'reply', content: 'unused' });
    const policy = { headers: { 'Helicone-RateLimit-Policy': '1;w=3600;u=cents' } };
    const ended = nextRecord(sluice);
    await client.chat.completions.create({ model, messages }, policy);
    expect((await ended).costUsd).toBeGreaterThan(0.01);
    await sluice.flush();
    const refused = await rejection(client.chat.completions.create({ model, messages }, policy));
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });

  it('is refused in config when misspelt or not a boolean', () => {
    const thrown = (config: unknown): unknown => {
      try {
        createSluice(config as never);
      } catch (error) {
        return error;
      }
      return null;
    };
    const misspelt = thrown({ compat: { helicon: true } });
    expect(isSluiceError(misspelt) && (misspelt as Error).message).toMatch(/compat\.helicon/);
    expect(isSluiceError(thrown({ compat: { helicone: 'yes' } }))).toBe(true);
  });
});

describe('the header mapping (unit)', () => {
  const install = () => {
    const added: Middleware[] = [];
    const call = heliconeCompat({ use: (middleware) => added.push(middleware) });
    return { call, added };
  };

  it('turns Cache-Control max-age into the cache TTL header and marks Helicone router URLs', async () => {
    const { call } = install();
    const ctx = makeContext({
      url: 'http://localhost:8080/router/my-router/chat/completions',
      headers: { 'Helicone-Cache-Enabled': 'true', 'Cache-Control': 'max-age=3600', 'HELICONE-CACHE-BUCKET-MAX-SIZE': '3' },
    });
    let seen: Headers | null = null;
    await call(ctx, async (inner) => {
      seen = new Headers(inner.headers);
      return new Response('{}');
    })(ctx);
    expect(seen!.get('x-sluice-cache-ttl')).toBe('3600s');
    expect(ctx.tags).toEqual(['helicone-router:my-router']);
    expect([...seen!.keys()].filter((name) => name.startsWith('helicone-'))).toEqual([]);
  });

  it('parses rate-limit policies as Helicone documents them', () => {
    expect(parseRateLimitPolicy('10;w=1000;u=cents;s=user')).toEqual({ quota: 10, windowSeconds: 1000, unit: 'cents', segment: 'user' });
    expect(parseRateLimitPolicy('1000;w=3600')).toEqual({ quota: 1000, windowSeconds: 3600, unit: 'request', segment: null });
    expect(parseRateLimitPolicy('100;w=60;s=Organization')).toEqual({ quota: 100, windowSeconds: 60, unit: 'request', segment: 'organization' });
    expect(parseRateLimitPolicy('10;u=request')).toBeNull();
    expect(parseRateLimitPolicy('ten;w=60')).toBeNull();
    expect(parseRateLimitPolicy('10;w=60;u=tokens')).toBeNull();
  });

  it('fills Helicone\'s retry defaults (5 retries, factor 2, 1 s to 10 s)', () => {
    const headers = new Map([['helicone-retry-enabled', 'true']]);
    expect(readRetryPolicy((name) => headers.get(name) ?? null)).toEqual({ retries: 5, factor: 2, minTimeoutMs: 1000, maxTimeoutMs: 10_000 });
    expect(readRetryPolicy(() => null)).toBeNull();
  });
});
