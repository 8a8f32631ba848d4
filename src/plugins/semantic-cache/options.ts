/**
 * The `semanticCache()` options: their types, defaults and one validation at the factory (zod/mini,
 * built on first use), with issues rooted at `semanticCache()`.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../../core/errors.js';
import type { Dialect } from '../../events/record.js';
import { memorySemanticStore } from '../../stores/memory/semantic.js';
import type { SemanticStore } from '../../stores/semantic-types.js';
import { isNamespace, MAX_NAMESPACE_LENGTH, parseDuration, type Duration } from '../cache-entry.js';

/**
 * Turns texts into embeddings: one vector per text, in order. It must honour `signal` (aborted when
 * the embedding takes longer than `embedTimeoutMs`, or when the caller gives up).
 * @param texts The texts (the plugin sends one per call).
 * @param signal Aborts the work.
 * @returns One vector per text, of one dimension.
 */
export type EmbedFunction = (texts: string[], signal: AbortSignal) => Promise<ReadonlyArray<ArrayLike<number>>>;

/** An OpenAI-compatible `POST {baseURL}/embeddings` made through a fetch, usually Sluice's own. */
export interface EmbedThroughFetch {
  /**
   * The fetch the embedding request goes through. Pass Sluice's own, so the request is routed,
   * limited, priced and recorded like any call: `fetch: (input, init) => sluice.fetch(input, init)`
   * (a function, because `sluice` does not exist yet while its plugins are created).
   */
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  /** The embedding model, as Sluice routes it (`openai/text-embedding-3-small`) or as the endpoint names it. */
  model: string;
  /**
   * The API base URL the request is addressed to (Sluice classifies it as an OpenAI embeddings call).
   * @default 'https://api.openai.com/v1'
   */
  baseURL?: string;
  /** The `dimensions` to ask for (text-embedding-3 models can shorten their vectors). @default the model's */
  dimensions?: number;
  /** Extra request headers, e.g. `authorization` when the call is not routed to a configured provider. */
  headers?: Record<string, string>;
}

/** The operations the semantic cache may answer. */
export type SemanticOperation = 'chat' | 'responses';

/** Options of `semanticCache()`. */
export interface SemanticCacheOptions {
  /** How prompts become vectors: an embedding call through a fetch (Sluice's own), or your function. */
  embed: EmbedThroughFetch | EmbedFunction;
  /**
   * The lowest cosine similarity between two prompts' embeddings for one to get the other's answer.
   * Higher is safer and hits less; see docs/semantic-cache.md for how to pick it for your model.
   * @default 0.95
   */
  threshold?: number;
  /**
   * The namespace answers live in; the `x-sluice-cache-namespace` header overrides it per call.
   * Change it when you change the embedding model or a prompt template.
   * @default 'default'
   */
  namespace?: string;
  /**
   * Where answers are kept: `memorySemanticStore()` for one process, `postgresSemanticStore(pool)`
   * (from `sluice/stores/postgres`) to share them.
   * @default memorySemanticStore() (1,000 entries, 64 MiB, private to this plugin instance)
   */
  store?: SemanticStore;
  /**
   * How long an answer is kept; the `x-sluice-cache-ttl` header overrides it per call.
   * @default '1h'
   */
  ttl?: Duration;
  /**
   * The largest answer stored, in characters; bigger answers are served but not kept.
   * @default 1048576 (1 MiB)
   */
  maxEntryBytes?: number;
  /**
   * The longest conversation text embedded, in characters; longer calls skip the semantic cache
   * (embedding a truncated text could match a conversation that differs in the part cut off).
   * @default 8000
   */
  maxPromptChars?: number;
  /**
   * How long the embedding may take before the call goes on as a miss, in ms.
   * @default 2000
   */
  embedTimeoutMs?: number;
  /**
   * How long one store operation may take before the call goes on without the cache, in ms.
   * @default 500
   */
  storeTimeoutMs?: number;
  /**
   * After the embedding or the store failed, how long calls skip it before one tries again, in ms.
   * @default 5000
   */
  recoverProbeMs?: number;
  /**
   * The SDK dialects whose calls are cached.
   * @default ['openai', 'anthropic', 'gemini']
   */
  dialects?: readonly Dialect[];
  /**
   * The operations cached (Chat Completions, Anthropic Messages and Gemini generateContent are `chat`).
   * @default ['chat', 'responses']
   */
  operations?: readonly SemanticOperation[];
  /**
   * `'memory'` allows this cache under zero data retention (`retention: 'none'`), which otherwise
   * refuses it: prompts, embeddings and answers then stay in this process's memory for their TTL.
   * Only with a memory store.
   */
  zeroRetention?: 'memory';
}

/** The options with every default filled in. */
export interface ResolvedSemanticCacheOptions {
  embed: EmbedThroughFetch | EmbedFunction;
  threshold: number;
  namespace: string;
  store: SemanticStore;
  ttlMs: number;
  maxEntryBytes: number;
  maxPromptChars: number;
  embedTimeoutMs: number;
  storeTimeoutMs: number;
  recoverProbeMs: number;
  dialects: ReadonlySet<string>;
  operations: ReadonlySet<string>;
  /** Whether the cache is allowed under zero retention, in memory. */
  zeroRetentionMemory: boolean;
}

const ROOT = 'semanticCache()';
const DIALECTS: readonly Dialect[] = ['openai', 'anthropic', 'gemini'];
const OPERATIONS: readonly SemanticOperation[] = ['chat', 'responses'];
const KEYS = ['embed', 'threshold', 'namespace', 'store', 'ttl', 'maxEntryBytes', 'maxPromptChars', 'embedTimeoutMs', 'storeTimeoutMs', 'recoverProbeMs', 'dialects', 'operations', 'zeroRetention'];
const EMBED_KEYS = ['fetch', 'model', 'baseURL', 'dimensions', 'headers'];
/** setTimeout fires at once (with a warning) beyond 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

const isFunction = (value: unknown): boolean => typeof value === 'function';
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
const isTimerMs = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS;
const check = <T>(predicate: (value: unknown) => boolean, error: string) => z.optional(z.custom<T>(predicate, { error }));
const listOf = <T extends string>(allowed: readonly T[]) =>
  check<T[]>((value) => Array.isArray(value) && value.length > 0 && value.every((item) => (allowed as readonly unknown[]).includes(item)), `expected a non-empty list of ${allowed.map((name) => `"${name}"`).join(', ')}`);

function isUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

let schemas: { root: z.ZodMiniType; embed: z.ZodMiniType } | undefined;

function buildSchemas(): { root: z.ZodMiniType; embed: z.ZodMiniType } {
  const embed = z.strictObject({
    fetch: z.custom<EmbedThroughFetch['fetch']>(isFunction, { error: 'expected a function, e.g. (input, init) => sluice.fetch(input, init)' }),
    model: z.custom<string>((value) => typeof value === 'string' && value.trim() !== '', { error: 'expected an embedding model name, e.g. "openai/text-embedding-3-small"' }),
    baseURL: check<string>(isUrl, 'expected an http(s) URL, e.g. "https://api.openai.com/v1"'),
    dimensions: check<number>((value) => isCount(value) && (value as number) <= 65_536, 'expected an integer from 1 to 65536'),
    headers: check<Record<string, string>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string'),
      'expected an object of header strings',
    ),
  });
  const root = z.strictObject({
    // Checked in two steps, so a wrong field of the object form is reported at its own path.
    embed: z.custom<EmbedThroughFetch | EmbedFunction>((value) => isFunction(value) || (typeof value === 'object' && value !== null && !Array.isArray(value)), {
      error: 'expected { fetch, model } (an embedding call through Sluice) or a function (texts, signal) => Promise<number[][]>',
    }),
    threshold: check<number>((value) => typeof value === 'number' && value > 0 && value <= 1, 'expected a cosine similarity in (0, 1], e.g. 0.95'),
    namespace: check<string>(isNamespace, `expected 1 to ${MAX_NAMESPACE_LENGTH} visible ASCII characters (no spaces)`),
    store: check<SemanticStore>(
      (value) => typeof value === 'object' && value !== null && ['search', 'add', 'clear'].every((name) => isFunction((value as Record<string, unknown>)[name])),
      'expected a SemanticStore (search(), add() and clear()), e.g. memorySemanticStore() or postgresSemanticStore(pool)',
    ),
    ttl: check<Duration>((value) => parseDuration(value) !== null, 'expected a duration like "10m" (ms, s, m, h, d) or a number of milliseconds > 0'),
    maxEntryBytes: check<number>(isCount, 'expected an integer >= 1'),
    maxPromptChars: check<number>(isCount, 'expected an integer >= 1'),
    embedTimeoutMs: check<number>(isTimerMs, `expected a number of ms > 0 and <= ${MAX_TIMER_MS}`),
    storeTimeoutMs: check<number>(isTimerMs, `expected a number of ms > 0 and <= ${MAX_TIMER_MS}`),
    recoverProbeMs: check<number>((value) => typeof value === 'number' && Number.isFinite(value) && value >= 0, 'expected a number of ms >= 0'),
    dialects: listOf(DIALECTS),
    operations: listOf(OPERATIONS),
    zeroRetention: z.optional(z.literal('memory')),
  });
  return { root, embed };
}

function toIssues(error: z.core.$ZodError, root: string, keys: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [root, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: `${path}.${key}`, message: `unknown key; expected one of ${keys.join(', ')}` });
    } else {
      issues.push({ path, message: issue.message });
    }
  }
  return issues;
}

/**
 * Validates the options and fills the defaults.
 * @param options What the user passed to `semanticCache()`.
 * @returns The resolved options.
 * @throws {SluiceConfigError} listing every problem, with paths like `semanticCache().threshold`.
 */
export function resolveSemanticCacheOptions(options: unknown): ResolvedSemanticCacheOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SluiceConfigError([{ path: ROOT, message: 'expected an options object with "embed", e.g. semanticCache({ embed: { fetch, model } })' }]);
  }
  schemas ??= buildSchemas();
  const result = schemas.root.safeParse(options);
  const issues = result.success ? [] : toIssues(result.error, ROOT, KEYS);
  const given = options as SemanticCacheOptions;
  if (typeof given.embed === 'object' && given.embed !== null) {
    const embed = schemas.embed.safeParse(given.embed);
    if (!embed.success) issues.push(...toIssues(embed.error, `${ROOT}.embed`, EMBED_KEYS));
  }
  if (issues.length > 0) throw new SluiceConfigError(issues);
  return {
    embed: given.embed,
    threshold: given.threshold ?? 0.95,
    namespace: given.namespace ?? 'default',
    store: given.store ?? memorySemanticStore(),
    ttlMs: given.ttl === undefined ? 3_600_000 : parseDuration(given.ttl)!,
    maxEntryBytes: given.maxEntryBytes ?? 1024 * 1024,
    maxPromptChars: given.maxPromptChars ?? 8000,
    embedTimeoutMs: given.embedTimeoutMs ?? 2000,
    storeTimeoutMs: given.storeTimeoutMs ?? 500,
    recoverProbeMs: given.recoverProbeMs ?? 5000,
    dialects: new Set(given.dialects ?? DIALECTS),
    operations: new Set(given.operations ?? OPERATIONS),
    zeroRetentionMemory: given.zeroRetention === 'memory',
  };
}
