/**
 * `sluice/plugins`: every plugin factory. Each returns one middleware to put in
 * `createSluice({ use: [...] })`, outermost first. The recommended order is `pii()` (so nothing
 * after it, records included, sees the values), `guard()`, `limits()` and `budget()`, then
 * `cache()`; Sluice's router and dispatch always come last. Side-effect free and web-platform only.
 * @module
 */
/** Renders an error answer in an SDK's dialect, for middleware that answers on its own (throwing a `SluiceError` does the same). */
export { errorResponse, type ErrorResponseInit } from '../core/respond.js';
export { cache, type CacheOptions, type CacheableOperation, type Duration } from './cache/index.js';
export { pii } from './pii/index.js';
export type { PiiBuiltinRule, PiiMode, PiiOptions, PiiPattern, PiiRuleName, PiiWordList } from './pii/index.js';
export { guard } from './guard/index.js';
export type { GuardBuiltinRule, GuardCheck, GuardCheckInput, GuardDecision, GuardKeywords, GuardMode, GuardOptions, GuardPattern, GuardRole } from './guard/index.js';
export { limits } from './limits/index.js';
export type { LimitsOptions, RateRule, ConcurrencyOptions, CapOption, LimitScope } from './limits/index.js';
export { budget } from './budget/index.js';
export type { BudgetOptions, BudgetRule, BudgetScope, BudgetPeriod, BudgetState, BudgetMiddleware } from './budget/index.js';
export { semanticCache } from './semantic-cache/index.js';
export type { EmbedFunction, EmbedThroughFetch, SemanticCacheOptions, SemanticOperation } from './semantic-cache/index.js';
