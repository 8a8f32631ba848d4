import { context, trace, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type Histogram as HistogramPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { SluiceConfigError } from '../../src/core/errors.js';
import { otel, SEMCONV_VERSION } from '../../src/otel/index.js';
import { cache, pii } from '../../src/plugins/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let reader: TestReader;
let meterProvider: MeterProvider;
let contextManager: ContextManager;

beforeAll(() => {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});
beforeEach(() => {
  exporter.reset();
  reader = new TestReader();
  meterProvider = new MeterProvider({ readers: [reader] });
});

/** The attribute names the conventions (1.41.0) define that Sluice may set, plus its own `sluice.*`. */
const CONVENTION_NAMES = new Set([
  'gen_ai.operation.name',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.request.max_tokens',
  'gen_ai.request.temperature',
  'gen_ai.request.top_p',
  'gen_ai.request.top_k',
  'gen_ai.request.stop_sequences',
  'gen_ai.request.frequency_penalty',
  'gen_ai.request.presence_penalty',
  'gen_ai.request.seed',
  'gen_ai.request.choice.count',
  'gen_ai.request.stream',
  'gen_ai.response.id',
  'gen_ai.response.model',
  'gen_ai.response.finish_reasons',
  'gen_ai.response.time_to_first_chunk',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.conversation.id',
  'gen_ai.system_instructions',
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.token.type',
  'server.address',
  'server.port',
  'error.type',
  'http.response.status_code',
]);

function checkNames(spans: readonly ReadableSpan[]): void {
  for (const span of spans) {
    for (const name of Object.keys(span.attributes)) {
      if (!name.startsWith('sluice.')) expect(CONVENTION_NAMES, `attribute ${name} on ${span.name}`).toContain(name);
    }
  }
}

function gateway(extra: Parameters<typeof createSluice>[0] = {}, otelOptions: Parameters<typeof otel>[0] = {}) {
  return createSluice({ ...extra, use: [otel({ tracerProvider, meterProvider, ...otelOptions }), ...(extra.use ?? [])] });
}

async function metric(name: string): Promise<MetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((data) => data.descriptor.name === name);
}

describe('otel(): GenAI spans', () => {
  it('a plain call is one CLIENT span named by operation and model, with usage, cost and the conventions version', async () => {
    const sluice = gateway();
    const recorded = nextRecord(sluice);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.3, max_tokens: 50 });
    const record = await recorded;
    const spans = exporter.getFinishedSpans();
    const call = spans.find((span) => span.name === 'chat gpt-4o-mini')!;
    expect(call).toBeDefined();
    expect(call.kind).toBe(2); // SpanKind.CLIENT
    expect(call.instrumentationScope.schemaUrl).toBe(`https://opentelemetry.io/schemas/${SEMCONV_VERSION}`);
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.3,
      'gen_ai.request.max_tokens': 50,
      'gen_ai.usage.input_tokens': record.usage.inputTokens,
      'gen_ai.usage.output_tokens': record.usage.outputTokens,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(mock.url).port),
      'sluice.call.id': record.id,
    });
    expect(call.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(typeof call.attributes['gen_ai.response.id']).toBe('string');
    expect(call.attributes['sluice.cost_usd']).toBe(record.costUsd);
    expect(call.status.code).toBe(0);
    expect(spans.filter((span) => span.parentSpanContext?.spanId === call.spanContext().spanId)).toHaveLength(1);
    checkNames(spans);
    await sluice.close();
  });

  it('nests under the span active when the SDK called fetch', async () => {
    const sluice = gateway();
    const tracer = tracerProvider.getTracer('app');
    await tracer.startActiveSpan('GET /ask', async (server) => {
      await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
      server.end();
    });
    await sluice.flush();
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.name === 'GET /ask')!;
    const call = spans.find((span) => span.name === 'chat gpt-4o-mini')!;
    expect(call.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(call.spanContext().traceId).toBe(server.spanContext().traceId);
    await sluice.close();
  });

  it('a streamed call ends its span when the stream ends, with time to first chunk', async () => {
    const sluice = gateway();
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    expect(exporter.getFinishedSpans().filter((span) => span.name.startsWith('chat'))).toHaveLength(0);
    for await (const _ of stream) void _;
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat gpt-4o-mini')!;
    expect(call.attributes['gen_ai.request.stream']).toBe(true);
    expect(call.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(call.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    await sluice.close();
  });

  it('a call that retries then falls back across dialects has one child span per attempt', async () => {
    const sluice = gateway({
      providers: { oa: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-1' }, an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k-2' } },
      models: { smart: { strategy: 'priority', targets: ['oa/gpt-4o-mini', 'an/claude-sonnet-4-5'], retries: 1 } },
      retry: { minDelayMs: 1, maxDelayMs: 2 },
    });
    mock.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'smart', messages });
    await sluice.flush();
    const spans = exporter.getFinishedSpans();
    const call = spans.find((span) => span.name === 'chat smart')!;
    const attempts = spans.filter((span) => span.parentSpanContext?.spanId === call.spanContext().spanId);
    expect(attempts.map((span) => span.name)).toEqual(['attempt oa/gpt-4o-mini', 'attempt oa/gpt-4o-mini', 'attempt an/claude-sonnet-4-5']);
    expect(attempts.map((span) => span.attributes['http.response.status_code'])).toEqual([500, 500, 200]);
    expect(attempts[0]!.status.code).toBe(2);
    expect(call.attributes['gen_ai.provider.name']).toBe('anthropic');
    expect(call.attributes['gen_ai.response.model']).toBeDefined();
    expect(call.status.code).toBe(0);
    checkNames(spans);
    await sluice.close();
  });

  it('a cache hit is an event and has no attempt spans', async () => {
    const sluice = gateway({ use: [cache()] });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    exporter.reset();
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.attributes['sluice.cache.status']).toBe('hit');
    expect(spans[0]!.events.map((event) => event.name)).toContain('sluice.cache.hit');
    await sluice.close();
  });

  it('content capture is opt-in, cut to its size, and never holds what the PII filter redacted', async () => {
    const secret = 'alice@example.com';
    const sluice = gateway({ use: [pii({ mode: 'redact' })] }, { captureContent: { maxChars: 40 } });
    await clientFor(sluice, mock.baseURL).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `Mail ${secret} about the launch of the new product line next week please` },
      ],
    });
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat gpt-4o-mini')!;
    const input = JSON.parse(String(call.attributes['gen_ai.input.messages'])) as { role: string; parts: { type: string; content: string }[] }[];
    expect(input[0]!.role).toBe('user');
    const text = input[0]!.parts[0]!.content;
    expect(text.length).toBeLessThanOrEqual(40 - 'You are terse.'.length);
    for (const [name, value] of Object.entries(call.attributes)) expect(String(value), name).not.toContain(secret);
    expect(call.events.some((event) => event.name === 'sluice.guard' && event.attributes?.['sluice.guard.rule'] === 'email')).toBe(true);
    expect(JSON.parse(String(call.attributes['gen_ai.system_instructions']))).toEqual([{ type: 'text', content: 'You are terse.' }]);
    expect(call.attributes['gen_ai.output.messages']).toBeDefined();
    await sluice.close();

    exporter.reset();
    const plain = gateway();
    await clientFor(plain, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await plain.flush();
    expect(exporter.getFinishedSpans()[0]!.attributes['gen_ai.input.messages']).toBeUndefined();
    await plain.close();
  });

  it('a streamed call’s output is captured from what went through the PII filter, with its finish reason', async () => {
    const secret = 'bob@example.com';
    const sluice = gateway({ use: [pii({ mode: 'redact' })] }, { captureContent: true });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `write to ${secret}` }], stream: true });
    let seen = '';
    for await (const part of stream) seen += part.choices[0]?.delta.content ?? '';
    expect(seen).toContain(secret);
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat gpt-4o-mini')!;
    const output = JSON.parse(String(call.attributes['gen_ai.output.messages'])) as { role: string; parts: { content: string }[] }[];
    expect(output[0]!.parts[0]!.content).toMatch(/Echo: write to <EMAIL_1>/);
    expect(call.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    for (const [name, value] of Object.entries(call.attributes)) expect(String(value), name).not.toContain(secret);
    await sluice.close();
  });

  it('an aborted stream ends its span as cancelled, not as an error', async () => {
    const sluice = gateway();
    mock.script({ kind: 'reply', content: 'a long answer nobody reads to the end', chunkDelayMs: 20 });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    stream.controller.abort();
    await recorded;
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat gpt-4o-mini')!;
    expect(call.attributes['sluice.outcome']).toBe('cancelled');
    expect(call.attributes['error.type']).toBe('cancelled');
    expect(call.status.code).toBe(0);
    await sluice.close();
  });

  it('a Sluice refusal is an error span with its code', async () => {
    const sluice = gateway({ providers: { oa: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-1' } } });
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'nope', messages }));
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat nope')!;
    expect(call.status.code).toBe(2);
    expect(call.attributes['error.type']).toBe('sluice_unknown_model');
    expect(call.attributes['http.response.status_code']).toBe(404);
    await sluice.close();
  });

  it('names Anthropic calls by the Anthropic SDK’s own dialect', async () => {
    const sluice = gateway();
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 32, stop_sequences: ['END'], messages: [{ role: 'user', content: 'hi' }] });
    await sluice.flush();
    const call = exporter.getFinishedSpans().find((span) => span.name === 'chat claude-sonnet-4-5')!;
    expect(call.attributes).toMatchObject({ 'gen_ai.request.max_tokens': 32, 'gen_ai.request.stop_sequences': ['END'] });
    checkNames(exporter.getFinishedSpans());
    await sluice.close();
  });

  it('propagates the trace context upstream only when asked', async () => {
    const sluice = gateway({}, { propagate: true });
    const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
    const { propagation } = await import('@opentelemetry/api');
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests[0]!.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await sluice.close();
    const plain = gateway();
    await clientFor(plain, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests[1]!.headers['traceparent']).toBeUndefined();
    propagation.disable();
    await plain.close();
  });

  it('refuses wrong options with their path', () => {
    expect(() => otel({ captureContent: { maxChars: -1 } })).toThrow(SluiceConfigError);
    expect(() => otel({ propogate: true } as never)).toThrow(/propagate/);
  });
});

describe('otel(): GenAI metrics', () => {
  it('records token usage, duration, time to first chunk and cost with the conventions’ buckets', async () => {
    const sluice = gateway();
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _ of stream) void _;
    await sluice.flush();
    const tokens = (await metric('gen_ai.client.token.usage'))!;
    expect(tokens.descriptor.unit).toBe('{token}');
    const types = tokens.dataPoints.map((point) => point.attributes['gen_ai.token.type']).sort();
    expect(types).toEqual(['input', 'output']);
    const input = tokens.dataPoints.find((point) => point.attributes['gen_ai.token.type'] === 'input')!;
    expect((input.value as HistogramPoint).count).toBe(2);
    expect((input.value as HistogramPoint).buckets.boundaries).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    expect(input.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' });
    const duration = (await metric('gen_ai.client.operation.duration'))!;
    expect(duration.descriptor.unit).toBe('s');
    expect((duration.dataPoints[0]!.value as HistogramPoint).count).toBe(2);
    const firstChunk = (await metric('gen_ai.client.operation.time_to_first_chunk'))!;
    expect((firstChunk.dataPoints[0]!.value as HistogramPoint).count).toBe(1);
    const cost = (await metric('sluice.client.cost'))!;
    expect(cost.dataPoints[0]!.value).toBeGreaterThan(0);
    await sluice.close();
  });

  it('does nothing without a registered SDK (the API is a no-op)', async () => {
    const sluice = createSluice({ use: [otel()] });
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    await sluice.close();
  });
});
