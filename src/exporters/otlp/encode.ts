/**
 * Encodes spans as an OTLP `ExportTraceServiceRequest`, in OTLP/JSON or OTLP/protobuf (the protobuf
 * written by hand from the field numbers of `opentelemetry/proto/trace/v1/trace.proto` and
 * `common/v1/common.proto`: no protobuf library, so this stays small and runs on every runtime).
 * @module
 */
import type { OtlpSpan, OtlpValue } from './spans.js';

/** Who produced the spans: the resource's attributes and the instrumentation scope. */
export interface OtlpSource {
  resource: ReadonlyArray<readonly [string, OtlpValue]>;
  scope: { name: string; version: string };
  schemaUrl: string;
}

// W3C "sampled" plus OTLP's "has is_remote" bit (the parent, when any, is local).
const SPAN_FLAGS = 0x101;

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

type JsonValue = { stringValue: string } | { intValue: number } | { doubleValue: number } | { boolValue: boolean } | { arrayValue: { values: JsonValue[] } };

function jsonValue(value: OtlpValue): JsonValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
  return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
}

export function jsonAttributes(attributes: ReadonlyArray<readonly [string, OtlpValue]>): { key: string; value: JsonValue }[] {
  return attributes.map(([key, value]) => ({ key, value: jsonValue(value) }));
}

/**
 * OTLP/JSON (ids in hex, times as decimal strings, as the OTLP/JSON mapping says).
 * @param source The resource and scope.
 * @param spans The spans.
 * @returns The request body.
 */
export function encodeJson(source: OtlpSource, spans: readonly OtlpSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: jsonAttributes(source.resource), droppedAttributesCount: 0 },
        scopeSpans: [
          {
            scope: { name: source.scope.name, version: source.scope.version },
            spans: spans.map((span) => ({
              traceId: hex(span.traceId),
              spanId: hex(span.spanId),
              parentSpanId: span.parentSpanId === null ? undefined : hex(span.parentSpanId),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: span.startNs.toString(),
              endTimeUnixNano: span.endNs.toString(),
              attributes: jsonAttributes(span.attributes),
              droppedAttributesCount: 0,
              events: span.events.map((event) => ({ attributes: jsonAttributes(event.attributes), name: event.name, timeUnixNano: event.timeNs.toString(), droppedAttributesCount: 0 })),
              droppedEventsCount: 0,
              status: { code: span.status.code, message: span.status.message },
              links: [],
              droppedLinksCount: 0,
              flags: SPAN_FLAGS,
            })),
            schemaUrl: source.schemaUrl,
          },
        ],
      },
    ],
  });
}

/** A growable protobuf writer: nested messages are written to their own writer, then copied in with their length. */
export class Writer {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(256);
  #length = 0;

  #reserve(count: number): void {
    if (this.#length + count <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  varint(value: number | bigint): void {
    let rest = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    while (rest > 0x7fn) {
      this.#bytes[this.#length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.#bytes[this.#length++] = Number(rest);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    this.#reserve(value.length);
    this.#bytes.set(value, this.#length);
    this.#length += value.length;
  }

  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  fixed64(field: number, value: bigint): void {
    this.tag(field, 1);
    this.#reserve(8);
    new DataView(this.#bytes.buffer).setBigUint64(this.#length, value, true);
    this.#length += 8;
  }

  fixed32(field: number, value: number): void {
    this.tag(field, 5);
    this.#reserve(4);
    new DataView(this.#bytes.buffer).setUint32(this.#length, value, true);
    this.#length += 4;
  }

  /** A `fixed64` written from a non-negative integer. */
  fixed64Number(field: number, value: number): void {
    this.fixed64(field, BigInt(value));
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.#reserve(8);
    new DataView(this.#bytes.buffer).setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  /** A packed `repeated fixed64` (bigints or non-negative integers) or `repeated double`. */
  packed(field: number, values: readonly number[], type: 'fixed64' | 'double'): void {
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((value, index) => (type === 'double' ? view.setFloat64(index * 8, value, true) : view.setBigUint64(index * 8, BigInt(value), true)));
    this.bytes(field, bytes);
  }

  message(field: number, write: (writer: Writer) => void): void {
    const nested = new Writer();
    write(nested);
    this.bytes(field, nested.finish());
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}

const textEncoder = /*@__PURE__*/ new TextEncoder();

/** `AnyValue`: string 1, bool 2, int64 3, double 4, array 5. */
function writeValue(writer: Writer, value: OtlpValue): void {
  if (typeof value === 'string') writer.string(1, value);
  else if (typeof value === 'boolean') {
    writer.tag(2, 0);
    writer.varint(value ? 1 : 0);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      writer.tag(3, 0);
      writer.varint(BigInt(value));
    } else writer.double(4, value);
  } else writer.message(5, (array) => value.forEach((item) => array.message(1, (entry) => entry.string(1, item))));
}

/** Repeated `KeyValue` (key 1, value 2) at `field`. */
export function writeAttributes(writer: Writer, field: number, attributes: ReadonlyArray<readonly [string, OtlpValue]>): void {
  for (const [key, value] of attributes) {
    writer.message(field, (pair) => {
      pair.string(1, key);
      pair.message(2, (any) => writeValue(any, value));
    });
  }
}

function writeSpan(writer: Writer, span: OtlpSpan): void {
  writer.bytes(1, span.traceId);
  writer.bytes(2, span.spanId);
  if (span.parentSpanId !== null) writer.bytes(4, span.parentSpanId);
  writer.string(5, span.name);
  writer.tag(6, 0);
  writer.varint(span.kind);
  writer.fixed64(7, span.startNs);
  writer.fixed64(8, span.endNs);
  writeAttributes(writer, 9, span.attributes);
  for (const event of span.events) {
    writer.message(11, (message) => {
      message.fixed64(1, event.timeNs);
      message.string(2, event.name);
      writeAttributes(message, 3, event.attributes);
    });
  }
  writer.message(15, (status) => {
    if (span.status.message !== undefined) status.string(2, span.status.message);
    status.tag(3, 0);
    status.varint(span.status.code);
  });
  writer.fixed32(16, SPAN_FLAGS);
}

/**
 * OTLP/protobuf: `ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }`.
 * @param source The resource and scope.
 * @param spans The spans.
 * @returns The request body.
 */
export function encodeProtobuf(source: OtlpSource, spans: readonly OtlpSpan[]): Uint8Array<ArrayBuffer> {
  const writer = new Writer();
  writer.message(1, (resourceSpans) => {
    resourceSpans.message(1, (resource) => writeAttributes(resource, 1, source.resource));
    resourceSpans.message(2, (scopeSpans) => {
      scopeSpans.message(1, (scope) => {
        scope.string(1, source.scope.name);
        scope.string(2, source.scope.version);
      });
      for (const span of spans) scopeSpans.message(2, (message) => writeSpan(message, span));
      scopeSpans.string(3, source.schemaUrl);
    });
  });
  return writer.finish();
}
