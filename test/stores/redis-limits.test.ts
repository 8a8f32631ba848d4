import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RateLimitError } from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { limits } from '../../src/plugins/limits/index.js';
import type { BucketChange } from '../../src/stores/limits-types.js';
import { redisRateLimitStore } from '../../src/stores/redis/limits.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';

const prefix = `test:limits:${randomUUID()}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
const second = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });

let mock: MockProvider;
useMock((created) => (mock = created));

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  second.disconnect();
});

let sequence = 0;
const bucket = (amount: number, capacity = 60): BucketChange => ({ key: `b${sequence}`, capacity, refillPerMs: capacity / 60_000, amount });

describe('redisRateLimitStore', () => {
  const store = redisRateLimitStore(redis, { prefix });

  it('takes until the bucket is empty, then says how long until a token is back', async () => {
    sequence++;
    for (let index = 0; index < 3; index++) expect(await store.take([bucket(1, 3)], 0)).toEqual({ ok: true });
    const result = await store.take([bucket(1, 3)], 0);
    if (result.ok) throw new Error('expected the bucket to be empty');
    const [waitMs] = result.waitMs;
    // 3 rpm: one token per 20 s, less the few ms since the first take.
    expect(waitMs).toBeGreaterThan(19_000);
    expect(waitMs).toBeLessThanOrEqual(20_000);
    const stored = await redis.hgetall(`${prefix}b${sequence}`);
    expect(Number(stored['t'])).toBeLessThan(0.01);
    expect(await redis.pttl(`${prefix}b${sequence}`)).toBeGreaterThan(59_000);
  });

  it('reads the clock from Redis TIME, not from the caller', async () => {
    sequence++;
    expect(await store.take([bucket(60)], 0)).toEqual({ ok: true });
    // A caller whose clock is an hour ahead gets no refill from it.
    expect((await store.take([bucket(1)], 3_600_000)).ok).toBe(false);
  });

  it('takes from every bucket of a call or from none, atomically', async () => {
    sequence++;
    const a: BucketChange = { key: `a${sequence}`, capacity: 2, refillPerMs: 2 / 60_000, amount: 1 };
    const b: BucketChange = { key: `c${sequence}`, capacity: 1, refillPerMs: 1 / 60_000, amount: 1 };
    expect(await store.take([a, b], 0)).toEqual({ ok: true });
    const refused = await store.take([a, b], 0);
    if (refused.ok) throw new Error('expected the second bucket to be empty');
    expect(refused.waitMs[0]).toBe(0);
    expect(refused.waitMs[1]).toBeGreaterThan(59_000);
    expect(Number(await redis.hget(`${prefix}a${sequence}`, 't'))).toBeCloseTo(1, 2);
  });

  it('charges below zero and refunds up to the capacity', async () => {
    sequence++;
    await store.take([bucket(60)], 0);
    await store.adjust([bucket(30)], 0);
    expect(Number(await redis.hget(`${prefix}b${sequence}`, 't'))).toBeCloseTo(-30, 1);
    await store.adjust([bucket(-1000)], 0);
    expect(Number(await redis.hget(`${prefix}b${sequence}`, 't'))).toBe(60);
  });

  it('answers the same through a client wrapped as a RedisCommander', async () => {
    sequence++;
    const commander = redisRateLimitStore({ command: (args) => redis.call(args[0]!, ...args.slice(1)) }, { prefix });
    expect(await commander.take([bucket(60)], 0)).toEqual({ ok: true });
    expect((await commander.take([bucket(1)], 0)).ok).toBe(false);
  });
});

describe('limits() shared through Redis', () => {
  it('admits exactly the limit across two instances calling in parallel', async () => {
    const make = (client: Redis) =>
      createSluice({
        providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } },
        use: [limits({ store: redisRateLimitStore(client, { prefix: `${prefix}par:` }), storeTimeoutMs: 5000, rate: [{ scope: 'model', rpm: 15 }] })],
      });
    const one = make(redis);
    const two = make(second);
    const errorsOne = collect(one, 'store:error');
    const errorsTwo = collect(two, 'store:error');
    const calls = [one, two].flatMap((sluice) =>
      Array.from({ length: 20 }, () => clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'openai/gpt-4o-mini', messages })),
    );
    const results = await Promise.allSettled(calls);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(15);
    expect(results.filter((result) => result.status === 'rejected' && result.reason instanceof RateLimitError)).toHaveLength(25);
    expect(mock.requests).toHaveLength(15);
    expect([...errorsOne, ...errorsTwo]).toEqual([]);
  });
});
