/**
 * Store interfaces for the `limits()` rate limits and the `budget()` spend counters. A store keeps
 * numbers under opaque string keys the plugins build; the in-process stores (`memory/limits.ts`,
 * `memory/budget.ts`) and the Redis stores (`redis/limits.ts`, `redis/budget.ts`) implement them.
 * Stores import nothing of ours.
 * @module
 */

import type { MaybePromise } from './types.js';

// ---------------------------------------------------------------------------------------------------
// RateLimitStore
// ---------------------------------------------------------------------------------------------------

/**
 * One token bucket touched by a call: it holds at most `capacity` tokens and refills continuously at
 * `refillPerMs`; a missing bucket is full.
 */
export interface BucketChange {
  /** The bucket's key, unique per rule and subject (the store adds its own prefix). */
  key: string;
  /** The most tokens the bucket holds (the burst). Finite and > 0. */
  capacity: number;
  /** Tokens added per millisecond, e.g. `rpm / 60_000`. Finite and > 0. */
  refillPerMs: number;
  /**
   * For {@link RateLimitStore.take}: tokens to take (0 ≤ amount ≤ capacity). For
   * {@link RateLimitStore.adjust}: tokens to charge (> 0, the bucket may go below zero) or to give back
   * (< 0, never above `capacity`).
   */
  amount: number;
}

/** What {@link RateLimitStore.take} answers. */
export type TakeResult =
  | { ok: true }
  | {
      ok: false;
      /**
       * For each bucket, in the order given, how long until it holds enough tokens, in ms (0 for a
       * bucket that already does). Nothing was taken from any bucket.
       */
      waitMs: readonly number[];
    };

/**
 * Where `limits()` keeps its token buckets. Implementations refill and take atomically across every
 * bucket of one call: all buckets have enough and all are charged, or none is touched.
 * @example
 * const store: RateLimitStore = memoryRateLimitStore();
 * const result = await store.take([{ key: '0:rpm:user:alice', capacity: 60, refillPerMs: 0.001, amount: 1 }], performance.now());
 * if (!result.ok) console.log(`retry in ${Math.max(...result.waitMs)} ms`);
 */
export interface RateLimitStore {
  /**
   * Refills each bucket to now, then takes `amount` from every bucket if each has enough.
   * @param buckets The buckets of one call (distinct keys).
   * @param nowMs The caller's monotonic clock; shared stores use their own clock instead.
   * @returns Whether the tokens were taken, or how long each bucket needs.
   */
  take(buckets: readonly BucketChange[], nowMs: number): MaybePromise<TakeResult>;
  /**
   * Refills each bucket to now, then charges or refunds `amount` without checking (corrections after
   * a call: real token usage against the estimate, refunds of calls that never ran).
   * @param buckets The buckets to correct.
   * @param nowMs The caller's monotonic clock; shared stores use their own clock instead.
   */
  adjust(buckets: readonly BucketChange[], nowMs: number): MaybePromise<void>;
}

// ---------------------------------------------------------------------------------------------------
// BudgetStore
// ---------------------------------------------------------------------------------------------------

/** Spend kept under one budget key for one period. */
export interface SpendTotal {
  /** USD charged. */
  spentUsd: number;
  /** Calls charged whose cost was unknown (no price for the model, no usage). */
  unpricedCalls: number;
}

/** One charge of {@link BudgetStore.charge}. */
export interface SpendCharge {
  /** The budget-and-period key. */
  key: string;
  /** USD to add (≥ 0). */
  usd: number;
  /** Unpriced calls to add (0 or 1). */
  unpricedCalls: number;
  /** When the key may be forgotten: the period's end, in ms since the epoch. */
  expireAtMs: number;
}

/** A key's spend before and after one charge, so the caller can tell which thresholds it crossed. */
export interface SpendChange {
  /** USD spent before this charge. */
  previousUsd: number;
  /** USD spent after this charge. */
  currentUsd: number;
}

/**
 * Where `budget()` keeps spend. {@link charge} adds atomically and returns what was there before, so
 * with many processes exactly one of them sees a threshold being crossed.
 * @example
 * const store: BudgetStore = memoryBudgetStore();
 * const [change] = await store.charge([{ key: 'user:alice:d2025-01-31', usd: 0.02, unpricedCalls: 0, expireAtMs: Date.UTC(2025, 1, 1) }], Date.now());
 */
export interface BudgetStore {
  /**
   * Reads the spend of each key (zero for a missing or expired key).
   * @param keys Budget-and-period keys.
   * @param nowMs Wall clock, ms since the epoch; shared stores use their own expiry instead.
   * @returns One total per key, in order.
   */
  read(keys: readonly string[], nowMs: number): MaybePromise<readonly SpendTotal[]>;
  /**
   * Adds each charge atomically and sets its key to expire at `expireAtMs`.
   * @param charges Distinct keys.
   * @param nowMs Wall clock, ms since the epoch; shared stores use their own expiry instead.
   * @returns One change per charge, in order.
   */
  charge(charges: readonly SpendCharge[], nowMs: number): MaybePromise<readonly SpendChange[]>;
}
