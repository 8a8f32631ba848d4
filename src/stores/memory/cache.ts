/**
 * An in-process {@link CacheStore} over lru-cache: bounded by entry count and by size, each key with
 * its own TTL. Web-platform only, so it runs wherever the plugins run.
 * @module
 */
import { IN_MEMORY_STORE } from './marker.js';
import { LRUCache } from 'lru-cache';
import type { CacheAddOptions, CacheStore } from '../types.js';

/** Options of {@link memoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /**
   * The most keys kept; the least recently used key is evicted beyond it.
   * @default 1000
   */
  maxEntries?: number;
  /**
   * The most text kept across all keys, counted in characters (one byte each for ASCII text); the least
   * recently used keys are evicted beyond it, and a key larger than this on its own is not stored.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * A monotonic clock in ms for TTLs; tests pass a fake one.
   * @default () => performance.now()
   */
  now?: () => number;
}

/** A memory cache store, with counters for what it holds and what it dropped. */
export interface MemoryCacheStore extends CacheStore {
  /** Keys held (expired keys not yet read may still count). */
  readonly size: number;
  /** Characters held across all keys. */
  readonly bytes: number;
  /** Keys evicted to stay within `maxEntries` or `maxBytes`, since creation. */
  readonly evictions: number;
  /**
   * How long a key has left to live, in ms.
   * @param key The key.
   * @returns The remaining TTL, or `null` when the key is absent or expired.
   */
  remainingTtlMs(key: string): number | null;
  /** Removes every key. */
  clear(): void;
}

const NONE: readonly string[] = Object.freeze([]);

function sizeOf(answers: readonly string[], key: string): number {
  let size = key.length;
  for (const answer of answers) size += answer.length;
  // lru-cache refuses a size of 0.
  return Math.max(1, size);
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`memoryCacheStore().${name}: expected an integer >= 1, received ${String(value)}`);
  return value;
}

class LruCacheStore implements MemoryCacheStore {
  /** Keeps everything in this process's memory (see `isInMemoryStore`). */
  readonly [IN_MEMORY_STORE] = true;
  readonly #lru: LRUCache<string, readonly string[]>;
  readonly #maxBytes: number;
  #evictions = 0;

  constructor(options: MemoryCacheStoreOptions) {
    const now = options.now ?? (() => performance.now());
    if (typeof now !== 'function') throw new TypeError('memoryCacheStore().now: expected a function returning milliseconds');
    this.#maxBytes = checkCount('maxBytes', options.maxBytes, 64 * 1024 * 1024);
    this.#lru = new LRUCache<string, readonly string[]>({
      max: checkCount('maxEntries', options.maxEntries, 1000),
      maxSize: this.#maxBytes,
      sizeCalculation: sizeOf,
      // Read the clock on every check: the default caches it for 1 ms behind a timer, which would keep
      // a timer alive and hide fake clocks in tests.
      ttlResolution: 0,
      // lru-cache reads a start time of 0 as "no TTL": keep a clock that starts at 0 (tests) above it.
      perf: { now: () => now() + 1 },
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.#evictions++;
      },
    });
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  get evictions(): number {
    return this.#evictions;
  }

  get(key: string): readonly string[] {
    return this.#lru.get(key) ?? NONE;
  }

  add(key: string, value: string, options: CacheAddOptions): boolean {
    const current = options.replace === true ? undefined : this.#lru.get(key);
    if (current !== undefined && current.length >= options.maxAnswers) return false;
    // A new list (sizes are computed on set).
    const next = current === undefined ? [value] : [...current, value];
    // lru-cache would delete the key rather than store a value larger than the whole cache: refuse
    // it first, so the answers already there stay.
    if (sizeOf(next, key) > this.#maxBytes) return false;
    // A key keeps the TTL its first answer gave it.
    this.#lru.set(key, next, current === undefined ? { ttl: Math.max(1, Math.ceil(options.ttlMs)) } : { noUpdateTTL: true });
    return true;
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  remainingTtlMs(key: string): number | null {
    if (!this.#lru.has(key)) return null;
    const remaining = this.#lru.getRemainingTTL(key);
    return Number.isFinite(remaining) ? remaining : null;
  }

  clear(): void {
    this.#lru.clear();
  }
}

/**
 * Creates an in-process cache store, bounded by `maxEntries` keys and `maxBytes` characters (least
 * recently used keys go first), each key expiring at its own TTL.
 * @param options Bounds and clock.
 * @returns The store; pass it to `cache({ store })`.
 * @throws {RangeError} when a bound is not an integer >= 1.
 * @example
 * import { cache } from 'sluice/plugins';
 * import { memoryCacheStore } from 'sluice/stores';
 *
 * const sluice = createSluice({ use: [cache({ store: memoryCacheStore({ maxEntries: 5000, maxBytes: 256 * 1024 * 1024 }) })] });
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions = {}): MemoryCacheStore {
  return new LruCacheStore(options);
}
