/**
 * Store interfaces shared by the plugins and the store implementations (memory, Redis). Stores import
 * nothing of ours: they keep strings under string keys, and the plugins decide what the strings mean.
 * Counter and budget store interfaces live in `limits-types.ts`.
 * @module
 */

/** A value, or a promise of it: in-process stores answer synchronously, so callers can skip a timer. */
export type MaybePromise<T> = T | Promise<T>;

// ---------------------------------------------------------------------------------------------------
// CacheStore
// ---------------------------------------------------------------------------------------------------

/** How {@link CacheStore.add} stores an answer. */
export interface CacheAddOptions {
  /** How long the key lives, in ms, counted from the answer that creates it; later answers do not extend it. */
  ttlMs: number;
  /** The most answers the key may hold; an answer beyond it is not stored. */
  maxAnswers: number;
  /** Drop the key's answers first, so this answer starts a new key with a fresh TTL. @default false */
  replace?: boolean;
}

/**
 * Where the cache plugin keeps answers: an exact-key store of small lists ("buckets") of strings, each
 * key expiring as a whole. Implementations must make {@link add} atomic (check the count, append, set
 * the TTL), so concurrent writers never grow a key past `maxAnswers`. Keys are opaque and at most a few
 * hundred characters; values are up to the plugin's `maxEntryBytes`. A semantic (similarity) cache needs
 * a different interface and is not modelled by this one.
 * @example
 * const store: CacheStore = memoryCacheStore({ maxEntries: 500 });
 * await store.add('default:0f3a…', '{"kind":"json"…}', { ttlMs: 600_000, maxAnswers: 1 });
 * await store.get('default:0f3a…'); // ['{"kind":"json"…}']
 */
export interface CacheStore {
  /**
   * Reads every answer kept under a key, oldest first.
   * @param key The key.
   * @returns The answers; an empty list when the key is absent or expired.
   */
  get(key: string): MaybePromise<readonly string[]>;
  /**
   * Appends an answer to a key unless it already holds `maxAnswers` (or the value is too big to keep).
   * @param key The key.
   * @param value The answer.
   * @param options TTL, bucket size and whether to replace what is there.
   * @returns Whether the answer was stored.
   */
  add(key: string, value: string, options: CacheAddOptions): MaybePromise<boolean>;
  /**
   * Removes a key and all its answers.
   * @param key The key.
   */
  delete(key: string): MaybePromise<void>;
}
