/**
 * A {@link CacheStore} in Redis, shared by every process that points at the same server and prefix.
 * Each key is a Redis list of answers (a bucket) with one expiry; appending runs as one Lua script, so
 * concurrent writers never grow a bucket past its size. Node-only (through `client.ts`).
 * @module
 */
import type { CacheAddOptions, CacheStore } from '../types.js';
import { RedisScript, toCommander, type RedisClientLike, type RedisCommander } from './client.js';

/** Options of {@link redisCacheStore}. */
export interface RedisCacheStoreOptions {
  /**
   * Prepended to every key, to share one Redis between applications or environments.
   * @default 'sluice:cache:'
   */
  prefix?: string;
}

// KEYS[1] the bucket; ARGV: value, maxAnswers, ttlMs, replace ('1' or '0'). Returns 1 when stored.
const ADD = /*@__PURE__*/ new RedisScript(`
if ARGV[4] == '1' then redis.call('DEL', KEYS[1]) end
local count = redis.call('LLEN', KEYS[1])
if count >= tonumber(ARGV[2]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
if count == 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`);

const decoder = /*@__PURE__*/ new TextDecoder();

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  // A client configured to return buffers.
  if (value instanceof Uint8Array) return decoder.decode(value);
  return String(value);
}

class RedisCacheStore implements CacheStore {
  readonly #redis: RedisCommander;
  readonly #prefix: string;

  constructor(redis: RedisCommander, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async get(key: string): Promise<readonly string[]> {
    const reply = await this.#redis.command(['LRANGE', this.#prefix + key, '0', '-1']);
    return Array.isArray(reply) ? reply.map(asText) : [];
  }

  async add(key: string, value: string, options: CacheAddOptions): Promise<boolean> {
    const ttlMs = String(Math.max(1, Math.ceil(options.ttlMs)));
    const reply = await ADD.run(this.#redis, [this.#prefix + key], [value, String(options.maxAnswers), ttlMs, options.replace === true ? '1' : '0']);
    return Number(reply) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#redis.command(['DEL', this.#prefix + key]);
  }
}

/**
 * Creates a cache store in Redis. The client stays yours: Sluice never connects, quits or reconfigures
 * it. Configure it to fail fast when Redis is down (ioredis: `enableOfflineQueue: false`,
 * `maxRetriesPerRequest: 0`), although the cache plugin also bounds every command by its `storeTimeoutMs`.
 * @param client An ioredis or node-redis client, or anything with `command(args)`.
 * @param options The key prefix.
 * @returns The store; pass it to `cache({ store })`.
 * @throws {TypeError} when `client` is not a Redis client.
 * @example
 * import Redis from 'ioredis';
 * import { cache } from 'sluice/plugins';
 * import { redisCacheStore } from 'sluice/stores/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
 * const sluice = createSluice({ use: [cache({ ttl: '1h', store: redisCacheStore(redis, { prefix: 'myapp:cache:' }) })] });
 */
export function redisCacheStore(client: RedisClientLike, options: RedisCacheStoreOptions = {}): CacheStore {
  const prefix = options.prefix ?? 'sluice:cache:';
  if (typeof prefix !== 'string') throw new TypeError('redisCacheStore().prefix: expected a string');
  return new RedisCacheStore(toCommander(client), prefix);
}
