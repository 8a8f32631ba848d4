/**
 * One small seam over the two Redis clients people run (ioredis and node-redis): every store speaks
 * to Redis through {@link RedisCommander.command}, and Lua scripts through {@link RedisScript}, so the
 * stores neither import nor care which client the user passed. Node-only (SHA-1 from `node:crypto`).
 * @module
 */
import { createHash } from 'node:crypto';

/** The one thing the stores need from a Redis client: send a command, get its reply. */
export interface RedisCommander {
  /**
   * Sends a command.
   * @param args The command name and its arguments, e.g. `['GET', 'key']`.
   * @returns The reply as the client decodes it (strings, numbers, arrays, `null`).
   */
  command(args: readonly string[]): Promise<unknown>;
}

/** An ioredis client (or cluster): `call(name, ...args)`. */
interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A node-redis v4/v5 client: `sendCommand([name, ...args])`. */
interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/** A client Sluice accepts: an ioredis or node-redis client, or anything with `command(args)`. */
export type RedisClientLike = IoRedisLike | NodeRedisLike | RedisCommander;

/**
 * Wraps an ioredis or node-redis client. The client stays the user's: Sluice never connects,
 * quits or reconfigures it.
 * @param client An ioredis `Redis`/`Cluster`, a node-redis client, or a {@link RedisCommander}.
 * @returns A commander over it.
 * @throws {TypeError} when `client` is none of these.
 * @example
 * import Redis from 'ioredis';
 * const commander = toCommander(new Redis('redis://127.0.0.1:6379'));
 * await commander.command(['PING']); // 'PONG'
 */
export function toCommander(client: RedisClientLike): RedisCommander {
  const candidate = client as Partial<IoRedisLike & NodeRedisLike & RedisCommander>;
  if (typeof candidate.command === 'function' && candidate.command.length === 1) return client as RedisCommander;
  if (typeof candidate.call === 'function') {
    const io = client as IoRedisLike;
    return { command: (args) => io.call(args[0]!, ...args.slice(1)) };
  }
  if (typeof candidate.sendCommand === 'function') {
    const node = client as NodeRedisLike;
    return { command: (args) => node.sendCommand([...args]) };
  }
  throw new TypeError('expected an ioredis or node-redis client (with call() or sendCommand())');
}

/** A Lua script run with EVALSHA, loaded with EVAL the first time a server does not know it. */
export class RedisScript {
  /** The script's SHA-1, as Redis names it. */
  readonly sha: string;
  readonly #source: string;

  /**
   * @param source The Lua source. Keys are passed as `KEYS`, arguments as `ARGV`.
   */
  constructor(source: string) {
    this.#source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Runs the script atomically.
   * @param redis Where to run it.
   * @param keys The keys it touches (Redis Cluster routes on them).
   * @param args Its arguments.
   * @returns The script's reply.
   */
  async run(redis: RedisCommander, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await redis.command(['EVALSHA', this.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return redis.command(['EVAL', this.#source, ...tail]);
    }
  }
}
