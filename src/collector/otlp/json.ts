/**
 * Reads an OTLP/JSON `ExportTraceServiceRequest` (the OTLP/HTTP JSON mapping: lowerCamelCase field
 * names, trace and span ids in hex, int64 as decimal strings or numbers, enums as integers). Lenient
 * where senders differ and the meaning is plain: snake_case field names, enum names, base64 ids (the
 * generic protobuf JSON mapping). A wrong type where a list or object must be is an
 * {@link OtlpDecodeError} naming the JSON path; `AnyValue` nesting is bounded.
 * @module
 */
import { idHex, MAX_VALUE_DEPTH, OtlpDecodeError, type AttributeValue, type DecodedEvent, type DecodedSpan } from './model.js';

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field by its lowerCamelCase name, or its proto (snake_case) name. */
function fieldOf(object: JsonObject, camel: string, snake: string): unknown {
  return Object.hasOwn(object, camel) ? object[camel] : Object.hasOwn(object, snake) ? object[snake] : undefined;
}

function listOf(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`OTLP JSON: ${path} is not an array`);
  return value;
}

function objectOf(value: unknown, path: string): JsonObject {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new OtlpDecodeError(`OTLP JSON: ${path} is not an object`);
  return value;
}

/** A uint64 nanosecond time: a decimal string or a number; `0n` when absent or unreadable. */
function nanosOf(value: unknown): bigint {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt.asUintN(64, BigInt(value));
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.trunc(value));
  return 0n;
}

/** An int64 (string or number) as a number; `null` when unreadable. */
function intOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return Number(BigInt.asIntN(64, BigInt(value)));
  return null;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX_ID = /^[0-9a-fA-F]+$/;
const ZERO_ID = /^0+$/;

/** An id in hex (as OTLP/JSON says) or base64 (as the generic protobuf mapping does); `''` when neither fits. */
function idOf(value: unknown, length: number): string {
  if (typeof value !== 'string' || value === '') return '';
  if (value.length === length * 2 && HEX_ID.test(value)) return ZERO_ID.test(value) ? '' : value.toLowerCase();
  if (value.length <= 32 && BASE64.test(value)) {
    try {
      const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
      return idHex(Uint8Array.from(binary, (char) => char.charCodeAt(0)), length);
    } catch {
      return '';
    }
  }
  return '';
}

function anyValueOf(value: unknown, path: string, depth: number): AttributeValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`OTLP JSON: ${path} nested deeper than ${MAX_VALUE_DEPTH}`);
  if (!isObject(value)) return '';
  if (typeof value['stringValue'] === 'string') return value['stringValue'];
  const bool = fieldOf(value, 'boolValue', 'bool_value');
  if (typeof bool === 'boolean') return bool;
  const int = intOf(fieldOf(value, 'intValue', 'int_value'));
  if (int !== null) return int;
  const double = fieldOf(value, 'doubleValue', 'double_value');
  if (typeof double === 'number') return double;
  // JSON has no NaN or Infinity: the mapping writes them as strings.
  if (typeof double === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(double)) return Number(double);
  const array = fieldOf(value, 'arrayValue', 'array_value');
  if (array !== undefined) {
    const values = listOf(objectOf(array, `${path}.arrayValue`)['values'], `${path}.arrayValue.values`);
    return values.map((item, index) => anyValueOf(item, `${path}.arrayValue.values[${index}]`, depth + 1));
  }
  const kvlist = fieldOf(value, 'kvlistValue', 'kvlist_value');
  if (kvlist !== undefined) return attributesOf(objectOf(kvlist, `${path}.kvlistValue`)['values'], `${path}.kvlistValue.values`, depth + 1);
  const bytes = fieldOf(value, 'bytesValue', 'bytes_value');
  if (typeof bytes === 'string') {
    try {
      return Uint8Array.from(atob(bytes), (char) => char.charCodeAt(0));
    } catch {
      return '';
    }
  }
  const string = fieldOf(value, 'stringValue', 'string_value');
  return typeof string === 'string' ? string : '';
}

function attributesOf(value: unknown, path: string, depth = 0): Map<string, AttributeValue> {
  const attributes = new Map<string, AttributeValue>();
  listOf(value, path).forEach((entry, index) => {
    if (!isObject(entry) || typeof entry['key'] !== 'string') return;
    attributes.set(entry['key'], anyValueOf(entry['value'], `${path}[${index}].value`, depth));
  });
  return attributes;
}

/** An enum as an integer or as its name (`SPAN_KIND_CLIENT`, `STATUS_CODE_ERROR`). */
function enumOf(value: unknown, names: readonly string[]): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index !== -1) return index;
    if (/^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

function spanOf(value: unknown, path: string, resource: Map<string, AttributeValue>): DecodedSpan {
  const span = objectOf(value, path);
  const status = objectOf(span['status'], `${path}.status`);
  const events: DecodedEvent[] = listOf(span['events'], `${path}.events`).map((event, index) => {
    const item = objectOf(event, `${path}.events[${index}]`);
    return {
      name: typeof item['name'] === 'string' ? item['name'] : '',
      timeNs: nanosOf(fieldOf(item, 'timeUnixNano', 'time_unix_nano')),
      attributes: attributesOf(item['attributes'], `${path}.events[${index}].attributes`),
    };
  });
  return {
    traceId: idOf(fieldOf(span, 'traceId', 'trace_id'), 16),
    spanId: idOf(fieldOf(span, 'spanId', 'span_id'), 8),
    parentSpanId: idOf(fieldOf(span, 'parentSpanId', 'parent_span_id'), 8),
    name: typeof span['name'] === 'string' ? span['name'] : '',
    kind: enumOf(span['kind'], SPAN_KINDS),
    startNs: nanosOf(fieldOf(span, 'startTimeUnixNano', 'start_time_unix_nano')),
    endNs: nanosOf(fieldOf(span, 'endTimeUnixNano', 'end_time_unix_nano')),
    attributes: attributesOf(span['attributes'], `${path}.attributes`),
    events,
    status: { code: enumOf(status['code'], STATUS_CODES), message: typeof status['message'] === 'string' ? status['message'] : '' },
    resource,
  };
}

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest`.
 * @param text The request body as text.
 * @returns Its spans, in the order they came.
 * @throws {OtlpDecodeError} when the text is not JSON or its structure is not a trace request.
 */
export function decodeTracesJson(text: string): DecodedSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the body, which may hold prompts.
    throw new OtlpDecodeError('OTLP JSON: the body is not valid JSON');
  }
  if (!isObject(parsed)) throw new OtlpDecodeError('OTLP JSON: the body is not an object');
  const spans: DecodedSpan[] = [];
  listOf(fieldOf(parsed, 'resourceSpans', 'resource_spans'), 'resourceSpans').forEach((entry, resourceIndex) => {
    const path = `resourceSpans[${resourceIndex}]`;
    const resourceSpans = objectOf(entry, path);
    const resource = attributesOf(objectOf(resourceSpans['resource'], `${path}.resource`)['attributes'], `${path}.resource.attributes`);
    listOf(fieldOf(resourceSpans, 'scopeSpans', 'scope_spans'), `${path}.scopeSpans`).forEach((scope, scopeIndex) => {
      const scopePath = `${path}.scopeSpans[${scopeIndex}]`;
      listOf(objectOf(scope, scopePath)['spans'], `${scopePath}.spans`).forEach((span, spanIndex) => spans.push(spanOf(span, `${scopePath}.spans[${spanIndex}]`, resource)));
    });
  });
  return spans;
}
