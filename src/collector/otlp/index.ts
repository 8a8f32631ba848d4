/**
 * The collector's OpenTelemetry ingest: `POST /v1/traces` bodies (OTLP/HTTP `ExportTraceServiceRequest`,
 * JSON or protobuf) to call records. GenAI spans become records; every other span is ignored.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { decodeTracesJson } from './json.js';
import { spansToRecords, type RejectedSpan } from './map.js';
import { OtlpDecodeError } from './model.js';
import { decodeTracesProtobuf } from './protobuf.js';

export { OtlpDecodeError } from './model.js';
export type { RejectedSpan } from './map.js';

/** What {@link tracesToRecords} made of one trace export. */
export interface TracesToRecordsResult {
  /** One record per GenAI model-call span, in the order the spans came. */
  records: CallRecord[];
  /** GenAI spans that could not become records (no trace id, no start time...), by span index. */
  rejected: RejectedSpan[];
}

const textDecoder = /*@__PURE__*/ new TextDecoder();

/**
 * Maps an OTLP/HTTP trace export to call records. GenAI spans (`gen_ai.operation.name` of a model call:
 * `chat`, `text_completion`, `generate_content`, `embeddings`; or, from older instrumentations, a
 * `gen_ai.system` with a model) become records; Sluice's attempt spans become their parent record's
 * `attempts`; any other span is ignored, not rejected. A record's id is the span's `sluice.call.id`
 * when it has one, else `otel-<trace id>-<span id>`, so a span sent again is a duplicate.
 * @param body The request body, already decompressed (`content-encoding: gzip` is the HTTP layer's).
 * @param contentType The request's `content-type`: `application/json` or `application/x-protobuf`
 *   (parameters such as `; charset=utf-8` are ignored).
 * @returns The records and the rejected spans.
 * @throws {OtlpDecodeError} when the body cannot be read (`status` 400) or the content type is neither (415).
 * @example
 * const { records, rejected } = tracesToRecords(body, request.headers['content-type'] ?? '');
 * await store.insert(records);
 */
export function tracesToRecords(body: Uint8Array, contentType: string): TracesToRecordsResult {
  const mediaType = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return spansToRecords(decodeTracesJson(textDecoder.decode(body)));
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return spansToRecords(decodeTracesProtobuf(body));
  throw new OtlpDecodeError(`OTLP: unsupported content type ${JSON.stringify(mediaType.slice(0, 100))}; expected application/json or application/x-protobuf`, 415);
}

/**
 * The body of a successful `POST /v1/traces` answer (`ExportTraceServiceResponse`), in the request's
 * encoding, with `partial_success` when spans were rejected, as OTLP/HTTP asks.
 * @param rejected The rejected spans.
 * @param contentType The request's content type (the answer uses the same encoding).
 * @returns The body and its content type.
 */
export function traceExportResponse(rejected: readonly RejectedSpan[], contentType: string): { body: Uint8Array; contentType: string } {
  const message = rejected.length === 0 ? '' : rejected.slice(0, 10).map((span) => `span ${span.index}: ${span.reason}`).join('; ') + (rejected.length > 10 ? `; and ${rejected.length - 10} more` : '');
  if (contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json') {
    const answer = rejected.length === 0 ? {} : { partialSuccess: { rejectedSpans: String(rejected.length), errorMessage: message } };
    return { body: new TextEncoder().encode(JSON.stringify(answer)), contentType: 'application/json' };
  }
  if (rejected.length === 0) return { body: new Uint8Array(0), contentType: 'application/x-protobuf' };
  // ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1 { int64 rejected_spans = 1; string error_message = 2 } }
  const text = new TextEncoder().encode(message);
  const inner = [0x08, ...varint(rejected.length), 0x12, ...varint(text.length), ...text];
  return { body: Uint8Array.from([0x0a, ...varint(inner.length), ...inner]), contentType: 'application/x-protobuf' };
}

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
