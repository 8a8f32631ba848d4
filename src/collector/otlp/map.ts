/**
 * Maps decoded OTLP spans to call records, by the OpenTelemetry GenAI semantic conventions (1.41.0,
 * `gen_ai.*`) and Sluice's own `sluice.*` attributes, so that a record exported by `otlpExporter()` or
 * the `otel()` plugin comes back as the record it was, on every field its span carries.
 * @module
 */
import type { Attempt, CallOutcome, CallRecord, Dialect, GuardAction, GuardVerdict, Operation, RecordError, Usage } from '../../events/record.js';
import { computeCostUsd, resolvePrice, type Pricing } from '../../wire/price.js';
import { builtinPrices, findProviderPrice } from '../../wire/prices/index.js';
import { PROVIDER_BY_KIND, PROVIDER_BY_NAME } from '../../wire/semconv.js';
import type { AttributeValue, DecodedSpan } from './model.js';

/** A GenAI span the collector could not turn into a record, by its position among the request's spans. */
export interface RejectedSpan {
  /** The span's index in the request, counting every span in order (across resources and scopes). */
  index: number;
  /** Why, naming the field. */
  reason: string;
}

/** `gen_ai.operation.name` values that are one model call each, and the record operation they become. */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  chat: 'chat',
  text_completion: 'chat',
  generate_content: 'chat',
  embeddings: 'embeddings',
  // Sluice's own operations that the conventions do not name.
  models: 'models',
  count_tokens: 'count_tokens',
  responses: 'responses',
};

/** `gen_ai.provider.name` (or the legacy `gen_ai.system`) back to Sluice's provider names. */
const PROVIDER_BY_SEMCONV: ReadonlyMap<string, string> = /*@__PURE__*/ new Map([
  ...Object.entries(PROVIDER_BY_KIND).map(([name, semconv]) => [semconv, name] as const),
  ...Object.entries(PROVIDER_BY_NAME).map(([name, semconv]) => [semconv, name] as const),
  // Legacy `gen_ai.system` values (semantic conventions before 1.37).
  ['vertex_ai', 'vertex'],
  ['gemini', 'gemini'],
  ['gcp.gen_ai', 'gemini'],
  ['az.ai.openai', 'azure'],
  ['az.ai.inference', 'azure'],
]);

const OUTCOMES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled', 'errored']);
const CACHE_STATUSES: ReadonlySet<string> = new Set(['hit', 'miss', 'bypass']);
const GUARD_ACTIONS: ReadonlySet<string> = new Set(['redact', 'mask', 'block', 'log']);
// Within the ingest schema of /v1/records (src/collector/record-schema.ts), so an OTLP record is one
// that route would accept: names up to 1,024 characters, ids up to 256, lists up to 1,000 (tags 256).
/** The longest model, provider, user, session or tag kept as it came (longer ones are cut). */
const MAX_TEXT = 1024;
const MAX_ID = 256;
const MAX_TAGS = 256;
const MAX_LIST = 1000;

const textOf = (value: AttributeValue | undefined): string | null => (typeof value === 'string' && value !== '' ? value.slice(0, MAX_TEXT) : null);
const numberOf = (value: AttributeValue | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
/** A token count: a whole number from 0 to 2^53. */
const countOf = (value: AttributeValue | undefined): number | null => {
  const number = numberOf(value);
  return number !== null && Number.isSafeInteger(number) && number >= 0 ? number : null;
};
/** An HTTP status: 100 to 999. */
const statusOf = (value: AttributeValue | undefined): number | null => {
  const number = countOf(value);
  return number !== null && number >= 100 && number <= 999 ? number : null;
};

/** Nanoseconds between two times, as milliseconds (exact to the nanosecond for spans under 104 days). */
const msBetween = (startNs: bigint, endNs: bigint): number => Number(endNs - startNs) / 1e6;
/** Epoch nanoseconds as epoch milliseconds; a whole millisecond stays whole. */
const msOf = (ns: bigint): number => Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;

/** What makes a span a model call, and which operation it is; `null` for every other span. */
function operationOf(span: DecodedSpan): { name: string; operation: Operation } | null {
  const name = textOf(span.attributes.get('gen_ai.operation.name'));
  if (name !== null) {
    const operation = OPERATIONS[name];
    // invoke_agent, execute_tool, create_agent... are not one model call: their children are.
    return operation === undefined || !Object.hasOwn(OPERATIONS, name) ? null : { name, operation };
  }
  // Instrumentations from before `gen_ai.operation.name`: a system and a model make a call.
  const hasSystem = span.attributes.has('gen_ai.provider.name') || span.attributes.has('gen_ai.system');
  const hasModel = span.attributes.has('gen_ai.request.model') || span.attributes.has('gen_ai.response.model');
  return hasSystem && hasModel ? { name: 'chat', operation: 'chat' } : null;
}

function dialectOf(operationName: string, provider: string | null): Dialect {
  if (operationName === 'generate_content' || provider === 'gemini' || provider === 'vertex') return 'gemini';
  if (provider === 'anthropic') return 'anthropic';
  return 'openai';
}

function outcomeOf(span: DecodedSpan, status: number | null): CallOutcome {
  const own = textOf(span.attributes.get('sluice.outcome'));
  if (own !== null && OUTCOMES.has(own)) return own as CallOutcome;
  const errorType = textOf(span.attributes.get('error.type'));
  if (errorType === 'cancelled') return 'cancelled';
  if (span.status.code !== 2 && errorType === null && (status === null || status < 400)) return 'completed';
  return (status !== null && status >= 400) || (errorType !== null && /^\d{3}$/.test(errorType)) ? 'failed' : 'errored';
}

function errorOf(span: DecodedSpan, outcome: CallOutcome, status: number | null): RecordError | null {
  if (outcome === 'completed') return null;
  const errorType = textOf(span.attributes.get('error.type'));
  const errorClass = errorType ?? (status !== null && status >= 400 ? 'http_error' : outcome === 'cancelled' ? 'abort' : 'error');
  const message = span.status.message !== '' ? span.status.message.slice(0, 2048) : errorType ?? (status !== null ? `HTTP ${status}` : outcome);
  return { class: errorClass, message };
}

function usageOf(attributes: Map<string, AttributeValue>): Usage {
  return {
    inputTokens: countOf(attributes.get('gen_ai.usage.input_tokens') ?? attributes.get('gen_ai.usage.prompt_tokens')),
    outputTokens: countOf(attributes.get('gen_ai.usage.output_tokens') ?? attributes.get('gen_ai.usage.completion_tokens')),
    cachedTokens: countOf(attributes.get('gen_ai.usage.cache_read.input_tokens') ?? attributes.get('gen_ai.usage.cache_read_input_tokens')),
    reasoningTokens: countOf(attributes.get('gen_ai.usage.reasoning.output_tokens')),
    cacheWriteTokens: countOf(attributes.get('gen_ai.usage.cache_creation.input_tokens') ?? attributes.get('gen_ai.usage.cache_creation_input_tokens')),
  };
}

/** The cost the span states (`sluice.cost_usd`), else one priced from the built-in catalog, else `null`. */
function costOf(span: DecodedSpan, provider: string | null, models: readonly (string | null)[], usage: Usage, startedAt: number): { costUsd: number | null; pricing: Pricing | null } {
  const stated = numberOf(span.attributes.get('sluice.cost_usd'));
  if (stated !== null && stated >= 0) return { costUsd: stated, pricing: null };
  // Sluice priced its call with this catalog and the user's prices: no cost stated means none was known.
  if (span.attributes.has('sluice.call.id')) return { costUsd: null, pricing: null };
  if (usage.inputTokens === null && usage.outputTokens === null) return { costUsd: null, pricing: null };
  for (const model of models) {
    if (model === null) continue;
    const price = findProviderPrice(builtinPrices, provider, model);
    if (price === undefined) continue;
    const costUsd = computeCostUsd(price, usage, startedAt);
    return { costUsd, pricing: costUsd === null ? null : resolvePrice(price, usage, startedAt).pricing };
  }
  return { costUsd: null, pricing: null };
}

function metadataOf(span: DecodedSpan, isSluice: boolean): Record<string, unknown> | null {
  const own = span.attributes.get('sluice.metadata');
  if (typeof own === 'string') {
    try {
      const parsed: unknown = JSON.parse(own);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Not an object: left out rather than failing the span.
    }
  }
  if (isSluice) return null;
  // A span from another instrumentation: keep the way back to its trace and service.
  const metadata: Record<string, unknown> = { 'otel.trace_id': span.traceId, 'otel.span_id': span.spanId };
  const service = textOf(span.resource.get('service.name'));
  if (service !== null) metadata['service.name'] = service;
  return metadata;
}

function guardOf(span: DecodedSpan): GuardVerdict[] {
  const verdicts: GuardVerdict[] = [];
  for (const event of span.events) {
    if (event.name !== 'sluice.guard') continue;
    const rule = textOf(event.attributes.get('sluice.guard.rule'));
    const action = textOf(event.attributes.get('sluice.guard.action'));
    const count = countOf(event.attributes.get('sluice.guard.count'));
    if (rule !== null && action !== null && GUARD_ACTIONS.has(action) && count !== null) verdicts.push({ rule, action: action as GuardAction, count });
    if (verdicts.length === MAX_LIST) break;
  }
  return verdicts;
}

function attemptOf(child: DecodedSpan, parent: DecodedSpan): Attempt {
  const status = statusOf(child.attributes.get('http.response.status_code'));
  return {
    provider: textOf(child.attributes.get('sluice.attempt.provider')),
    model: textOf(child.attributes.get('gen_ai.request.model')),
    keyId: null,
    status,
    errorClass: textOf(child.attributes.get('error.type')),
    latencyMs: Math.max(0, msBetween(child.startNs, child.endNs)),
    sentAfterMs: Math.max(0, msBetween(parent.startNs, child.startNs)),
  };
}

/** Why a GenAI span cannot be a record, or `null` when it can. */
function invalidReason(span: DecodedSpan): string | null {
  if (span.traceId === '') return 'traceId: missing, not 16 bytes, or all zeros';
  if (span.spanId === '') return 'spanId: missing, not 8 bytes, or all zeros';
  if (span.startNs === 0n) return 'startTimeUnixNano: missing';
  if (span.endNs < span.startNs) return 'endTimeUnixNano: before startTimeUnixNano';
  return null;
}

/**
 * Turns the spans of one trace export into records: one per GenAI model-call span. Sluice's attempt
 * spans (`sluice.attempt.index`) become the `attempts` of their parent's record; other spans are ignored.
 * @param spans The decoded spans.
 * @returns The records and the GenAI spans rejected, with reasons.
 */
export function spansToRecords(spans: readonly DecodedSpan[]): { records: CallRecord[]; rejected: RejectedSpan[] } {
  const records: CallRecord[] = [];
  const rejected: RejectedSpan[] = [];
  // Attempt spans by their parent's `traceId/spanId`, with their index.
  const attempts = new Map<string, { index: number; span: DecodedSpan }[]>();
  for (const span of spans) {
    const index = countOf(span.attributes.get('sluice.attempt.index'));
    if (index === null || span.parentSpanId === '' || span.traceId === '') continue;
    const key = `${span.traceId}/${span.parentSpanId}`;
    const list = attempts.get(key);
    if (list === undefined) attempts.set(key, [{ index, span }]);
    else list.push({ index, span });
  }
  spans.forEach((span, index) => {
    if (span.attributes.has('sluice.attempt.index')) return;
    const operation = operationOf(span);
    if (operation === null) return;
    const reason = invalidReason(span);
    if (reason !== null) {
      rejected.push({ index, reason });
      return;
    }
    records.push(recordOf(span, operation, attempts.get(`${span.traceId}/${span.spanId}`) ?? []));
  });
  return { records, rejected };
}

function recordOf(span: DecodedSpan, operation: { name: string; operation: Operation }, children: { index: number; span: DecodedSpan }[]): CallRecord {
  const { attributes } = span;
  const callId = textOf(attributes.get('sluice.call.id'));
  const ownId = callId !== null && callId.length <= MAX_ID ? callId : null;
  const isSluice = ownId !== null;
  const semconvProvider = textOf(attributes.get('gen_ai.provider.name')) ?? textOf(attributes.get('gen_ai.system'));
  const provider = semconvProvider === null ? null : (PROVIDER_BY_SEMCONV.get(semconvProvider) ?? semconvProvider);
  const requestedModel = textOf(attributes.get('gen_ai.request.model'));
  const responseModel = textOf(attributes.get('gen_ai.response.model'));
  const status = statusOf(attributes.get('http.response.status_code'));
  const outcome = outcomeOf(span, status);
  const startedAt = msOf(span.startNs);
  const latencyMs = msBetween(span.startNs, span.endNs);
  const firstChunkSeconds = numberOf(attributes.get('gen_ai.response.time_to_first_chunk'));
  const usage = usageOf(attributes);
  const cacheStatus = textOf(attributes.get('sluice.cache.status'));
  const hit = span.events.find((event) => event.name === 'sluice.cache.hit');
  const tags = attributes.get('sluice.tags');
  const cost = costOf(span, provider, [responseModel, requestedModel], usage, startedAt);
  return {
    // Sluice's own id when the span carries it (the same call exported twice is one record); otherwise
    // one derived from the span's identity, so a span sent again is a duplicate, not a new record.
    id: ownId ?? `otel-${span.traceId}-${span.spanId}`,
    startedAt,
    dialect: dialectOf(operation.name, provider),
    operation: operation.operation,
    requestedModel,
    provider,
    // A Sluice span states the served model when there was one; other instrumentations often only the requested one.
    model: responseModel ?? (isSluice ? null : requestedModel),
    status,
    outcome,
    streamed: attributes.get('gen_ai.request.stream') === true,
    latencyMs,
    ttftMs: firstChunkSeconds === null || firstChunkSeconds < 0 || !Number.isFinite(firstChunkSeconds * 1000) ? null : firstChunkSeconds * 1000,
    // Not carried by spans: Sluice's own time is unknown here.
    overheadMs: 0,
    phases: { requestMs: 0, upstreamMs: null, responseMs: 0 },
    usage,
    usagePartial: false,
    usageEstimated: attributes.get('sluice.usage.estimated') === true,
    costUsd: cost.costUsd,
    pricing: cost.pricing,
    user: textOf(attributes.get('user.id')) ?? textOf(attributes.get('enduser.id')),
    session: textOf(attributes.get('gen_ai.conversation.id')) ?? textOf(attributes.get('session.id')),
    tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string').slice(0, MAX_TAGS).map((tag) => tag.slice(0, MAX_TEXT)) : [],
    metadata: metadataOf(span, isSluice),
    error: errorOf(span, outcome, status),
    attempts: children.sort((a, b) => a.index - b.index).slice(0, MAX_LIST).map((child) => attemptOf(child.span, span)),
    cache:
      cacheStatus !== null && CACHE_STATUSES.has(cacheStatus)
        ? { status: cacheStatus as 'hit' | 'miss' | 'bypass', namespace: textOf(hit?.attributes.get('sluice.cache.namespace')) ?? 'default', savedUsd: null }
        : null,
    guard: guardOf(span),
    requestBody: null,
    responseBody: null,
    region: null,
    zeroRetention: false,
  };
}
