/**
 * `sluice/stores`: the store interfaces plugins use, and their in-memory implementations (one
 * process, no setup). Shared stores for many processes live in `sluice/stores/redis`.
 * @module
 */
export { memoryCacheStore, type MemoryCacheStore, type MemoryCacheStoreOptions } from './memory/cache.js';
export type { CacheStore, CacheAddOptions, MaybePromise } from './types.js';
