/**
 * Gemini error bodies (`{error: {code, message, status}}`, providers.md §4.6) to and from
 * {@link ProviderError}. Pure.
 * @module
 */
import type { ProviderError, ProviderErrorKind } from '../codec.js';
import { field, isObject, numberField, stringField, type GeminiErrorBody } from './types.js';

/** Gemini's message when the input is longer than the model's context window. */
const CONTEXT_LENGTH = /input token count|exceeds the maximum number of tokens|too many tokens|context (?:window|length)/i;
/** API-key problems come as 400 INVALID_ARGUMENT ("API key not valid") or 403, not as 401. */
const API_KEY = /api key/i;

function kindOf(status: number, code: string | null, message: string): ProviderErrorKind {
  switch (code) {
    case 'RESOURCE_EXHAUSTED':
      // 402 is prepaid credit used up: waiting will not help, as with a permission problem.
      return status === 402 ? 'permission' : 'rate_limit';
    case 'UNAVAILABLE':
      return 'overloaded';
    case 'DEADLINE_EXCEEDED':
      return 'timeout';
    case 'UNAUTHENTICATED':
      return 'authentication';
    case 'PERMISSION_DENIED':
      return API_KEY.test(message) ? 'authentication' : 'permission';
    case 'NOT_FOUND':
      return 'not_found';
    case 'INVALID_ARGUMENT':
    case 'FAILED_PRECONDITION':
    case 'OUT_OF_RANGE':
      if (API_KEY.test(message)) return 'authentication';
      return CONTEXT_LENGTH.test(message) ? 'context_length' : 'invalid_request';
    case 'INTERNAL':
    case 'UNKNOWN':
    case 'CANCELLED':
    case 'ABORTED':
    case 'DATA_LOSS':
      return 'server';
  }
  if (status === 429) return 'rate_limit';
  if (status === 503) return 'overloaded';
  if (status === 504) return 'timeout';
  if (status === 401) return 'authentication';
  if (status === 403) return API_KEY.test(message) ? 'authentication' : 'permission';
  if (status === 404) return 'not_found';
  if (status === 413) return 'request_too_large';
  if (status >= 400 && status < 500) return API_KEY.test(message) ? 'authentication' : CONTEXT_LENGTH.test(message) ? 'context_length' : 'invalid_request';
  return 'server';
}

/**
 * Reads a Gemini error answer (or a stream's error event).
 * @param status The HTTP status; for a stream error event, pass the event's `error.code`.
 * @param body The body parsed as JSON, or its text when it is not JSON (an HTML page from a proxy).
 * @returns The error; `code` is Gemini's `status` string (`RESOURCE_EXHAUSTED`), when it sent one.
 * @example
 * readGeminiError(429, { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }).kind; // 'rate_limit'
 */
export function readGeminiError(status: number, body: unknown): ProviderError {
  // Some proxies wrap the error in a one-element array, as the non-SSE stream format does.
  const payload = Array.isArray(body) && body.length === 1 ? body[0] : body;
  const error = isObject(payload) ? field(payload, 'error') : undefined;
  if (isObject(error)) {
    const message = stringField(error, 'message') ?? `HTTP ${status}`;
    const code = stringField(error, 'status') ?? null;
    return { kind: kindOf(status, code, message), status, message, code };
  }
  let message = `HTTP ${status}`;
  // Never pass an HTML error page on as a message; short plain text is the provider's own words.
  if (typeof body === 'string' && body.trim() !== '' && !/^\s*</.test(body)) message = body.trim().slice(0, 500);
  return { kind: kindOf(status, null, message), status, message, code: null };
}

/** The HTTP status and Google status name that tell a Gemini SDK what kind of error it got. */
const STATUS_OF_KIND: Readonly<Record<ProviderErrorKind, readonly [code: number, status: string]>> = {
  invalid_request: [400, 'INVALID_ARGUMENT'],
  context_length: [400, 'INVALID_ARGUMENT'],
  content_policy: [400, 'INVALID_ARGUMENT'],
  request_too_large: [413, 'INVALID_ARGUMENT'],
  authentication: [401, 'UNAUTHENTICATED'],
  permission: [403, 'PERMISSION_DENIED'],
  not_found: [404, 'NOT_FOUND'],
  rate_limit: [429, 'RESOURCE_EXHAUSTED'],
  overloaded: [503, 'UNAVAILABLE'],
  timeout: [504, 'DEADLINE_EXCEEDED'],
  server: [500, 'INTERNAL'],
};

/**
 * Writes an error as the body a Gemini SDK expects, with the status Google would have used for that
 * kind of error (an Anthropic 529 becomes 503 `UNAVAILABLE`).
 * @param error Any provider's error.
 * @returns The body; its `error.code` is also the HTTP status to answer with.
 * @example
 * geminiErrorBody({ kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' });
 * // { error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } }
 */
export function geminiErrorBody(error: ProviderError): GeminiErrorBody {
  const [code, status] = STATUS_OF_KIND[error.kind];
  return { error: { code, message: error.message, status } };
}

/**
 * Reads the HTTP status carried inside a Gemini error event (`error.code`).
 * @param body A parsed stream event.
 * @returns The code, or 500 when the event does not say.
 */
export function errorEventStatus(body: unknown): number {
  const error = isObject(body) ? field(body, 'error') : undefined;
  return (isObject(error) ? numberField(error, 'code') : undefined) ?? 500;
}
