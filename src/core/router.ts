/**
 * The routing middleware: for a call whose model names a router, orders the router's targets by its
 * strategy, retries a retriable failure on the same target with backoff, then falls back to the next
 * target. It sits just above dispatch, so each `next(ctx)` is exactly one upstream request.
 * @module
 */
import type { ResolvedRetry, ResolvedRouter, ResolvedRouterTarget } from '../config/parse.js';
import type { CallContext } from './context.js';
import { isNetworkFailure } from './dispatch.js';
import { readHeader } from './headers.js';
import { errorResponse } from './respond.js';
import type { Middleware, Next } from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** Routers by the model name the SDK asks for. */
  routers: ReadonlyMap<string, ResolvedRouter>;
  /** Backoff settings. */
  retry: ResolvedRetry;
  /** A source of numbers in [0, 1), for weighted picks and jitter; tests pass a seeded one. @default Math.random */
  random?: () => number;
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
export function createRouter(options: RouterOptions): Middleware {
  const { routers, retry } = options;
  const random = options.random ?? Math.random;
  // Bounded: one entry per configured target.
  const inFlight = new Map<string, number>();
  for (const router of routers.values()) for (const target of router.targets) inFlight.set(target.key, 0);

  const backoffMs = (retryIndex: number): number => {
    const base = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** retryIndex);
    return base / 2 + (random() * base) / 2;
  };

  return async function route(ctx: CallContext, next: Next): Promise<Response> {
    const name = ctx.requestedModel;
    const router = name === null ? undefined : routers.get(name);
    if (router === undefined) return next(ctx);

    // The SDK is retrying this call itself: do not multiply its retries, only fall back.
    const sdkRetry = ctx.hasHeaderCopy ? ctx.headers.get('x-stainless-retry-count') : readHeader(ctx.init.headers, 'x-stainless-retry-count');
    const retries = sdkRetry !== null && Number(sdkRetry) > 0 ? 0 : router.retries;
    const order = orderTargets(router, random, inFlight);
    const failures: string[] = [];
    let lastResponse: Response | null = null;
    let lastWasNetwork = false;
    let attempts = 0;

    try {
      for (const target of order) {
        for (let retryIndex = 0; ; retryIndex++) {
          ctx.target = { provider: target.provider, model: target.model };
          // A failed attempt's notes must not stick to the one that serves.
          ctx.error = null;
          ctx.responseBody = null;
          attempts++;
          inFlight.set(target.key, (inFlight.get(target.key) ?? 0) + 1);
          let response: Response;
          try {
            response = await next(ctx);
          } catch (error) {
            if (ctx.signal?.aborted === true || !isNetworkFailure(error)) throw error;
            failures.push(`${target.key}: ${describeFailure(error)}`);
            lastWasNetwork = true;
            if (retryIndex >= retries) break;
            await sleep(backoffMs(retryIndex), ctx.signal);
            continue;
          } finally {
            inFlight.set(target.key, (inFlight.get(target.key) ?? 1) - 1);
          }
          if (!RETRIABLE_STATUSES.has(response.status)) {
            await lastResponse?.body?.cancel();
            lastResponse = null;
            return withHeaders(response, routedHeaders(target, attempts));
          }
          failures.push(`${target.key}: HTTP ${response.status}`);
          await lastResponse?.body?.cancel();
          lastResponse = response;
          lastWasNetwork = false;
          if (retryIndex >= retries) break;
          const asked = retryAfterMs(response.headers, ctx.startedAt + (ctx.now() - ctx.startMs));
          // Waiting longer than allowed is pointless on this target: move on to the next one.
          if (asked !== null && asked > retry.maxRetryAfterMs) break;
          await sleep(asked ?? backoffMs(retryIndex), ctx.signal);
        }
      }
    } catch (error) {
      await lastResponse?.body?.cancel();
      throw error;
    }

    const last = order[order.length - 1]!;
    if (lastResponse !== null && !lastWasNetwork) {
      return withHeaders(lastResponse, { ...routedHeaders(last, attempts), 'x-should-retry': 'false' });
    }
    await lastResponse?.body?.cancel();
    const message = `every target of '${router.name}' failed: ${failures.join('; ')}`;
    ctx.error = { class: 'sluice_all_targets_failed', message };
    const response = errorResponse(ctx.dialect, { status: 502, code: 'sluice_all_targets_failed', message, requestId: ctx.id, shouldRetry: false });
    return withHeaders(response, routedHeaders(last, attempts));
  };
}

function routedHeaders(target: ResolvedRouterTarget, attempts: number): Record<string, string> {
  return { 'x-sluice-provider': target.provider.name, 'x-sluice-model': target.model, 'x-sluice-attempts': String(attempts) };
}
