/**
 * Translation of answers between formats, loaded with the first call that needs it: whole answers
 * and provider errors rewritten in the caller's dialect, and streams decoded into pivot chunks and
 * re-encoded, pulled only as fast as the SDK reads (back-pressure reaches the socket), with usage,
 * the end and errors observed on the way. After the first byte, an upstream failure ends the stream
 * with the dialect's own error event, which the SDK's stream reader raises.
 * @module
 */
import type { Dialect } from '../events/record.js';
import type { ChatChunk } from '../wire/chat/types.js';
import { pivotUsage } from '../wire/chat/usage.js';
import type { ClientCodec, ProviderCodec, ProviderError, ProviderErrorKind, StreamDecoder, StreamEncoder } from '../wire/codec.js';
import type { Framer } from '../wire/framing.js';
import type { StreamState } from '../wire/openai/stream.js';
import { newStreamState } from '../wire/openai/stream.js';
import type { CallContext, Target } from './context.js';
import { cancelReader, StreamReads, watchAbort, type StreamEnd, type StreamLimitOptions } from './observe.js';
import { errorBody } from './respond.js';

/** The status each dialect's SDK should see for a provider error of another dialect (DESIGN: errors across formats). */
const KIND_STATUS: Readonly<Record<ProviderErrorKind, Readonly<Record<Dialect, number>>>> = {
  invalid_request: { openai: 400, anthropic: 400, gemini: 400 },
  authentication: { openai: 401, anthropic: 401, gemini: 401 },
  permission: { openai: 403, anthropic: 403, gemini: 403 },
  not_found: { openai: 404, anthropic: 404, gemini: 404 },
  request_too_large: { openai: 413, anthropic: 413, gemini: 400 },
  rate_limit: { openai: 429, anthropic: 429, gemini: 429 },
  overloaded: { openai: 503, anthropic: 529, gemini: 503 },
  timeout: { openai: 504, anthropic: 504, gemini: 504 },
  context_length: { openai: 400, anthropic: 400, gemini: 400 },
  content_policy: { openai: 400, anthropic: 400, gemini: 400 },
  server: { openai: 502, anthropic: 500, gemini: 500 },
};

/** The OpenAI `code` a translated provider error carries, so callers can tell kinds apart. */
const KIND_CODES: Readonly<Record<ProviderErrorKind, string>> = {
  invalid_request: 'invalid_request',
  authentication: 'invalid_api_key',
  permission: 'permission_denied',
  not_found: 'model_not_found',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_exceeded',
  overloaded: 'overloaded',
  timeout: 'timeout',
  context_length: 'context_length_exceeded',
  content_policy: 'content_policy_violation',
  server: 'upstream_error',
};

/**
 * The status a provider error of another dialect becomes for the caller's SDK.
 * @param dialect The caller's dialect.
 * @param error The provider's error.
 */
function statusForError(dialect: Dialect, error: ProviderError): number {
  return KIND_STATUS[error.kind][dialect];
}

/**
 * Renders a provider's error in the caller's dialect (a Gemini 429 becomes an Anthropic
 * `rate_limit_error`; an Anthropic 529 becomes an OpenAI 503), naming the provider in the message.
 * @param dialect The caller's dialect.
 * @param error The provider's error.
 * @param provider The provider's configured name.
 * @param requestId The Sluice call id.
 * @returns The body and status to send; the caller adds headers (retry-after...).
 */
export function translatedError(dialect: Dialect, error: ProviderError, provider: string): { status: number; body: unknown } {
  const status = statusForError(dialect, error);
  const message = `${provider}: ${error.message}`;
  return { status, body: errorBody(dialect, status, KIND_CODES[error.kind], message) };
}

/**
 * A whole answer from a provider of another format, rewritten in the caller's dialect: the answer
 * translated, or its error mapped to the status and shape the SDK expects, or a 502 naming the
 * provider when the answer cannot be read.
 * @param ctx The call.
 * @param upstream The provider's response (its body already read as `text`).
 * @param text The body.
 * @param target Where the call went.
 * @param readAt When the body was read (monotonic), for the record's timings.
 * @param translation The caller's and the provider's codecs.
 * @param bodies How much of the body to keep for the record (0 keeps none).
 */
export function translateWhole(
  ctx: CallContext,
  upstream: Response,
  text: string,
  target: Target,
  readAt: number,
  translation: { client: ClientCodec; codec: ProviderCodec },
  bodies: number,
): Response {
  const providerName = target.provider?.name ?? 'upstream';
  // Kept whole: the record scrubs it of secrets, then cuts it at `bodies`.
  if (bodies > 0) ctx.responseBody = text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  let status: number;
  let out: unknown;
  if (upstream.ok) {
    const read = json === undefined ? null : translation.codec.readResponse(json);
    if (read === null || !read.ok) {
      const why = read === null ? `its answer is not JSON (${upstream.headers.get('content-type') ?? 'no content-type'})` : read.error.message;
      const message = ctx.scrub(`provider '${providerName}' answered HTTP ${upstream.status}, but ${why}`);
      ctx.error = { class: 'sluice_bad_upstream_answer', message };
      status = 502;
      out = errorBody(ctx.dialect, 502, 'sluice_bad_upstream_answer', message);
    } else {
      const answer = read.value;
      // Some formats (Bedrock's Converse) carry no id or time: the caller's SDK still gets both.
      if (answer.id === '') answer.id = ctx.id;
      if (answer.created === 0) answer.created = Math.floor(ctx.startedAt / 1000);
      if (answer.usage !== undefined) ctx.usage = pivotUsage(answer.usage);
      if (answer.model !== '') ctx.responseModel = answer.model;
      status = upstream.status;
      out = translation.client.writeResponse(answer, answer.model === '' ? (target.model ?? '') : answer.model);
    }
  } else {
    // Bedrock names the exception in a header; its codec reads it from `__type`.
    const errorType = upstream.headers.get('x-amzn-errortype');
    if (errorType !== null && typeof json === 'object' && json !== null && !('__type' in json)) json = { ...json, __type: errorType };
    const read = translation.codec.readError(upstream.status, json ?? text);
    // The provider's text goes to the SDK in Sluice's words: no key it echoed goes with it.
    const error = { ...read, message: ctx.scrub(read.message) };
    const translated = translatedError(ctx.dialect, error, providerName);
    ctx.error = { class: 'http_error', message: `${providerName}: ${error.message}` };
    status = translated.status;
    out = translated.body;
  }
  const answer = JSON.stringify(out);
  const response = new Response(answer, {
    status,
    headers: translatedHeaders(upstream.headers, ctx.dialect, ctx.id, 'application/json'),
  });
  ctx.knownAnswer = { response, text: answer };
  ctx.responseWorkMs += ctx.now() - readAt;
  return response;
}

/** Headers of a translated answer: the provider's rate-limit and retry hints, our request id, a new content type. */
export function translatedHeaders(upstream: Headers, dialect: Dialect, id: string, contentType: string): Headers {
  const headers = new Headers({ 'content-type': contentType });
  for (const name of ['retry-after', 'retry-after-ms', 'x-should-retry']) {
    const value = upstream.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set(dialect === 'anthropic' ? 'request-id' : 'x-request-id', id);
  return headers;
}

/** Options of {@link translateStream}. */
export interface TranslateStreamOptions {
  framer: Framer;
  decoder: StreamDecoder;
  encoder: StreamEncoder;
  /** The provider's name, for error messages. */
  provider: string;
  /** Keep up to this many characters of the translated stream for the record (0 keeps none). */
  captureChars: number;
  /** Called with each chunk sent to the SDK, when a callback wants stream events. */
  onChunk: ((chunk: Uint8Array, index: number) => void) | null;
  onEnd: StreamEnd;
  /** Time limits on the stream's reads (idle, total): a limit that runs out ends it with an error event. */
  limits: StreamLimitOptions;
}

const textEncoder = /*@__PURE__*/ new TextEncoder();

/**
 * Wraps a provider's stream body.
 * @param ctx The call; `firstChunkMs` and `responseBody` are set on it.
 * @param body The provider's stream.
 * @param options Framing, codecs and whom to tell.
 * @returns The stream to hand to the SDK, in its dialect.
 */
export function translateStream(ctx: CallContext, body: ReadableStream<Uint8Array>, options: TranslateStreamOptions): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const reads = new StreamReads(reader, options.limits, ctx.now);
  const { framer, decoder, encoder, onChunk } = options;
  const state: StreamState = newStreamState();
  let captured = '';
  let index = 0;
  let ended = false;

  const end = (outcome: 'completed' | 'errored' | 'cancelled', error: unknown): void => {
    if (ended) return;
    ended = true;
    stopWatching();
    if (options.captureChars > 0) ctx.responseBody = captured.length > options.captureChars ? captured.slice(0, options.captureChars) : captured;
    options.onEnd(outcome, state, error);
  };
  const observe = (chunk: ChatChunk): void => {
    if (state.model === null && chunk.model !== '') state.model = chunk.model;
    if (chunk.usage != null) state.usage = pivotUsage(chunk.usage);
  };
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, text: string): void => {
    if (options.captureChars > 0 && captured.length < options.captureChars) captured += text;
    const bytes = textEncoder.encode(text);
    controller.enqueue(bytes);
    if (onChunk !== null) onChunk(bytes, index);
    index++;
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: ProviderError): void => {
    state.error = ctx.scrub(`${options.provider}: ${error.message}`);
    deliver(controller, encoder.error({ ...error, message: state.error }));
    controller.close();
    void cancelReader(reader);
    end('errored', null);
  };
  /** Encodes what a batch of frames yields; returns whether the stream is over. */
  const translate = (controller: ReadableStreamDefaultController<Uint8Array>, frames: ReturnType<Framer['push']>): { text: string; over: boolean } => {
    let text = '';
    for (const frame of frames) {
      for (const chunk of decoder.push(frame)) {
        observe(chunk);
        text += encoder.push(chunk);
      }
      const error = decoder.error;
      if (error !== null) {
        if (text !== '') deliver(controller, text);
        fail(controller, error);
        return { text: '', over: true };
      }
    }
    return { text, over: false };
  };

  const stopWatching = watchAbort(ctx, reader, (reason) => end('cancelled', reason));

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await reads.read();
            if (done) {
              const { text, over } = translate(controller, framer.end());
              if (over) return;
              if (!decoder.done) {
                if (text !== '') deliver(controller, text);
                // Never call a truncated stream complete: the provider did not send its terminal event.
                fail(controller, { kind: 'server', status: 502, message: 'the stream ended before its terminal event', code: null });
                return;
              }
              state.done = true;
              deliver(controller, text + encoder.end());
              controller.close();
              end('completed', null);
              return;
            }
            ctx.firstChunkMs ??= ctx.now();
            const { text, over } = translate(controller, framer.push(value));
            if (over) return;
            if (text !== '') {
              deliver(controller, text);
              return;
            }
          }
        } catch (error) {
          if (ctx.signal?.aborted === true) {
            controller.error(error);
            end('cancelled', error);
            return;
          }
          // A reset or a corrupt frame after the first byte: the SDK's reader raises the dialect's error event.
          const message = error instanceof Error ? error.message : String(error);
          fail(controller, { kind: 'server', status: 502, message: `the stream broke: ${message}`, code: null });
        }
      },
      cancel(reason) {
        end('cancelled', reason);
        return cancelReader(reader, reason);
      },
    },
    { highWaterMark: 0 },
  );
}
