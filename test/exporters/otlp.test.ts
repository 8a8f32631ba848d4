import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { otlpExporter } from '../../src/exporters/otlp/index.js';
import { recordSpans, type OtlpSpan } from '../../src/exporters/otlp/spans.js';
import { recordMetrics, type MetricBatch } from '../../src/exporters/otlp/metrics.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, useMock } from '../helpers/sluice.js';
import { makeRecord } from '../helpers/record.js';

let mock: MockProvider;
useMock((created) => (mock = created));

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** A local OTLP receiver: answers each request with the next scripted status (200 when none left). */
async function receiver(statuses: { status: number; headers?: Record<string, string> }[] = []): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      const next = statuses.shift() ?? { status: 200 };
      response.writeHead(next.status, next.headers ?? {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let open: Receiver[] = [];
afterEach(async () => {
  await Promise.all(open.map((entry) => entry.close()));
  open = [];
});
async function start(statuses?: { status: number; headers?: Record<string, string> }[]): Promise<Receiver> {
  const created = await receiver(statuses);
  open.push(created);
  return created;
}

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const hrTime = (ns: bigint): [number, number] => [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];

/** The same spans as the official SDK's ReadableSpan, for the official serializers. */
function readableSpans(spans: OtlpSpan[], serviceName: string): Parameters<typeof JsonTraceSerializer.serializeRequest>[0] {
  const resource = { attributes: { 'service.name': serviceName }, asyncAttributesPending: false, schemaUrl: undefined };
  // One scope object for all spans, as one tracer gives (the protobuf serializer groups by identity).
  const instrumentationScope = { name: 'sluice', version: '0.1.0', schemaUrl: 'https://opentelemetry.io/schemas/1.41.0' };
  return spans.map((span) => ({
    name: span.name,
    kind: span.kind - 1,
    spanContext: () => ({ traceId: hexOf(span.traceId), spanId: hexOf(span.spanId), traceFlags: 1 }),
    parentSpanContext: span.parentSpanId === null ? undefined : { traceId: hexOf(span.traceId), spanId: hexOf(span.parentSpanId), traceFlags: 1, isRemote: false },
    startTime: hrTime(span.startNs),
    endTime: hrTime(span.endNs),
    status: span.status.message === undefined ? { code: span.status.code } : { code: span.status.code, message: span.status.message },
    attributes: Object.fromEntries(span.attributes),
    links: [],
    events: span.events.map((event) => ({ name: event.name, time: hrTime(event.timeNs), attributes: Object.fromEntries(event.attributes) })),
    duration: hrTime(span.endNs - span.startNs),
    ended: true,
    resource,
    instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  })) as unknown as Parameters<typeof JsonTraceSerializer.serializeRequest>[0];
}

/** Records from real calls: a plain one, a cache-less stream, and a retried-then-fallback call. */
async function realRecords(): Promise<CallRecord[]> {
  const records: CallRecord[] = [];
  const sluice = createSluice({
    providers: { oa: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-1' }, an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k-2' } },
    models: { smart: { strategy: 'priority', targets: ['oa/gpt-4o-mini', 'an/claude-sonnet-4-5'], retries: 0 } },
    unknownModel: 'forward',
  });
  sluice.on('request:end', ({ record }) => void records.push(record));
  const client = clientFor(sluice, mock.baseURL);
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.5 });
  for await (const _ of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) void _;
  mock.script({ kind: 'error', status: 503 });
  await client.chat.completions.create({ model: 'smart', messages });
  await sluice.close();
  return records;
}

/** A small schema-driven protobuf decoder for the OTLP trace request, to compare two encodings field by field. */
type Schema = Record<number, [string, 'message' | 'string' | 'bytes' | 'varint' | 'fixed64' | 'fixed32' | 'double' | 'packed-fixed64' | 'packed-double', Schema?]>;
const ANY: Schema = {};
const KEY_VALUE: Schema = { 1: ['key', 'string'], 2: ['value', 'message', ANY] };
Object.assign(ANY, { 1: ['stringValue', 'string'], 2: ['boolValue', 'varint'], 3: ['intValue', 'varint'], 4: ['doubleValue', 'double'], 5: ['arrayValue', 'message', { 1: ['values', 'message', ANY] }] });
const SPAN: Schema = {
  1: ['traceId', 'bytes'],
  2: ['spanId', 'bytes'],
  3: ['traceState', 'string'],
  4: ['parentSpanId', 'bytes'],
  5: ['name', 'string'],
  6: ['kind', 'varint'],
  7: ['start', 'fixed64'],
  8: ['end', 'fixed64'],
  9: ['attributes', 'message', KEY_VALUE],
  10: ['droppedAttributes', 'varint'],
  11: ['events', 'message', { 1: ['time', 'fixed64'], 2: ['name', 'string'], 3: ['attributes', 'message', KEY_VALUE], 4: ['dropped', 'varint'] }],
  12: ['droppedEvents', 'varint'],
  13: ['links', 'message', {}],
  14: ['droppedLinks', 'varint'],
  15: ['status', 'message', { 2: ['message', 'string'], 3: ['code', 'varint'] }],
  16: ['flags', 'fixed32'],
};
const REQUEST: Schema = {
  1: [
    'resourceSpans',
    'message',
    {
      1: ['resource', 'message', { 1: ['attributes', 'message', KEY_VALUE], 2: ['dropped', 'varint'] }],
      2: ['scopeSpans', 'message', { 1: ['scope', 'message', { 1: ['name', 'string'], 2: ['version', 'string'] }], 2: ['spans', 'message', SPAN], 3: ['schemaUrl', 'string'] }],
      3: ['schemaUrl', 'string'],
    },
  ],
};

const NUMBER_POINT: Schema = { 2: ['start', 'fixed64'], 3: ['time', 'fixed64'], 4: ['asDouble', 'double'], 7: ['attributes', 'message', KEY_VALUE], 8: ['flags', 'varint'] };
const HISTOGRAM_POINT: Schema = {
  2: ['start', 'fixed64'],
  3: ['time', 'fixed64'],
  4: ['count', 'fixed64'],
  5: ['sum', 'double'],
  6: ['bucketCounts', 'packed-fixed64'],
  7: ['explicitBounds', 'packed-double'],
  9: ['attributes', 'message', KEY_VALUE],
  10: ['flags', 'varint'],
  11: ['min', 'double'],
  12: ['max', 'double'],
};
const METRICS_REQUEST: Schema = {
  1: [
    'resourceMetrics',
    'message',
    {
      1: ['resource', 'message', { 1: ['attributes', 'message', KEY_VALUE], 2: ['dropped', 'varint'] }],
      2: [
        'scopeMetrics',
        'message',
        {
          1: ['scope', 'message', { 1: ['name', 'string'], 2: ['version', 'string'] }],
          2: [
            'metrics',
            'message',
            {
              1: ['name', 'string'],
              2: ['description', 'string'],
              3: ['unit', 'string'],
              7: ['sum', 'message', { 1: ['dataPoints', 'message', NUMBER_POINT], 2: ['temporality', 'varint'], 3: ['monotonic', 'varint'] }],
              9: ['histogram', 'message', { 1: ['dataPoints', 'message', HISTOGRAM_POINT], 2: ['temporality', 'varint'] }],
            },
          ],
          3: ['schemaUrl', 'string'],
        },
      ],
      3: ['schemaUrl', 'string'],
    },
  ],
};

/** The same metrics as the official SDK's ResourceMetrics, for the official serializers. */
function resourceMetrics(batch: MetricBatch, serviceName: string): Parameters<typeof JsonMetricsSerializer.serializeRequest>[0] {
  const startTime = hrTime(batch.startNs);
  const endTime = hrTime(batch.endNs);
  return {
    resource: { attributes: { 'service.name': serviceName }, asyncAttributesPending: false, schemaUrl: undefined },
    scopeMetrics: [
      {
        scope: { name: 'sluice', version: '0.1.0', schemaUrl: 'https://opentelemetry.io/schemas/1.41.0' },
        metrics: batch.metrics.map((metric) =>
          metric.kind === 'sum'
            ? {
                descriptor: { name: metric.name, description: metric.description, unit: metric.unit, valueType: 1 },
                aggregationTemporality: 0,
                dataPointType: 3,
                isMonotonic: true,
                dataPoints: metric.points.map((point) => ({ attributes: Object.fromEntries(point.attributes), startTime, endTime, value: point.value })),
              }
            : {
                descriptor: { name: metric.name, description: metric.description, unit: metric.unit, valueType: 1 },
                aggregationTemporality: 0,
                dataPointType: 0,
                dataPoints: metric.points.map((point) => ({
                  attributes: Object.fromEntries(point.attributes),
                  startTime,
                  endTime,
                  value: { buckets: { boundaries: [...metric.bounds], counts: point.bucketCounts }, sum: point.sum, count: point.count, min: point.min, max: point.max },
                })),
              },
        ),
      },
    ],
  } as unknown as Parameters<typeof JsonMetricsSerializer.serializeRequest>[0];
}

function decode(bytes: Uint8Array, schema: Schema): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const [name, type, nested] = schema[tag >> 3] ?? [`unknown${tag >> 3}`, 'bytes'];
    let value: unknown;
    switch (tag & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = type === 'double' || type === 'packed-double' ? view.getFloat64(at, true) : view.getBigUint64(at, true);
        at += 8;
        break;
      case 5:
        value = view.getUint32(at, true);
        at += 4;
        break;
      default: {
        const length = Number(varint());
        const slice = bytes.subarray(at, at + length);
        at += length;
        if (type === 'packed-fixed64' || type === 'packed-double') {
          // Packed or not, a repeated number field is one list.
          const packed = new DataView(slice.buffer, slice.byteOffset, slice.byteLength);
          for (let offset = 0; offset < slice.length; offset += 8) {
            (out[name] ??= []).push(type === 'packed-double' ? packed.getFloat64(offset, true) : packed.getBigUint64(offset, true));
          }
          continue;
        }
        value = type === 'message' ? decode(slice, nested!) : type === 'string' ? Buffer.from(slice).toString('utf8') : Buffer.from(slice).toString('hex');
      }
    }
    // Zero-valued scalars are what an absent field means in proto3.
    if (value === 0n || value === 0 || value === '') continue;
    (out[name] ??= []).push(value);
  }
  return out;
}

describe('otlpExporter', () => {
  it('sends the same OTLP/JSON as the official serializer for the same spans', async () => {
    const records = await realRecords();
    expect(records).toHaveLength(3);
    const spans = (await Promise.all(records.map(recordSpans))).flat();
    const target = await start();
    await otlpExporter({ url: target.url, protocol: 'http/json', serviceName: 'checkout', compression: 'none' }).export(records, new AbortController().signal);
    expect(target.received[0]!.headers['content-type']).toBe('application/json');
    const ours: unknown = JSON.parse(target.received[0]!.body.toString('utf8'));
    const official: unknown = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(readableSpans(spans, 'checkout'))!).toString('utf8'));
    expect(ours).toEqual(official);
  });

  it('sends the same OTLP/protobuf as the official serializer, gzipped', async () => {
    const records = await realRecords();
    const spans = (await Promise.all(records.map(recordSpans))).flat();
    const target = await start();
    await otlpExporter({ url: `${target.url}/v1/traces`, serviceName: 'checkout', headers: { authorization: 'Bearer otlp-secret' } }).export(records, new AbortController().signal);
    const request = target.received[0]!;
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.headers['authorization']).toBe('Bearer otlp-secret');
    const ours = decode(gunzipSync(request.body), REQUEST);
    const official = decode(ProtobufTraceSerializer.serializeRequest(readableSpans(spans, 'checkout'))!, REQUEST);
    expect(ours).toEqual(official);
  });

  it('sends the GenAI metrics of each batch as the official serializers would, in both encodings', async () => {
    const records = await realRecords();
    const batch = recordMetrics(records);
    expect(batch.metrics.map((metric) => metric.name)).toEqual(['gen_ai.client.token.usage', 'gen_ai.client.operation.duration', 'gen_ai.client.operation.time_to_first_chunk', 'sluice.client.cost']);
    const tokens = batch.metrics[0]!;
    if (tokens.kind !== 'histogram') throw new Error('expected a histogram');
    const input = tokens.points.filter((point) => point.attributes.some(([key, value]) => key === 'gen_ai.token.type' && value === 'input'));
    expect(input.reduce((sum, point) => sum + point.count, 0)).toBe(3);
    expect(tokens.points.every((point) => point.bucketCounts.reduce((a, b) => a + b, 0) === point.count)).toBe(true);

    const json = await start();
    await otlpExporter({ url: json.url, protocol: 'http/json', serviceName: 'checkout', compression: 'none', signals: ['metrics'] }).export(records, new AbortController().signal);
    expect(json.received.map((request) => request.path)).toEqual(['/v1/metrics']);
    const official: unknown = JSON.parse(Buffer.from(JsonMetricsSerializer.serializeRequest(resourceMetrics(batch, 'checkout'))!).toString('utf8'));
    expect(JSON.parse(json.received[0]!.body.toString('utf8'))).toEqual(official);

    const proto = await start();
    await otlpExporter({ url: proto.url, serviceName: 'checkout', signals: ['metrics'] }).export(records, new AbortController().signal);
    const ours = decode(gunzipSync(proto.received[0]!.body), METRICS_REQUEST);
    expect(ours).toEqual(decode(ProtobufMetricsSerializer.serializeRequest(resourceMetrics(batch, 'checkout'))!, METRICS_REQUEST));
  });

  it('carries the record metadata as one JSON attribute, and none without it', async () => {
    const [withMetadata] = await recordSpans(makeRecord({ metadata: { team: 'search', run: 7 } }));
    expect(Object.fromEntries(withMetadata!.attributes)['sluice.metadata']).toBe('{"team":"search","run":7}');
    const [without] = await recordSpans(makeRecord());
    expect(Object.fromEntries(without!.attributes)['sluice.metadata']).toBeUndefined();
  });

  it('makes one GenAI span per call with one child per attempt, ids stable across sends', async () => {
    const records = await realRecords();
    const routed = records[2]!;
    const spans = await recordSpans(routed);
    expect(spans.map((span) => span.name)).toEqual(['chat smart', 'attempt oa/gpt-4o-mini', 'attempt an/claude-sonnet-4-5']);
    expect(spans.slice(1).every((span) => hexOf(span.parentSpanId!) === hexOf(spans[0]!.spanId))).toBe(true);
    expect(Object.fromEntries(spans[0]!.attributes)).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'an', 'gen_ai.request.model': 'smart' });
    expect(Object.fromEntries(spans[1]!.attributes)['http.response.status_code']).toBe(503);
    expect(spans[1]!.status.code).toBe(2);
    expect(spans[1]!.startNs).toBeGreaterThanOrEqual(spans[0]!.startNs);
    expect(spans[2]!.endNs).toBeLessThanOrEqual(spans[0]!.endNs);
    const again = await recordSpans(routed);
    expect(again.map((span) => hexOf(span.spanId))).toEqual(spans.map((span) => hexOf(span.spanId)));
  });

  it('a receiver answering 503 with retry-after, then 200, loses nothing through the batch queue', async () => {
    const target = await start([{ status: 503, headers: { 'retry-after': '0' } }]);
    const sluice = createSluice({ exporters: [{ exporter: otlpExporter({ url: target.url, compression: 'none', protocol: 'http/json' }), queue: { minRetryDelayMs: 1, maxRetryDelayMs: 5 } }] });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    expect(sluice.stats.exportDropped).toBe(0);
    expect(target.received.map((request) => request.path)).toEqual(['/v1/traces', '/v1/traces', '/v1/metrics']);
    expect(target.received[1]!.body.toString()).toBe(target.received[0]!.body.toString());
    await sluice.close();
  });

  it('a receiver down past the retries shows the drops counted; a 400 is not retried', async () => {
    const drops: number[] = [];
    const down = createSluice({
      exporters: [{ exporter: otlpExporter({ url: 'http://127.0.0.1:1' }), queue: { retries: 2, minRetryDelayMs: 1, maxRetryDelayMs: 2, onDrop: (count) => void drops.push(count) } }],
    });
    await clientFor(down, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await down.flush();
    expect(down.stats.exportDropped).toBe(1);
    expect(drops).toEqual([1]);
    await down.close();

    const target = await start([{ status: 400 }]);
    const refused = createSluice({ exporters: [{ exporter: otlpExporter({ url: target.url, signals: ['traces'] }), queue: { retries: 3, minRetryDelayMs: 1, maxRetryDelayMs: 2 } }] });
    await clientFor(refused, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await refused.flush();
    expect(target.received).toHaveLength(1);
    expect(refused.stats.exportDropped).toBe(1);
    await refused.close();
  });

  it('never puts its own headers in an error, and refuses a non-http URL', async () => {
    const target = await start([{ status: 401 }]);
    const error = await otlpExporter({ url: target.url, headers: { authorization: 'Bearer otlp-secret' } })
      .export([makeRecord()], new AbortController().signal)
      .catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toMatch(/HTTP 401/);
    expect(String((error as Error).message)).not.toContain('otlp-secret');
    expect(() => otlpExporter({ url: 'file:///tmp/x' })).toThrow(TypeError);
  });
});
