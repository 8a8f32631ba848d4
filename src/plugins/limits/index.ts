/**
 * `limits()`: concurrency caps and rate limits (requests and tokens per minute as token buckets) in
 * front of the providers, local or shared through a store such as Redis. Sits above routing, so it
 * counts calls by the model name the SDK asked for.
 * @module
 */
import { markPluginFactory } from '../factory.js';
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { Middleware, Next } from '../../core/types.js';
import type { BucketChange, RateLimitStore, TakeResult } from '../../stores/limits-types.js';
import { memoryRateLimitStore } from '../../stores/memory/limits.js';
import { resolveLimitsOptions, type LimitsOptions } from './options.js';
import { callBuckets, estimateTokens, providerOf, tokenCorrection, type CallBucket } from './rate.js';
import { ConcurrencyLimiter } from './semaphore.js';
import { StoreGuard, UNAVAILABLE } from '../store-guard.js';

export type { CapOption, ConcurrencyOptions, LimitScope, LimitsOptions, RateRule } from './options.js';

/** Rounds of "wait, then try again" a call makes before it is refused, whatever `maxWaitMs` allows. */
const MAX_WAIT_ROUNDS = 64;

/** Tokens a call took, and from which store (the shared one, or the local fallback during an outage). */
interface Reservation {
  store: RateLimitStore;
  buckets: readonly CallBucket[];
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as unknown);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeRule(bucket: CallBucket): string {
  const { rule } = bucket;
  return `${rule.perMinute} ${rule.kind === 'rpm' ? 'requests' : 'tokens'} per minute`;
}

/**
 * Creates the limits middleware: concurrency caps (calls in flight, held until the call ends, a
 * stream's last byte included) and rate rules (token buckets of requests and tokens per minute, per
 * provider, model, user, tag or globally). Over a limit a call waits or is refused with a 429 the
 * SDK raises as its `RateLimitError`, with `retry-after`.
 * @param options Caps, rules and the store.
 * @param options.concurrency Caps on calls in flight, local to the process. @default none
 * @param options.rate Rate rules; a call must pass each rule that applies to it. @default none
 * @param options.estimatedOutputTokens Output tokens reserved for TPM when a request sets no `max_tokens`. @default 500
 * @param options.store Where buckets live; `redisRateLimitStore(client)` shares them across processes. @default in-process
 * @param options.onStoreError `'open'` falls back to in-process buckets, `'closed'` refuses with a 503. @default 'open'
 * @param options.storeTimeoutMs The longest one store call may take, in ms. @default 100
 * @param options.recoverProbeMs How long calls skip a failed store before one tries it again, in ms. @default 1000
 * @returns The middleware, named `limits`.
 * @throws {SluiceConfigError} when an option is invalid, naming it (`limits().rate[0].rpm: ...`).
 * @example
 * import { createSluice } from 'sluice';
 * import { limits } from 'sluice/plugins';
 *
 * const sluice = createSluice({
 *   use: [
 *     limits({
 *       concurrency: { perProvider: { openai: 8, anthropic: 4 }, global: 16 },
 *       rate: [
 *         { scope: 'user', rpm: 20 },
 *         { scope: 'provider', match: 'openai', tpm: 200_000, onLimit: 'wait', maxWaitMs: 10_000 },
 *       ],
 *     }),
 *   ],
 * });
 */
export function limits(options: LimitsOptions = {}): Middleware {
  const config = resolveLimitsOptions(options);
  const rules = config.buckets;
  const local = memoryRateLimitStore();
  const shared = config.store;
  const guard =
    shared === null
      ? null
      : new StoreGuard({ plugin: 'limits', failOpen: config.failOpen, timeoutMs: config.storeTimeoutMs, recoverProbeMs: config.recoverProbeMs });
  const concurrency = config.concurrency === null ? null : new ConcurrencyLimiter(config.concurrency);

  const unavailable = (): SluiceError =>
    new SluiceError(
      'sluice_limit_store_unavailable',
      'the rate-limit store is unavailable and limits() has onStoreError: "closed"; check the store (Redis) or set onStoreError: "open"',
      { status: 503, retryable: true, retryAfterMs: config.recoverProbeMs },
    );

  const take = async (ctx: CallContext, changes: readonly BucketChange[]): Promise<{ store: RateLimitStore; result: TakeResult }> => {
    const nowMs = ctx.now();
    if (shared !== null && guard !== null) {
      const result = await guard.run(ctx.now, ctx.events, () => shared.take(changes, nowMs));
      if (result !== UNAVAILABLE) return { store: shared, result };
      if (!config.failOpen) throw unavailable();
    }
    return { store: local, result: local.take(changes, nowMs) };
  };

  const adjust = (ctx: CallContext, store: RateLimitStore, changes: readonly BucketChange[]): void => {
    if (changes.length === 0) return;
    if (store === local || guard === null) {
      local.adjust(changes, ctx.now());
      return;
    }
    // A correction is best effort: the call is over, and a failure is reported by the guard.
    void guard.run(ctx.now, ctx.events, () => store.adjust(changes, ctx.now()));
  };

  const refuse = (ctx: CallContext, bucket: CallBucket, retryAfterMs: number, why: string): SluiceError => {
    const rounded = Math.ceil(retryAfterMs);
    if (ctx.events.has('limit:reject')) ctx.events.emit({ type: 'limit:reject', id: ctx.id, limit: bucket.label, retryAfterMs: rounded });
    return new SluiceError(
      'sluice_rate_limited',
      `rate limit ${bucket.label} (${describeRule(bucket)}) ${why}; retry in ${(rounded / 1000).toFixed(1)} s, or raise rate[${bucket.rule.index}].${bucket.rule.kind}`,
      { status: 429, retryable: true, retryAfterMs: rounded },
    );
  };

  /** Takes every bucket's tokens at once, sleeping between tries for rules that wait. */
  const admit = async (ctx: CallContext, buckets: readonly CallBucket[]): Promise<Reservation> => {
    const changes = buckets.map((bucket) => bucket.change);
    let waitedMs = 0;
    for (let round = 1; ; round++) {
      const { store, result } = await take(ctx, changes);
      if (result.ok) return { store, buckets };
      let worst = 0;
      let worstMs = 0;
      let refusedBy: number | null = null;
      for (let index = 0; index < buckets.length; index++) {
        const need = result.waitMs[index] ?? 0;
        if (!(need > 0)) continue;
        const rule = buckets[index]!.rule;
        if (need > worstMs) {
          worst = index;
          worstMs = need;
        }
        if ((!rule.wait || waitedMs + need > rule.maxWaitMs) && (refusedBy === null || need > (result.waitMs[refusedBy] ?? 0))) refusedBy = index;
      }
      // Float rounding can leave a bucket a hair short with a wait of ~0 ms.
      const waitMs = Math.max(1, Math.ceil(worstMs));
      if (refusedBy !== null) {
        const bucket = buckets[refusedBy]!;
        const why = bucket.rule.wait ? `would need more than its maxWaitMs (${bucket.rule.maxWaitMs} ms) of waiting` : 'is reached';
        throw refuse(ctx, bucket, waitMs, why);
      }
      if (round >= MAX_WAIT_ROUNDS) throw refuse(ctx, buckets[worst]!, waitMs, `stayed full after ${round} waits`);
      if (ctx.events.has('limit:wait')) ctx.events.emit({ type: 'limit:wait', id: ctx.id, limit: buckets[worst]!.label, waitMs });
      await sleep(waitMs, ctx.signal);
      waitedMs += waitMs;
    }
  };

  /** Gives back everything a call took: it was refused before it ran. */
  const refund = (ctx: CallContext, reservation: Reservation): void => {
    adjust(
      ctx,
      reservation.store,
      reservation.buckets.map(({ change }) => ({ ...change, amount: -change.amount })),
    );
  };

  /** Corrects TPM buckets from the real usage once the call has ended. */
  const settle = (ctx: CallContext, reservation: Reservation): void => {
    const corrections: BucketChange[] = [];
    for (const { rule, change } of reservation.buckets) {
      if (rule.kind !== 'tpm') continue;
      const amount = tokenCorrection(ctx, change.amount);
      if (amount !== 0) corrections.push({ ...change, amount });
    }
    adjust(ctx, reservation.store, corrections);
  };

  return async function limits(ctx: CallContext, next: Next): Promise<Response> {
    // Listing models and counting tokens reach no model: nothing to limit.
    if (ctx.operation === 'models' || ctx.operation === 'count_tokens') return next(ctx);
    const provider = providerOf(ctx);
    let reservation: Reservation | null = null;
    if (rules.length > 0) {
      const buckets = callBuckets(rules, ctx, provider, config.hasTokenRules ? estimateTokens(ctx, config.estimatedOutputTokens) : 0);
      if (buckets.length > 0) reservation = await admit(ctx, buckets);
    }
    let release: (() => void) | null = null;
    if (concurrency !== null) {
      try {
        release = await concurrency.acquire(ctx, provider);
      } catch (error) {
        if (reservation !== null) refund(ctx, reservation);
        throw error;
      }
    }
    if (reservation === null && release === null) return next(ctx);
    const held = reservation;
    const slots = release;
    const signal = ctx.signal;
    // A caller that aborts a stream it never reads ends nothing in the core (nobody pulls the body):
    // its abort frees the slots. Idempotent with the end listener.
    const onAbort = slots === null || signal === null ? null : slots;
    if (onAbort !== null) signal!.addEventListener('abort', onAbort, { once: true });
    ctx.onEnd((ended) => {
      if (onAbort !== null) signal!.removeEventListener('abort', onAbort);
      slots?.();
      if (held !== null) settle(ended, held);
    });
    if (slots === null) return next(ctx);
    try {
      return await next(ctx);
    } catch (error) {
      // The end listener runs too, later; releasing now frees the slot even where nothing ends the call.
      slots();
      throw error;
    }
  };
}

markPluginFactory(limits, 'limits');
