import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCacheStore } from '../../src/stores/memory/cache.js';
import { redisCacheStore } from '../../src/stores/redis/cache.js';
import type { CacheStore } from '../../src/stores/types.js';

/** A store under test, with what the shared suite needs to look inside it. */
interface StoreHarness {
  store: CacheStore;
  /** The key's remaining TTL in ms, or null when absent. */
  remainingTtlMs(key: string): Promise<number | null>;
  /** Moves the store's clock forward, when it has one the test controls. */
  advance?: (ms: number) => void;
}

let counter = 0;
const freshKey = (): string => `ns:${(counter++).toString(16).padStart(16, '0')}`;
const add = (store: CacheStore, key: string, value: string, ttlMs = 60_000, maxAnswers = 1, replace = false) =>
  Promise.resolve(store.add(key, value, { ttlMs, maxAnswers, replace }));
const get = (store: CacheStore, key: string) => Promise.resolve(store.get(key));

/**
 * The behaviour every CacheStore shares (like undici's cacheStoreTests): run it over each implementation.
 * @param name The implementation's name.
 * @param factory Creates a harness (called once per describe).
 */
function describeCacheStore(name: string, factory: () => StoreHarness): void {
  describe(`CacheStore: ${name}`, () => {
    let harness: StoreHarness;
    beforeAll(() => {
      harness = factory();
    });

    it('answers an empty list for an absent key', async () => {
      expect(await get(harness.store, freshKey())).toEqual([]);
    });

    it('keeps an answer and gives it back exactly', async () => {
      const key = freshKey();
      const value = '{"version":1}\nline one\r\nline two é 😀 "quoted"';
      expect(await add(harness.store, key, value)).toBe(true);
      expect(await get(harness.store, key)).toEqual([value]);
    });

    it('keeps up to maxAnswers answers, oldest first, and refuses more', async () => {
      const key = freshKey();
      expect(await add(harness.store, key, 'a', 60_000, 2)).toBe(true);
      expect(await add(harness.store, key, 'b', 60_000, 2)).toBe(true);
      expect(await add(harness.store, key, 'c', 60_000, 2)).toBe(false);
      expect(await get(harness.store, key)).toEqual(['a', 'b']);
    });

    it('never grows a key past maxAnswers under concurrent adds', async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: 10 }, (_, index) => add(harness.store, key, `v${index}`, 60_000, 3)));
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await get(harness.store, key)).toHaveLength(3);
    });

    it('sets the TTL with the first answer; later answers do not extend it', async () => {
      const key = freshKey();
      await add(harness.store, key, 'a', 10_000, 3);
      const first = await harness.remainingTtlMs(key);
      expect(first).toBeGreaterThan(9_000);
      expect(first).toBeLessThanOrEqual(10_000);
      await add(harness.store, key, 'b', 500_000, 3);
      expect(await harness.remainingTtlMs(key)).toBeLessThanOrEqual(10_000);
    });

    it('replaces every answer of a key, with a fresh TTL', async () => {
      const key = freshKey();
      await add(harness.store, key, 'a', 10_000, 2);
      await add(harness.store, key, 'b', 10_000, 2);
      expect(await add(harness.store, key, 'c', 500_000, 2, true)).toBe(true);
      expect(await get(harness.store, key)).toEqual(['c']);
      expect(await harness.remainingTtlMs(key)).toBeGreaterThan(10_000);
    });

    it('deletes a key', async () => {
      const key = freshKey();
      await add(harness.store, key, 'a');
      await harness.store.delete(key);
      expect(await get(harness.store, key)).toEqual([]);
      expect(await harness.remainingTtlMs(key)).toBeNull();
    });

    it('keeps keys apart', async () => {
      const [one, two] = [freshKey(), freshKey()];
      await add(harness.store, one, 'one');
      await add(harness.store, two, 'two');
      expect(await get(harness.store, one)).toEqual(['one']);
      expect(await get(harness.store, two)).toEqual(['two']);
    });

    it('keeps answers of a megabyte', async () => {
      const key = freshKey();
      const value = 'x'.repeat(1024 * 1024);
      expect(await add(harness.store, key, value)).toBe(true);
      expect((await get(harness.store, key))[0]).toHaveLength(value.length);
    });

    it('forgets a key when its TTL has passed', async (context) => {
      if (harness.advance === undefined) {
        // Real Redis expiry cannot be driven by a fake clock; its TTL is checked through PTTL above.
        context.skip();
        return;
      }
      const key = freshKey();
      await add(harness.store, key, 'a', 1000, 2);
      harness.advance(999);
      expect(await get(harness.store, key)).toEqual(['a']);
      harness.advance(2);
      expect(await get(harness.store, key)).toEqual([]);
    });
  });
}

describeCacheStore('memory', () => {
  let now = 0;
  const store = memoryCacheStore({ now: () => now });
  return {
    store,
    remainingTtlMs: async (key) => store.remainingTtlMs(key),
    advance: (ms) => {
      now += ms;
    },
  };
});

const redisPrefix = `sluice-test:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });

describeCacheStore('redis', () => ({
  store: redisCacheStore(redis, { prefix: redisPrefix }),
  remainingTtlMs: async (key) => {
    const ttl = Number(await redis.pttl(redisPrefix + key));
    return ttl < 0 ? null : ttl;
  },
}));

afterAll(async () => {
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('memory store bounds', () => {
  it('evicts the least recently used key beyond maxEntries, and counts it', () => {
    const store = memoryCacheStore({ maxEntries: 2 });
    store.add('a', '1', { ttlMs: 1000, maxAnswers: 1 });
    store.add('b', '2', { ttlMs: 1000, maxAnswers: 1 });
    store.get('a');
    store.add('c', '3', { ttlMs: 1000, maxAnswers: 1 });
    expect(store.get('b')).toEqual([]);
    expect(store.get('a')).toEqual(['1']);
    expect(store.evictions).toBe(1);
    expect(store.size).toBe(2);
  });

  it('evicts beyond maxBytes and refuses a value larger than maxBytes on its own', () => {
    const store = memoryCacheStore({ maxBytes: 100 });
    expect(store.add('a', 'x'.repeat(60), { ttlMs: 1000, maxAnswers: 2 })).toBe(true);
    expect(store.add('b', 'y'.repeat(60), { ttlMs: 1000, maxAnswers: 2 })).toBe(true);
    expect(store.get('a')).toEqual([]);
    expect(store.bytes).toBeLessThanOrEqual(100);
    expect(store.add('c', 'z'.repeat(200), { ttlMs: 1000, maxAnswers: 2 })).toBe(false);
    expect(store.get('c')).toEqual([]);
    // A bucket that would outgrow the bound is refused too, without losing what it had.
    expect(store.add('b', 'w'.repeat(60), { ttlMs: 1000, maxAnswers: 2 })).toBe(false);
    expect(store.get('b')).toEqual(['y'.repeat(60)]);
  });

  it('validates its bounds', () => {
    expect(() => memoryCacheStore({ maxEntries: 0 })).toThrow(/memoryCacheStore\(\)\.maxEntries: expected an integer >= 1/);
    expect(() => memoryCacheStore({ maxBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('redis store', () => {
  it('writes under its prefix, as a list per key', async () => {
    const store = redisCacheStore(redis, { prefix: redisPrefix });
    await store.add('raw', 'value', { ttlMs: 60_000, maxAnswers: 1 });
    expect(await redis.type(`${redisPrefix}raw`)).toBe('list');
    expect(await redis.lrange(`${redisPrefix}raw`, 0, -1)).toEqual(['value']);
  });

  it('loads its script again after SCRIPT FLUSH', async () => {
    const store = redisCacheStore(redis, { prefix: redisPrefix });
    await redis.script('FLUSH');
    expect(await store.add('flushed', 'value', { ttlMs: 60_000, maxAnswers: 1 })).toBe(true);
  });

  it('keeps stores with different prefixes apart', async () => {
    const one = redisCacheStore(redis, { prefix: `${redisPrefix}one:` });
    const two = redisCacheStore(redis, { prefix: `${redisPrefix}two:` });
    await one.add('k', 'from one', { ttlMs: 60_000, maxAnswers: 1 });
    expect(await two.get('k')).toEqual([]);
  });

  it('refuses something that is not a Redis client', () => {
    expect(() => redisCacheStore({} as never)).toThrow(TypeError);
  });
});
