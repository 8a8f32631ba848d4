/**
 * `httpExporter()`: ships call records in batches to a Sluice collector's ingest route
 * (`POST <url>/v1/records`, `{ "records": [...] }`), gzipped when that pays. Web platform only (`fetch`,
 * `CompressionStream`), so it runs on Node, Bun, Deno, Workers and browsers.
 * @module
 */
import type { CallRecord } from '../events/record.js';
import { ExportError, retryAfterMs } from './export-error.js';
import type { Exporter, ExportResult } from './types.js';

/** Options for {@link httpExporter}. */
export interface HttpExporterOptions {
  /**
   * The collector's base URL (`http://localhost:4680`); batches go to `<url>/v1/records`. A URL given
   * with `/v1/records` at its end counts as its base.
   */
  url: string;
  /** An ingest key of the collector, sent as `Authorization: Bearer <apiKey>`. Never logged or put in an error. */
  apiKey: string;
  /**
   * Gzip bodies of at least `minCompressBytes` (through `CompressionStream`; a runtime without it
   * sends them as they are).
   * @default 'gzip'
   */
  compression?: 'gzip' | 'none';
  /**
   * Smaller bodies are sent uncompressed. `CompressionStream` costs about 0.45 ms per body whatever its
   * size (measured on Node 22), so on a body of 1-3 KB it saves well under 2 KB for that fixed cost
   * (`npm run bench -- --only=export`); from 4 KB (a few records) the savings grow with the batch.
   * @default 4096
   */
  minCompressBytes?: number;
  /** Extra request headers (a tenant id, a proxy's token). `authorization` and `content-*` are the exporter's own. @default {} */
  headers?: Record<string, string>;
  /** The `fetch` to send with. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/** The most of an error answer read for its reasons. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Rejections named in one error message; the rest are counted. */
const MAX_NAMED_REJECTIONS = 10;
/** Halvings of a batch the collector found too large (413): 2^16 records is beyond any batch size. */
const MAX_SPLITS = 16;

/** One record the collector refused, by its index in the batch sent. */
interface Rejection {
  index: number;
  reason: string;
}

/** What one POST came to, short of an error to throw. */
type PostOutcome = { kind: 'ok' } | { kind: 'too-large'; error: ExportError } | { kind: 'partial'; rejections: Rejection[] };

/**
 * Creates an exporter that sends each batch of records to a Sluice collector. Put it in
 * `createSluice({ exporters: [...] })`: the batch queue in front of it bounds memory, retries a failed
 * batch with exponential backoff (p-retry), waiting at least what a 429 or 503 `retry-after` asks, and
 * counts what it drops. Retrying is safe: the collector ignores a record whose id it stored already, so
 * a batch whose answer was lost lands once. An answer of 401, 403 or 404 is not retried; a 413 splits
 * the batch in halves; a 400 naming invalid records drops just those (counted as `rejected`, the
 * reasons passed to the queue's `onError`). In serverless handlers, pass `sluice.flush()` to `waitUntil`.
 * @param options Where to send, with which key, and how.
 * @returns The exporter.
 * @throws {TypeError} when `url` is not an http(s) URL or `apiKey` is empty.
 * @throws {RangeError} when `minCompressBytes` is not a non-negative integer.
 * @example
 * const sluice = createSluice({ exporters: [httpExporter({ url: 'https://collector.internal:4680', apiKey: process.env.SLUICE_INGEST_KEY! })] });
 * // in a serverless handler:
 * ctx.waitUntil(sluice.flush());
 */
export function httpExporter(options: HttpExporterOptions): Exporter {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new TypeError(`httpExporter().url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`httpExporter().url: expected an http(s) URL, got ${JSON.stringify(options.url)}`);
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('httpExporter().apiKey: expected a non-empty ingest key');
  const minCompressBytes = options.minCompressBytes ?? 4096;
  if (!Number.isSafeInteger(minCompressBytes) || minCompressBytes < 0) throw new RangeError(`httpExporter().minCompressBytes: expected a non-negative integer, got ${String(minCompressBytes)}`);
  const canGzip = (options.compression ?? 'gzip') === 'gzip' && typeof CompressionStream === 'function';
  const base = target.pathname.replace(/\/v1\/records$/, '').replace(/\/$/, '');
  const endpoint = new URL(`${base}/v1/records${target.search}`, target).href;
  // The origin never carries the URL's user:password, and the key travels only in the header.
  const where = `collector ingest at ${target.origin}`;
  const scrub = (text: string): string => text.split(apiKey).join('[redacted]');
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const baseHeaders: Record<string, string> = { ...options.headers, authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const encoder = new TextEncoder();
  // A retried batch is the same array: encode and compress it once.
  const encoded = new WeakMap<readonly CallRecord[], { body: Uint8Array<ArrayBuffer>; isGzip: boolean }>();
  let isClosed = false;

  const encode = async (records: readonly CallRecord[]): Promise<{ body: Uint8Array<ArrayBuffer>; isGzip: boolean }> => {
    let found = encoded.get(records);
    if (found === undefined) {
      const json = encoder.encode(JSON.stringify({ records }));
      found = canGzip && json.length >= minCompressBytes ? { body: await gzip(json), isGzip: true } : { body: json, isGzip: false };
      encoded.set(records, found);
    }
    return found;
  };

  const post = async (records: readonly CallRecord[], signal: AbortSignal): Promise<PostOutcome> => {
    const { body, isGzip } = await encode(records);
    const headers = isGzip ? { ...baseHeaders, 'content-encoding': 'gzip' } : baseHeaders;
    let response: Response;
    try {
      response = await fetchImpl(endpoint, { method: 'POST', headers, body, signal });
    } catch (error) {
      throw new ExportError(scrub(`${where} failed: ${describe(error)}`), { retryable: true });
    }
    const { status } = response;
    if (response.ok) {
      await response.body?.cancel();
      return { kind: 'ok' };
    }
    const answer = status === 400 ? await readCapped(response) : (await response.body?.cancel(), '');
    if (status === 413) return { kind: 'too-large', error: new ExportError(`${where} answered HTTP 413 (body too large) for ${records.length} record${records.length === 1 ? '' : 's'}`, { retryable: false }) };
    if (status === 400) {
      const rejections = rejectionsOf(answer, records.length);
      if (rejections !== null) return { kind: 'partial', rejections };
    }
    // 408, 429 and 5xx may pass later; any other 4xx (bad key, bad body, wrong URL) will not.
    const retryable = status === 408 || status === 429 || status >= 500;
    const detail = status === 400 ? errorMessageOf(answer) : null;
    throw new ExportError(scrub(`${where} answered HTTP ${status}${detail === null ? '' : `: ${detail}`}`), {
      retryable,
      retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()),
    });
  };

  /** Sends `records`, halving on 413; resolves to the rejections, with indexes into `records`. */
  const send = async (records: readonly CallRecord[], signal: AbortSignal, depth: number): Promise<Rejection[]> => {
    const outcome = await post(records, signal);
    if (outcome.kind === 'ok') return [];
    if (outcome.kind === 'partial') return outcome.rejections;
    if (records.length === 1 || depth >= MAX_SPLITS) throw outcome.error;
    const middle = Math.ceil(records.length / 2);
    const first = await send(records.slice(0, middle), signal, depth + 1);
    const second = await send(records.slice(middle), signal, depth + 1);
    return [...first, ...second.map((rejection) => ({ index: rejection.index + middle, reason: rejection.reason }))];
  };

  return {
    name: 'http',
    async export(records: readonly CallRecord[], signal: AbortSignal): Promise<ExportResult | undefined> {
      if (isClosed) throw new ExportError('httpExporter: closed, batch not sent', { retryable: false });
      if (records.length === 0) return undefined;
      const rejections = await send(records, signal, 0);
      if (rejections.length === 0) return undefined;
      const named = rejections
        .slice(0, MAX_NAMED_REJECTIONS)
        .map(({ index, reason }) => `#${index} ${records[index]?.id ?? '?'} ${reason}`)
        .join('; ');
      const more = rejections.length > MAX_NAMED_REJECTIONS ? `; and ${rejections.length - MAX_NAMED_REJECTIONS} more` : '';
      const message = scrub(`${where}: ${rejections.length} of ${records.length} records rejected: ${named}${more}`);
      return { rejected: rejections.length, error: new ExportError(message, { retryable: false }) };
    },
    close(): Promise<void> {
      isClosed = true;
      return Promise.resolve();
    },
  };
}

/**
 * Reads the records a 400 answer names as invalid: `{ rejected | errors | invalid: [{ index, field | path,
 * message | reason }] }`. Returns `null` when it names none in range (the batch as a whole was refused).
 */
function rejectionsOf(answer: string, batchLength: number): Rejection[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const body = parsed as Record<string, unknown>;
  const list = [body['rejected'], body['errors'], body['invalid']].find(Array.isArray) as unknown[] | undefined;
  if (list === undefined) return null;
  const byIndex = new Map<number, string>();
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const item = entry as Record<string, unknown>;
    const index = item['index'];
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= batchLength) continue;
    const where = item['field'] ?? item['path'];
    const field = Array.isArray(where) ? where.join('.') : typeof where === 'string' ? where : '';
    const why = [item['message'], item['reason'], item['error']].find((value) => typeof value === 'string') as string | undefined;
    const reason = `${field}${field === '' ? '' : ': '}${why ?? 'invalid'}`.slice(0, 200);
    const known = byIndex.get(index);
    byIndex.set(index, known === undefined ? reason : `${known}, ${reason}`.slice(0, 400));
  }
  if (byIndex.size === 0) return null;
  return [...byIndex].map(([index, reason]) => ({ index, reason }));
}

/** The `error` (string, or `{ message }`) of a JSON error answer, shortened. */
function errorMessageOf(answer: string): string | null {
  try {
    const parsed = JSON.parse(answer) as { error?: unknown; message?: unknown };
    const error = parsed.error ?? parsed.message;
    const text = typeof error === 'string' ? error : typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : null;
    return text === null ? null : text.slice(0, 200);
  } catch {
    return null;
  }
}

/** The first `MAX_ANSWER_BYTES` of a body as text; the rest is cancelled, never buffered. */
async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let read = 0; read < MAX_ANSWER_BYTES; ) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      read += value.length;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // A broken error answer still counts as the status it came with.
  }
  return text;
}

/** An error's message with its cause's (Node's fetch says `fetch failed`, the cause says why). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
