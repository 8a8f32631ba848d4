/**
 * Turns call records into OpenTelemetry spans (one per call, a child per upstream attempt) following
 * the GenAI semantic conventions, as a plain model the OTLP encoders serialise. Span ids are derived
 * from the record id (SHA-256), so a batch sent twice carries the same ids and a backend can de-duplicate.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { mcpSpanAttributes, mcpSpanName, PROVIDER_BY_DIALECT, semconvOperation, semconvProvider } from '../../wire/semconv.js';

/** An attribute value OTLP can carry. */
export type OtlpValue = string | number | boolean | readonly string[];

/** One span, ready to encode. Times are nanoseconds since the epoch. */
export interface OtlpSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array | null;
  name: string;
  /** OTLP's `SPAN_KIND_CLIENT`. */
  kind: 3;
  startNs: bigint;
  endNs: bigint;
  attributes: ReadonlyArray<readonly [string, OtlpValue]>;
  events: ReadonlyArray<{ name: string; timeNs: bigint; attributes: ReadonlyArray<readonly [string, OtlpValue]> }>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: 0 | 1 | 2; message: string | undefined };
}

const encoder = /*@__PURE__*/ new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Epoch milliseconds plus an offset, in nanoseconds, without losing precision to floating point. */
function nanos(epochMs: number, offsetMs: number): bigint {
  const whole = Math.floor(epochMs);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((epochMs - whole + offsetMs) * 1_000_000));
}

function errorTypeOf(record: CallRecord): string | null {
  if (record.outcome === 'completed') return null;
  if (record.outcome === 'cancelled') return 'cancelled';
  return record.error?.class ?? (record.status !== null ? String(record.status) : '_OTHER');
}

/**
 * The spans of one record: the call's, then one per attempt.
 * @param record A call record.
 * @returns The spans, parents first.
 */
export async function recordSpans(record: CallRecord): Promise<OtlpSpan[]> {
  const root = await digest(record.id);
  const traceId = root.slice(0, 16);
  const spanId = root.slice(16, 24);
  if (record.mcp !== undefined) return [mcpSpan(record, record.mcp, traceId, spanId)];
  const operation = semconvOperation(record.dialect, record.operation);
  const provider = record.provider === null ? (PROVIDER_BY_DIALECT[record.dialect] ?? record.dialect) : semconvProvider(record.provider, null);
  const attributes: [string, OtlpValue][] = [
    ['gen_ai.operation.name', operation],
    ['gen_ai.provider.name', provider],
  ];
  const add = (key: string, value: OtlpValue | null | undefined): void => {
    if (value !== null && value !== undefined) attributes.push([key, value]);
  };
  add('gen_ai.request.model', record.requestedModel);
  add('gen_ai.response.model', record.model);
  if (record.streamed) add('gen_ai.request.stream', true);
  add('gen_ai.conversation.id', record.session);
  const { usage } = record;
  add('gen_ai.usage.input_tokens', usage.inputTokens);
  add('gen_ai.usage.output_tokens', usage.outputTokens);
  if (usage.cachedTokens !== null && usage.cachedTokens > 0) add('gen_ai.usage.cache_read.input_tokens', usage.cachedTokens);
  if (usage.cacheWriteTokens !== null && usage.cacheWriteTokens > 0) add('gen_ai.usage.cache_creation.input_tokens', usage.cacheWriteTokens);
  if (usage.reasoningTokens !== null && usage.reasoningTokens > 0) add('gen_ai.usage.reasoning.output_tokens', usage.reasoningTokens);
  if (record.ttftMs !== null) add('gen_ai.response.time_to_first_chunk', record.ttftMs / 1000);
  add('http.response.status_code', record.status);
  add('error.type', errorTypeOf(record));
  add('sluice.call.id', record.id);
  add('sluice.outcome', record.outcome);
  add('sluice.cost_usd', record.costUsd);
  add('sluice.cache.status', record.cache?.status);
  if (record.usageEstimated) add('sluice.usage.estimated', true);
  if (record.tags.length > 0) add('sluice.tags', record.tags);
  // One JSON string: OTLP attribute values are flat, and metadata is free-form (at most 8 KB per source).
  if (record.metadata !== null) add('sluice.metadata', JSON.stringify(record.metadata));
  const endNs = nanos(record.startedAt, record.latencyMs);
  const events: OtlpSpan['events'][number][] = [];
  if (record.cache?.status === 'hit') events.push({ name: 'sluice.cache.hit', timeNs: endNs, attributes: [['sluice.cache.namespace', record.cache.namespace]] });
  for (const verdict of record.guard) {
    events.push({
      name: 'sluice.guard',
      timeNs: nanos(record.startedAt, 0),
      attributes: [
        ['sluice.guard.rule', verdict.rule],
        ['sluice.guard.action', verdict.action],
        ['sluice.guard.count', verdict.count],
      ],
    });
  }
  const isError = record.outcome === 'failed' || record.outcome === 'errored';
  const spans: OtlpSpan[] = [
    {
      traceId,
      spanId,
      parentSpanId: null,
      name: record.requestedModel === null ? operation : `${operation} ${record.requestedModel}`,
      kind: 3,
      startNs: nanos(record.startedAt, 0),
      endNs,
      attributes,
      events,
      status: isError ? { code: 2, message: record.error?.message ?? `HTTP ${record.status ?? ''}` } : { code: 0, message: undefined },
    },
  ];
  for (const [index, attempt] of record.attempts.entries()) {
    const child = await digest(`${record.id}#${index}`);
    const childAttributes: [string, OtlpValue][] = [
      ['gen_ai.operation.name', operation],
      ['sluice.attempt.index', index],
    ];
    if (attempt.provider !== null) childAttributes.push(['sluice.attempt.provider', attempt.provider]);
    if (attempt.model !== null) childAttributes.push(['gen_ai.request.model', attempt.model]);
    if (attempt.status !== null) childAttributes.push(['http.response.status_code', attempt.status]);
    if (attempt.errorClass !== null) childAttributes.push(['error.type', attempt.errorClass]);
    spans.push({
      traceId,
      spanId: child.slice(0, 8),
      parentSpanId: spanId,
      name: `attempt ${attempt.provider ?? provider}/${attempt.model ?? ''}`,
      kind: 3,
      startNs: nanos(record.startedAt, attempt.sentAfterMs),
      endNs: nanos(record.startedAt, attempt.sentAfterMs + attempt.latencyMs),
      attributes: childAttributes,
      events: [],
      status: attempt.errorClass === null ? { code: 0, message: undefined } : { code: 2, message: attempt.errorClass },
    });
  }
  return spans;
}

/** The span of an MCP request (`sluice/mcp`): `execute_tool {tool}` for a tool call, with the MCP conventions' attributes. */
function mcpSpan(record: CallRecord, mcp: NonNullable<CallRecord['mcp']>, traceId: Uint8Array, spanId: Uint8Array): OtlpSpan {
  const attributes: [string, OtlpValue][] = mcpSpanAttributes(mcp);
  const add = (key: string, value: OtlpValue | null | undefined): void => {
    if (value !== null && value !== undefined) attributes.push([key, value]);
  };
  add('gen_ai.conversation.id', record.session);
  add('http.response.status_code', record.status);
  add('error.type', errorTypeOf(record));
  if (mcp.errorCode !== null) add('rpc.jsonrpc.error_code', mcp.errorCode);
  add('sluice.call.id', record.id);
  add('sluice.outcome', record.outcome);
  add('sluice.mcp.request_bytes', mcp.requestBytes);
  add('sluice.mcp.result_bytes', mcp.resultBytes);
  const startNs = nanos(record.startedAt, 0);
  const events: OtlpSpan['events'][number][] = record.guard.map((verdict) => ({
    name: 'sluice.guard',
    timeNs: startNs,
    attributes: [
      ['sluice.guard.rule', verdict.rule],
      ['sluice.guard.action', verdict.action],
      ['sluice.guard.count', verdict.count],
    ],
  }));
  const isError = record.outcome === 'failed' || record.outcome === 'errored';
  return {
    traceId,
    spanId,
    parentSpanId: null,
    name: mcpSpanName(mcp),
    kind: 3,
    startNs,
    endNs: nanos(record.startedAt, record.latencyMs),
    attributes,
    events,
    status: isError ? { code: 2, message: record.error?.message } : { code: 0, message: undefined },
  };
}
