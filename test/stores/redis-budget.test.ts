import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { budget } from '../../src/plugins/budget/index.js';
import { redisBudgetStore } from '../../src/stores/redis/budget.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';

const prefix = `test:budget:${randomUUID()}:`;
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

describe('redisBudgetStore', () => {
  const store = redisBudgetStore(redis, { prefix, graceMs: 0 });

  it('reads zero for a missing key and adds atomically, returning the spend before and after', async () => {
    const expireAtMs = Date.now() + 3_600_000;
    expect(await store.read(['k1', 'k2'], 0)).toEqual([
      { spentUsd: 0, unpricedCalls: 0 },
      { spentUsd: 0, unpricedCalls: 0 },
    ]);
    expect(await store.charge([{ key: 'k1', usd: 0.25, unpricedCalls: 0, expireAtMs }], 0)).toEqual([{ previousUsd: 0, currentUsd: 0.25 }]);
    expect(
      await store.charge(
        [
          { key: 'k1', usd: 1.5e-7, unpricedCalls: 1, expireAtMs },
          { key: 'k2', usd: 0, unpricedCalls: 1, expireAtMs },
        ],
        0,
      ),
    ).toEqual([
      { previousUsd: 0.25, currentUsd: 0.25000015 },
      { previousUsd: 0, currentUsd: 0 },
    ]);
    expect(await store.read(['k1', 'k2'], 0)).toEqual([
      { spentUsd: 0.25000015, unpricedCalls: 1 },
      { spentUsd: 0, unpricedCalls: 1 },
    ]);
    const ttl = await redis.pttl(`${prefix}k1`);
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it('never loses a concurrent charge', async () => {
    const expireAtMs = Date.now() + 60_000;
    const changes = await Promise.all(Array.from({ length: 50 }, () => store.charge([{ key: 'k3', usd: 0.01, unpricedCalls: 0, expireAtMs }], 0)));
    expect((await store.read(['k3'], 0))[0]!.spentUsd).toBeCloseTo(0.5, 9);
    // Each charge saw a different "before": exactly one crossed any given threshold.
    const previous = new Set(changes.map(([change]) => change!.previousUsd.toFixed(6)));
    expect(previous.size).toBe(50);
  });
});

describe('budget() shared through Redis', () => {
  it('shares spend between two instances and fires a threshold once between them', async () => {
    const make = (client: Redis) => {
      const middleware = budget({
        store: redisBudgetStore(client, { prefix: `${prefix}shared:` }),
        storeTimeoutMs: 5000,
        budgets: [{ scope: 'tag', match: 'team-a', limitUsd: 1, period: 'month', thresholds: [0.5] }],
        unpricedUsd: 0.1,
      });
      const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } }, tags: ['team-a'], use: [middleware] });
      return { middleware, sluice, client: clientFor(sluice, mock.baseURL) };
    };
    const one = make(redis);
    const two = make(second);
    const thresholdsOne = collect(one.sluice, 'budget:threshold');
    const thresholdsTwo = collect(two.sluice, 'budget:threshold');
    // An unknown model has no price: each call charges unpricedUsd, $0.10.
    for (let round = 0; round < 4; round++) {
      await Promise.all([one, two].map(({ client }) => client.chat.completions.create({ model: 'openai/mock-unpriced-model', messages })));
      await Promise.all([one, two].flatMap(({ sluice, middleware }) => [sluice.flush(), middleware.flush()]));
    }
    expect(await one.middleware.state('tag:team-a')).toMatchObject({ spentUsd: expect.closeTo(0.8, 9) as number, unpricedCalls: 8 });
    expect(await two.middleware.spent('tag:team-a')).toBeCloseTo(0.8, 9);
    const thresholds = [...thresholdsOne, ...thresholdsTwo];
    expect(thresholds).toHaveLength(1);
    expect(thresholds[0]).toMatchObject({ budget: 'tag:team-a', threshold: 0.5 });
  });
});
