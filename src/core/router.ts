/**
 * The routing middleware: for a call whose model names a router, orders the router's targets by its
 * strategy, retries a retriable failure on the same target with backoff, then falls back to the next
 * target. It sits just above dispatch, so each `next(ctx)` is exactly one upstream request.
 * @module
 */
import type { ResolvedConfig, ResolvedRetry, ResolvedRouter, ResolvedRouterTarget, ResolvedRule } from '../config/parse.js';
import type { HealthOptions } from './health.js';
import type { CallContext } from './context.js';
import { isNetworkFailure } from './dispatch.js';
import { readHeader } from './headers.js';
import { errorResponse } from './respond.js';
import { SluiceError } from './errors.js';
import { expectedTokens, orderByCost, type ExpectedTokens, type TokenPrice } from './cost-order.js';
import { HealthTracker, type HealthChange, type HealthSnapshot } from './health.js';
import { PeakEwma } from './latency.js';
import { RetryBudget } from './retry-budget.js';
import type { SluiceEventType, SluiceEvent } from '../events/types.js';
import { resetAfterMs } from './key-pool.js';
import { regionOf, residencyOf } from './residency.js';
import { resolveTarget } from './route.js';
import type { Middleware, Next } from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Routers by the model name the SDK asks for. */
  routers: ReadonlyMap<string, ResolvedRouter>;
  /** Backoff settings. */
  retry: ResolvedRetry;
  /** A source of numbers in [0, 1), for weighted picks and jitter; tests pass a seeded one. @default Math.random */
  random?: () => number;
  /** Routing rules, tried in order before the router is looked up. @default [] */
  rules?: readonly ResolvedRule[];
  /**
   * Resolves an alias or `provider/model`, for rules and the per-call `x-sluice-targets` and
   * `x-sluice-fallbacks` headers. Without it those headers are ignored.
   */
  resolve?: (spec: string) => ResolvedRouterTarget | undefined;
  /** Passive health-check settings. @default the tracker's defaults */
  health?: HealthOptions;
  /** A target's price, for the `cost` strategy. @default every target unpriced */
  priceOf?: (target: ResolvedRouterTarget) => TokenPrice | undefined;
  /** Where router events go (`route:retry`, `route:fallback`, `target:eject`...). @default nowhere */
  events?: { has(type: SluiceEventType): boolean; emit(event: SluiceEvent): void };
  /** A monotonic clock in ms for health and latency. @default performance.now */
  now?: () => number;
  /**
   * The configuration, for data residency (`residency`, provider regions) and to resolve calls that
   * name no router; without it targets carry no region and nothing is restricted.
   */
  config?: ResolvedConfig;
}

/** The routing middleware, with the health of its targets readable. */
export interface RouterMiddleware extends Middleware {
  /** Every target's health, now. */
  health(): RouterHealth[];
}

/** One target's health, as `sluice.health()` reports it. */
export interface RouterHealth {
  /** `provider/model`. */
  target: string;
  state: HealthSnapshot['state'];
  consecutiveFailures: number;
  errorRate: number;
  /** How long until an ejected target is probed again, in ms; `null` when not ejected. */
  ejectedForMs: number | null;
  ejections: number;
  /** Why it is or was last out. */
  reason: HealthSnapshot['reason'];
  /** The peak-EWMA latency estimate in ms, or `null` before any observation. */
  latencyMs: number | null;
  /** Calls in flight now (until their response headers). */
  inFlight: number;
}

/** Statuses and messages of a context-window overflow, which a larger target may serve. */
const CONTEXT_LENGTH = /context_length_exceeded|context length|context window|prompt is too long|too many tokens|maximum number of tokens|input length|input is too long/i;

/** Reads a small error body to tell a context-length error apart; returns it re-wrapped so it can still be sent. */
async function contextLengthCheck(response: Response): Promise<{ response: Response; isContextLength: boolean }> {
  if (response.status !== 400 && response.status !== 413) return { response, isContextLength: false };
  const text = await response.text();
  const copy = new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  return { response: copy, isContextLength: CONTEXT_LENGTH.test(text) };
}

/** Whether a rule's conditions hold for a call. */
function ruleMatches(rule: ResolvedRule, ctx: CallContext): boolean {
  const model = ctx.requestedModel;
  if (rule.models !== null && (model === null || !rule.models.has(model))) return false;
  if (rule.modelPrefix !== null && (model === null || !model.startsWith(rule.modelPrefix))) return false;
  if (rule.users !== null && (ctx.user === null || !rule.users.has(ctx.user))) return false;
  if (rule.tag !== null && !ctx.tags.includes(rule.tag)) return false;
  for (const [name, value] of rule.headers) {
    const actual = ctx.hasHeaderCopy ? ctx.headers.get(name) : readHeader(ctx.init.headers, name);
    if (actual !== value) return false;
  }
  return true;
}

/** Reads a per-call target list header into targets; a spec that does not resolve is a 400 naming it. */
function readTargetList(ctx: CallContext, header: string, resolve: (spec: string) => ResolvedRouterTarget | undefined): ResolvedRouterTarget[] | null {
  const value = ctx.hasHeaderCopy ? ctx.headers.get(header) : readHeader(ctx.init.headers, header);
  if (value === null) return null;
  const targets: ResolvedRouterTarget[] = [];
  for (const spec of value.split(',')) {
    const trimmed = spec.trim();
    if (trimmed === '') continue;
    const target = resolve(trimmed);
    if (target === undefined) {
      throw new SluiceError('sluice_unknown_model', `${header}: '${trimmed}' is neither an alias nor provider/model of a configured provider`, { status: 400 });
    }
    targets.push(target);
  }
  return targets;
}

/** Statuses worth another try: timeouts, conflicts, rate limits, server errors, Anthropic's 529 overload. */
const RETRIABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 429, 500, 502, 503, 504, 529]);

/**
 * Tells whether an upstream status is worth retrying or falling back on.
 * @param status An HTTP status.
 * @returns `true` for 408, 409, 429, 500, 502, 503, 504 and 529.
 */
export function isRetriableStatus(status: number): boolean {
  return RETRIABLE_STATUSES.has(status);
}

/** What the `latency` and `cost` strategies read. */
export interface StrategyMeasures {
  latency: PeakEwma;
  nowMs: number;
  /** The call's expected tokens, for `cost`. */
  expected: ExpectedTokens;
  /** A target's price per million tokens, for `cost`; `undefined` when unpriced. */
  priceOf: (target: ResolvedRouterTarget) => TokenPrice | undefined;
}

/**
 * Orders a router's targets for one call.
 * @param router The router.
 * @param random Numbers in [0, 1), used by `'weighted'`.
 * @param inFlight Calls in flight per target key, used by `'least-busy'`.
 * @returns Every target once: the first is tried first. For `'priority'`, the router's own array.
 * @example
 * const [first] = orderTargets(router, Math.random, new Map());
 */
export function orderTargets(
  router: ResolvedRouter,
  random: () => number,
  inFlight: ReadonlyMap<string, number>,
  measures?: StrategyMeasures,
): readonly ResolvedRouterTarget[] {
  const targets = router.targets;
  if (targets.length < 2) return targets;
  switch (router.strategy) {
    case 'priority':
      return targets;
    case 'weighted': {
      let total = 0;
      for (const target of targets) total += target.weight;
      let point = random() * total;
      let first = targets.length - 1;
      for (let index = 0; index < targets.length; index++) {
        point -= targets[index]!.weight;
        if (point < 0) {
          first = index;
          break;
        }
      }
      // The rest, heaviest first (a stable sort keeps the listed order among equal weights).
      const rest = targets.filter((_, index) => index !== first).sort((a, b) => b.weight - a.weight);
      return [targets[first]!, ...rest];
    }
    case 'least-busy':
      return [...targets].sort((a, b) => (inFlight.get(a.key) ?? 0) - (inFlight.get(b.key) ?? 0));
    case 'latency':
      return measures === undefined ? targets : measures.latency.order(targets, inFlight, random, measures.nowMs);
    case 'cost':
      return measures === undefined ? targets : orderByCost(targets, measures.expected, measures.priceOf);
    default: {
      const unreachable: never = router.strategy;
      throw new Error(`unhandled strategy ${String(unreachable)}`);
    }
  }
}

/**
 * How long a provider asked to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date).
 * @param headers The response headers.
 * @param nowEpochMs The current wall-clock time, for an HTTP date.
 * @returns Milliseconds, or `null` when the response does not say.
 */
export function retryAfterMs(headers: Headers, nowEpochMs: number): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after === null) return null;
  const seconds = Number.parseFloat(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? null : Math.max(0, date - nowEpochMs);
}

/** Waits on a timer (fake timers drive it in tests); rejects with the signal's reason on abort. */
function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/** Sets a header on a response Sluice built; re-wraps the body when the headers are immutable. */
function withHeaders(response: Response, headers: Readonly<Record<string, string>>): Response {
  try {
    for (const name in headers) response.headers.set(name, headers[name]!);
    return response;
  } catch {
    const copy = new Headers(response.headers);
    for (const name in headers) copy.set(name, headers[name]!);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: copy });
  }
}

/**
 * Creates the routing middleware. Calls whose model is not a router pass straight through.
 * A retriable outcome (a network failure, or status 408, 409, 429, 500, 502, 503, 504, 529) is retried
 * on the same target up to the router's `retries` with exponential backoff and jitter, honouring
 * `retry-after-ms` / `retry-after` up to `retry.maxRetryAfterMs`, then the next target is tried. When
 * every attempt failed, the last provider error is returned as it came (or a 502
 * `sluice_all_targets_failed` after a network failure), with `x-should-retry: false`. When the SDK
 * is itself retrying (`x-stainless-retry-count` > 0), only fallbacks are made.
 * @param options Routers, backoff settings and the random source.
 * @returns The middleware; `createSluice` puts it just above dispatch.
 * @example
 * const router = createRouter({ routers: config.routers, retry: config.retry });
 * const chain = compose([...config.use, router], dispatch);
 */
export function createRouter(options: RouterOptions): RouterMiddleware {
  const { routers, retry } = options;
  const random = options.random ?? Math.random;
  // Bounded: one entry per configured target.
  const inFlight = new Map<string, number>();
  for (const router of routers.values()) for (const target of router.targets) if (target.router === null) inFlight.set(target.key, 0);

  const backoffMs = (retryIndex: number): number => {
    const base = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** retryIndex);
    return base / 2 + (random() * base) / 2;
  };

  const rules = options.rules ?? [];
  const resolve = options.resolve;

  /** The router for a call: a rule's choice, narrowed or extended by the per-call headers. */
  const routerFor = (ctx: CallContext): ResolvedRouter | undefined => {
    let name = ctx.requestedModel;
    for (const rule of rules) {
      if (ruleMatches(rule, ctx)) {
        name = ctx.routeName = rule.use;
        break;
      }
    }
    const router = name === null ? undefined : routers.get(name);
    if (resolve === undefined) {
      if (router === undefined && name !== null && name !== ctx.requestedModel) ctx.target = toTarget(resolve, name);
      return router;
    }
    const only = readTargetList(ctx, 'x-sluice-targets', resolve);
    const extra = readTargetList(ctx, 'x-sluice-fallbacks', resolve);
    if (only === null && extra === null) {
      if (router === undefined && name !== null && name !== ctx.requestedModel) ctx.target = toTarget(resolve, name);
      return router;
    }
    let base: readonly ResolvedRouterTarget[] = only ?? router?.targets ?? [];
    if (base.length === 0 && name !== null) {
      const single = resolve(name);
      if (single !== undefined) base = [single];
    }
    const targets = [...base, ...(extra ?? [])];
    if (targets.length === 0) return router;
    return { name: name ?? 'per-call', strategy: only !== null ? 'priority' : (router?.strategy ?? 'priority'), targets, retries: router?.retries ?? retry.retries };
  };

  const now = options.now ?? ((): number => performance.now());
  const health = new HealthTracker(options.health);
  const latency = new PeakEwma();
  const budget = new RetryBudget(retry.budget);
  const priceOf = options.priceOf ?? ((): undefined => undefined);
  const events = options.events;
  // Health, latency and in-flight counts cover configured targets only, so per-call target lists
  // (headers the SDK sends) cannot grow them: every map stays bounded by the configuration.
  const tracked = new Set(inFlight.keys());
  /** Counts an attempt's outcome; its ticket (from `health.start`) keeps outcomes in start order. */
  const recordOutcome = (key: string, outcome: 'success' | 'failure', ticket: number): void => {
    if (tracked.has(key)) announce(health.record(key, outcome, now(), ticket), now());
  };
  /** Ends an attempt whose outcome says nothing about the target (abort, 429, context length). */
  const forgetAttempt = (key: string, ticket: number): void => {
    health.releaseProbe(key);
    if (tracked.has(key)) announce(health.forget(key, ticket, now()), now());
  };
  const announce = (change: HealthChange | null, nowMs: number): void => {
    if (change === null || events === undefined) return;
    if (change.type === 'eject') {
      if (events.has('target:eject')) {
        events.emit({ type: 'target:eject', target: change.key, reason: change.reason, forMs: Math.max(0, change.untilMs - nowMs), ejections: change.ejections });
      }
    } else if (events.has('target:recover')) {
      events.emit({ type: 'target:recover', target: change.key, downMs: change.downMs });
    }
  };

  /** A router's targets in the order to try, nested routers expanded in place (each target once). */
  const expand = (router: ResolvedRouter, ctx: CallContext, nowMs: number, seen: Set<string>, out: Planned[]): void => {
    const measures: StrategyMeasures | undefined =
      router.strategy === 'latency' || router.strategy === 'cost'
        ? { latency, nowMs, expected: expectedTokens(ctx.bodyText, maxTokensOf(ctx.body)), priceOf }
        : undefined;
    for (const target of orderTargets(router, random, inFlight, measures)) {
      if (target.router !== null) expand(target.router, ctx, nowMs, seen, out);
      else if (!seen.has(target.key)) {
        seen.add(target.key);
        out.push({ key: target.key, target, retries: router.retries });
      }
    }
  };

  /** A concrete target in a call's plan, with the retries of the router that listed it. */
  interface Planned {
    key: string;
    target: ResolvedRouterTarget;
    retries: number;
  }

  const config = options.config;
  const given = config?.compliance ?? null;
  const residency = config === undefined ? null : residencyOf(config);
  // Regions of configured targets, computed once each (bounded by the configuration); per-call targets are computed per call.
  const regions = new Map<ResolvedRouterTarget, string | null>();
  const regionFor = (target: ResolvedRouterTarget): string | null => {
    let region = regions.get(target);
    if (region === undefined) {
      region = regionOf(target.provider, target.model, given);
      if (tracked.has(target.key)) regions.set(target, region);
    }
    return region;
  };

  const route = async function route(ctx: CallContext, next: Next): Promise<Response> {
    const router = routerFor(ctx);
    if (router === undefined) {
      if (config === undefined) return next(ctx);
      // A call no router serves (an alias, provider/model): its one target, with its region, must be allowed too.
      const target = (ctx.target ??= resolveTarget(config, ctx));
      target.region = regionOf(target.provider, target.model, given);
      const policy = residency?.forCall(ctx) ?? null;
      if (policy !== null && ctx.operation !== 'models' && !policy.allows(target.region)) {
        const name = target.provider === null ? "the SDK's own URL" : `${target.provider.name}/${target.model ?? ''}`;
        throw policy.refusal(`${name} serves from ${target.region ?? 'an unknown region'}`);
      }
      return next(ctx);
    }

    // The SDK is retrying this call itself: do not multiply its retries, only fall back.
    const sdkRetry = ctx.hasHeaderCopy ? ctx.headers.get('x-stainless-retry-count') : readHeader(ctx.init.headers, 'x-stainless-retry-count');
    const isSdkRetry = sdkRetry !== null && Number(sdkRetry) > 0;
    const startedMs = now();
    budget.deposit(startedMs);
    let expanded: Planned[] = [];
    expand(router, ctx, startedMs, new Set(), expanded);
    // Residency first: a target outside the allowed regions is never tried, not even when all others fail.
    const policy = residency?.forCall(ctx) ?? null;
    const outside: string[] = [];
    if (policy !== null) {
      expanded = expanded.filter((planned) => {
        const region = regionFor(planned.target);
        if (policy.allows(region)) return true;
        outside.push(`${planned.key} (${region ?? 'unknown region'})`);
        if (events?.has('route:skip') === true) events.emit({ type: 'route:skip', id: ctx.id, target: planned.key, reason: 'residency', region, policy: policy.describe() });
        return false;
      });
      if (expanded.length === 0) throw policy.refusal(`every target is outside it: ${outside.join(', ')}`);
    }
    const { targets: usable, forced } = health.usable(expanded, startedMs);
    if (events?.has('route:skip') === true && usable.length < expanded.length) {
      for (const planned of expanded) {
        if (!usable.includes(planned)) events.emit({ type: 'route:skip', id: ctx.id, target: planned.key, reason: 'ejected', region: regionFor(planned.target), policy: null });
      }
    }
    if (forced !== null && events?.has('target:force') === true) events.emit({ type: 'target:force', id: ctx.id, target: forced.key });
    const failures: string[] = [];
    let lastResponse: Response | null = null;
    let lastWasNetwork = false;
    let lastTarget = (usable[usable.length - 1] ?? expanded[0]!).target;
    let attempts = 0;

    try {
      for (let position = 0; position < usable.length; position++) {
        const planned = usable[position]!;
        const target = planned.target;
        // A half-open target admits one probe at a time; a forced target is tried regardless.
        if (planned !== forced && !health.tryAcquireProbe(target.key, now())) {
          if (events?.has('route:skip') === true) events.emit({ type: 'route:skip', id: ctx.id, target: target.key, reason: 'probe_in_flight', region: regionFor(target), policy: null });
          continue;
        }
        const retries = isSdkRetry ? 0 : planned.retries;
        let reason = '';
        for (let retryIndex = 0; ; retryIndex++) {
          ctx.target = { provider: target.provider, model: target.model, timeouts: target.timeouts, region: regionFor(target) };
          // A failed attempt's notes must not stick to the one that serves.
          ctx.error = null;
          ctx.responseBody = null;
          attempts++;
          lastTarget = target;
          const isTracked = tracked.has(target.key);
          if (isTracked) inFlight.set(target.key, (inFlight.get(target.key) ?? 0) + 1);
          // Outcomes count in the order attempts started: fast failures do not overtake slow successes.
          const ticket = isTracked ? health.start(target.key, now()) : -1;
          let response: Response;
          try {
            response = await next(ctx);
          } catch (error) {
            if (ctx.signal?.aborted === true || !isNetworkFailure(error)) {
              forgetAttempt(target.key, ticket);
              throw error;
            }
            reason = 'network_error';
            failures.push(`${target.key}: ${describeFailure(error)}`);
            recordOutcome(target.key, 'failure', ticket);
            lastWasNetwork = true;
            await lastResponse?.body?.cancel();
            lastResponse = null;
            if (retryIndex >= retries || !budget.tryWithdraw(now())) break;
            const delayMs = backoffMs(retryIndex);
            if (events?.has('route:retry') === true) events.emit({ type: 'route:retry', id: ctx.id, target: target.key, retry: retryIndex + 1, delayMs, reason });
            await sleep(delayMs, ctx.signal);
            continue;
          } finally {
            if (isTracked) inFlight.set(target.key, (inFlight.get(target.key) ?? 1) - 1);
          }
          const attemptMs = ctx.attempts[ctx.attempts.length - 1]?.latencyMs;
          const hasMore = position < usable.length - 1;
          let isContextLength = false;
          if (hasMore && (response.status === 400 || response.status === 413)) {
            try {
              ({ response, isContextLength } = await contextLengthCheck(response));
            } catch (error) {
              forgetAttempt(target.key, ticket);
              throw error;
            }
          }
          if (!RETRIABLE_STATUSES.has(response.status) && !isContextLength) {
            // The target answered: client errors (4xx) are the caller's, not the target's, fault.
            recordOutcome(target.key, 'success', ticket);
            if (attemptMs !== undefined && tracked.has(target.key)) latency.observe(target.key, attemptMs, now());
            await lastResponse?.body?.cancel();
            lastResponse = null;
            return withHeaders(response, routedHeaders(target, attempts));
          }
          if (isContextLength) {
            // The prompt does not fit this target's window: a retry cannot help, a larger target may.
            forgetAttempt(target.key, ticket);
            reason = 'context_length';
          } else if (response.status === 429) {
            // A rate limit says nothing about the target's health: rest it until the provider's reset.
            reason = 'HTTP 429';
            const restMs = resetAfterMs(response.headers, ctx.startedAt + (ctx.now() - ctx.startMs));
            forgetAttempt(target.key, ticket);
            if (restMs !== null && tracked.has(target.key)) announce(health.coolDown(target.key, now() + restMs), now());
          } else {
            reason = `HTTP ${response.status}`;
            recordOutcome(target.key, 'failure', ticket);
          }
          failures.push(`${target.key}: ${reason}`);
          await lastResponse?.body?.cancel();
          lastResponse = response;
          lastWasNetwork = false;
          if (isContextLength || retryIndex >= retries) break;
          const asked = retryAfterMs(response.headers, ctx.startedAt + (ctx.now() - ctx.startMs));
          // Waiting longer than allowed is pointless on this target: move on to the next one.
          if (asked !== null && asked > retry.maxRetryAfterMs) break;
          if (!budget.tryWithdraw(now())) break;
          const delayMs = asked ?? backoffMs(retryIndex);
          if (events?.has('route:retry') === true) events.emit({ type: 'route:retry', id: ctx.id, target: target.key, retry: retryIndex + 1, delayMs, reason });
          await sleep(delayMs, ctx.signal);
        }
        const following = usable[position + 1];
        if (following !== undefined && events?.has('route:fallback') === true) {
          events.emit({ type: 'route:fallback', id: ctx.id, from: target.key, to: following.key, reason });
        }
      }
    } catch (error) {
      await lastResponse?.body?.cancel();
      throw error;
    }

    if (outside.length > 0 && policy !== null) {
      // Fallbacks stayed inside the policy and none served: the SDK learns that the policy is why.
      await lastResponse?.body?.cancel();
      const refusal = policy.refusal(`the targets it allows failed (${failures.join('; ') || 'none could be tried'}), and ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside it`);
      const message = ctx.scrub(refusal.message);
      ctx.error = { class: refusal.code, message };
      const response = errorResponse(ctx.dialect, { status: 403, code: refusal.code, message, requestId: ctx.id, shouldRetry: false });
      return withHeaders(response, routedHeaders(lastTarget, attempts));
    }
    if (lastResponse !== null && !lastWasNetwork) {
      return withHeaders(lastResponse, { ...routedHeaders(lastTarget, attempts), 'x-should-retry': 'false' });
    }
    await lastResponse?.body?.cancel();
    const message =
      attempts === 0
        ? `every target of '${router.name}' is out of rotation after failures (half-open, probe in flight); retry shortly`
        : ctx.scrub(`every target of '${router.name}' failed: ${failures.join('; ')}`);
    ctx.error = { class: 'sluice_all_targets_failed', message };
    const response = errorResponse(ctx.dialect, {
      status: attempts === 0 ? 503 : 502,
      code: 'sluice_all_targets_failed',
      message,
      requestId: ctx.id,
      shouldRetry: false,
    });
    return withHeaders(response, routedHeaders(lastTarget, attempts));
  };

  return Object.assign(route, {
    health(): RouterHealth[] {
      const nowMs = now();
      return health.snapshot(nowMs).map((entry) => ({
        target: entry.key,
        state: entry.state,
        consecutiveFailures: entry.consecutiveFailures,
        errorRate: entry.errorRate,
        ejectedForMs: entry.ejectedUntilMs === null ? null : Math.max(0, entry.ejectedUntilMs - nowMs),
        ejections: entry.ejections,
        reason: entry.reason,
        latencyMs: latency.estimate(entry.key, nowMs),
        inFlight: inFlight.get(entry.key) ?? 0,
      }));
    },
  });
}

/** The caller's output limit, in any dialect, for the cost strategy's estimate. */
function maxTokensOf(body: unknown): number | null {
  if (typeof body !== 'object' || body === null) return null;
  const record = body as { max_completion_tokens?: unknown; max_tokens?: unknown; generationConfig?: { maxOutputTokens?: unknown } };
  const value = record.max_completion_tokens ?? record.max_tokens ?? record.generationConfig?.maxOutputTokens;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function toTarget(resolve: ((spec: string) => ResolvedRouterTarget | undefined) | undefined, spec: string): CallContext['target'] {
  const found = resolve?.(spec);
  return found === undefined ? null : { provider: found.provider, model: found.model, timeouts: found.timeouts };
}

function routedHeaders(target: ResolvedRouterTarget, attempts: number): Record<string, string> {
  return { 'x-sluice-provider': target.provider.name, 'x-sluice-model': target.model, 'x-sluice-attempts': String(attempts) };
}
