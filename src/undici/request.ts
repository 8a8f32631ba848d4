/**
 * Turns undici dispatch options into the `(url, init)` pair `sluice.fetch` takes.
 * @module
 */
import type { DispatchBody, DispatchHeaders, DispatchOptions } from './types.js';

/** A `fetch` init with the two fields Node's fetch reads beyond the DOM's `RequestInit`. */
export type NodeRequestInit = RequestInit & { duplex?: 'half'; dispatcher?: unknown };

/**
 * Connection-level headers: the inner `fetch` frames the body and picks the connection itself, and
 * rejects `connection`, `transfer-encoding`, `keep-alive`, `upgrade` and `expect` outright. `host`
 * would be wrong once Sluice sends the call to another target.
 */
const DROPPED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
]);

const encoder = new TextEncoder();

function text(value: unknown): string {
  // Raw header arrays may hold Buffers; header bytes are latin1, as undici reads them.
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1') : String(value);
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.iterator in value;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Builds the `Headers` of the inner request from any header form undici accepts.
 * @param source The dispatch headers.
 * @returns The headers, without connection-level ones.
 * @throws {TypeError} on an invalid header name or value.
 */
export function toHeaders(source: DispatchHeaders | null | undefined): Headers {
  const headers = new Headers();
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    const key = text(name);
    if (DROPPED_HEADERS.has(key.toLowerCase())) return;
    if (Array.isArray(value)) for (const item of value as unknown[]) headers.append(key, text(item));
    else headers.append(key, text(value));
  };
  if (source === null || source === undefined) return headers;
  if (Array.isArray(source)) {
    const list = source as readonly unknown[];
    if (Array.isArray(list[0])) {
      for (const pair of list as readonly (readonly unknown[])[]) add(pair[0], pair[1]);
    } else {
      for (let index = 0; index + 1 < list.length; index += 2) add(list[index], list[index + 1]);
    }
  } else if (isIterable(source)) {
    for (const pair of source as Iterable<readonly unknown[]>) add(pair[0], pair[1]);
  } else {
    for (const [name, value] of Object.entries(source)) add(name, value);
  }
  return headers;
}

function bytesOf(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return encoder.encode(chunk);
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError(`sluice/undici: a request body chunk must be a string or bytes, got ${typeof chunk}`);
}

function streamOf(source: AsyncIterable<unknown> | Iterable<unknown>): ReadableStream<Uint8Array> {
  const iterator: AsyncIterator<unknown> | Iterator<unknown> = isAsyncIterable(source) ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  // Pull-driven, so a large upload is read only as fast as the upstream takes it.
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await iterator.next();
      if (step.done === true) controller.close();
      else controller.enqueue(bytesOf(step.value));
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

/**
 * Converts a dispatch body into a `fetch` body.
 * @param body The dispatch body.
 * @returns The body, and whether it is a stream (which Node's fetch sends only with `duplex: 'half'`).
 * @throws {TypeError} on a body of another type.
 */
export function toBody(body: DispatchBody | undefined): { body: BodyInit | null; isStream: boolean } {
  if (body === null || body === undefined) return { body: null, isStream: false };
  if (
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof Blob ||
    body instanceof URLSearchParams ||
    (typeof FormData !== 'undefined' && body instanceof FormData)
  ) {
    return { body: body as BodyInit, isStream: false };
  }
  if (body instanceof ReadableStream) return { body: body as ReadableStream<Uint8Array>, isStream: true };
  if (isAsyncIterable(body) || isIterable(body)) return { body: streamOf(body), isStream: true };
  throw new TypeError(`sluice/undici: unsupported request body type ${Object.prototype.toString.call(body)}`);
}

/**
 * The full URL of a dispatch, or `null` when it has no parseable origin.
 * @param options The dispatch options.
 * @returns The URL, with `query` applied.
 */
export function urlOf(options: DispatchOptions): URL | null {
  const origin = options.origin;
  if (origin === undefined) return null;
  const originText = typeof origin === 'string' ? origin : origin.href;
  if (!URL.canParse(originText)) return null;
  const base = new URL(originText).origin;
  const href = /^https?:\/\//i.test(options.path) ? options.path : `${base}${options.path}`;
  if (!URL.canParse(href)) return null;
  const url = new URL(href);
  if (options.query !== undefined) {
    for (const [name, value] of Object.entries(options.query)) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value as unknown[]) url.searchParams.append(name, String(item));
      else url.searchParams.append(name, String(value));
    }
  }
  return url;
}

/**
 * The `fetch` init for a dispatch bound for Sluice.
 * @param options The dispatch options.
 * @param signal Aborts the inner call when the dispatch is aborted.
 * @returns The init.
 * @throws {TypeError} on invalid headers or an unsupported body.
 */
export function toInit(options: DispatchOptions, signal: AbortSignal): NodeRequestInit {
  const { body, isStream } = toBody(options.body);
  const init: NodeRequestInit = {
    method: options.method,
    headers: toHeaders(options.headers),
    body,
    signal,
    // `fetch` dispatches with maxRedirections 0 and follows redirects itself: hand the 3xx back.
    redirect: (options.maxRedirections ?? 0) > 0 ? 'follow' : 'manual',
  };
  if (isStream) init.duplex = 'half';
  return init;
}
