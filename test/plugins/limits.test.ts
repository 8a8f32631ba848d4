import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSluiceError, SluiceConfigError, type SluiceError } from '../../src/core/errors.js';
import { limits } from '../../src/plugins/limits/index.js';
import { estimateTokens, providerOf } from '../../src/plugins/limits/rate.js';
import type { BucketChange, RateLimitStore } from '../../src/stores/limits-types.js';
import { memoryRateLimitStore } from '../../src/stores/memory/limits.js';
import { fakeNext } from '../../src/testing/harness.js';
import { callContext, endCall, flushMicrotasks, recordingSink } from './limits-helpers.js';

function configError(run: () => unknown): SluiceConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceConfigError) return error;
    throw error;
  }
  throw new Error('expected a SluiceConfigError');
}

async function refusal(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    if (isSluiceError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('limits() options', () => {
  it('names the offending option with a path rooted at limits()', () => {
    const error = configError(() => limits({ rate: [{ scope: 'user' }, { scope: 'everyone' as 'user', rpm: -1 }] }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'limits().rate[1].scope', message: 'expected one of "global", "provider", "model", "user", "tag"' },
        expect.objectContaining({ path: 'limits().rate[1].rpm' }),
      ]),
    );
    expect(configError(() => limits({ rate: [{ scope: 'user' }] })).issues).toEqual([{ path: 'limits().rate[0]', message: 'give "rpm", "tpm" or both' }]);
  });

  it('rejects unknown keys, a global match and an empty configuration', () => {
    expect(configError(() => limits({ concurrency: { perProvidr: 2 } as never })).issues[0]).toMatchObject({ path: 'limits().concurrency.perProvidr' });
    expect(configError(() => limits({ rate: [{ scope: 'global', match: 'x', rpm: 1 }] })).issues[0]!.path).toBe('limits().rate[0].match');
    expect(configError(() => limits()).message).toContain('nothing to limit');
    // Beyond 2^31 - 1 ms, setTimeout would fire at once.
    expect(configError(() => limits({ concurrency: { global: 1, queueTimeoutMs: 3e9 } })).issues).toEqual([
      { path: 'limits().concurrency.queueTimeoutMs', message: 'expected a number of ms from 0 to 2147483647' },
    ]);
    expect(configError(() => limits({ store: {} as RateLimitStore, rate: [{ scope: 'global', rpm: 1 }] })).issues[0]!.message).toContain('RateLimitStore');
  });

  it('returns a middleware named limits', () => {
    expect(limits({ concurrency: { global: 1 } }).name).toBe('limits');
  });
});

describe('token buckets', () => {
  const bucket = (amount: number): BucketChange => ({ key: 'k', capacity: 60, refillPerMs: 60 / 60_000, amount });

  it('refills continuously at rpm / 60 000 per ms, up to the capacity', () => {
    const store = memoryRateLimitStore();
    for (let index = 0; index < 60; index++) expect(store.take([bucket(1)], 0)).toEqual({ ok: true });
    expect(store.take([bucket(1)], 0)).toEqual({ ok: false, waitMs: [1000] });
    expect(store.take([bucket(1)], 400)).toEqual({ ok: false, waitMs: [600] });
    expect(store.take([bucket(1)], 1000)).toEqual({ ok: true });
    expect(store.tokens(bucket(0), 1000)).toBe(0);
    expect(store.tokens(bucket(0), 31_000)).toBeCloseTo(30);
    expect(store.tokens(bucket(0), 10_000_000)).toBe(60);
  });

  it('takes from every bucket of a call or from none', () => {
    const store = memoryRateLimitStore();
    const a: BucketChange = { key: 'a', capacity: 2, refillPerMs: 0.001, amount: 1 };
    const b: BucketChange = { key: 'b', capacity: 1, refillPerMs: 0.001, amount: 1 };
    expect(store.take([a, b], 0).ok).toBe(true);
    expect(store.take([a, b], 0)).toEqual({ ok: false, waitMs: [0, 1000] });
    expect(store.tokens(a, 0)).toBe(1);
  });

  it('lets corrections charge below zero and refund up to the capacity', () => {
    const store = memoryRateLimitStore();
    store.take([bucket(60)], 0);
    store.adjust([bucket(30)], 0);
    expect(store.tokens(bucket(0), 0)).toBe(-30);
    expect(store.take([bucket(1)], 0)).toEqual({ ok: false, waitMs: [31_000] });
    store.adjust([bucket(-500)], 0);
    expect(store.tokens(bucket(0), 0)).toBe(60);
  });

  it('forgets the least recently used bucket beyond maxBuckets, and counts it', () => {
    const store = memoryRateLimitStore({ maxBuckets: 2 });
    for (const key of ['a', 'b', 'c']) store.take([{ key, capacity: 1, refillPerMs: 1, amount: 1 }], 0);
    expect(store.size).toBe(2);
    expect(store.evictions).toBe(1);
    expect(() => memoryRateLimitStore({ maxBuckets: 0 })).toThrow(RangeError);
  });
});

describe('subjects and estimates', () => {
  it('takes the provider from provider/model, else from the dialect', () => {
    expect(providerOf(callContext({ body: { model: 'anthropic/claude-sonnet-4-5' } }))).toBe('anthropic');
    expect(providerOf(callContext({ body: { model: 'gpt-4o' } }))).toBe('openai');
    expect(providerOf(callContext({ body: { model: 'gemini-2.5-flash' }, dialect: 'gemini' }))).toBe('gemini');
    expect(providerOf(callContext({ body: { messages: [] } }))).toBeNull();
  });

  it('estimates body length / 4 plus the output limit of any dialect', () => {
    const text = 'x'.repeat(400);
    const chat = { model: 'm', messages: [{ role: 'user', content: text }] };
    const length = (body: unknown): number => Math.ceil(JSON.stringify(body).length / 4);
    expect(estimateTokens(callContext({ body: chat }), 500)).toBe(length(chat) + 500);
    const capped = { ...chat, max_tokens: 64 };
    expect(estimateTokens(callContext({ body: capped }), 500)).toBe(length(capped) + 64);
    const completion = { ...chat, max_completion_tokens: 32 };
    expect(estimateTokens(callContext({ body: completion }), 500)).toBe(length(completion) + 32);
    const responses = { model: 'm', input: text, max_output_tokens: 16 };
    expect(estimateTokens(callContext({ body: responses, operation: 'responses' }), 500)).toBe(length(responses) + 16);
    const gemini = { contents: [{ parts: [{ text }] }], generationConfig: { maxOutputTokens: 8 } };
    expect(estimateTokens(callContext({ body: gemini, dialect: 'gemini' }), 500)).toBe(length(gemini) + 8);
    const embedding = { model: 'text-embedding-3-small', input: text };
    expect(estimateTokens(callContext({ body: embedding, operation: 'embeddings' }), 500)).toBe(length(embedding));
  });
});

describe('rate limits, reject', () => {
  it('refuses the call over rpm with a 429 naming the limit, and when enough tokens are back', async () => {
    const events = recordingSink();
    const middleware = limits({ rate: [{ scope: 'user', rpm: 2 }] });
    const next = fakeNext({ json: { ok: true } });
    await middleware(callContext({ user: 'alice', events }), next);
    await middleware(callContext({ user: 'alice', events }), next);
    const error = await refusal(middleware(callContext({ user: 'alice', events, id: 'third' }), next));
    expect(error).toMatchObject({ code: 'sluice_rate_limited', status: 429, retryAfterMs: 30_000, retryable: true });
    expect(error.message).toContain('rpm:user:alice (2 requests per minute)');
    expect(error.message).toContain('rate[0].rpm');
    expect(events.of('limit:reject')).toEqual([{ type: 'limit:reject', id: 'third', limit: 'rpm:user:alice', retryAfterMs: 30_000 }]);
    // Another user has a bucket of their own.
    await middleware(callContext({ user: 'bob', events }), next);
    vi.setSystemTime(Date.now() + 30_000);
    await middleware(callContext({ user: 'alice', events }), next);
    expect(next.calls).toHaveLength(4);
  });

  it('applies a rule with match only to that subject, and a call without the subject passes', async () => {
    const middleware = limits({ rate: [{ scope: 'tag', match: 'batch', rpm: 1 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext({ tags: ['batch', 'batch'] }), next);
    await expect(middleware(callContext({ tags: ['batch'] }), next)).rejects.toMatchObject({ code: 'sluice_rate_limited' });
    await middleware(callContext({ tags: ['interactive'] }), next);
    await middleware(callContext({ tags: [] }), next);
    expect(next.calls).toHaveLength(3);
  });

  it('counts provider and model by the name the SDK asked for, and lets models listing through', async () => {
    const middleware = limits({ rate: [{ scope: 'provider', rpm: 1 }, { scope: 'model', rpm: 1 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext({ body: { model: 'anthropic/claude-haiku-4-5' } }), next);
    const error = await refusal(middleware(callContext({ body: { model: 'anthropic/claude-sonnet-4-5' } }), next));
    expect(error.message).toContain('rpm:provider:anthropic');
    await middleware(callContext({ body: { model: 'openai/gpt-4o' } }), next);
    await middleware(callContext({ body: {}, operation: 'models' }), next);
    expect(next.calls).toHaveLength(3);
  });
});

describe('rate limits, wait', () => {
  it('sleeps until tokens refill, emitting limit:wait', async () => {
    const events = recordingSink();
    const middleware = limits({ rate: [{ scope: 'global', rpm: 1, onLimit: 'wait', maxWaitMs: 120_000 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext({ events }), next);
    let done = false;
    const waiting = middleware(callContext({ events, id: 'second' }), next).then(() => (done = true));
    await flushMicrotasks();
    expect(events.of('limit:wait')).toEqual([{ type: 'limit:wait', id: 'second', limit: 'rpm:global', waitMs: 60_000 }]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(next.calls).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses at once when the wait would exceed maxWaitMs', async () => {
    const middleware = limits({ rate: [{ scope: 'global', rpm: 1, onLimit: 'wait', maxWaitMs: 10_000 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext(), next);
    const error = await refusal(middleware(callContext(), next));
    expect(error.message).toContain('maxWaitMs (10000 ms)');
    expect(error.retryAfterMs).toBe(60_000);
  });

  it('stops waiting when the caller aborts, clearing its timer', async () => {
    const middleware = limits({ rate: [{ scope: 'global', rpm: 1, onLimit: 'wait', maxWaitMs: 60_000 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext(), next);
    const controller = new AbortController();
    const waiting = middleware(callContext({ signal: controller.signal }), next);
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('user gave up'));
    await expect(waiting).rejects.toThrow('user gave up');
    expect(vi.getTimerCount()).toBe(0);
    expect(next.calls).toHaveLength(1);
  });
});

describe('tokens per minute', () => {
  const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(360) }], max_tokens: 100 };
  const estimate = Math.ceil(JSON.stringify(body).length / 4) + 100;
  const bucket: BucketChange = { key: '0:tpm:global', capacity: 10_000, refillPerMs: 10_000 / 60_000, amount: 0 };

  it('reserves the estimate, then charges the real usage at the end', async () => {
    const store = memoryRateLimitStore();
    const middleware = limits({ store, rate: [{ scope: 'global', tpm: 10_000 }] });
    const ctx = callContext({ body });
    await middleware(ctx, fakeNext({ json: {} }));
    const now = Date.now();
    expect(store.tokens(bucket, now)).toBe(10_000 - estimate);
    endCall(ctx, 'completed', { input: 120, output: 30 });
    await flushMicrotasks();
    expect(store.tokens(bucket, now)).toBe(10_000 - 150);
  });

  it('charges usage above the estimate, driving the bucket into debt', async () => {
    const store = memoryRateLimitStore();
    const middleware = limits({ store, rate: [{ scope: 'global', tpm: 10_000 }] });
    const ctx = callContext({ body });
    await middleware(ctx, fakeNext({ json: {} }));
    endCall(ctx, 'completed', { input: 9000, output: 3000 });
    await flushMicrotasks();
    expect(store.tokens(bucket, Date.now())).toBe(-2000);
    await expect(middleware(callContext({ body }), fakeNext({ json: {} }))).rejects.toMatchObject({ code: 'sluice_rate_limited' });
  });

  it('refunds the estimate of a call that failed before any output, and of a cache hit', async () => {
    const store = memoryRateLimitStore();
    const middleware = limits({ store, rate: [{ scope: 'global', tpm: 10_000 }] });
    const failed = callContext({ body });
    await middleware(failed, fakeNext({ json: { error: {} }, status: 500 }));
    endCall(failed, 'failed');
    const hit = callContext({ body });
    await middleware(hit, fakeNext({ json: {} }));
    hit.cache = { status: 'hit', namespace: 'default', savedUsd: null };
    endCall(hit, 'completed', { input: 100, output: 10 });
    await flushMicrotasks();
    expect(store.tokens(bucket, Date.now())).toBe(10_000);
  });

  it('lets a call larger than the whole bucket through when the bucket is full', async () => {
    const middleware = limits({ rate: [{ scope: 'global', tpm: 50 }] });
    const next = fakeNext({ json: {} });
    await middleware(callContext({ body }), next);
    await expect(middleware(callContext({ body }), next)).rejects.toMatchObject({ retryAfterMs: 60_000 });
  });
});

describe('concurrency', () => {
  it('holds a slot until the call ends, then hands it to the next in line', async () => {
    const events = recordingSink();
    const middleware = limits({ concurrency: { perModel: 1 } });
    const next = fakeNext({ json: {} });
    const first = callContext({ events });
    await middleware(first, next);
    let secondDone = false;
    const second = middleware(callContext({ events, id: 'second' }), next).then(() => (secondDone = true));
    // Another model has its own slot.
    await middleware(callContext({ body: { model: 'openai/gpt-4o' } }), next);
    await flushMicrotasks();
    expect(secondDone).toBe(false);
    expect(events.of('limit:wait')).toEqual([{ type: 'limit:wait', id: 'second', limit: 'concurrency:model:openai/gpt-4o-mini', waitMs: 1000 }]);
    endCall(first);
    await second;
    expect(next.calls).toHaveLength(3);
  });

  it('uses per-name caps with a "*" default, and leaves unlisted providers uncapped without one', async () => {
    const middleware = limits({ concurrency: { perProvider: { anthropic: 1 } } });
    const next = fakeNext({ json: {} });
    await middleware(callContext({ body: { model: 'openai/gpt-4o' } }), next);
    await middleware(callContext({ body: { model: 'openai/gpt-4o' } }), next);
    await middleware(callContext({ body: { model: 'anthropic/claude-haiku-4-5' } }), next);
    const blocked = limits({ concurrency: { perProvider: { '*': 1 }, queueTimeoutMs: 0 } });
    await blocked(callContext({ body: { model: 'openai/gpt-4o' } }), next);
    const waiting = refusal(blocked(callContext({ body: { model: 'openai/gpt-4o' } }), next));
    await vi.advanceTimersByTimeAsync(0);
    expect((await waiting).message).toContain('concurrency:provider:openai (1 at once)');
  });

  it('refuses at once when the queue is full', async () => {
    const events = recordingSink();
    const middleware = limits({ concurrency: { global: 1, maxQueue: 1 } });
    const next = fakeNext({ json: {} });
    const first = callContext();
    await middleware(first, next);
    const queued = middleware(callContext(), next);
    const error = await refusal(middleware(callContext({ events, id: 'third' }), next));
    expect(error).toMatchObject({ code: 'sluice_concurrency_limit', status: 429, retryAfterMs: 2000 });
    expect(error.message).toContain('concurrency:global (1 at once)');
    expect(error.message).toContain('maxQueue');
    expect(events.of('limit:reject')).toEqual([{ type: 'limit:reject', id: 'third', limit: 'concurrency:global', retryAfterMs: 2000 }]);
    endCall(first);
    await queued;
  });

  it('refuses a call that waited queueTimeoutMs, and frees its place in the queue', async () => {
    const middleware = limits({ concurrency: { global: 1, maxQueue: 1, queueTimeoutMs: 5000 } });
    const next = fakeNext({ json: {} });
    const first = callContext();
    await middleware(first, next);
    const timedOut = refusal(middleware(callContext(), next));
    await vi.advanceTimersByTimeAsync(5000);
    expect((await timedOut).message).toContain('within 5000 ms');
    // The timed-out waiter left the queue: a new call may queue.
    const queued = middleware(callContext(), next);
    endCall(first);
    await queued;
    expect(next.calls).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('releases the slot when next throws', async () => {
    const middleware = limits({ concurrency: { global: 1, queueTimeoutMs: 0 } });
    await expect(middleware(callContext(), fakeNext({ error: new TypeError('fetch failed') }))).rejects.toThrow('fetch failed');
    await middleware(callContext(), fakeNext({ json: {} }));
  });

  it('takes the slots of one call against one deadline, and gives back rate tokens when refused', async () => {
    const store = memoryRateLimitStore();
    const middleware = limits({ store, rate: [{ scope: 'global', rpm: 10 }], concurrency: { global: 1, queueTimeoutMs: 1000 } });
    const next = fakeNext({ json: {} });
    await middleware(callContext(), next);
    const refused = refusal(middleware(callContext(), next));
    await vi.advanceTimersByTimeAsync(1000);
    expect((await refused).code).toBe('sluice_concurrency_limit');
    const bucket: BucketChange = { key: '0:rpm:global', capacity: 10, refillPerMs: 10 / 60_000, amount: 0 };
    // One token spent by the first call, refilled for 1 s; the refused call's token came back.
    expect(store.tokens(bucket, Date.now())).toBeCloseTo(9 + 10 / 60);
  });

  it('rejects a queued call with the abort reason when its caller aborts', async () => {
    const middleware = limits({ concurrency: { global: 1 } });
    const next = fakeNext({ json: {} });
    await middleware(callContext(), next);
    const controller = new AbortController();
    const waiting = middleware(callContext({ signal: controller.signal }), next);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('store failures', () => {
  /** A store that fails while `down` is true, else delegates to a memory store. */
  function flakyStore(): RateLimitStore & { down: boolean; calls: number } {
    const memory = memoryRateLimitStore();
    const store = {
      down: false,
      calls: 0,
      take(changes: readonly BucketChange[], nowMs: number) {
        store.calls++;
        return store.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : Promise.resolve(memory.take(changes, nowMs));
      },
      adjust(changes: readonly BucketChange[], nowMs: number) {
        return store.down ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(memory.adjust(changes, nowMs));
      },
    };
    return store;
  }

  it('fails open to local buckets with the same limits, reports the outage once, and recovers after a probe', async () => {
    const store = flakyStore();
    const events = recordingSink();
    const middleware = limits({ store, rate: [{ scope: 'global', rpm: 2 }], recoverProbeMs: 5000 });
    const next = fakeNext({ json: {} });
    store.down = true;
    await middleware(callContext({ events }), next);
    await middleware(callContext({ events }), next);
    await expect(middleware(callContext({ events }), next)).rejects.toMatchObject({ code: 'sluice_rate_limited' });
    expect(events.of('store:error')).toEqual([{ type: 'store:error', plugin: 'limits', message: 'connect ECONNREFUSED 127.0.0.1:6379', failOpen: true }]);
    // Calls skip the store until the probe is due.
    expect(store.calls).toBe(1);
    store.down = false;
    vi.setSystemTime(Date.now() + 5000);
    await middleware(callContext({ events }), next);
    expect(events.of('store:recover')).toEqual([{ type: 'store:recover', plugin: 'limits', downMs: 5000 }]);
    expect(store.calls).toBe(2);
  });

  it('fails closed with a 503 when asked to', async () => {
    const store = flakyStore();
    store.down = true;
    const events = recordingSink();
    const middleware = limits({ store, rate: [{ scope: 'global', rpm: 100 }], onStoreError: 'closed' });
    const error = await refusal(middleware(callContext({ events }), fakeNext({ json: {} })));
    expect(error).toMatchObject({ code: 'sluice_limit_store_unavailable', status: 503 });
    expect(events.of('store:error')[0]).toMatchObject({ failOpen: false });
  });

  it('counts a store that does not answer within storeTimeoutMs as failed', async () => {
    const events = recordingSink();
    const hanging: RateLimitStore = { take: () => new Promise(() => {}), adjust: () => undefined };
    const middleware = limits({ store: hanging, rate: [{ scope: 'global', rpm: 100 }], storeTimeoutMs: 50 });
    const call = middleware(callContext({ events }), fakeNext({ json: {} }));
    await vi.advanceTimersByTimeAsync(50);
    await call;
    expect(events.of('store:error')[0]!.message).toBe('the store did not answer within 50 ms');
    expect(vi.getTimerCount()).toBe(0);
  });
});
