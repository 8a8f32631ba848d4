/**
 * A {@link RateLimitStore} in Redis, shared by every process that uses the same prefix: one Lua script
 * per check refills and takes across all buckets of a call atomically, reading the clock with Redis
 * `TIME` so processes with skewed clocks agree. Each bucket is a hash `{t: tokens, ts: ms}` that expires
 * once it would be full again. Node-only (through `RedisScript`).
 * @module
 */
import type { BucketChange, RateLimitStore, TakeResult } from '../limits-types.js';
import { RedisScript, toCommander, type RedisClientLike } from './client.js';

/** Options of {@link redisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * Prepended to every key. In Redis Cluster, put a hash tag in it (`'{sluice}:rl:'`) so that the
   * buckets of one call live in one slot, as a multi-key script requires.
   * @default 'sluice:rl:'
   */
  prefix?: string;
}

// Shared by both scripts: the server clock in ms (with µs), and a bucket refilled to it. A clock that
// went backwards refills nothing. `tostring` keeps fractions: Redis truncates Lua numbers in replies.
const PRELUDE = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local function level(key, capacity, rate)
  local stored = redis.call('HMGET', key, 't', 'ts')
  local tokens = tonumber(stored[1])
  local updated = tonumber(stored[2])
  if tokens == nil or updated == nil then return capacity end
  if now > updated then tokens = tokens + (now - updated) * rate end
  return math.min(capacity, tokens)
end
local function save(key, capacity, rate, tokens)
  redis.call('HSET', key, 't', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate) + 1000)
end
`;

// KEYS: buckets; ARGV: capacity, refill per ms, amount (three per bucket). Returns {1} when taken, or
// {0, wait1, wait2, ...} (ms, as strings) with nothing written.
const TAKE = new RedisScript(`${PRELUDE}
local levels = {}
local ok = true
for i = 1, #KEYS do
  local capacity, rate, amount = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  levels[i] = level(KEYS[i], capacity, rate)
  if levels[i] < amount then ok = false end
end
if not ok then
  local reply = {0}
  for i = 1, #KEYS do
    local rate, amount = tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
    reply[i + 1] = tostring(math.max(0, (amount - levels[i]) / rate))
  end
  return reply
end
for i = 1, #KEYS do
  local capacity, rate, amount = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  save(KEYS[i], capacity, rate, levels[i] - amount)
end
return {1}
`);

// KEYS: buckets; ARGV as for TAKE, amount > 0 charges (may go below zero), < 0 refunds (up to capacity).
const ADJUST = new RedisScript(`${PRELUDE}
for i = 1, #KEYS do
  local capacity, rate, amount = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  save(KEYS[i], capacity, rate, math.min(capacity, level(KEYS[i], capacity, rate) - amount))
end
return 1
`);

/** Lua reads numbers with `tonumber`; `String()` of a JS number round-trips exactly. */
function scriptArgs(changes: readonly BucketChange[]): string[] {
  const args: string[] = [];
  for (const change of changes) args.push(String(change.capacity), String(change.refillPerMs), String(change.amount));
  return args;
}

function parseTake(reply: unknown, count: number): TakeResult {
  if (!Array.isArray(reply) || reply.length === 0) throw new Error('unexpected reply from the rate-limit script');
  if (Number(reply[0]) === 1) return { ok: true };
  const waitMs: number[] = [];
  for (let index = 1; index <= count; index++) {
    const wait = Number(reply[index]);
    waitMs.push(Number.isFinite(wait) ? wait : 0);
  }
  return { ok: false, waitMs };
}

/**
 * Creates a rate-limit store in Redis, shared across processes. The client stays yours: Sluice never
 * connects or quits it. Give it a short command timeout or `enableOfflineQueue: false` (ioredis), so a
 * command issued during an outage is not replayed late; `limits()` bounds each call with `storeTimeoutMs`.
 * @param client An ioredis or node-redis client.
 * @param options The key prefix.
 * @returns The store.
 * @example
 * import Redis from 'ioredis';
 * import { redisRateLimitStore } from 'sluice/stores/redis';
 * const store = redisRateLimitStore(new Redis({ enableOfflineQueue: false }), { prefix: 'myapp:rl:' });
 * createSluice({ use: [limits({ store, rate: [{ scope: 'global', rpm: 500 }] })] });
 */
export function redisRateLimitStore(client: RedisClientLike, options: RedisRateLimitStoreOptions = {}): RateLimitStore {
  const redis = toCommander(client);
  const prefix = options.prefix ?? 'sluice:rl:';
  const keys = (changes: readonly BucketChange[]): string[] => changes.map((change) => prefix + change.key);
  return {
    async take(changes: readonly BucketChange[]): Promise<TakeResult> {
      if (changes.length === 0) return { ok: true };
      return parseTake(await TAKE.run(redis, keys(changes), scriptArgs(changes)), changes.length);
    },
    async adjust(changes: readonly BucketChange[]): Promise<void> {
      if (changes.length === 0) return;
      await ADJUST.run(redis, keys(changes), scriptArgs(changes));
    },
  };
}
