import type { CallRecord } from '../../src/events/record.js';

let sequence = 0;

/**
 * Builds a valid, completed `CallRecord` with a unique id, for tests.
 * @param overrides - Fields to replace in the default record.
 * @example
 * ```ts
 * const record = makeRecord({ status: 429, outcome: 'failed' });
 * ```
 */
export function makeRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  sequence++;
  return {
    id: `call_${sequence}`,
    startedAt: 1_700_000_000_000,
    dialect: 'openai',
    operation: 'chat',
    requestedModel: 'gpt-4o-mini',
    provider: 'openai',
    model: 'gpt-4o-mini',
    status: 200,
    outcome: 'completed',
    streamed: false,
    latencyMs: 412,
    ttftMs: null,
    overheadMs: 2,
    phases: { requestMs: 1, upstreamMs: 409, responseMs: 1 },
    usage: { inputTokens: 12, outputTokens: 48, cachedTokens: 0, reasoningTokens: 0, cacheWriteTokens: null },
    usagePartial: false,
    usageEstimated: false,
    costUsd: 0.000031,
    pricing: { tier: null, window: null, region: null, since: null },
    user: null,
    session: null,
    tags: [],
    metadata: null,
    cache: null,
    guard: [],
    region: null,
    zeroRetention: false,
    error: null,
    attempts: [{ provider: 'openai', model: 'gpt-4o-mini', keyId: null, status: 200, errorClass: null, latencyMs: 409, sentAfterMs: 1 }],
    requestBody: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}',
    responseBody: '{"id":"chatcmpl-1","choices":[]}',
    ...overrides,
  };
}
