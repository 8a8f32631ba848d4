/**
 * `sluice/stores`: the store interfaces plugins use, and their in-memory implementations (one
 * process, no setup). Shared stores for many processes live in `sluice/stores/redis`.
 * @module
 */
export { memoryCacheStore, type MemoryCacheStore, type MemoryCacheStoreOptions } from './memory/cache.js';
export type { CacheStore, CacheAddOptions, MaybePromise } from './types.js';
export { memoryRateLimitStore, type MemoryRateLimitStore, type MemoryRateLimitStoreOptions } from './memory/limits.js';
export { memoryBudgetStore, type MemoryBudgetStore, type MemoryBudgetStoreOptions } from './memory/budget.js';
export type { RateLimitStore, BucketChange, TakeResult, BudgetStore, SpendCharge, SpendChange, SpendTotal } from './limits-types.js';
export { memorySemanticStore, type MemorySemanticStore, type MemorySemanticStoreOptions } from './memory/semantic.js';
export type { SemanticStore, SemanticEntry, SemanticQuery, SemanticMatch, SemanticAddOptions } from './semantic-types.js';
