/**
 * An in-process {@link SemanticStore}: entries grouped by namespace and exact key, a search scanning
 * the group newest first (a dot product per entry), bounded by entry count and by size with the least
 * recently used entry evicted first, each entry expiring at its own TTL. Web-platform only.
 * @module
 */
import { IN_MEMORY_STORE } from './marker.js';
import type { SemanticAddOptions, SemanticEntry, SemanticMatch, SemanticQuery, SemanticStore } from '../semantic-types.js';

/** Options of {@link memorySemanticStore}. */
export interface MemorySemanticStoreOptions {
  /**
   * The most entries kept; the least recently used (added or served) is evicted beyond it. A search
   * scans every entry of one namespace and key, so this also bounds the cost of a lookup: about
   * `maxEntries × dimensions` multiply-adds (1,000 × 1,536 ≈ 1.5 M, around a millisecond).
   * @default 1000
   */
  maxEntries?: number;
  /**
   * The most memory kept across entries, counted as characters of text plus 4 bytes per vector
   * dimension; least recently used entries are evicted beyond it, and an entry larger than this on its
   * own is not stored.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * A monotonic clock in ms for TTLs; tests pass a fake one.
   * @default () => performance.now()
   */
  now?: () => number;
}

/** A memory semantic store, with counters for what it holds and what it dropped. */
export interface MemorySemanticStore extends SemanticStore {
  /** Entries held (expired entries not yet scanned may still count). */
  readonly size: number;
  /** Memory held, as counted for `maxBytes`. */
  readonly bytes: number;
  /** Entries evicted to stay within `maxEntries` or `maxBytes`, since creation. */
  readonly evictions: number;
  /** Answers synchronously: see {@link SemanticStore.search}. */
  search(query: SemanticQuery): SemanticMatch | null;
  /** Stores synchronously: see {@link SemanticStore.add}. */
  add(entry: SemanticEntry, options: SemanticAddOptions): boolean;
  /** Clears synchronously: see {@link SemanticStore.clear}. */
  clear(namespace: string): void;
  /** Removes every entry of every namespace. */
  clearAll(): void;
}

interface Item {
  readonly group: string;
  readonly vector: Float32Array;
  readonly value: string;
  readonly expiresAtMs: number;
  readonly size: number;
}

/** Above this similarity an entry is the same prompt: stop scanning. */
const IDENTICAL = 1 - 1e-6;

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`memorySemanticStore().${name}: expected an integer >= 1, received ${String(value)}`);
  return value;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

const groupOf = (namespace: string, key: string): string => `${namespace}\n${key}`;

class MemorySemantic implements MemorySemanticStore {
  /** Keeps everything in this process's memory (see `isInMemoryStore`). */
  readonly [IN_MEMORY_STORE] = true;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  /** Every entry, least recently used first (a Set keeps insertion order; touching re-inserts). */
  readonly #recency = new Set<Item>();
  /** Entries by namespace and key, oldest added first. */
  readonly #groups = new Map<string, Item[]>();
  #bytes = 0;
  #evictions = 0;

  constructor(options: MemorySemanticStoreOptions) {
    const now = options.now ?? (() => performance.now());
    if (typeof now !== 'function') throw new TypeError('memorySemanticStore().now: expected a function returning milliseconds');
    this.#now = now;
    this.#maxEntries = checkCount('maxEntries', options.maxEntries, 1000);
    this.#maxBytes = checkCount('maxBytes', options.maxBytes, 64 * 1024 * 1024);
  }

  get size(): number {
    return this.#recency.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get evictions(): number {
    return this.#evictions;
  }

  search(query: SemanticQuery): SemanticMatch | null {
    const items = this.#groups.get(groupOf(query.namespace, query.key));
    if (items === undefined) return null;
    const nowMs = this.#now();
    const { vector, minSimilarity } = query;
    let best: Item | null = null;
    let bestSimilarity = -Infinity;
    let expired: Item[] | null = null;
    // Newest first, and only a strictly better entry replaces the best: the newest wins a tie.
    for (let index = items.length - 1; index >= 0; index--) {
      const item = items[index]!;
      if (item.expiresAtMs <= nowMs) {
        (expired ??= []).push(item);
        continue;
      }
      if (item.vector.length !== vector.length) continue;
      const similarity = dot(item.vector, vector);
      if (similarity > bestSimilarity) {
        best = item;
        bestSimilarity = similarity;
        if (similarity >= IDENTICAL) break;
      }
    }
    if (expired !== null) for (const item of expired) this.#remove(item);
    if (best === null || bestSimilarity < minSimilarity) return null;
    this.#recency.delete(best);
    this.#recency.add(best);
    return { value: best.value, similarity: Math.min(1, bestSimilarity) };
  }

  add(entry: SemanticEntry, options: SemanticAddOptions): boolean {
    const group = groupOf(entry.namespace, entry.key);
    const size = group.length + entry.value.length + entry.vector.length * 4;
    if (size > this.#maxBytes) return false;
    // A copy: the caller's array must not change what is stored.
    const item: Item = { group, vector: Float32Array.from(entry.vector), value: entry.value, expiresAtMs: this.#now() + Math.max(1, options.ttlMs), size };
    let items = this.#groups.get(group);
    if (items === undefined) this.#groups.set(group, (items = []));
    items.push(item);
    this.#recency.add(item);
    this.#bytes += size;
    while (this.#recency.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#recency.values().next().value!;
      this.#remove(oldest);
      this.#evictions++;
    }
    return true;
  }

  clear(namespace: string): void {
    const prefix = `${namespace}\n`;
    for (const [group, items] of this.#groups) {
      if (!group.startsWith(prefix)) continue;
      for (const item of items.slice()) this.#remove(item);
    }
  }

  clearAll(): void {
    this.#recency.clear();
    this.#groups.clear();
    this.#bytes = 0;
  }

  #remove(item: Item): void {
    if (!this.#recency.delete(item)) return;
    this.#bytes -= item.size;
    const items = this.#groups.get(item.group)!;
    items.splice(items.indexOf(item), 1);
    if (items.length === 0) this.#groups.delete(item.group);
  }
}

/**
 * Creates an in-process semantic store for one process, bounded by `maxEntries` entries and
 * `maxBytes` of memory (least recently used entries go first), each entry expiring at its own TTL.
 * @param options Bounds and clock.
 * @param options.maxEntries The most entries kept. @default 1000
 * @param options.maxBytes The most memory kept. @default 67108864
 * @param options.now A monotonic clock in ms. @default () => performance.now()
 * @returns The store; pass it to `semanticCache({ store })`.
 * @throws {RangeError} when a bound is not an integer >= 1.
 * @example
 * import { semanticCache } from 'sluice/plugins';
 * import { memorySemanticStore } from 'sluice/stores';
 *
 * semanticCache({ embed, store: memorySemanticStore({ maxEntries: 5000 }) });
 */
export function memorySemanticStore(options: MemorySemanticStoreOptions = {}): MemorySemanticStore {
  return new MemorySemantic(options);
}
