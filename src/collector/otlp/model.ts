/**
 * The spans of an OTLP `ExportTraceServiceRequest` as both decoders (JSON and protobuf) produce them,
 * and the error they throw on a body they cannot read.
 * @module
 */

/** An OTLP `AnyValue`: int64 becomes a number (exact up to 2^53), a kvlist a `Map` (keys are untrusted). */
export type AttributeValue = string | number | boolean | Uint8Array | AttributeValue[] | Map<string, AttributeValue>;

/** One span, with its resource and scope. Ids are lowercase hex; `''` when absent or malformed. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP `SpanKind` (3 is client). */
  kind: number;
  /** Nanoseconds since the epoch; `0n` when absent. */
  startNs: bigint;
  endNs: bigint;
  attributes: Map<string, AttributeValue>;
  events: DecodedEvent[];
  /** OTLP `StatusCode`: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** The attributes of the resource that emitted the span (`service.name`...), shared by its spans. */
  resource: Map<string, AttributeValue>;
}

/** A span event. */
export interface DecodedEvent {
  name: string;
  timeNs: bigint;
  attributes: Map<string, AttributeValue>;
}

/**
 * A body that is not a readable `ExportTraceServiceRequest`: malformed protobuf or JSON, a value nested
 * too deep, or an unsupported content type. `status` is the HTTP answer it calls for.
 */
export class OtlpDecodeError extends Error {
  override name = 'OtlpDecodeError';
  /** 400 for a malformed body, 415 for a content type that is neither OTLP JSON nor protobuf. */
  readonly status: 400 | 415;

  /**
   * @param message What is wrong and where (a byte offset or a JSON path); never the body itself.
   * @param status The HTTP status to answer with.
   */
  constructor(message: string, status: 400 | 415 = 400) {
    super(message);
    this.status = status;
  }
}

/** How deep `AnyValue` arrays and kvlists may nest (the OTLP SDKs flatten to depth 1 or 2). */
export const MAX_VALUE_DEPTH = 16;

const HEX = /*@__PURE__*/ Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Lowercase hex of an id, or `''` when its length is wrong or it is all zeros (invalid per W3C).
 * @param bytes The id.
 * @param length The expected length: 16 for a trace id, 8 for a span id.
 */
export function idHex(bytes: Uint8Array, length: number): string {
  if (bytes.length !== length) return '';
  let out = '';
  let isZero = true;
  for (const byte of bytes) {
    out += HEX[byte];
    if (byte !== 0) isZero = false;
  }
  return isZero ? '' : out;
}
