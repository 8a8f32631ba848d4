/**
 * Helicone's request headers, read when `compat: { helicone: true }` is set (this module loads on demand
 * then, and never otherwise). Every `helicone-*` header is removed before the call goes upstream; what
 * Sluice has an equivalent for is mapped onto it (docs/helicone.md has the table):
 *
 * - `Helicone-User-Id` → the call's user; `Helicone-Session-Id` → its session, with `-Path` and `-Name`
 *   in `metadata.sessionPath` / `metadata.sessionName`; `Helicone-Property-<name>` → `metadata[<name>]`.
 * - `Helicone-Cache-Enabled`, `Cache-Control: max-age`, `Helicone-Cache-Seed` → the cache plugin's
 *   per-call headers (`x-sluice-cache`, `-ttl`, `-namespace`).
 * - `Helicone-Omit-Request` / `-Response` → no bodies in the call's record.
 * - `Helicone-Retry-Enabled` (+ `-Num`, `-Factor`, `-Min-Timeout`, `-Max-Timeout`) → retries of this call.
 * - `Helicone-RateLimit-Policy` → a `limits()` rule (or, in cents, a `budget()`) for the call's segment.
 * - `Helicone-Request-Id` (a UUID) → the call id, so the record and `helicone-id` carry it.
 * - A URL `…/router/<id>/…` (Helicone AI Gateway's router path) → the tag `helicone-router:<id>`, which
 *   the rules made by `fromHeliconeConfig` route on (and per-router rate limits count by).
 *
 * Answers carry `helicone-id` (the call id) and, when the cache took part, `helicone-cache: HIT | MISS`.
 * @module
 */
import type { CallContext } from '../core/context.js';
import { isNetworkFailure } from '../core/dispatch.js';
import { retryAfterMs } from '../core/router.js';
import type { Middleware, Next, PluginLifecycle } from '../core/types.js';
import { budget } from '../plugins/budget/index.js';
import { limits } from '../plugins/limits/index.js';

/** What `createSluice` calls per call: reads the headers into `ctx`, returns the chain to run. @internal */
export type HeliconeCall = (ctx: CallContext, chain: Next) => Next;

/** The part of a Sluice instance the compat layer uses: it adds its inner layer once. */
export interface HeliconeHost {
  use(middleware: Middleware): unknown;
}

/** Retries asked for by `Helicone-Retry-*` (Helicone's defaults: 5 retries, factor 2, 1 s to 10 s). */
export interface HeliconeRetryPolicy {
  retries: number;
  factor: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** A `Helicone-RateLimit-Policy` parsed: `[quota];w=[window seconds];u=[request|cents];s=[segment]`. */
export interface HeliconeRateLimitPolicy {
  quota: number;
  windowSeconds: number;
  unit: 'request' | 'cents';
  /** `null` for one bucket for everyone; `'user'`; or a property name. */
  segment: string | null;
}

const RETRIABLE = new Set([408, 409, 429, 500, 502, 503, 504, 529]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The most distinct (policy, segment value) limiters kept; the least recently used go first. */
const MAX_LIMITERS = 1000;
/** Helicone's hosted proxy refuses buckets above 20; its AI Gateway above 10. */
const MAX_RETRIES = 10;
const PROPERTY = 'helicone-property-';
/**
 * The metadata cap of config/parse.ts (`MAX_METADATA_CHARS`), repeated: importing it from there would
 * split the core entry's chunks and cost it ~180 bytes min+gz.
 */
const MAX_METADATA_CHARS = 8192;

/**
 * Parses a `Helicone-RateLimit-Policy` value.
 * @param value The header, e.g. `10;w=1000;u=cents;s=user`.
 * @returns The policy, or `null` when it does not follow Helicone's format.
 */
export function parseRateLimitPolicy(value: string): HeliconeRateLimitPolicy | null {
  const [quotaText, ...parts] = value.split(';').map((part) => part.trim());
  const quota = Number(quotaText);
  if (!Number.isFinite(quota) || quota <= 0) return null;
  let windowSeconds: number | null = null;
  let unit: HeliconeRateLimitPolicy['unit'] = 'request';
  let segment: string | null = null;
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq === -1) return null;
    const key = part.slice(0, eq).trim().toLowerCase();
    const given = part.slice(eq + 1).trim();
    if (key === 'w') windowSeconds = Number(given);
    else if (key === 'u') {
      if (given !== 'request' && given !== 'cents') return null;
      unit = given;
    } else if (key === 's') segment = given === '' ? null : given.toLowerCase();
    else return null;
  }
  if (windowSeconds === null || !Number.isFinite(windowSeconds) || windowSeconds <= 0) return null;
  return { quota, windowSeconds, unit, segment };
}

/**
 * Reads `Helicone-Retry-*` headers.
 * @param get Reads one lower-case header.
 * @returns The policy, or `null` when retries were not enabled.
 */
export function readRetryPolicy(get: (name: string) => string | null): HeliconeRetryPolicy | null {
  if (get('helicone-retry-enabled')?.trim().toLowerCase() !== 'true') return null;
  const number = (name: string, fallback: number, min: number): number => {
    const value = Number(get(name) ?? Number.NaN);
    return Number.isFinite(value) && value >= min ? value : fallback;
  };
  const minTimeoutMs = number('helicone-retry-min-timeout', 1000, 0);
  return {
    retries: Math.min(MAX_RETRIES, Math.floor(number('helicone-retry-num', 5, 0))),
    factor: number('helicone-retry-factor', 2, 1),
    minTimeoutMs,
    maxTimeoutMs: Math.max(minTimeoutMs, number('helicone-retry-max-timeout', 10_000, 0)),
  };
}

/** A cache namespace from a `Helicone-Cache-Seed`: visible ASCII, at most 128 characters. */
function seedNamespace(seed: string): string {
  const encoded = `helicone-seed:${encodeURIComponent(seed)}`;
  if (encoded.length <= 128) return encoded;
  // FNV-1a over the seed: long seeds still get their own namespace.
  let hash = 0x811c9dc5;
  for (let index = 0; index < seed.length; index++) hash = Math.imul(hash ^ seed.charCodeAt(index), 0x01000193) >>> 0;
  return `helicone-seed:#${hash.toString(16)}:${seed.length}`;
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Per-call state the inner layer reads. */
interface CallState {
  retry: HeliconeRetryPolicy | null;
  policy: HeliconeRateLimitPolicy | null;
  policyText: string | null;
  /** The value the policy's segment names, for this call (`''` for one shared bucket). */
  segmentValue: string;
  /** The `x-sluice-cache*` headers this call asked for, set again before each retry (the cache removes them). */
  cacheHeaders: ReadonlyArray<readonly [string, string]>;
}

/**
 * Installs the Helicone layer on an instance: an inner middleware (per-call rate limits and retries,
 * just above routing, below the user's plugins) and the per-call header reader.
 * @param host The instance (its `use`).
 * @returns The function `createSluice` calls for every call.
 */
export function heliconeCompat(host: HeliconeHost): HeliconeCall {
  const states = new WeakMap<CallContext, CallState>();
  /** One limiter per (policy, segment value), least recently used first. */
  const limiters = new Map<string, Middleware & PluginLifecycle>();

  const limiterFor = (state: CallState): (Middleware & PluginLifecycle) | null => {
    const policy = state.policy;
    if (policy === null) return null;
    const key = `${state.policyText}\u0000${state.segmentValue}`;
    let limiter = limiters.get(key);
    if (limiter !== undefined) {
      limiters.delete(key);
      limiters.set(key, limiter);
      return limiter;
    }
    limiter =
      policy.unit === 'cents'
        ? budget({ budgets: [{ scope: 'global', limitUsd: policy.quota / 100, period: { everyMs: Math.round(policy.windowSeconds * 1000) } }] })
        : // A bucket of `quota` per window: Sluice's buckets are per minute, so the rate is scaled to it.
          limits({ rate: [{ scope: 'global', rpm: (policy.quota * 60) / policy.windowSeconds }] });
    limiters.set(key, limiter);
    if (limiters.size > MAX_LIMITERS) {
      const oldest = limiters.keys().next().value!;
      void limiters.get(oldest)?.close?.();
      limiters.delete(oldest);
    }
    return limiter;
  };

  const retrying = async (ctx: CallContext, next: Next, state: CallState): Promise<Response> => {
    const policy = state.retry;
    if (policy === null) return next(ctx);
    for (let retry = 0; ; retry++) {
      if (retry > 0) for (const [name, value] of state.cacheHeaders) ctx.headers.set(name, value);
      ctx.error = null;
      let response: Response;
      try {
        response = await next(ctx);
      } catch (error) {
        if (ctx.signal?.aborted === true || !isNetworkFailure(error) || retry >= policy.retries) throw error;
        await sleep(backoff(policy, retry), ctx.signal);
        continue;
      }
      if (!RETRIABLE.has(response.status) || retry >= policy.retries) return response;
      const asked = retryAfterMs(response.headers, ctx.startedAt + (ctx.now() - ctx.startMs));
      await response.body?.cancel();
      await sleep(Math.min(policy.maxTimeoutMs, asked ?? backoff(policy, retry)), ctx.signal);
    }
  };

  const inner: Middleware & PluginLifecycle = Object.assign(
    async function heliconeLimitsAndRetries(ctx: CallContext, next: Next): Promise<Response> {
      const state = states.get(ctx);
      if (state === undefined) return next(ctx);
      const limiter = limiterFor(state);
      const run: Next = (current) => retrying(current, next, state);
      return limiter === null ? run(ctx) : limiter(ctx, run);
    },
    {
      flush: async (): Promise<void> => {
        await Promise.all([...limiters.values()].map((limiter) => limiter.flush?.()));
      },
      close: async (): Promise<void> => {
        await Promise.all([...limiters.values()].map((limiter) => limiter.close?.()));
      },
    },
  );
  host.use(inner);

  return (ctx, chain) => {
    const headers = ctx.headers;
    const helicone = new Map<string, string>();
    for (const [name, value] of headers) if (name.startsWith('helicone-')) helicone.set(name, value);
    for (const name of helicone.keys()) headers.delete(name);
    const get = (name: string): string | null => helicone.get(name) ?? null;

    const router = /\/router\/([A-Za-z0-9_-]{1,64})\//.exec(new URL(ctx.url).pathname);
    if (router !== null) ctx.tags = [...ctx.tags, `helicone-router:${router[1]!}`];

    const requestId = get('helicone-request-id')?.trim();
    // The id is the record's and the answers' request id: only a UUID, as Helicone documents it.
    if (requestId !== undefined && UUID.test(requestId)) (ctx as { id: string }).id = requestId.toLowerCase();
    const user = get('helicone-user-id');
    if (user !== null && user !== '') ctx.user = user;
    const session = get('helicone-session-id');
    if (session !== null && session !== '') ctx.session = session;

    const added: Record<string, string> = {};
    for (const [name, value] of helicone) if (name.startsWith(PROPERTY) && name.length > PROPERTY.length) added[name.slice(PROPERTY.length)] = value;
    const sessionPath = get('helicone-session-path');
    const sessionName = get('helicone-session-name');
    if (sessionPath !== null) added['sessionPath'] = sessionPath;
    if (sessionName !== null) added['sessionName'] = sessionName;
    if (Object.keys(added).length > 0) {
      const merged = { ...ctx.metadata, ...added };
      const size = JSON.stringify(merged).length;
      if (size <= MAX_METADATA_CHARS) ctx.metadata = Object.freeze(merged);
      else if (ctx.events.has('metadata:drop')) ctx.events.emit({ type: 'metadata:drop', id: ctx.id, reason: 'too_large', bytes: size });
    }

    // Cache: the header decides when given (`false` skips), as in Helicone's AI Gateway; Sluice's own
    // `x-sluice-cache*` headers win over it.
    const cacheHeaders: Array<[string, string]> = [];
    const enabled = get('helicone-cache-enabled')?.trim().toLowerCase();
    if (enabled === 'false' && !headers.has('x-sluice-cache')) cacheHeaders.push(['x-sluice-cache', 'skip']);
    if (enabled === 'true') {
      const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(headers.get('cache-control') ?? '');
      if (maxAge !== null && Number(maxAge[1]) > 0 && !headers.has('x-sluice-cache-ttl')) cacheHeaders.push(['x-sluice-cache-ttl', `${Number(maxAge[1])}s`]);
      const seed = get('helicone-cache-seed');
      if (seed !== null && seed !== '' && !headers.has('x-sluice-cache-namespace')) cacheHeaders.push(['x-sluice-cache-namespace', seedNamespace(seed)]);
    }
    for (const [name, value] of cacheHeaders) headers.set(name, value);

    const policyText = get('helicone-ratelimit-policy');
    const policy = policyText === null ? null : parseRateLimitPolicy(policyText);
    let segmentValue = '';
    if (policy?.segment === 'user') segmentValue = `user:${ctx.user ?? ''}`;
    else if (policy?.segment != null) segmentValue = `property:${helicone.get(PROPERTY + policy.segment) ?? ''}`;
    const retry = readRetryPolicy(get);
    if (retry !== null || policy !== null) states.set(ctx, { retry, policy, policyText, segmentValue, cacheHeaders });

    const omitRequest = get('helicone-omit-request')?.trim().toLowerCase() === 'true';
    const omitResponse = get('helicone-omit-response')?.trim().toLowerCase() === 'true';
    return async (current) => {
      let response: Response;
      try {
        response = await chain(current);
      } finally {
        if (omitRequest || omitResponse) {
          // Registered after the plugins' own end listeners (cache writes), so theirs still see the bodies;
          // a refusal's end comes after this too.
          current.onEnd((ended) => {
            // `setBody(undefined)` serialises to nothing: the record's request body is then `null`.
            if (omitRequest) ended.setBody(undefined);
            if (omitResponse) ended.responseBody = null;
          });
        }
      }
      const answer = new Headers(response.headers);
      answer.set('helicone-id', current.id);
      const status = current.cache?.status;
      if (status === 'hit' || status === 'miss') answer.set('helicone-cache', status === 'hit' ? 'HIT' : 'MISS');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers: answer });
    };
  };
}

function backoff(policy: HeliconeRetryPolicy, retry: number): number {
  return Math.min(policy.maxTimeoutMs, policy.minTimeoutMs * policy.factor ** retry);
}
