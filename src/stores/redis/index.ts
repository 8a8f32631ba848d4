/**
 * `sluice/stores/redis`: stores shared by every process using the same Redis, through the user's
 * own ioredis or node-redis client (an optional peer dependency; Sluice never connects or quits it).
 * Node-only.
 * @module
 */
export { redisCacheStore, type RedisCacheStoreOptions } from './cache.js';
export { toCommander, RedisScript, type RedisClientLike, type RedisCommander } from './client.js';
export { redisRateLimitStore, type RedisRateLimitStoreOptions } from './limits.js';
export { redisBudgetStore, type RedisBudgetStoreOptions } from './budget.js';
