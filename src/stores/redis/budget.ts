/**
 * A {@link BudgetStore} in Redis, shared by every process that uses the same prefix: each
 * budget-and-period key is a hash `{usd, unpriced}` that expires at its period's end (`PEXPIREAT`).
 * A Lua script charges with `HINCRBYFLOAT` and returns the value before and after, so exactly one
 * process sees a threshold being crossed. Node-only (through `RedisScript`).
 * @module
 */
import type { BudgetStore, SpendChange, SpendCharge, SpendTotal } from '../limits-types.js';
import { RedisScript, toCommander, type RedisClientLike } from './client.js';

/** Options of {@link redisBudgetStore}. */
export interface RedisBudgetStoreOptions {
  /**
   * Prepended to every key. In Redis Cluster, put a hash tag in it (`'{sluice}:budget:'`) so that the
   * keys of one call live in one slot, as a multi-key script requires.
   * @default 'sluice:budget:'
   */
  prefix?: string;
  /**
   * Kept past a period's end before the key expires, in ms: a process whose clock lags Redis's can
   * still charge the period it believes current without the key vanishing under it.
   * @default 3600000 (1 hour)
   */
  graceMs?: number;
}

// KEYS: budget keys. Returns {usd1, unpriced1, usd2, unpriced2, ...} as strings.
const READ = new RedisScript(`
local reply = {}
for i = 1, #KEYS do
  local stored = redis.call('HMGET', KEYS[i], 'usd', 'unpriced')
  reply[i * 2 - 1] = stored[1] or '0'
  reply[i * 2] = stored[2] or '0'
end
return reply
`);

// KEYS: budget keys; ARGV: usd, unpriced calls, expire-at ms (three per key).
// Returns {previous1, current1, previous2, current2, ...} as strings.
const CHARGE = new RedisScript(`
local reply = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local previous = redis.call('HGET', key, 'usd') or '0'
  local current = redis.call('HINCRBYFLOAT', key, 'usd', ARGV[i * 3 - 2])
  local unpriced = tonumber(ARGV[i * 3 - 1])
  if unpriced > 0 then redis.call('HINCRBY', key, 'unpriced', unpriced) end
  redis.call('PEXPIREAT', key, ARGV[i * 3])
  reply[i * 2 - 1] = previous
  reply[i * 2] = current
end
return reply
`);

function numberAt(reply: unknown[], index: number): number {
  const value = Number(reply[index]);
  return Number.isFinite(value) ? value : 0;
}

function asArray(reply: unknown, length: number, what: string): unknown[] {
  if (!Array.isArray(reply) || reply.length !== length) throw new Error(`unexpected reply from the budget ${what} script`);
  return reply;
}

/**
 * Creates a budget store in Redis, shared across processes. The client stays yours: Sluice never
 * connects or quits it. Give it a short command timeout or `enableOfflineQueue: false` (ioredis), so a
 * charge issued during an outage is not replayed late; `budget()` bounds each call with `storeTimeoutMs`.
 * @param client An ioredis or node-redis client.
 * @param options Key prefix and expiry grace.
 * @returns The store.
 * @example
 * import Redis from 'ioredis';
 * import { redisBudgetStore } from 'sluice/stores/redis';
 * const store = redisBudgetStore(new Redis({ enableOfflineQueue: false }), { prefix: 'myapp:budget:' });
 * createSluice({ use: [budget({ store, budgets: [{ scope: 'user', limitUsd: 5, period: 'day' }] })] });
 */
export function redisBudgetStore(client: RedisClientLike, options: RedisBudgetStoreOptions = {}): BudgetStore {
  const redis = toCommander(client);
  const prefix = options.prefix ?? 'sluice:budget:';
  const graceMs = options.graceMs ?? 3_600_000;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new RangeError(`redisBudgetStore().graceMs: expected a number >= 0, received ${String(graceMs)}`);
  return {
    async read(keys: readonly string[]): Promise<SpendTotal[]> {
      if (keys.length === 0) return [];
      const reply = asArray(await READ.run(redis, keys.map((key) => prefix + key), []), keys.length * 2, 'read');
      return keys.map((_key, index) => ({ spentUsd: numberAt(reply, index * 2), unpricedCalls: numberAt(reply, index * 2 + 1) }));
    },
    async charge(charges: readonly SpendCharge[]): Promise<SpendChange[]> {
      if (charges.length === 0) return [];
      const args: string[] = [];
      for (const charge of charges) {
        args.push(String(charge.usd), String(charge.unpricedCalls), String(Math.ceil(charge.expireAtMs + graceMs)));
      }
      const reply = asArray(await CHARGE.run(redis, charges.map((charge) => prefix + charge.key), args), charges.length * 2, 'charge');
      return charges.map((_charge, index) => ({ previousUsd: numberAt(reply, index * 2), currentUsd: numberAt(reply, index * 2 + 1) }));
    },
  };
}
