import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConcurrencyLimiter, Semaphore } from '../../src/plugins/limits/semaphore.js';
import { callContext } from './limits-helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Semaphore over p-limit', () => {
  it('grants in arrival order, and a waiter that gave up passes its turn on at once', async () => {
    const semaphore = new Semaphore(1);
    const first = await semaphore.acquire(1000, null);
    const controller = new AbortController();
    const gaveUp = semaphore.acquire(1000, controller.signal).catch((reason: unknown) => reason);
    const order: string[] = [];
    const third = semaphore.acquire(5000, null).then((free) => (order.push('third'), free));
    expect(semaphore.queued).toBe(2);
    controller.abort(new Error('caller left'));
    expect(((await gaveUp) as Error).message).toBe('caller left');
    expect(semaphore.queued).toBe(1);
    first();
    const freeThird = await third;
    expect(order).toEqual(['third']);
    expect(semaphore.active).toBe(1);
    freeThird();
    await vi.advanceTimersByTimeAsync(0);
    expect(semaphore.isIdle).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a freed slot is freed once, however often its release is called', async () => {
    const semaphore = new Semaphore(1);
    const free = await semaphore.acquire(1000, null);
    free();
    free();
    await semaphore.acquire(1000, null);
    expect(semaphore.active).toBe(1);
    expect(semaphore.hasFreeSlot).toBe(false);
  });
});

describe('ConcurrencyLimiter', () => {
  it('keeps no semaphore for a key once its holders and waiters are gone, timed-out waiters included', async () => {
    const limiter = new ConcurrencyLimiter({ global: null, perProvider: null, perModel: null, perUser: 1, maxQueue: 10, queueTimeoutMs: 100 });
    const releases: (() => void)[] = [];
    const refusals: Promise<unknown>[] = [];
    for (let index = 0; index < 50; index++) {
      const user = `user-${index}`;
      releases.push((await limiter.acquire(callContext({ user }), null))!);
      // A second call for the same user waits, then times out: it leaves an abandoned turn behind.
      refusals.push(limiter.acquire(callContext({ user }), null).catch((error: unknown) => error));
    }
    expect(limiter.size).toBe(50);
    await vi.advanceTimersByTimeAsync(100);
    for (const refusal of refusals) expect(String((await refusal) as Error)).toContain('within 100 ms');
    for (const release of releases) release();
    await vi.advanceTimersByTimeAsync(0);
    expect(limiter.size).toBe(0);
  });
});
