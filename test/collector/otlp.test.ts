import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { context, SpanKind, SpanStatusCode, type ContextManager } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OtlpDecodeError, traceExportResponse, tracesToRecords } from '../../src/collector/otlp/index.js';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { encodeJson, encodeProtobuf, type OtlpSource } from '../../src/exporters/otlp/encode.js';
import { otlpExporter } from '../../src/exporters/otlp/index.js';
import { recordSpans } from '../../src/exporters/otlp/spans.js';
import { otel } from '../../src/otel/index.js';
import { cache } from '../../src/plugins/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { semconvOperation } from '../../src/wire/semconv.js';
import { makeRecord } from '../helpers/record.js';
import { clientFor, messages, nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

let contextManager: ContextManager;
beforeAll(() => {
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
});
afterAll(() => {
  context.disable();
});

interface Captured {
  contentType: string;
  body: Uint8Array;
}

/** A local OTLP/HTTP receiver that keeps each `/v1/traces` body (gunzipped) and answers 200. */
async function receiver(): Promise<{ url: string; bodies: Captured[]; close(): Promise<void> }> {
  const bodies: Captured[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (request.url === '/v1/traces') {
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        bodies.push({ contentType: request.headers['content-type'] ?? '', body: new Uint8Array(body) });
      }
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let receivers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((entry) => entry.close()));
  receivers = [];
});
async function start(): Promise<Awaited<ReturnType<typeof receiver>>> {
  const created = await receiver();
  receivers.push(created);
  return created;
}

function ingest(captured: readonly Captured[]): { records: CallRecord[]; rejected: { index: number; reason: string }[] } {
  const records: CallRecord[] = [];
  const rejected: { index: number; reason: string }[] = [];
  for (const { body, contentType } of captured) {
    const result = tracesToRecords(body, contentType);
    records.push(...result.records);
    rejected.push(...result.rejected);
  }
  return { records, rejected };
}

/** What a span carries of a record, normalised as the span normalises it. */
function carried(record: CallRecord): Record<string, unknown> {
  const positive = (value: number | null): number | null => (value === null || value === 0 ? null : value);
  const isError = record.outcome === 'failed' || record.outcome === 'errored';
  return {
    id: record.id,
    startedAt: record.startedAt,
    operation: semconvOperation(record.dialect, record.operation),
    ...(record.provider === null ? {} : { provider: record.provider }),
    requestedModel: record.requestedModel,
    model: record.model,
    status: record.status,
    outcome: record.outcome,
    streamed: record.streamed,
    latencyMs: Math.round(record.latencyMs * 1000),
    ttftMs: record.ttftMs === null ? null : Math.round(record.ttftMs * 1000),
    usage: {
      inputTokens: record.usage.inputTokens,
      outputTokens: record.usage.outputTokens,
      cachedTokens: positive(record.usage.cachedTokens),
      reasoningTokens: positive(record.usage.reasoningTokens),
      cacheWriteTokens: positive(record.usage.cacheWriteTokens),
    },
    usageEstimated: record.usageEstimated,
    costUsd: record.costUsd,
    session: record.session,
    tags: record.tags,
    metadata: record.metadata,
    error: isError && record.error !== null ? record.error : undefined,
    attempts: record.attempts.map((attempt) => ({ ...attempt, keyId: null, latencyMs: Math.round(attempt.latencyMs * 1000), sentAfterMs: Math.round(attempt.sentAfterMs * 1000) })),
    cache: record.cache === null ? null : { status: record.cache.status, ...(record.cache.status === 'hit' ? { namespace: record.cache.namespace } : {}) },
    guard: record.guard,
  };
}

/** The same projection of an ingested record (fields the original may not have carried left as they came). */
function ingested(record: CallRecord, original: CallRecord): Record<string, unknown> {
  const projection = carried(record);
  projection['operation'] = semconvOperation(record.dialect, record.operation);
  if (original.provider === null) delete projection['provider'];
  if (!(original.outcome === 'failed' || original.outcome === 'errored') || original.error === null) projection['error'] = undefined;
  if (record.cache !== null && original.cache?.status !== 'hit') projection['cache'] = { status: record.cache.status };
  return projection;
}

const source: OtlpSource = { resource: [['service.name', 'checkout']], scope: { name: 'sluice', version: '0.1.0' }, schemaUrl: 'https://opentelemetry.io/schemas/1.41.0' };

describe('tracesToRecords: Sluice spans round-trip', () => {
  it('records sent by otlpExporter (protobuf and JSON, gzipped) come back equal on every field their spans carry', async () => {
    const target = await start();
    const originals = [
      makeRecord(),
      makeRecord({
        dialect: 'anthropic',
        provider: 'anthropic',
        requestedModel: 'smart',
        model: 'claude-sonnet-4-5',
        streamed: true,
        ttftMs: 181.25,
        latencyMs: 1234.567891,
        usage: { inputTokens: 1100, outputTokens: 50, cachedTokens: 800, reasoningTokens: 12, cacheWriteTokens: 200 },
        usageEstimated: true,
        costUsd: 0.00204,
        session: 'conv-42',
        tags: ['checkout', 'beta'],
        metadata: { tenant: 'acme', plan: 3 },
        cache: { status: 'miss', namespace: 'default', savedUsd: null },
        guard: [{ rule: 'email', action: 'redact', count: 2 }],
        attempts: [
          { provider: 'anthropic', model: 'claude-sonnet-4-5', keyId: '#1', status: 529, errorClass: 'http_error', latencyMs: 20.5, sentAfterMs: 1.25 },
          { provider: 'anthropic', model: 'claude-sonnet-4-5', keyId: '#0', status: 200, errorClass: null, latencyMs: 900, sentAfterMs: 230 },
        ],
      }),
      makeRecord({ dialect: 'gemini', provider: 'gemini', requestedModel: 'gemini-2.5-flash', model: 'gemini-2.5-flash', status: 429, outcome: 'failed', error: { class: 'http_error', message: 'quota exceeded' }, costUsd: null }),
      makeRecord({ provider: null, status: null, outcome: 'errored', error: { class: 'network_error', message: 'ECONNRESET' }, attempts: [], usage: { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null }, costUsd: null }),
      makeRecord({ cache: { status: 'hit', namespace: 'faq', savedUsd: 0.01 }, attempts: [], operation: 'embeddings' }),
    ];
    for (const protocol of ['http/protobuf', 'http/json'] as const) {
      const exporter = otlpExporter({ url: target.url, protocol, signals: ['traces'], serviceName: 'checkout' });
      await exporter.export(originals, new AbortController().signal);
    }
    expect(target.bodies.map((body) => body.contentType)).toEqual(['application/x-protobuf', 'application/json']);
    for (const captured of target.bodies) {
      const { records, rejected } = ingest([captured]);
      expect(rejected).toEqual([]);
      expect(records).toHaveLength(originals.length);
      records.forEach((record, index) => expect(ingested(record, originals[index]!)).toEqual(carried(originals[index]!)));
    }
  });

  it('any record survives spans, both encodings and ingest (property)', async () => {
    const usageCount = fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null });
    const arbitraryRecord = fc.record({
      id: fc.string({ minLength: 1, maxLength: 40 }).filter((id) => id.trim() !== ''),
      startedAt: fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }),
      dialect: fc.constantFrom('openai' as const, 'anthropic' as const, 'gemini' as const),
      requestedModel: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
      model: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
      status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
      outcome: fc.constantFrom('completed' as const, 'failed' as const, 'cancelled' as const, 'errored' as const),
      streamed: fc.boolean(),
      latencyMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
      ttftMs: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      usage: fc.record({ inputTokens: usageCount, outputTokens: usageCount, cachedTokens: usageCount, reasoningTokens: usageCount, cacheWriteTokens: usageCount }),
      usageEstimated: fc.boolean(),
      costUsd: fc.option(fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }), { nil: null }),
      session: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: null }),
      tags: fc.array(fc.string({ maxLength: 10 }), { maxLength: 4 }),
      metadata: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), { maxKeys: 4 }), { nil: null }),
      error: fc.option(fc.record({ class: fc.string({ minLength: 1, maxLength: 20 }), message: fc.string({ minLength: 1, maxLength: 40 }) }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(arbitraryRecord, fc.constantFrom('json', 'protobuf'), async (fields, encoding) => {
        // A provider the record names (a dialect-less call names none) and the dialect's own provider.
        const provider = { openai: 'openai', anthropic: 'anthropic', gemini: 'gemini' }[fields.dialect];
        const original = makeRecord({ ...fields, provider, operation: 'chat', attempts: [] });
        const spans = await recordSpans(original);
        const body = encoding === 'json' ? new TextEncoder().encode(encodeJson(source, spans)) : encodeProtobuf(source, spans);
        const { records, rejected } = tracesToRecords(body, encoding === 'json' ? 'application/json' : 'application/x-protobuf');
        expect(rejected).toEqual([]);
        expect(records).toHaveLength(1);
        expect(ingested(records[0]!, original)).toEqual(carried(original));
        expect(records[0]!.dialect).toBe(original.dialect);
      }),
      { numRuns: 200 },
    );
  });

  it('spans of the otel() plugin sent by the official OTLP exporters (JSON and protobuf) come back as the call records', async () => {
    for (const Exporter of [OtlpJsonExporter, OtlpProtoExporter]) {
      const target = await start();
      const exporter: SpanExporter = new Exporter({ url: `${target.url}/v1/traces` });
      // The batch processor sends a call's span and its attempts' in one export, where they can be joined.
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })] });
      const sluice = createSluice({ use: [otel({ tracerProvider }), cache()], tags: ['api'] });
      const client = clientFor(sluice, mock.baseURL, { defaultHeaders: { 'x-sluice-session': 'conv-7' } });
      const first = nextRecord(sluice);
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const firstRecord = await first;
      const second = nextRecord(sluice);
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const secondRecord = await second;
      mock.script({ kind: 'error', status: 429 });
      const third = nextRecord(sluice);
      // Another prompt: the same one would be a cache hit.
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }).catch(() => undefined);
      const thirdRecord = await third;
      await tracerProvider.forceFlush();
      await tracerProvider.shutdown();
      await sluice.close();
      expect(target.bodies.length).toBeGreaterThan(0);
      const { records, rejected } = ingest(target.bodies);
      expect(rejected).toEqual([]);
      const byId = new Map(records.map((record) => [record.id, record]));
      expect(records).toHaveLength(3);
      for (const original of [firstRecord, secondRecord, thirdRecord]) {
        const back = byId.get(original.id);
        expect(back, `${Exporter.name} ${original.id}`).toBeDefined();
        // The plugin's span is timed by the SDK's clock and does not carry tags or metadata; the rest must match.
        const expected = carried(original);
        const actual = ingested(back!, original);
        for (const key of ['startedAt', 'latencyMs', 'tags', 'metadata', 'attempts']) {
          delete expected[key];
          delete actual[key];
        }
        expect(actual).toEqual(expected);
        expect(back!.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.status, attempt.errorClass])).toEqual(original.attempts.map((attempt) => [attempt.provider, attempt.model, attempt.status, attempt.errorClass]));
        expect(Math.abs(back!.startedAt - original.startedAt)).toBeLessThan(1000);
      }
      expect(byId.get(secondRecord.id)!.cache).toEqual({ status: 'hit', namespace: 'default', savedUsd: null });
    }
  });
});

describe('tracesToRecords: spans of other instrumentations', () => {
  it('maps GenAI spans made with the official SDK and sent by its OTLP exporters, ignores the others, prices by the catalog', async () => {
    const startMs = 1_765_000_000_000;
    const time = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
    for (const Exporter of [OtlpJsonExporter, OtlpProtoExporter]) {
      const target = await start();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new Exporter({ url: `${target.url}/v1/traces` }))] });
      const tracer = tracerProvider.getTracer('my-python-port', '1.0.0');
      const agent = tracer.startSpan('invoke_agent support', { kind: SpanKind.INTERNAL, startTime: time(startMs), attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 999 } });
      const chat = tracer.startSpan('chat gpt-4o', {
        kind: SpanKind.CLIENT,
        startTime: time(startMs + 10),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 200,
          'gen_ai.usage.cache_read.input_tokens': 400,
          'gen_ai.conversation.id': 'conv-9',
          'gen_ai.request.stream': true,
          'gen_ai.response.time_to_first_chunk': 0.25,
          'user.id': 'user-3',
          'http.response.status_code': 200,
        },
      });
      chat.end(time(startMs + 1510));
      const failed = tracer.startSpan('chat claude', {
        kind: SpanKind.CLIENT,
        startTime: time(startMs + 2000),
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'error.type': 'overloaded_error', 'http.response.status_code': 529 },
      });
      failed.setStatus({ code: SpanStatusCode.ERROR, message: 'Overloaded' });
      failed.end(time(startMs + 2100));
      const embed = tracer.startSpan('embeddings', { startTime: time(startMs + 3000), attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'gcp.vertex_ai', 'gen_ai.request.model': 'text-embedding-005', 'gen_ai.usage.input_tokens': '42' as unknown as number } });
      embed.end(time(startMs + 3050));
      const legacy = tracer.startSpan('anthropic.chat', { startTime: time(startMs + 4000), attributes: { 'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.prompt_tokens': 10, 'gen_ai.usage.completion_tokens': 5 } });
      legacy.end(time(startMs + 4100));
      tracer.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: time(startMs), attributes: { 'http.request.method': 'GET' } }).end(time(startMs + 1));
      agent.end(time(startMs + 5000));
      await tracerProvider.forceFlush();
      await tracerProvider.shutdown();
      const { records, rejected } = ingest(target.bodies);
      expect(rejected).toEqual([]);
      expect(records.map((record) => record.requestedModel)).toEqual(['gpt-4o', 'claude-sonnet-4-5', 'text-embedding-005', 'claude-sonnet-4-5']);
      const [gpt, claude, embedding, old] = records as [CallRecord, CallRecord, CallRecord, CallRecord];
      expect(gpt).toMatchObject({
        startedAt: startMs + 10,
        latencyMs: 1500,
        dialect: 'openai',
        operation: 'chat',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        status: 200,
        outcome: 'completed',
        streamed: true,
        ttftMs: 250,
        usage: { inputTokens: 1000, outputTokens: 200, cachedTokens: 400, reasoningTokens: null, cacheWriteTokens: null },
        user: 'user-3',
        session: 'conv-9',
        error: null,
        attempts: [],
      });
      expect(gpt.id).toMatch(/^otel-[0-9a-f]{32}-[0-9a-f]{16}$/);
      // gpt-4o: 600 x $2.50 + 400 x $1.25 + 200 x $10 per million.
      expect(gpt.costUsd).toBeCloseTo(0.004, 10);
      expect(gpt.metadata).toMatchObject({ 'otel.trace_id': expect.stringMatching(/^[0-9a-f]{32}$/), 'service.name': expect.any(String) });
      expect(claude).toMatchObject({ dialect: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5', status: 529, outcome: 'failed', error: { class: 'overloaded_error', message: 'Overloaded' }, costUsd: null });
      expect(embedding).toMatchObject({ operation: 'embeddings', provider: 'vertex', dialect: 'gemini', usage: { inputTokens: null } });
      expect(old).toMatchObject({ operation: 'chat', provider: 'anthropic', usage: { inputTokens: 10, outputTokens: 5 } });
      // The same export sent again makes the same ids: duplicates for the store, not new records.
      expect(ingest(target.bodies).records.map((record) => record.id)).toEqual(records.map((record) => record.id));
    }
  });

  it('rejects GenAI spans it cannot place, by index, and keeps the others', () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET /', startTimeUnixNano: '1765000000000000000', endTimeUnixNano: '1765000000100000000' },
                { traceId: 'zz', spanId: 'eee19b7ec3c1b174', name: 'chat', startTimeUnixNano: 1, attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] },
                { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b175', name: 'chat', attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }] },
                {
                  trace_id: 'W47/95gDgQPSabYzgT/GDA==',
                  span_id: '7uGbfsPBsXU=',
                  name: 'chat',
                  kind: 'SPAN_KIND_CLIENT',
                  start_time_unix_nano: '1765000000000000000',
                  end_time_unix_nano: '1765000000250000000',
                  status: { code: 'STATUS_CODE_OK' },
                  attributes: [
                    { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
                    { key: 'gen_ai.usage.output_tokens', value: { intValue: 3 } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const { records, rejected } = tracesToRecords(new TextEncoder().encode(body), 'application/json; charset=utf-8');
    expect(rejected).toEqual([
      { index: 1, reason: expect.stringMatching(/^traceId/) },
      { index: 2, reason: expect.stringMatching(/^startTimeUnixNano/) },
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: 'otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b175', latencyMs: 250, usage: { inputTokens: 12, outputTokens: 3 } });
  });
});

describe('tracesToRecords: malformed and hostile bodies', () => {
  const protobuf = (bytes: number[]): Uint8Array => Uint8Array.from(bytes);
  const decode = (bytes: Uint8Array, type = 'application/x-protobuf'): unknown => {
    try {
      return tracesToRecords(bytes, type);
    } catch (error) {
      return error;
    }
  };

  it('fails with OtlpDecodeError on truncated varints, huge declared lengths, bad wire types and deep nesting', async () => {
    const valid = encodeProtobuf(source, await recordSpans(makeRecord()));
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated tag varint', protobuf([0x8a]), /truncated varint at byte 1/],
      ['varint of 11 bytes', protobuf([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /longer than 10 bytes/],
      ['length of 2^62', protobuf([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]), /length \d+ beyond the end/],
      ['length past the end', protobuf([0x0a, 0x05, 0x01]), /beyond the end/],
      ['a group', protobuf([0x0b]), /wire type 3/],
      ['field 0', protobuf([0x00]), /field number 0/],
      ['resource_spans as varint', protobuf([0x08, 0x01]), /wire type 0, expected 2/],
      ['truncated valid body', valid.subarray(0, valid.length - 7), /beyond the end|truncated/],
    ];
    for (const [name, bytes, message] of cases) {
      const error = decode(bytes);
      expect(error, name).toBeInstanceOf(OtlpDecodeError);
      expect((error as OtlpDecodeError).message, name).toMatch(message);
      expect((error as OtlpDecodeError).status).toBe(400);
    }
    // An attribute value nested 200 arrays deep, each level a valid length-delimited message.
    let nested: number[] = [];
    for (let depth = 0; depth < 200; depth++) {
      // AnyValue { array_value (5) = ArrayValue { values (1) = <nested> } }
      const array = [0x0a, ...varint(nested.length), ...nested];
      nested = [0x2a, ...varint(array.length), ...array];
    }
    const keyValue = [0x0a, 0x01, 0x6b, 0x12, ...varint(nested.length), ...nested];
    const span = [0x0a, 0x10, ...new Array<number>(16).fill(1), 0x12, 0x08, ...new Array<number>(8).fill(1), 0x4a, ...varint(keyValue.length), ...keyValue];
    const scopeSpans = [0x12, ...varint(span.length), ...span];
    const resourceSpans = [0x12, ...varint(scopeSpans.length), ...scopeSpans];
    const deep = decode(protobuf([0x0a, ...varint(resourceSpans.length), ...resourceSpans]));
    expect(deep).toBeInstanceOf(OtlpDecodeError);
    expect((deep as Error).message).toMatch(/nested deeper than 16/);
    const deepJson = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${'{"arrayValue":{"values":['.repeat(5000)}${']}}'.repeat(5000)}}]}]}]}]}`;
    expect(decode(new TextEncoder().encode(deepJson), 'application/json')).toBeInstanceOf(OtlpDecodeError);
  });

  it('fails on JSON that is not a trace request without quoting the body, and on other content types (415)', () => {
    const notJson = decode(new TextEncoder().encode('{"resourceSpans": [ secret-prompt'), 'application/json');
    expect(notJson).toBeInstanceOf(OtlpDecodeError);
    expect((notJson as Error).message).not.toContain('secret-prompt');
    expect(decode(new TextEncoder().encode('{"resourceSpans": {}}'), 'application/json')).toMatchObject({ message: expect.stringMatching(/resourceSpans is not an array/) });
    expect(decode(new TextEncoder().encode('[]'), 'application/json')).toBeInstanceOf(OtlpDecodeError);
    expect(decode(new Uint8Array(0), 'text/plain')).toMatchObject({ status: 415 });
    // An empty export is valid: nothing to store.
    expect(decode(new Uint8Array(0))).toEqual({ records: [], rejected: [] });
    expect(decode(new TextEncoder().encode('{}'), 'application/json')).toEqual({ records: [], rejected: [] });
  });

  it('never hangs or throws anything but OtlpDecodeError on random bytes and on mutations of a valid body (property)', async () => {
    const valid = encodeProtobuf(source, await recordSpans(makeRecord({ attempts: [makeRecord().attempts[0]!, makeRecord().attempts[0]!] })));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const outcome = decode(bytes);
        expect(outcome instanceof OtlpDecodeError || (typeof outcome === 'object' && outcome !== null && 'records' in outcome)).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (mutations) => {
        const bytes = valid.slice();
        for (const [position, value] of mutations) bytes[position] = value;
        const outcome = decode(bytes);
        expect(outcome instanceof OtlpDecodeError || (typeof outcome === 'object' && outcome !== null && 'records' in outcome)).toBe(true);
        if (!(outcome instanceof OtlpDecodeError)) for (const record of (outcome as { records: CallRecord[] }).records) expectIngestable(record);
      }),
      { numRuns: 500 },
    );
  });
});

/** What the collector's ingest schema asks of a record (src/collector/record-schema.ts), checked on mapped records. */
function expectIngestable(record: CallRecord): void {
  const name = (value: string | null): boolean => value === null || value.length <= 1024;
  const status = (value: number | null): boolean => value === null || (Number.isInteger(value) && value >= 100 && value <= 999);
  const millis = (value: number | null): boolean => value === null || (Number.isFinite(value) && value >= 0);
  const count = (value: number | null | undefined): boolean => value === null || value === undefined || (Number.isSafeInteger(value) && value >= 0);
  expect(record.id.length >= 1 && record.id.length <= 256, `id ${record.id}`).toBe(true);
  expect(Number.isFinite(record.startedAt) && record.startedAt >= 0 && record.startedAt <= 8.64e15).toBe(true);
  expect(['openai', 'anthropic', 'gemini']).toContain(record.dialect);
  expect(['chat', 'responses', 'embeddings', 'models', 'count_tokens']).toContain(record.operation);
  expect(['completed', 'failed', 'cancelled', 'errored']).toContain(record.outcome);
  expect([record.requestedModel, record.provider, record.model, record.user, record.session].every(name)).toBe(true);
  expect(status(record.status) && millis(record.latencyMs) && record.latencyMs !== null && millis(record.ttftMs)).toBe(true);
  expect(Object.values(record.usage).every(count)).toBe(true);
  expect(record.costUsd === null || Number.isFinite(record.costUsd)).toBe(true);
  expect(record.tags.length <= 256 && record.tags.every((tag) => typeof tag === 'string' && tag.length <= 1024)).toBe(true);
  expect(record.attempts.length <= 1000 && record.attempts.every((attempt) => status(attempt.status) && millis(attempt.latencyMs) && millis(attempt.sentAfterMs) && name(attempt.provider) && name(attempt.model))).toBe(true);
  expect(record.guard.length <= 1000 && record.guard.every((verdict) => Number.isSafeInteger(verdict.count) && verdict.count >= 0 && name(verdict.rule))).toBe(true);
  expect(record.error === null || (name(record.error.class) && typeof record.error.message === 'string')).toBe(true);
  expect(record.metadata === null || (typeof record.metadata === 'object' && !Array.isArray(record.metadata))).toBe(true);
}

describe('tracesToRecords: hostile attribute values', () => {
  it('maps any values under the GenAI and Sluice keys to records the ingest schema accepts (property)', () => {
    const keys = [
      'gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.usage.input_tokens',
      'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.conversation.id', 'gen_ai.request.stream', 'gen_ai.response.time_to_first_chunk',
      'http.response.status_code', 'error.type', 'user.id', 'sluice.call.id', 'sluice.outcome', 'sluice.cost_usd', 'sluice.cache.status', 'sluice.tags',
      'sluice.metadata', 'sluice.attempt.index', 'sluice.usage.estimated', 'constructor', '__proto__',
    ];
    const scalar = fc.oneof(
      fc.string({ maxLength: 300 }).map((value) => ({ stringValue: value })),
      fc.constantFrom('chat', 'embeddings', 'invoke_agent', 'openai', 'completed', 'hit', '{"a":1}', '[1]', 'x'.repeat(2000)).map((value) => ({ stringValue: value })),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ intValue: value.toString() })),
      fc.integer({ min: -10, max: 100_000 }).map((value) => ({ intValue: value })),
      fc.double().map((value) => ({ doubleValue: Number.isFinite(value) ? value : String(value) })),
      fc.boolean().map((value) => ({ boolValue: value })),
    );
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }).map((values) => ({ arrayValue: { values } })));
    let mapped = 0;
    const nanos = fc.oneof({ weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String) }, fc.integer({ min: 0 }), fc.constant('junk'));
    const span = fc.record({
      traceId: fc.oneof({ weight: 6, arbitrary: fc.constant('5b8efff798038103d269b633813fc60c') }, fc.constant('00000000000000000000000000000000'), fc.string({ maxLength: 40 })),
      spanId: fc.oneof({ weight: 3, arbitrary: fc.constant('eee19b7ec3c1b174') }, { weight: 3, arbitrary: fc.constant('eee19b7ec3c1b175') }, fc.string({ maxLength: 20 })),
      parentSpanId: fc.oneof(fc.constant('eee19b7ec3c1b174'), fc.constant('')),
      startTimeUnixNano: nanos,
      endTimeUnixNano: nanos,
      status: fc.record({ code: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant('STATUS_CODE_ERROR')), message: fc.string({ maxLength: 50 }) }),
      // A model call first, so most spans are GenAI spans; later keys may override it.
      attributes: fc.array(fc.record({ key: fc.constantFrom(...keys), value }), { maxLength: 12 }).map((attributes) => [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }, ...attributes]),
      events: fc.array(fc.record({ name: fc.constantFrom('sluice.guard', 'sluice.cache.hit'), attributes: fc.array(fc.record({ key: fc.constantFrom('sluice.guard.rule', 'sluice.guard.action', 'sluice.guard.count', 'sluice.cache.namespace'), value }), { maxLength: 4 }) }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(span, { maxLength: 6 }), (spans) => {
        const body = new TextEncoder().encode(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
        const { records, rejected } = tracesToRecords(body, 'application/json');
        mapped += records.length;
        for (const record of records) expectIngestable(record);
        for (const entry of rejected) expect(entry.index).toBeLessThan(spans.length);
      }),
      { numRuns: 400 },
    );
    // The property saw records, not only rejections and ignored spans.
    expect(mapped).toBeGreaterThan(50);
  });
});

describe('traceExportResponse', () => {
  it('answers partial success in the request encoding, as OTLP/HTTP asks', () => {
    const rejected = [{ index: 3, reason: 'startTimeUnixNano: missing' }];
    const json = traceExportResponse(rejected, 'application/json');
    expect(JSON.parse(new TextDecoder().decode(json.body))).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: 'span 3: startTimeUnixNano: missing' } });
    expect(new TextDecoder().decode(traceExportResponse([], 'application/json').body)).toBe('{}');
    const proto = traceExportResponse(rejected, 'application/x-protobuf');
    const message = new TextEncoder().encode('span 3: startTimeUnixNano: missing');
    expect([...proto.body]).toEqual([0x0a, message.length + 4, 0x08, 0x01, 0x12, message.length, ...message]);
    expect(traceExportResponse([], 'application/x-protobuf').body).toHaveLength(0);
  });
});

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return bytes;
}
