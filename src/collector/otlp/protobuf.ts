/**
 * A small linear protobuf decoder for OTLP's `ExportTraceServiceRequest`, the mirror of the encoder in
 * `src/exporters/otlp/encode.ts` (field numbers from `opentelemetry/proto/trace/v1/trace.proto`,
 * `common/v1/common.proto` and `resource/v1/resource.proto`). One pass over the bytes: every length is
 * checked against the bytes left before it is used, nothing is allocated from a declared length
 * (nested messages are views), varints stop at 10 bytes, and `AnyValue` nesting is bounded, so a
 * malformed or hostile body fails fast with an {@link OtlpDecodeError} naming the byte offset.
 * @module
 */
import { idHex, MAX_VALUE_DEPTH, OtlpDecodeError, type AttributeValue, type DecodedEvent, type DecodedSpan } from './model.js';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH = 2;
const FIXED32 = 5;

const textDecoder = /*@__PURE__*/ new TextDecoder();

/** A cursor over the body; `end` bounds the message being read. */
class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  position = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string): never {
    throw new OtlpDecodeError(`OTLP protobuf: ${what} at byte ${this.position}`);
  }

  /** A varint as a number; exact up to 2^53, which covers tags and lengths (bounded by the body anyway). */
  varint(end: number): number {
    let result = 0;
    let multiplier = 1;
    for (let count = 0; count < 10; count++) {
      if (this.position >= end) this.fail('truncated varint');
      const byte = this.bytes[this.position++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint as a signed 64-bit integer (int64 two's complement), then a number. */
  int64(end: number): number {
    let result = 0n;
    let shift = 0n;
    for (let count = 0; count < 10; count++) {
      if (this.position >= end) this.fail('truncated varint');
      const byte = this.bytes[this.position++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return Number(BigInt.asIntN(64, result));
      shift += 7n;
    }
    return this.fail('varint longer than 10 bytes');
  }

  fixed64(end: number): bigint {
    if (end - this.position < 8) this.fail('truncated fixed64');
    const value = this.view.getBigUint64(this.position, true);
    this.position += 8;
    return value;
  }

  double(end: number): number {
    if (end - this.position < 8) this.fail('truncated double');
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  /** The end of a length-delimited field that starts here, checked against `end`. */
  lengthEnd(end: number): number {
    const length = this.varint(end);
    if (length > end - this.position) this.fail(`length ${length} beyond the end of its message (${end - this.position} bytes left)`);
    return this.position + length;
  }

  /** A length-delimited field as a view (no copy). */
  view_(end: number): Uint8Array {
    const stop = this.lengthEnd(end);
    const slice = this.bytes.subarray(this.position, stop);
    this.position = stop;
    return slice;
  }

  string(end: number): string {
    return textDecoder.decode(this.view_(end));
  }

  skip(wireType: number, end: number): void {
    if (wireType === VARINT) this.varint(end);
    else if (wireType === FIXED64) {
      if (end - this.position < 8) this.fail('truncated fixed64');
      this.position += 8;
    } else if (wireType === LENGTH) this.position = this.lengthEnd(end);
    else if (wireType === FIXED32) {
      if (end - this.position < 4) this.fail('truncated fixed32');
      this.position += 4;
    } else this.fail(`unsupported wire type ${wireType}`);
  }

  /** Reads the fields of a message up to `end`, handing each to `onField`, which must consume it or return false. */
  fields(end: number, onField: (field: number, wireType: number) => boolean): void {
    while (this.position < end) {
      const key = this.varint(end);
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (field === 0) this.fail('field number 0');
      if (!onField(field, wireType)) this.skip(wireType, end);
    }
    if (this.position !== end) this.fail('field overruns its message');
  }
}

/** Checks a field's wire type; a mismatch is a malformed body, not an unknown field. */
function expect(reader: Reader, wireType: number, wanted: number, what: string): void {
  if (wireType !== wanted) reader.fail(`${what} has wire type ${wireType}, expected ${wanted}`);
}

function readAnyValue(reader: Reader, end: number, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) reader.fail(`attribute value nested deeper than ${MAX_VALUE_DEPTH}`);
  let value: AttributeValue = '';
  reader.fields(end, (field, wireType) => {
    switch (field) {
      case 1:
        expect(reader, wireType, LENGTH, 'AnyValue.string_value');
        value = reader.string(end);
        return true;
      case 2:
        expect(reader, wireType, VARINT, 'AnyValue.bool_value');
        value = reader.varint(end) !== 0;
        return true;
      case 3:
        expect(reader, wireType, VARINT, 'AnyValue.int_value');
        value = reader.int64(end);
        return true;
      case 4:
        expect(reader, wireType, FIXED64, 'AnyValue.double_value');
        value = reader.double(end);
        return true;
      case 5: {
        expect(reader, wireType, LENGTH, 'AnyValue.array_value');
        const stop = reader.lengthEnd(end);
        const values: AttributeValue[] = [];
        reader.fields(stop, (inner, innerType) => {
          if (inner !== 1) return false;
          expect(reader, innerType, LENGTH, 'ArrayValue.values');
          values.push(readAnyValue(reader, reader.lengthEnd(stop), depth + 1));
          return true;
        });
        value = values;
        return true;
      }
      case 6: {
        expect(reader, wireType, LENGTH, 'AnyValue.kvlist_value');
        const stop = reader.lengthEnd(end);
        const entries = new Map<string, AttributeValue>();
        reader.fields(stop, (inner, innerType) => {
          if (inner !== 1) return false;
          expect(reader, innerType, LENGTH, 'KeyValueList.values');
          readKeyValue(reader, reader.lengthEnd(stop), entries, depth + 1);
          return true;
        });
        value = entries;
        return true;
      }
      case 7:
        expect(reader, wireType, LENGTH, 'AnyValue.bytes_value');
        value = reader.view_(end);
        return true;
      default:
        return false;
    }
  });
  return value;
}

/** `KeyValue { string key = 1; AnyValue value = 2; }` into `into`. */
function readKeyValue(reader: Reader, end: number, into: Map<string, AttributeValue>, depth: number): void {
  let key = '';
  let value: AttributeValue = '';
  reader.fields(end, (field, wireType) => {
    if (field === 1) {
      expect(reader, wireType, LENGTH, 'KeyValue.key');
      key = reader.string(end);
      return true;
    }
    if (field === 2) {
      expect(reader, wireType, LENGTH, 'KeyValue.value');
      value = readAnyValue(reader, reader.lengthEnd(end), depth);
      return true;
    }
    return false;
  });
  into.set(key, value);
}

function readAttribute(reader: Reader, wireType: number, end: number, into: Map<string, AttributeValue>, what: string): void {
  expect(reader, wireType, LENGTH, what);
  readKeyValue(reader, reader.lengthEnd(end), into, 0);
}

function readEvent(reader: Reader, end: number): DecodedEvent {
  const event: DecodedEvent = { name: '', timeNs: 0n, attributes: new Map() };
  reader.fields(end, (field, wireType) => {
    if (field === 1) {
      expect(reader, wireType, FIXED64, 'Event.time_unix_nano');
      event.timeNs = reader.fixed64(end);
    } else if (field === 2) {
      expect(reader, wireType, LENGTH, 'Event.name');
      event.name = reader.string(end);
    } else if (field === 3) readAttribute(reader, wireType, end, event.attributes, 'Event.attributes');
    else return false;
    return true;
  });
  return event;
}

function readSpan(reader: Reader, end: number, resource: Map<string, AttributeValue>): DecodedSpan {
  const span: DecodedSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startNs: 0n,
    endNs: 0n,
    attributes: new Map(),
    events: [],
    status: { code: 0, message: '' },
    resource,
  };
  reader.fields(end, (field, wireType) => {
    switch (field) {
      case 1:
        expect(reader, wireType, LENGTH, 'Span.trace_id');
        span.traceId = idHex(reader.view_(end), 16);
        return true;
      case 2:
        expect(reader, wireType, LENGTH, 'Span.span_id');
        span.spanId = idHex(reader.view_(end), 8);
        return true;
      case 4:
        expect(reader, wireType, LENGTH, 'Span.parent_span_id');
        span.parentSpanId = idHex(reader.view_(end), 8);
        return true;
      case 5:
        expect(reader, wireType, LENGTH, 'Span.name');
        span.name = reader.string(end);
        return true;
      case 6:
        expect(reader, wireType, VARINT, 'Span.kind');
        span.kind = reader.varint(end);
        return true;
      case 7:
        expect(reader, wireType, FIXED64, 'Span.start_time_unix_nano');
        span.startNs = reader.fixed64(end);
        return true;
      case 8:
        expect(reader, wireType, FIXED64, 'Span.end_time_unix_nano');
        span.endNs = reader.fixed64(end);
        return true;
      case 9:
        readAttribute(reader, wireType, end, span.attributes, 'Span.attributes');
        return true;
      case 11:
        expect(reader, wireType, LENGTH, 'Span.events');
        span.events.push(readEvent(reader, reader.lengthEnd(end)));
        return true;
      case 15: {
        expect(reader, wireType, LENGTH, 'Span.status');
        const stop = reader.lengthEnd(end);
        reader.fields(stop, (inner, innerType) => {
          if (inner === 2) {
            expect(reader, innerType, LENGTH, 'Status.message');
            span.status.message = reader.string(stop);
          } else if (inner === 3) {
            expect(reader, innerType, VARINT, 'Status.code');
            span.status.code = reader.varint(stop);
          } else return false;
          return true;
        });
        return true;
      }
      default:
        return false;
    }
  });
  return span;
}

/**
 * Decodes an OTLP/protobuf `ExportTraceServiceRequest`.
 * @param body The request body (already decompressed).
 * @returns Its spans, in the order they came.
 * @throws {OtlpDecodeError} on malformed bytes.
 */
export function decodeTracesProtobuf(body: Uint8Array): DecodedSpan[] {
  const reader = new Reader(body);
  const spans: DecodedSpan[] = [];
  reader.fields(body.length, (field, wireType) => {
    if (field !== 1) return false;
    expect(reader, wireType, LENGTH, 'ExportTraceServiceRequest.resource_spans');
    const resourceEnd = reader.lengthEnd(body.length);
    const resource = new Map<string, AttributeValue>();
    // Spans are collected per ResourceSpans and given the resource at the end: it may come after them.
    reader.fields(resourceEnd, (inner, innerType) => {
      if (inner === 1) {
        expect(reader, innerType, LENGTH, 'ResourceSpans.resource');
        const stop = reader.lengthEnd(resourceEnd);
        reader.fields(stop, (resourceField, resourceType) => {
          if (resourceField !== 1) return false;
          readAttribute(reader, resourceType, stop, resource, 'Resource.attributes');
          return true;
        });
        return true;
      }
      if (inner === 2) {
        expect(reader, innerType, LENGTH, 'ResourceSpans.scope_spans');
        const stop = reader.lengthEnd(resourceEnd);
        reader.fields(stop, (scopeField, scopeType) => {
          if (scopeField !== 2) return false;
          expect(reader, scopeType, LENGTH, 'ScopeSpans.spans');
          spans.push(readSpan(reader, reader.lengthEnd(stop), resource));
          return true;
        });
        return true;
      }
      return false;
    });
    return true;
  });
  return spans;
}
