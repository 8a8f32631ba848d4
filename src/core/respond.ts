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

/**
 * Builds an error `Response` in the dialect's exact error shape.
 * @param dialect The caller's dialect.
 * @param init Status, code, message and headers to send.
 * @returns A `Response` with `content-type: application/json` and the request id header.
 */
export function errorResponse(dialect: Dialect, init: ErrorResponseInit): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'x-request-id': init.requestId });
  if (init.shouldRetry !== undefined) headers.set('x-should-retry', init.shouldRetry ? 'true' : 'false');
  if (init.retryAfterMs !== undefined) {
    headers.set('retry-after-ms', String(Math.max(0, Math.ceil(init.retryAfterMs))));
    headers.set('retry-after', String(Math.max(0, Math.ceil(init.retryAfterMs / 1000))));
  }
  let body: unknown;
  switch (dialect) {
    case 'openai':
      body = {
        error: {
          message: init.message,
          type: OPENAI_TYPES[init.status] ?? (init.status >= 500 ? 'server_error' : 'invalid_request_error'),
          param: init.param ?? null,
          code: init.code,
        },
      };
      break;
    default: {
      const unreachable: never = dialect;
      throw new Error(`unhandled dialect ${String(unreachable)}`);
    }
  }
  return new Response(JSON.stringify(body), { status: init.status, headers });
}

/**
 * Renders a {@link SluiceError} raised during a call as the response the SDK receives, and notes the
 * error on the context for the record. `x-should-retry: false` unless the error is retryable.
 * @param ctx The call.
 * @param error The refusal.
 */
export function refusalResponse(ctx: CallContext, error: SluiceError): Response {
  ctx.error = { class: error.code, message: error.message };
  return errorResponse(ctx.dialect, {
    status: error.status,
    code: error.code,
    message: error.message,
    requestId: ctx.id,
    ...(error.retryable ? {} : { shouldRetry: false }),
  });
}
