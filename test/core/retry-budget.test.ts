import { describe, expect, it } from 'vitest';
import { RetryBudget } from '../../src/core/retry-budget.js';

describe('RetryBudget', () => {
  it('always allows minPerSecond × ttl retries, and refuses beyond', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, ttlMs: 10_000 });
    expect(budget.balance(0)).toBe(100);
    let granted = 0;
    while (budget.tryWithdraw(0)) granted++;
    expect(granted).toBe(100);
    expect(budget.balance(0)).toBe(0);
    expect(budget.tryWithdraw(1)).toBe(false);
  });

  it('earns ratio of a retry per call, exactly (5 × 0.2 = 1)', () => {
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 });
    for (let call = 0; call < 4; call++) budget.deposit(0);
    expect(budget.balance(0)).toBeCloseTo(0.8, 10);
    expect(budget.tryWithdraw(0)).toBe(false);
    budget.deposit(0);
    expect(budget.balance(0)).toBe(1);
    expect(budget.tryWithdraw(0)).toBe(true);
    expect(budget.tryWithdraw(0)).toBe(false);
    expect(budget.balance(0)).toBe(0);
  });

  it('lets deposits expire after ttlMs (0.9 to 1 × ttl, by one-second slots)', () => {
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, ttlMs: 10_000 });
    budget.deposit(0);
    budget.deposit(999); // same slot as the first
    budget.deposit(1000); // the next slot
    expect(budget.balance(9999)).toBe(3);
    expect(budget.balance(10_000)).toBe(1);
    expect(budget.balance(11_000)).toBe(0);
    expect(budget.tryWithdraw(11_000)).toBe(false);
  });

  it('lets withdrawals expire too, so the reserve comes back', () => {
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, ttlMs: 10_000 });
    for (let retry = 0; retry < 10; retry++) expect(budget.tryWithdraw(0)).toBe(true);
    expect(budget.tryWithdraw(5000)).toBe(false);
    expect(budget.balance(10_000)).toBe(10);
    expect(budget.tryWithdraw(10_000)).toBe(true);
  });

  it('forgets everything after a long idle time', () => {
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, ttlMs: 10_000 });
    for (let call = 0; call < 50; call++) budget.deposit(call * 100);
    expect(budget.balance(4_999)).toBe(50);
    // 1,000 s later every slot belongs to an old epoch, even those the ring index lands on again.
    expect(budget.balance(1_004_999)).toBe(0);
    budget.deposit(1_004_999);
    expect(budget.balance(1_004_999)).toBe(1);
  });

  it('allows about ratio of the calls plus the minimum at steady state during an outage', () => {
    // 100 calls/s for 60 s, every call failing and asking for one retry.
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 10, ttlMs: 10_000 });
    const grantedPerSecond: number[] = [];
    for (let second = 0; second < 60; second++) {
      let granted = 0;
      for (let call = 0; call < 100; call++) {
        const nowMs = second * 1000 + call * 10;
        budget.deposit(nowMs);
        if (budget.tryWithdraw(nowMs)) granted++;
      }
      grantedPerSecond.push(granted);
    }
    // Over the last 30 s: ~20 retries/s earned (20% of 100 calls) + 10/s reserve ≈ 30/s, not 100/s.
    const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);
    const average = sum(grantedPerSecond.slice(30)) / 30;
    expect(average).toBeGreaterThan(27);
    expect(average).toBeLessThan(34);
    // Any 10 s holds at most 0.2 × 1000 calls + the 100-retry reserve (spent in a burst, as in Finagle).
    for (let start = 10; start + 10 <= 60; start++) expect(sum(grantedPerSecond.slice(start, start + 10))).toBeLessThanOrEqual(310);
    // Between bursts, only the earned 20%.
    expect(grantedPerSecond.slice(52, 60)).toEqual([20, 20, 20, 20, 20, 20, 20, 20]);
  });

  it.each([
    [{ ratio: -0.1 }, /ratio/],
    [{ minPerSecond: -1 }, /minPerSecond/],
    [{ ttlMs: 0 }, /ttlMs/],
    [{ ttlMs: Number.POSITIVE_INFINITY }, /ttlMs/],
  ])('rejects %o', (options, message) => {
    expect(() => new RetryBudget(options)).toThrow(message);
  });
});
