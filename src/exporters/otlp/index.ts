/**
 * `otlpExporter()`: ships call records as OpenTelemetry GenAI spans and metrics over OTLP/HTTP (JSON or
 * protobuf, gzip), for apps without an OpenTelemetry SDK (serverless functions, Workers). Web platform only.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { SEMCONV_SCHEMA_URL } from '../../wire/semconv.js';
import { ExportError, retryAfterMs } from '../export-error.js';
import type { Exporter } from '../types.js';
import { encodeJson, encodeProtobuf, type OtlpSource } from './encode.js';
import { encodeMetricsJson, encodeMetricsProtobuf, recordMetrics } from './metrics.js';
import { recordSpans, type OtlpValue } from './spans.js';

/** Options for {@link otlpExporter}. */
export interface OtlpExporterOptions {
  /**
   * The collector's base URL (`http://localhost:4318`); spans go to `<url>/v1/traces` and metrics to
   * `<url>/v1/metrics`. A URL given with `/v1/traces` at its end counts as its base.
   */
  url: string;
  /**
   * What to send: the calls' spans, and the GenAI metrics of each batch (delta histograms of token
   * usage, duration and time to first chunk, and a cost sum). @default ['traces', 'metrics']
   */
  signals?: ReadonlyArray<'traces' | 'metrics'>;
  /** Extra request headers, such as an API key (`{ authorization: 'Bearer …' }`). Never logged. @default {} */
  headers?: Record<string, string>;
  /** The wire format. @default 'http/protobuf' */
  protocol?: 'http/protobuf' | 'http/json';
  /** `service.name` of the resource. @default 'unknown_service' */
  serviceName?: string;
  /** More resource attributes (`deployment.environment.name`, `service.version`...). @default {} */
  resource?: Record<string, string | number | boolean>;
  /** Gzip the body. @default true */
  compression?: 'gzip' | 'none';
  /** The `fetch` to send with. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

const SCOPE = { name: 'sluice', version: '0.1.0' };

/**
 * Creates an exporter that sends each batch of records as one OTLP trace export. Put it in
 * `createSluice({ exporters: [...] })`: the batch queue in front of it bounds memory, retries failed
 * sends (waiting at least what a 429 or 503 `retry-after` asks), and counts what it drops.
 * @param options Where and how to send.
 * @returns The exporter.
 * @throws {TypeError} when `url` is not an http(s) URL.
 * @example
 * createSluice({ exporters: [otlpExporter({ url: 'http://localhost:4318', serviceName: 'checkout' })] });
 */
export function otlpExporter(options: OtlpExporterOptions): Exporter {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new TypeError(`otlpExporter().url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`otlpExporter().url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  const base = target.pathname.replace(/\/v1\/(traces|metrics)$/, '').replace(/\/$/, '');
  const endpointOf = (signal: string): string => new URL(`${base}/v1/${signal}${target.search}`, target).href;
  const signals = new Set(options.signals ?? ['traces', 'metrics']);
  const protocol = options.protocol ?? 'http/protobuf';
  const isGzip = (options.compression ?? 'gzip') === 'gzip';
  const resource: [string, OtlpValue][] = [['service.name', options.serviceName ?? 'unknown_service'], ...Object.entries(options.resource ?? {})];
  const source: OtlpSource = { resource, scope: SCOPE, schemaUrl: SEMCONV_SCHEMA_URL };
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const headers: Record<string, string> = {
    ...options.headers,
    'content-type': protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
  };
  if (isGzip) headers['content-encoding'] = 'gzip';
  const send = async (signal: 'traces' | 'metrics', body: Uint8Array<ArrayBuffer>, abort: AbortSignal): Promise<void> => {
    const sent = isGzip ? await gzip(body) : body;
    let response: Response;
    try {
      response = await fetchImpl(endpointOf(signal), { method: 'POST', headers, body: sent, signal: abort });
    } catch (error) {
      throw new ExportError(`OTLP ${signal} export to ${target.origin} failed: ${error instanceof Error ? error.message : String(error)}`, { retryable: true });
    }
    await response.body?.cancel();
    if (response.ok) return;
    // 429 and the gateway statuses are worth another try (OTLP/HTTP's list); anything else will fail again.
    const retryable = response.status === 429 || response.status === 502 || response.status === 503 || response.status === 504;
    throw new ExportError(`OTLP ${signal} export to ${target.origin} answered HTTP ${response.status}`, {
      retryable,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()),
    });
  };
  const encoder = new TextEncoder();
  return {
    name: 'otlp',
    async export(records: readonly CallRecord[], signal: AbortSignal): Promise<void> {
      // Traces first: a batch retried after its metrics failed repeats spans (same ids, so a backend
      // can de-duplicate them), never metrics that were already counted.
      if (signals.has('traces')) {
        const spans = (await Promise.all(records.map(recordSpans))).flat();
        await send('traces', protocol === 'http/json' ? encoder.encode(encodeJson(source, spans)) : encodeProtobuf(source, spans), signal);
      }
      if (signals.has('metrics')) {
        const batch = recordMetrics(records);
        if (batch.metrics.length === 0) return;
        await send('metrics', protocol === 'http/json' ? encoder.encode(encodeMetricsJson(source, batch)) : encodeMetricsProtobuf(source, batch), signal);
      }
    },
  };
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
