/**
 * `sluice/plugins`: every plugin factory. Each returns one middleware to put in
 * `createSluice({ use: [...] })`, outermost first; the recommended order is guard, limits and
 * budgets, then the cache (Sluice's router and dispatch always come last). Side-effect free and
 * web-platform only.
 * @module
 */
export { cache, type CacheOptions, type CacheableOperation, type Duration } from './cache/index.js';
