/**
 * Renders a decision Sluice made (unknown model, limit, block, every target down) as a real `Response`
 * in the caller's dialect, so the SDK throws its own typed error with Sluice's message.
 * @module
 */
import type { Dialect } from '../events/record.js';
import type { CallContext } from './context.js';
import type { SluiceError } from './errors.js';

/** What a Sluice-made error response says. */
export interface ErrorResponseInit {
  /** HTTP status; chooses the SDK's error class (404 → NotFoundError, 429 → RateLimitError...). */
  status: number;
  /** Stable Sluice error code, sent as the dialect's error `code`. */
  code: string;
  /** Message naming the problem; the SDK puts it in its error message. */
  message: string;
  /** The Sluice call id, sent as the dialect's request id header. */
  requestId: string;
  /** Sends `x-should-retry: false` (or `true`) so the SDK does (not) retry. Omitted when undefined. */
  shouldRetry?: boolean;
  /** Adds `retry-after-ms` and `retry-after` (rounded up to seconds). */
  retryAfterMs?: number;
  /** The request parameter at fault, when there is one. */
  param?: string;
}

const OPENAI_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'invalid_request_error',
  408: 'timeout_error',
  413: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

// https://docs.anthropic.com/en/api/errors
const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

// google.rpc.Code names, as the Gemini API spells them in `error.status`.
const GEMINI_STATUSES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  402: 'FAILED_PRECONDITION',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The request id header each dialect's SDK reads into `error.requestID`. */
const REQUEST_ID_HEADERS: Readonly<Record<Dialect, string>> = { openai: 'x-request-id', anthropic: 'request-id', gemini: 'x-request-id' };

/**
 * The error body of a dialect, exactly as its provider sends it.
 * @param dialect The caller's dialect.
 * @param status The HTTP status.
 * @param code A stable code (OpenAI's `code`; Anthropic and Gemini have no such field).
 * @param message The message the SDK will show.
 * @param param The request field at fault (OpenAI only).
 */
export function errorBody(dialect: Dialect, status: number, code: string, message: string, param: string | null = null): unknown {
  switch (dialect) {
    case 'openai':
      return {
        error: {
          message,
          type: OPENAI_TYPES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
          param,
          code,
        },
      };
    case 'anthropic':
      return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message } };
    case 'gemini':
      return { error: { code: status, message, status: GEMINI_STATUSES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } };
    default: {
      const unreachable: never = dialect;
      throw new Error(`unhandled dialect ${String(unreachable)}`);
    }
  }
}

/**
 * Builds an error `Response` in the dialect's exact error shape.
 * @param dialect The caller's dialect.
 * @param init Status, code, message and headers to send.
 * @returns A `Response` with `content-type: application/json` and the dialect's request id header.
 * @example
 * errorResponse('anthropic', { status: 529, code: 'overloaded', message: 'Overloaded', requestId: 'sl_1' });
 */
export function errorResponse(dialect: Dialect, init: ErrorResponseInit): Response {
  const headers = new Headers({ 'content-type': 'application/json' });
  headers.set(REQUEST_ID_HEADERS[dialect], init.requestId);
  if (init.shouldRetry !== undefined) headers.set('x-should-retry', init.shouldRetry ? 'true' : 'false');
  if (init.retryAfterMs !== undefined) {
    headers.set('retry-after-ms', String(Math.max(0, Math.ceil(init.retryAfterMs))));
    headers.set('retry-after', String(Math.max(0, Math.ceil(init.retryAfterMs / 1000))));
  }
  const body = errorBody(dialect, init.status, init.code, init.message, init.param ?? null);
  return new Response(JSON.stringify(body), { status: init.status, headers });
}

/**
 * An error event in a dialect's stream format, for a failure after the response headers were sent:
 * the SDK's stream reader raises it as its own API error.
 * @param dialect The caller's dialect.
 * @param message What went wrong.
 * @param precededByPartialEvent Whether the bytes already sent end mid-event (a blank line is sent first, to close it).
 * @example
 * streamErrorEvent('anthropic', 'the provider stopped sending');
 * // 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"the provider stopped sending"}}\n\n'
 */
export function streamErrorEvent(dialect: Dialect, message: string, precededByPartialEvent = false): string {
  const lead = precededByPartialEvent ? '\n\n' : '';
  switch (dialect) {
    case 'openai':
      return `${lead}data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: 'sluice_stream_error' } })}\n\n`;
    case 'anthropic':
      return `${lead}event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`;
    case 'gemini':
      return `${lead}data: ${JSON.stringify({ error: { code: 502, message, status: 'UNAVAILABLE' } })}\r\n\r\n`;
    default: {
      const unreachable: never = dialect;
      throw new Error(`unhandled dialect ${String(unreachable)}`);
    }
  }
}

/**
 * Renders a {@link SluiceError} raised during a call as the response the SDK receives, and notes the
 * error on the context for the record. `x-should-retry: false` unless the error is retryable.
 * @param ctx The call.
 * @param error The refusal.
 */
export function refusalResponse(ctx: CallContext, error: SluiceError): Response {
  const message = ctx.scrub(error.message);
  ctx.error = { class: error.code, message };
  return errorResponse(ctx.dialect, {
    status: error.status,
    code: error.code,
    message,
    requestId: ctx.id,
    ...(error.retryable ? {} : { shouldRetry: false }),
    ...(error.retryAfterMs === null ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}
