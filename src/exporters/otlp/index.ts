/**
 * `otlpExporter()`: ships call records as OpenTelemetry GenAI spans over OTLP/HTTP (JSON or protobuf,
 * gzip), for apps without an OpenTelemetry SDK (serverless functions, Workers). Web platform only.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { SEMCONV_SCHEMA_URL } from '../../wire/semconv.js';
import { ExportError, retryAfterMs } from '../export-error.js';
import type { Exporter } from '../types.js';
import { encodeJson, encodeProtobuf, type OtlpSource } from './encode.js';
import { recordSpans, type OtlpValue } from './spans.js';

/** Options for {@link otlpExporter}. */
export interface OtlpExporterOptions {
  /**
   * The collector's base URL (`http://localhost:4318`); spans go to `<url>/v1/traces`. A URL already
   * ending in `/v1/traces` is used as it is.
   */
  url: string;
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
  const endpoint = target.pathname.endsWith('/v1/traces') ? target.href : new URL(`${target.pathname.replace(/\/$/, '')}/v1/traces`, target).href;
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
  return {
    name: 'otlp',
    async export(records: readonly CallRecord[], signal: AbortSignal): Promise<void> {
      const spans = (await Promise.all(records.map(recordSpans))).flat();
      const body = protocol === 'http/json' ? new TextEncoder().encode(encodeJson(source, spans)) : encodeProtobuf(source, spans);
      const sent = isGzip ? await gzip(body) : body;
      let response: Response;
      try {
        response = await fetchImpl(endpoint, { method: 'POST', headers, body: sent, signal });
      } catch (error) {
        throw new ExportError(`OTLP export to ${target.origin} failed: ${error instanceof Error ? error.message : String(error)}`, { retryable: true });
      }
      await response.body?.cancel();
      if (response.ok) return;
      // 429 and the gateway statuses are worth another try (OTLP/HTTP's list); anything else will fail again.
      const retryable = response.status === 429 || response.status === 502 || response.status === 503 || response.status === 504;
      throw new ExportError(`OTLP export to ${target.origin} answered HTTP ${response.status}`, {
        retryable,
        retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()),
      });
    },
  };
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
