/**
 * `otel()`: every modelled call as an OpenTelemetry GenAI span (with a child span per upstream attempt)
 * and GenAI metrics, through `@opentelemetry/api` (an optional peer dependency: install it, and an
 * OpenTelemetry SDK, to use this entry). Without a registered SDK the API is a no-op and so is this.
 * @module
 */
import { markPluginFactory } from '../plugins/factory.js';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Meter, Span, TimeInput, Tracer, TracerProvider } from '@opentelemetry/api';
import type { Sluice } from '../core/sluice.js';
import type { CallRecord } from '../events/record.js';
import { mcpSpanAttributes, mcpSpanName } from '../wire/semconv.js';
import type { CallContext } from '../core/context.js';
import type { Middleware } from '../core/types.js';
import { answerSummary, semconvInput, semconvOutput, semconvStreamOutput } from '../wire/semconv-messages.js';
import { DURATION_BUCKETS, SEMCONV_SCHEMA_URL, TOKEN_BUCKETS, destinationOf, operationOf, requestAttributes, type Destination } from './attributes.js';
import { resolveOtelOptions, type OtelOptions, type ResolvedOtelOptions } from './options.js';

export type { OtelOptions } from './options.js';
export { SEMCONV_VERSION, SEMCONV_SCHEMA_URL } from './attributes.js';

const SCOPE = 'sluice';
const SCOPE_VERSION = '0.1.0';

interface Instruments {
  tokens: Histogram;
  duration: Histogram;
  firstChunk: Histogram;
  cost: Counter;
}

function createInstruments(meter: Meter): Instruments {
  return {
    tokens: meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Number of input and output tokens used.', advice: { explicitBucketBoundaries: TOKEN_BUCKETS } }),
    duration: meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'GenAI operation duration.', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
    firstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
      unit: 's',
      description: 'Time to receive the first chunk of a streamed answer.',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    cost: meter.createCounter('sluice.client.cost', { unit: 'USD', description: 'What the calls cost, as Sluice prices them.' }),
  };
}

/**
 * Creates the OpenTelemetry middleware. Put it first in `use`, so the span covers every other
 * middleware (cache hits, refusals) and is the parent of the attempts.
 * @param options Providers, what to emit, content capture and trace propagation.
 * @returns The middleware.
 * @throws {SluiceConfigError} when an option is wrong.
 * @example
 * import { otel } from 'sluice/otel';
 * const sluice = createSluice({ use: [otel({ captureContent: { maxChars: 2000 } })] });
 */
export function otel(options: OtelOptions = {}): Middleware {
  const resolved = resolveOtelOptions(options);
  const destinations = new Map<string, Destination>();
  // Instruments belong to one meter: rebuilt only when the meter provider changes (an SDK registered later).
  let instrumentsFor: Meter | null = null;
  let instruments: Instruments | null = null;
  const meterOf = (): Instruments | null => {
    if (!resolved.metrics) return null;
    const meter = (resolved.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, SCOPE_VERSION, { schemaUrl: SEMCONV_SCHEMA_URL });
    if (meter !== instrumentsFor) {
      instrumentsFor = meter;
      instruments = createInstruments(meter);
    }
    return instruments;
  };
  const tracerOf = (): Tracer | null =>
    resolved.spans ? (resolved.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, SCOPE_VERSION, { schemaUrl: SEMCONV_SCHEMA_URL }) : null;

  const middleware: Middleware = async function otelMiddleware(ctx, next) {
    const parent = context.active();
    const operation = operationOf(ctx);
    const tracer = tracerOf();
    const meters = meterOf();
    if (tracer === null && meters === null) return next(ctx);
    let span: Span | null = null;
    let active = parent;
    if (tracer !== null) {
      const name = ctx.requestedModel === null ? operation : `${operation} ${ctx.requestedModel}`;
      span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: epochOf(ctx, ctx.startMs), attributes: requestAttributes(ctx, operation, destinationOf(ctx, destinations)) }, parent);
      if (!span.isRecording()) span = null;
      else active = trace.setSpan(parent, span);
    }
    if (resolved.propagate && span !== null) {
      const carrier: Record<string, string> = {};
      propagation.inject(active, carrier);
      for (const [name, value] of Object.entries(carrier)) ctx.headers.set(name, value);
    }
    const started = span;
    ctx.onEnd((ended) => {
      const destination = destinationOf(ended, destinations);
      if (started !== null && tracer !== null) finishSpan(ended, started, tracer, active, operation, destination, resolved);
      if (meters !== null) recordMetrics(ended, meters, operation, destination);
    });
    return span === null ? next(ctx) : context.with(active, () => next(ctx));
  };
  // Captured message content leaves the process in spans: refused under zero retention.
  return Object.assign(middleware, {
    retains: () =>
      resolved.contentMaxChars === null ? undefined : "otel({ captureContent }) sends prompts and answers to the tracing backend; under retention: 'none' leave captureContent off",
  });
}

/** A monotonic time of the call as an epoch time OpenTelemetry accepts. */
function epochOf(ctx: CallContext, monotonicMs: number): TimeInput {
  return ctx.startedAt + (monotonicMs - ctx.startMs);
}

function errorTypeOf(ctx: CallContext): string | null {
  if (ctx.outcome === 'completed') return null;
  if (ctx.outcome === 'cancelled') return 'cancelled';
  return ctx.error?.class ?? (ctx.status !== null && ctx.status >= 400 ? String(ctx.status) : '_OTHER');
}

function finishSpan(ctx: CallContext, span: Span, tracer: Tracer, active: ReturnType<typeof context.active>, operation: string, destination: Destination, options: ResolvedOtelOptions): void {
  const attributes: Attributes = {
    'gen_ai.provider.name': destination.provider,
    'sluice.call.id': ctx.id,
    'sluice.outcome': ctx.outcome ?? 'completed',
  };
  if (destination.address !== null) attributes['server.address'] = destination.address;
  if (destination.port !== null) attributes['server.port'] = destination.port;
  const responseModel = ctx.responseModel ?? ctx.target?.model ?? null;
  if (responseModel !== null) attributes['gen_ai.response.model'] = responseModel;
  if (ctx.status !== null) attributes['http.response.status_code'] = ctx.status;
  const { usage } = ctx;
  if (usage.inputTokens !== null) attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
  if (usage.outputTokens !== null) attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
  if (usage.cachedTokens !== null && usage.cachedTokens > 0) attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cachedTokens;
  if (usage.cacheWriteTokens !== null && usage.cacheWriteTokens > 0) attributes['gen_ai.usage.cache_creation.input_tokens'] = usage.cacheWriteTokens;
  if (usage.reasoningTokens !== null && usage.reasoningTokens > 0) attributes['gen_ai.usage.reasoning.output_tokens'] = usage.reasoningTokens;
  if (ctx.usageEstimated) attributes['sluice.usage.estimated'] = true;
  if (ctx.costUsd !== null) attributes['sluice.cost_usd'] = ctx.costUsd;
  if (ctx.firstChunkMs !== null) attributes['gen_ai.response.time_to_first_chunk'] = (ctx.firstChunkMs - ctx.startMs) / 1000;
  if (ctx.cache !== null) attributes['sluice.cache.status'] = ctx.cache.status;
  const answer = parsedAnswer(ctx);
  if (answer !== undefined) {
    const summary = answerSummary(ctx.dialect, answer);
    if (summary.id !== null) attributes['gen_ai.response.id'] = summary.id;
    if (summary.finishReasons.length > 0) attributes['gen_ai.response.finish_reasons'] = summary.finishReasons;
  }
  if (options.contentMaxChars !== null && (ctx.operation === 'chat' || ctx.operation === 'responses')) {
    // What went upstream: after the PII filter, so redacted text stays redacted.
    const input = semconvInput(ctx.dialect, ctx.operation, ctx.body, options.contentMaxChars);
    if (input.system.length > 0) attributes['gen_ai.system_instructions'] = JSON.stringify(input.system);
    attributes['gen_ai.input.messages'] = JSON.stringify(input.messages);
    // The provider's answer (placeholders unrestored), not what the SDK read after pii() restored it;
    // for a stream, what the record kept of it (the stream below pii()).
    if (answer !== undefined) attributes['gen_ai.output.messages'] = JSON.stringify(semconvOutput(ctx.dialect, ctx.operation, answer, options.contentMaxChars));
    else if (ctx.isStream && ctx.responseBody !== null && ctx.status !== null && ctx.status < 400) {
      const streamed = semconvStreamOutput(ctx.dialect, ctx.operation, ctx.responseBody, options.contentMaxChars);
      if (streamed.messages.length > 0) attributes['gen_ai.output.messages'] = JSON.stringify(streamed.messages);
      if (streamed.finishReasons.length > 0) attributes['gen_ai.response.finish_reasons'] = streamed.finishReasons;
    }
  }
  const errorType = errorTypeOf(ctx);
  if (errorType !== null) attributes['error.type'] = errorType;
  span.setAttributes(attributes);
  if (ctx.cache?.status === 'hit') span.addEvent('sluice.cache.hit', { 'sluice.cache.namespace': ctx.cache.namespace });
  for (const verdict of ctx.guard) {
    span.addEvent('sluice.guard', { 'sluice.guard.rule': verdict.rule, 'sluice.guard.action': verdict.action, 'sluice.guard.count': verdict.count });
  }
  ctx.attempts.forEach((attempt, index) => {
    const attributes: Attributes = { 'gen_ai.operation.name': operation, 'sluice.attempt.index': index };
    if (attempt.provider !== null) attributes['sluice.attempt.provider'] = attempt.provider;
    if (attempt.model !== null) attributes['gen_ai.request.model'] = attempt.model;
    if (attempt.status !== null) attributes['http.response.status_code'] = attempt.status;
    if (attempt.errorClass !== null) attributes['error.type'] = attempt.errorClass;
    const sentMs = ctx.startMs + attempt.sentAfterMs;
    const child = tracer.startSpan(`attempt ${attempt.provider ?? destination.provider}/${attempt.model ?? ''}`, { kind: SpanKind.CLIENT, startTime: epochOf(ctx, sentMs), attributes }, active);
    if (attempt.errorClass !== null) child.setStatus({ code: SpanStatusCode.ERROR, message: attempt.errorClass });
    child.end(epochOf(ctx, sentMs + attempt.latencyMs));
  });
  if (ctx.outcome === 'failed' || ctx.outcome === 'errored') span.setStatus({ code: SpanStatusCode.ERROR, message: ctx.error?.message ?? `HTTP ${ctx.status ?? ''}` });
  span.end(epochOf(ctx, ctx.now()));
}

/** The provider's JSON answer as dispatch parsed it (never parsed again here); `undefined` for errors. */
function parsedAnswer(ctx: CallContext): unknown {
  return ctx.status === null || ctx.status >= 400 ? undefined : ctx.answer;
}

function recordMetrics(ctx: CallContext, meters: Instruments, operation: string, destination: Destination): void {
  const attributes: Attributes = { 'gen_ai.operation.name': operation, 'gen_ai.provider.name': destination.provider };
  if (ctx.requestedModel !== null) attributes['gen_ai.request.model'] = ctx.requestedModel;
  const responseModel = ctx.responseModel ?? ctx.target?.model ?? null;
  if (responseModel !== null) attributes['gen_ai.response.model'] = responseModel;
  if (destination.address !== null) attributes['server.address'] = destination.address;
  if (destination.port !== null) attributes['server.port'] = destination.port;
  if (ctx.usage.inputTokens !== null) meters.tokens.record(ctx.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
  if (ctx.usage.outputTokens !== null) meters.tokens.record(ctx.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
  if (ctx.costUsd !== null && ctx.costUsd > 0) meters.cost.add(ctx.costUsd, attributes);
  if (ctx.isStream && ctx.firstChunkMs !== null) meters.firstChunk.record((ctx.firstChunkMs - ctx.startMs) / 1000, attributes);
  const errorType = errorTypeOf(ctx);
  meters.duration.record((ctx.now() - ctx.startMs) / 1000, errorType === null ? attributes : { ...attributes, 'error.type': errorType });
}

markPluginFactory(otel, 'otel');

/** Options of {@link otelMcp}. */
export interface OtelMcpOptions {
  /** The tracer provider. @default the global one (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
}

/**
 * Emits a span per MCP request of an instance (`sluice/mcp`): `execute_tool {tool}` with
 * `gen_ai.operation.name: execute_tool`, `gen_ai.tool.name`, `gen_ai.tool.call.id`, and the MCP
 * conventions' `mcp.method.name`, `mcp.session.id`, `jsonrpc.request.id`; `gen_ai.conversation.id`
 * is the Sluice session, as on model calls' spans. MCP requests do not pass through middleware, so
 * `otel()` does not see them: this reads their records. A span is placed at the request's start and
 * end times, under the context active when its answer arrived (the caller's, through `sluice.fetch`).
 * @param sluice The instance.
 * @param options The tracer provider.
 * @returns A function that stops emitting.
 * @example
 * const stop = otelMcp(sluice);
 */
export function otelMcp(sluice: Sluice, options: OtelMcpOptions = {}): () => void {
  const listener = ({ record }: { record: CallRecord }): void => {
    const mcp = record.mcp;
    if (mcp === undefined) return;
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, SCOPE_VERSION, { schemaUrl: SEMCONV_SCHEMA_URL });
    const attributes: Attributes = Object.fromEntries(mcpSpanAttributes(mcp));
    if (record.session !== null) attributes['gen_ai.conversation.id'] = record.session;
    if (record.status !== null) attributes['http.response.status_code'] = record.status;
    if (mcp.errorCode !== null) attributes['rpc.jsonrpc.error_code'] = mcp.errorCode;
    attributes['sluice.call.id'] = record.id;
    attributes['sluice.outcome'] = record.outcome;
    const failed = record.outcome !== 'completed';
    if (failed) attributes['error.type'] = record.outcome === 'cancelled' ? 'cancelled' : (record.error?.class ?? '_OTHER');
    const span = tracer.startSpan(mcpSpanName(mcp), { kind: SpanKind.CLIENT, startTime: record.startedAt, attributes }, context.active());
    for (const verdict of record.guard) span.addEvent('sluice.guard', { 'sluice.guard.rule': verdict.rule, 'sluice.guard.action': verdict.action, 'sluice.guard.count': verdict.count }, record.startedAt);
    if (failed && record.outcome !== 'cancelled') span.setStatus({ code: SpanStatusCode.ERROR, message: record.error?.message ?? record.outcome });
    span.end(record.startedAt + record.latencyMs);
  };
  sluice.on('request:end', listener);
  return () => void sluice.off('request:end', listener);
}
