/**
 * An in-process {@link RateLimitStore}: token buckets in an LRU map, refilled lazily from the caller's
 * clock. Web-platform only, so it runs wherever the plugins run. `limits()` uses one by default, and
 * one as its fallback when a shared store fails open.
 * @module
 */
import { LRUCache } from 'lru-cache';
import type { BucketChange, RateLimitStore, TakeResult } from '../limits-types.js';

/** Options of {@link memoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * The most buckets kept (one per rule and subject: user, tag, model...). Beyond it the least recently
   * used bucket is forgotten, which refills it: the overflow policy errs on letting calls through.
   * @default 10000
   */
  maxBuckets?: number;
}

/** A memory rate-limit store, with counters for what it holds and what it forgot. */
export interface MemoryRateLimitStore extends RateLimitStore {
  /** Refills and takes synchronously (see {@link RateLimitStore.take}). */
  take(buckets: readonly BucketChange[], nowMs: number): TakeResult;
  /** Refills and corrects synchronously (see {@link RateLimitStore.adjust}). */
  adjust(buckets: readonly BucketChange[], nowMs: number): void;
  /** Buckets held. */
  readonly size: number;
  /** Buckets forgotten to stay within `maxBuckets`, since creation. */
  readonly evictions: number;
  /**
   * The tokens a bucket holds now (a missing bucket is full).
   * @param bucket The bucket's key, capacity and refill rate (`amount` is ignored).
   * @param nowMs The clock the store is driven by.
   */
  tokens(bucket: BucketChange, nowMs: number): number;
  /** Forgets every bucket. */
  clear(): void;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Tokens in a bucket at `nowMs`; a clock that went backwards refills nothing. */
function refilled(bucket: Bucket | undefined, change: BucketChange, nowMs: number): number {
  if (bucket === undefined) return change.capacity;
  const elapsed = nowMs - bucket.updatedMs;
  const tokens = elapsed > 0 ? bucket.tokens + elapsed * change.refillPerMs : bucket.tokens;
  return Math.min(change.capacity, tokens);
}

/**
 * Creates an in-process token-bucket store.
 * @param options Its bound.
 * @returns The store.
 * @throws {RangeError} when `maxBuckets` is not an integer ≥ 1.
 * @example
 * import { limits, memoryRateLimitStore } from 'sluice/plugins';
 * const store = memoryRateLimitStore({ maxBuckets: 50_000 });
 * createSluice({ use: [limits({ store, rate: [{ scope: 'user', rpm: 60 }] })] });
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): MemoryRateLimitStore {
  const maxBuckets = options.maxBuckets ?? 10_000;
  if (!Number.isSafeInteger(maxBuckets) || maxBuckets < 1) {
    throw new RangeError(`memoryRateLimitStore().maxBuckets: expected an integer >= 1, received ${String(options.maxBuckets)}`);
  }
  let evictions = 0;
  const buckets = new LRUCache<string, Bucket>({
    max: maxBuckets,
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') evictions++;
    },
  });

  return {
    get size() {
      return buckets.size;
    },
    get evictions() {
      return evictions;
    },
    take(changes: readonly BucketChange[], nowMs: number): TakeResult {
      let ok = true;
      const levels = changes.map((change) => {
        const tokens = refilled(buckets.get(change.key), change, nowMs);
        if (tokens < change.amount) ok = false;
        return tokens;
      });
      if (!ok) {
        return { ok: false, waitMs: changes.map((change, index) => Math.max(0, (change.amount - levels[index]!) / change.refillPerMs)) };
      }
      changes.forEach((change, index) => buckets.set(change.key, { tokens: levels[index]! - change.amount, updatedMs: nowMs }));
      return { ok: true };
    },
    adjust(changes: readonly BucketChange[], nowMs: number): void {
      for (const change of changes) {
        const tokens = Math.min(change.capacity, refilled(buckets.get(change.key), change, nowMs) - change.amount);
        buckets.set(change.key, { tokens, updatedMs: nowMs });
      }
    },
    tokens(change: BucketChange, nowMs: number): number {
      return refilled(buckets.get(change.key), change, nowMs);
    },
    clear(): void {
      buckets.clear();
    },
  };
}
