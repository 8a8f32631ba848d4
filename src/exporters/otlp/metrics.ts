/**
 * The GenAI metrics of a batch of records, aggregated as OTLP delta metrics (the window is the batch:
 * from its first call's start to its last call's end), and their OTLP/JSON and OTLP/protobuf
 * encodings (`opentelemetry/proto/metrics/v1/metrics.proto` field numbers). Pure.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { DURATION_BUCKETS, PROVIDER_BY_DIALECT, semconvOperation, semconvProvider, TOKEN_BUCKETS } from '../../wire/semconv.js';
import { jsonAttributes, Writer, writeAttributes, type OtlpSource } from './encode.js';
import type { OtlpValue } from './spans.js';

type Attributes = ReadonlyArray<readonly [string, OtlpValue]>;

/** One histogram data point over the batch's window. */
export interface HistogramPoint {
  attributes: Attributes;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** One count per bucket: `bounds.length + 1`. */
  bucketCounts: number[];
}

/** One metric of the batch. */
export type OtlpMetric =
  | { kind: 'histogram'; name: string; description: string; unit: string; bounds: readonly number[]; points: HistogramPoint[] }
  | { kind: 'sum'; name: string; description: string; unit: string; points: { attributes: Attributes; value: number }[] };

/** A batch's metrics and their window, in nanoseconds since the epoch. */
export interface MetricBatch {
  startNs: bigint;
  endNs: bigint;
  metrics: OtlpMetric[];
}

class HistogramBuilder {
  readonly #points = new Map<string, HistogramPoint>();
  constructor(readonly bounds: readonly number[]) {}
  record(attributes: Attributes, value: number): void {
    const key = JSON.stringify(attributes);
    let point = this.#points.get(key);
    if (point === undefined) {
      point = { attributes, count: 0, sum: 0, min: Infinity, max: -Infinity, bucketCounts: new Array<number>(this.bounds.length + 1).fill(0) };
      this.#points.set(key, point);
    }
    point.count++;
    point.sum += value;
    point.min = Math.min(point.min, value);
    point.max = Math.max(point.max, value);
    // Buckets are (bound[i-1], bound[i]]: a value equal to a bound falls in that bound's bucket.
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    point.bucketCounts[bucket]!++;
  }
  points(): HistogramPoint[] {
    return [...this.#points.values()];
  }
}

/**
 * Aggregates a batch of records into the GenAI client metrics and a cost sum.
 * @param records The batch.
 * @returns The metrics (empty when no record carries anything to count) and their window.
 */
export function recordMetrics(records: readonly CallRecord[]): MetricBatch {
  const tokens = new HistogramBuilder(TOKEN_BUCKETS);
  const duration = new HistogramBuilder(DURATION_BUCKETS);
  const firstChunk = new HistogramBuilder(DURATION_BUCKETS);
  const costs = new Map<string, { attributes: Attributes; value: number }>();
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const record of records) {
    // MCP requests are not model calls: they have spans, not GenAI client metrics.
    if (record.mcp !== undefined) continue;
    startMs = Math.min(startMs, record.startedAt);
    endMs = Math.max(endMs, record.startedAt + record.latencyMs);
    const attributes: [string, OtlpValue][] = [
      ['gen_ai.operation.name', semconvOperation(record.dialect, record.operation)],
      ['gen_ai.provider.name', record.provider === null ? (PROVIDER_BY_DIALECT[record.dialect] ?? record.dialect) : semconvProvider(record.provider, null)],
    ];
    if (record.requestedModel !== null) attributes.push(['gen_ai.request.model', record.requestedModel]);
    if (record.model !== null) attributes.push(['gen_ai.response.model', record.model]);
    if (record.usage.inputTokens !== null) tokens.record([...attributes, ['gen_ai.token.type', 'input']], record.usage.inputTokens);
    if (record.usage.outputTokens !== null) tokens.record([...attributes, ['gen_ai.token.type', 'output']], record.usage.outputTokens);
    const errorType = record.outcome === 'completed' ? null : record.outcome === 'cancelled' ? 'cancelled' : (record.error?.class ?? '_OTHER');
    duration.record(errorType === null ? attributes : [...attributes, ['error.type', errorType]], record.latencyMs / 1000);
    if (record.streamed && record.ttftMs !== null) firstChunk.record(attributes, record.ttftMs / 1000);
    if (record.costUsd !== null && record.costUsd > 0) {
      const key = JSON.stringify(attributes);
      const entry = costs.get(key) ?? { attributes, value: 0 };
      entry.value += record.costUsd;
      costs.set(key, entry);
    }
  }
  const metrics: OtlpMetric[] = [];
  const histogram = (name: string, description: string, unit: string, builder: HistogramBuilder): void => {
    const points = builder.points();
    if (points.length > 0) metrics.push({ kind: 'histogram', name, description, unit, bounds: builder.bounds, points });
  };
  histogram('gen_ai.client.token.usage', 'Number of input and output tokens used.', '{token}', tokens);
  histogram('gen_ai.client.operation.duration', 'GenAI operation duration.', 's', duration);
  histogram('gen_ai.client.operation.time_to_first_chunk', 'Time to receive the first chunk of a streamed answer.', 's', firstChunk);
  if (costs.size > 0) metrics.push({ kind: 'sum', name: 'sluice.client.cost', description: 'What the calls cost, as Sluice prices them.', unit: 'USD', points: [...costs.values()] });
  const nanos = (ms: number): bigint => BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1_000_000));
  const counted = startMs !== Infinity;
  return { startNs: counted ? nanos(startMs) : 0n, endNs: counted ? nanos(endMs) : 0n, metrics };
}

/** OTLP's `AGGREGATION_TEMPORALITY_DELTA`: each batch counts only its own calls. */
const DELTA = 1;

/**
 * OTLP/JSON `ExportMetricsServiceRequest`.
 * @param source The resource and scope.
 * @param batch The metrics.
 * @returns The request body.
 */
export function encodeMetricsJson(source: OtlpSource, batch: MetricBatch): string {
  const startTimeUnixNano = batch.startNs.toString();
  const timeUnixNano = batch.endNs.toString();
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: jsonAttributes(source.resource), droppedAttributesCount: 0 },
        scopeMetrics: [
          {
            scope: { name: source.scope.name, version: source.scope.version },
            metrics: batch.metrics.map((metric) => {
              const head = { name: metric.name, description: metric.description, unit: metric.unit };
              if (metric.kind === 'sum') {
                return {
                  ...head,
                  sum: {
                    aggregationTemporality: DELTA,
                    isMonotonic: true,
                    dataPoints: metric.points.map((point) => ({ attributes: jsonAttributes(point.attributes), startTimeUnixNano, timeUnixNano, asDouble: point.value })),
                  },
                };
              }
              return {
                ...head,
                histogram: {
                  aggregationTemporality: DELTA,
                  dataPoints: metric.points.map((point) => ({
                    attributes: jsonAttributes(point.attributes),
                    bucketCounts: point.bucketCounts,
                    explicitBounds: metric.bounds,
                    count: point.count,
                    sum: point.sum,
                    min: point.min,
                    max: point.max,
                    startTimeUnixNano,
                    timeUnixNano,
                  })),
                },
              };
            }),
            schemaUrl: source.schemaUrl,
          },
        ],
      },
    ],
  });
}

/**
 * OTLP/protobuf `ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1 }`.
 * @param source The resource and scope.
 * @param batch The metrics.
 * @returns The request body.
 */
export function encodeMetricsProtobuf(source: OtlpSource, batch: MetricBatch): Uint8Array<ArrayBuffer> {
  const writer = new Writer();
  writer.message(1, (resourceMetrics) => {
    resourceMetrics.message(1, (resource) => writeAttributes(resource, 1, source.resource));
    resourceMetrics.message(2, (scopeMetrics) => {
      scopeMetrics.message(1, (scope) => {
        scope.string(1, source.scope.name);
        scope.string(2, source.scope.version);
      });
      for (const metric of batch.metrics) {
        scopeMetrics.message(2, (message) => {
          message.string(1, metric.name);
          message.string(2, metric.description);
          message.string(3, metric.unit);
          if (metric.kind === 'sum') {
            message.message(7, (sum) => {
              for (const point of metric.points) {
                sum.message(1, (data) => {
                  data.fixed64(2, batch.startNs);
                  data.fixed64(3, batch.endNs);
                  data.double(4, point.value);
                  writeAttributes(data, 7, point.attributes);
                });
              }
              sum.tag(2, 0);
              sum.varint(DELTA);
              sum.tag(3, 0);
              sum.varint(1);
            });
            return;
          }
          message.message(9, (histogram) => {
            for (const point of metric.points) {
              histogram.message(1, (data) => {
                data.fixed64(2, batch.startNs);
                data.fixed64(3, batch.endNs);
                data.fixed64Number(4, point.count);
                data.double(5, point.sum);
                data.packed(6, point.bucketCounts, 'fixed64');
                data.packed(7, metric.bounds, 'double');
                writeAttributes(data, 9, point.attributes);
                data.double(11, point.min);
                data.double(12, point.max);
              });
            }
            histogram.tag(2, 0);
            histogram.varint(DELTA);
          });
        });
      }
      scopeMetrics.string(3, source.schemaUrl);
    });
  });
  return writer.finish();
}
