/**
 * The cache plugin's options: their types, defaults and one validation at the factory (zod/mini,
 * built on first use), with issues rooted at `cache()`. Also the duration syntax shared by the `ttl`
 * option and the `x-sluice-cache-ttl` header.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError } from '../../core/errors.js';
import { readableIssues, schemaKeys } from '../../config/issues.js';
import type { CacheStore } from '../../stores/types.js';
import { memoryCacheStore } from '../../stores/memory/cache.js';
import { hashText, type TextHash } from './key.js';

/** The operations the cache may answer. `models` and `count_tokens` are never cached. */
export type CacheableOperation = 'chat' | 'responses' | 'embeddings';

/** A duration: milliseconds, or a string such as `"500ms"`, `"30s"`, `"10m"`, `"2h"`, `"1d"`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}` | (string & {});

/** Options of `cache()`. */
export interface CacheOptions {
  /**
   * Where answers are kept: a memory store for one process, `redisCacheStore(client)` to share them.
   * @default memoryCacheStore() (1,000 keys, 64 MiB, private to this plugin instance)
   */
  store?: CacheStore;
  /**
   * How long an answer is kept; the `x-sluice-cache-ttl` header overrides it per call.
   * @default '1h'
   */
  ttl?: Duration;
  /**
   * The namespace keys live in; the `x-sluice-cache-namespace` header overrides it per call. Change it
   * to start from an empty cache (after changing a prompt template or a model alias, for instance).
   * @default 'default'
   */
  namespace?: string;
  /**
   * How many different answers to keep per key. While fewer are stored, calls go upstream and add
   * theirs; once full, one is served at random (variety for sampled answers).
   * @default 1
   */
  bucketSize?: number;
  /**
   * The largest answer stored, in characters (bytes for ASCII); bigger answers are served but not kept.
   * @default 1048576 (1 MiB)
   */
  maxEntryBytes?: number;
  /**
   * How long one store operation may take before the call goes on without the cache, in ms.
   * @default 50
   */
  storeTimeoutMs?: number;
  /**
   * The operations to cache.
   * @default ['chat', 'responses', 'embeddings']
   */
  operations?: readonly CacheableOperation[];
  /**
   * A random source in [0, 1), to pick an answer from a full bucket; tests pass a fixed one.
   * @default Math.random
   */
  random?: () => number;
  /**
   * Hashes a request's canonical text into the key and a check value stored with the answer. The
   * default is a fast non-cryptographic 64-bit hash plus an independent 32-bit check; pass your own
   * for a stronger hash (it runs synchronously on every call).
   * @default hashText
   */
  hash?: (text: string) => TextHash;
  /**
   * `'memory'` allows this cache under zero data retention (`retention: 'none'`), which otherwise
   * refuses it: answers then stay in this process's memory for their TTL. Only with a memory store.
   */
  zeroRetention?: 'memory';
}

/** The options with every default filled in. */
export interface ResolvedCacheOptions {
  store: CacheStore;
  ttlMs: number;
  namespace: string;
  bucketSize: number;
  maxEntryBytes: number;
  storeTimeoutMs: number;
  operations: ReadonlySet<string>;
  random: () => number;
  hash: (text: string) => TextHash;
  /** Whether the cache is allowed under zero retention, in memory. */
  zeroRetentionMemory: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;
/** The longest namespace accepted, so keys stay short. */
export const MAX_NAMESPACE_LENGTH = 128;

/**
 * Parses a duration.
 * @param value Milliseconds (a finite number > 0) or a string like `"30s"`, `"10m"`, `"2h"`, `"1d"`, `"500ms"`.
 * @returns Milliseconds, or `null` when `value` is not a positive duration.
 * @example
 * parseDuration('10m'); // 600000
 * parseDuration(1500); // 1500
 * parseDuration('10'); // null: a string needs a unit
 */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = DURATION.exec(value);
  if (match === null) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms > 0 && Number.isFinite(ms) ? ms : null;
}

/**
 * Tells whether a namespace is usable: 1 to {@link MAX_NAMESPACE_LENGTH} visible ASCII characters.
 * @param value Anything.
 */
export function isNamespace(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAMESPACE_LENGTH && /^[\x21-\x7e]+$/.test(value);
}

const OPERATIONS: readonly CacheableOperation[] = ['chat', 'responses', 'embeddings'];

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isCount = (min: number) => (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
const check = <T>(predicate: (value: unknown) => boolean, error: string) => z.optional(z.custom<T>(predicate, { error }));

let schema: z.ZodMiniType | undefined;

function optionsSchema(): z.ZodMiniType {
  return z.strictObject({
    store: check<CacheStore>(
      (value) => typeof value === 'object' && value !== null && ['get', 'add', 'delete'].every((name) => isFunction((value as Record<string, unknown>)[name])),
      'expected a CacheStore (an object with get(), add() and delete()), e.g. memoryCacheStore() or redisCacheStore(client)',
    ),
    ttl: check<Duration>((value) => parseDuration(value) !== null, 'expected a duration like "10m" (ms, s, m, h, d) or a number of milliseconds > 0'),
    namespace: check<string>(isNamespace, `expected 1 to ${MAX_NAMESPACE_LENGTH} visible ASCII characters (no spaces)`),
    bucketSize: check<number>((value) => isCount(1)(value) && (value as number) <= 1000, 'expected an integer from 1 to 1000'),
    maxEntryBytes: check<number>(isCount(1), 'expected an integer >= 1'),
    storeTimeoutMs: check<number>((value) => typeof value === 'number' && Number.isFinite(value) && value > 0, 'expected a number of milliseconds > 0'),
    operations: check<CacheableOperation[]>(
      (value) => Array.isArray(value) && value.every((item) => (OPERATIONS as readonly unknown[]).includes(item)),
      `expected a list of ${OPERATIONS.map((name) => `"${name}"`).join(', ')}`,
    ),
    random: check<() => number>(isFunction, 'expected a function returning a number in [0, 1)'),
    hash: check<(text: string) => TextHash>(isFunction, 'expected a function (text) => { key, check }'),
    zeroRetention: z.optional(z.literal('memory')),
  });
}

/**
 * Validates the options and fills the defaults.
 * @param options What the user passed to `cache()`.
 * @returns The resolved options.
 * @throws {SluiceConfigError} listing every problem, with paths like `cache().ttl`.
 */
export function resolveCacheOptions(options: unknown): ResolvedCacheOptions {
  const input = options ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new SluiceConfigError([{ path: 'cache()', message: `expected an options object, received ${Array.isArray(input) ? 'array' : typeof input}` }]);
  }
  const result = (schema ??= optionsSchema()).safeParse(input);
  if (!result.success) throw new SluiceConfigError(readableIssues(result.error, { root: 'cache()', input, knownKeys: (path) => schemaKeys(schema!, path) }));
  const given = input as CacheOptions;
  return {
    store: given.store ?? memoryCacheStore(),
    ttlMs: given.ttl === undefined ? 3_600_000 : parseDuration(given.ttl)!,
    namespace: given.namespace ?? 'default',
    bucketSize: given.bucketSize ?? 1,
    maxEntryBytes: given.maxEntryBytes ?? 1024 * 1024,
    storeTimeoutMs: given.storeTimeoutMs ?? 50,
    operations: new Set(given.operations ?? OPERATIONS),
    random: given.random ?? Math.random,
    hash: given.hash ?? hashText,
    zeroRetentionMemory: given.zeroRetention === 'memory',
  };
}
