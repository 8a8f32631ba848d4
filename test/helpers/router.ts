import type { ResolvedRouter, ResolvedRouterTarget } from '../../src/config/parse.js';
import type { ResolvedProvider } from '../../src/config/types.js';

/** No time limits. */
export const NO_TIMEOUTS = { connectMs: null, firstByteMs: null, idleMs: null, totalMs: null, streamTotalMs: null, keepAliveResetsIdle: false };

/** Retry settings with no same-target retries. */
export const RETRY = { retries: 0, minDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000, budget: { ratio: 0.2, minPerSecond: 10 } };

/** A resolved OpenAI-compatible provider, for router unit tests (never called). */
export function resolvedProvider(name: string): ResolvedProvider {
  return {
    name,
    kind: 'openai',
    baseURL: 'http://x/v1',
    origin: 'http://x',
    apiKey: null,
    apiKeys: [],
    headers: {},
    apiVersion: null,
    aws: null,
    vertex: null,
    maxTokens: 4096,
    timeouts: NO_TIMEOUTS,
    unusable: null,
  };
}

/** A router target from `provider/model`. */
export function routerTarget(key: string, weight = 1): ResolvedRouterTarget {
  return { provider: resolvedProvider(key.split('/')[0]!), model: key.split('/')[1]!, key, weight, timeouts: NO_TIMEOUTS, router: null };
}

/** A resolved router named `r`. */
export function resolvedRouter(strategy: ResolvedRouter['strategy'], targets: ResolvedRouterTarget[], retries = 0): ResolvedRouter {
  return { name: 'r', strategy, targets, retries };
}
