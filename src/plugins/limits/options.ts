/**
 * The options of `limits()`: public types, their zod/mini schema (built on first use) and the
 * resolution into the plain structures the middleware reads on the call path.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../../core/errors.js';
import { readableIssues, schemaKeys } from '../../config/issues.js';
import type { RateLimitStore } from '../../stores/limits-types.js';

/** What a rate rule counts by. `provider` is the prefix of a `provider/model` name (see `docs/limits.md`). */
export type LimitScope = 'global' | 'provider' | 'model' | 'user' | 'tag';

/** One rate rule: token buckets of requests and/or tokens per minute, one per subject of its scope. */
export interface RateRule {
  /** What the rule counts by; each provider, model, user or tag gets its own bucket. */
  scope: LimitScope;
  /** Requests per minute (a bucket of `rpm` refilled continuously); at least one of `rpm`, `tpm`. */
  rpm?: number;
  /** Tokens (input + output) per minute, reserved from an estimate and corrected by the real usage. */
  tpm?: number;
  /**
   * Only this subject (a provider, model, user or tag, compared exactly) is limited.
   * @default every subject of the scope, each with its own bucket
   */
  match?: string;
  /**
   * `'reject'` refuses a call over the limit with a 429; `'wait'` sleeps until tokens refill.
   * @default 'reject'
   */
  onLimit?: 'wait' | 'reject';
  /**
   * With `onLimit: 'wait'`, the longest a call waits for this rule before it is refused, in ms.
   * @default 30000
   */
  maxWaitMs?: number;
}

/** A cap given for every name, or per name (`'*'` caps names not listed). */
export type CapOption = number | Readonly<Record<string, number>>;

/** Concurrency caps: calls in flight at once, counted until the call ends (a stream's last byte). */
export interface ConcurrencyOptions {
  /** Calls in flight through this plugin. @default unlimited */
  global?: number;
  /** Per provider, named as in `provider/model`. @default unlimited */
  perProvider?: CapOption;
  /** Per model, named as the SDK asked for it. @default unlimited */
  perModel?: CapOption;
  /** Per user (`ctx.user`). @default unlimited */
  perUser?: number;
  /**
   * The most calls waiting for one cap; a call beyond it is refused at once with a 429.
   * @default 1000
   */
  maxQueue?: number;
  /**
   * The longest a call waits for its slots, in ms, before it is refused with a 429.
   * @default 30000
   */
  queueTimeoutMs?: number;
}

/** Options of `limits()`. */
export interface LimitsOptions {
  /** Concurrency caps, local to this process. @default none */
  concurrency?: ConcurrencyOptions;
  /** Rate rules; a call must pass every rule that applies to it. @default none */
  rate?: readonly RateRule[];
  /**
   * Output tokens reserved for TPM when the request sets no `max_tokens` (or the dialect's equivalent).
   * @default 500
   */
  estimatedOutputTokens?: number;
  /**
   * Where token buckets live; pass `redisRateLimitStore(...)` to share limits across processes.
   * @default an in-process store
   */
  store?: RateLimitStore;
  /**
   * When the store fails: `'open'` lets calls through under in-process buckets with the same limits;
   * `'closed'` refuses them with a 503 `sluice_limit_store_unavailable`.
   * @default 'open'
   */
  onStoreError?: 'open' | 'closed';
  /**
   * The longest one store call may take before it counts as failed, in ms.
   * @default 100
   */
  storeTimeoutMs?: number;
  /**
   * After a failure, how long calls skip the store before the next call tries it again, in ms.
   * @default 1000
   */
  recoverProbeMs?: number;
}

/** A bucket rule after resolution: one per `rpm` or `tpm` of a rate rule. */
export interface BucketRule {
  /** The rate rule's index, part of the bucket key so two rules never share a bucket. */
  index: number;
  kind: 'rpm' | 'tpm';
  scope: LimitScope;
  match: string | null;
  /** The per-minute limit, which is also the bucket's capacity. */
  perMinute: number;
  refillPerMs: number;
  wait: boolean;
  maxWaitMs: number;
}

/** A cap after resolution. */
export interface ResolvedCap {
  /** The cap for names not listed, or `null` for none. */
  fallback: number | null;
  byName: ReadonlyMap<string, number>;
}

/** Concurrency options after resolution. */
export interface ResolvedConcurrency {
  global: number | null;
  perProvider: ResolvedCap | null;
  perModel: ResolvedCap | null;
  perUser: number | null;
  maxQueue: number;
  queueTimeoutMs: number;
}

/** `limits()` options with every default filled in. */
export interface ResolvedLimits {
  concurrency: ResolvedConcurrency | null;
  buckets: readonly BucketRule[];
  hasTokenRules: boolean;
  estimatedOutputTokens: number;
  store: RateLimitStore | null;
  failOpen: boolean;
  storeTimeoutMs: number;
  recoverProbeMs: number;
}

const MAX_TIMER_MS = 2_147_483_647;
const SCOPES = ['global', 'provider', 'model', 'user', 'tag'] as const;

let schema: z.ZodMiniType | undefined;

function limitsSchema(): z.ZodMiniType {
  const positiveInt = () => z.int().check(z.positive());
  const positive = () => z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: 'expected a finite number > 0' }));
  const nonNegative = () => z.number().check(z.refine((value) => Number.isFinite(value) && value >= 0, { error: 'expected a finite number >= 0' }));
  // setTimeout fires at once (with a warning) beyond 2^31 - 1 ms.
  const timerMs = () =>
    z.number().check(z.refine((value) => Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS, { error: `expected a number of ms from 0 to ${MAX_TIMER_MS}` }));
  const cap = () =>
    z.union([positiveInt(), z.record(z.string(), positiveInt())], { error: 'expected an integer > 0, or an object of integers > 0 by name' });
  const store = z.custom<RateLimitStore>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Partial<RateLimitStore>).take === 'function' &&
      typeof (value as Partial<RateLimitStore>).adjust === 'function',
    { error: 'expected a RateLimitStore (take() and adjust()), e.g. redisRateLimitStore(client)' },
  );
  return z.strictObject({
    concurrency: z.optional(
      z.strictObject({
        global: z.optional(positiveInt()),
        perProvider: z.optional(cap()),
        perModel: z.optional(cap()),
        perUser: z.optional(positiveInt()),
        maxQueue: z.optional(z.int().check(z.nonnegative())),
        queueTimeoutMs: z.optional(timerMs()),
      }),
    ),
    rate: z.optional(
      z.array(
        z.strictObject({
          scope: z.enum(SCOPES),
          rpm: z.optional(positive()),
          tpm: z.optional(positive()),
          match: z.optional(z.string()),
          onLimit: z.optional(z.enum(['wait', 'reject'])),
          maxWaitMs: z.optional(timerMs()),
        }),
      ),
    ),
    estimatedOutputTokens: z.optional(z.int().check(z.nonnegative())),
    store: z.optional(store),
    onStoreError: z.optional(z.enum(['open', 'closed'])),
    storeTimeoutMs: z.optional(z.number().check(z.refine((value) => Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS, { error: `expected a number of ms > 0 and <= ${MAX_TIMER_MS}` }))),
    recoverProbeMs: z.optional(nonNegative()),
  });
}


function resolveCap(value: CapOption | undefined): ResolvedCap | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return { fallback: value, byName: new Map() };
  const byName = new Map(Object.entries(value).filter(([name]) => name !== '*'));
  return { fallback: value['*'] ?? null, byName };
}

/**
 * Validates `limits()` options and fills the defaults.
 * @param options What the user passed.
 * @returns The resolved options.
 * @throws {SluiceConfigError} listing every problem, with paths like `limits().rate[0].rpm`.
 */
export function resolveLimitsOptions(options: unknown): ResolvedLimits {
  const parsed = (schema ??= limitsSchema()).safeParse(options ?? {});
  if (!parsed.success) throw new SluiceConfigError(readableIssues(parsed.error, { root: 'limits()', input: options, knownKeys: (path) => schemaKeys(schema!, path) }));
  const value = parsed.data as LimitsOptions;
  const issues: ConfigIssue[] = [];
  const buckets: BucketRule[] = [];
  (value.rate ?? []).forEach((rule, index) => {
    const path = `limits().rate[${index}]`;
    if (rule.rpm === undefined && rule.tpm === undefined) issues.push({ path, message: 'give "rpm", "tpm" or both' });
    if (rule.scope === 'global' && rule.match !== undefined) issues.push({ path: `${path}.match`, message: 'a global rule has no subject to match; remove "match" or pick another scope' });
    if (rule.maxWaitMs !== undefined && rule.onLimit !== 'wait') issues.push({ path: `${path}.maxWaitMs`, message: 'applies only with onLimit: "wait"' });
    for (const kind of ['rpm', 'tpm'] as const) {
      const perMinute = rule[kind];
      if (perMinute === undefined) continue;
      buckets.push({
        index,
        kind,
        scope: rule.scope,
        match: rule.match ?? null,
        perMinute,
        refillPerMs: perMinute / 60_000,
        wait: rule.onLimit === 'wait',
        maxWaitMs: rule.maxWaitMs ?? 30_000,
      });
    }
  });
  const concurrency = value.concurrency;
  const hasCaps =
    concurrency !== undefined &&
    (concurrency.global !== undefined || concurrency.perProvider !== undefined || concurrency.perModel !== undefined || concurrency.perUser !== undefined);
  if (!hasCaps && (value.rate ?? []).length === 0) {
    issues.push({ path: 'limits()', message: 'nothing to limit: give "rate" rules or "concurrency" caps (global, perProvider, perModel, perUser)' });
  }
  if (issues.length > 0) throw new SluiceConfigError(issues);
  return {
    concurrency: !hasCaps
      ? null
      : {
          global: concurrency.global ?? null,
          perProvider: resolveCap(concurrency.perProvider),
          perModel: resolveCap(concurrency.perModel),
          perUser: concurrency.perUser ?? null,
          maxQueue: concurrency.maxQueue ?? 1000,
          queueTimeoutMs: concurrency.queueTimeoutMs ?? 30_000,
        },
    buckets,
    hasTokenRules: buckets.some((bucket) => bucket.kind === 'tpm'),
    estimatedOutputTokens: value.estimatedOutputTokens ?? 500,
    store: value.store ?? null,
    failOpen: (value.onStoreError ?? 'open') === 'open',
    storeTimeoutMs: value.storeTimeoutMs ?? 100,
    recoverProbeMs: value.recoverProbeMs ?? 1000,
  };
}
