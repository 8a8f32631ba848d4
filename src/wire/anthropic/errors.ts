/**
 * Anthropic error bodies and stream `error` events to and from {@link ProviderError}
 * (providers.md §3.7, §7.7). Pure.
 * @module
 */
import type { ProviderError, ProviderErrorKind } from '../codec.js';
import { type AnthropicErrorBody, type AnthropicErrorType, isObject } from './types.js';

/** What each Anthropic `error.type` means, and the status it comes with. */
const BY_TYPE: Readonly<Record<AnthropicErrorType, { kind: ProviderErrorKind; status: number }>> = {
  invalid_request_error: { kind: 'invalid_request', status: 400 },
  authentication_error: { kind: 'authentication', status: 401 },
  // Billing refuses the account, not the request: like a permission error, retrying cannot help.
  billing_error: { kind: 'permission', status: 402 },
  permission_error: { kind: 'permission', status: 403 },
  not_found_error: { kind: 'not_found', status: 404 },
  request_too_large: { kind: 'request_too_large', status: 413 },
  rate_limit_error: { kind: 'rate_limit', status: 429 },
  api_error: { kind: 'server', status: 500 },
  timeout_error: { kind: 'timeout', status: 504 },
  overloaded_error: { kind: 'overloaded', status: 529 },
};

// Anthropic reports an over-long prompt as a plain invalid_request_error; only the message tells.
const CONTEXT_LENGTH = /prompt is too long|context window|context length|exceed(?:s|ed)? (?:the )?context limit/i;

/** Longest provider message kept; a CDN's HTML error page is not a message. */
const MAX_MESSAGE_LENGTH = 500;

function kindForStatus(status: number): ProviderErrorKind {
  if (status === 401) return 'authentication';
  if (status === 402 || status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  return 'invalid_request';
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

/**
 * Reads an Anthropic error answer (`{type:'error', error:{type, message}}`).
 *
 * The kind comes from `error.type` when Anthropic sent a known one, else from the status. An
 * `invalid_request_error` whose message says the prompt is too long is `context_length`. `code` is the
 * most specific code present: `error.details.error_code` (e.g. `enforced_spend_limit_reached`, which
 * must not be retried) or else `error.type`.
 * @param status The HTTP status.
 * @param body The body parsed as JSON, or its text when it is not JSON.
 * @returns The provider error, without headers or request data.
 * @example
 * readAnthropicError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }).kind; // 'overloaded'
 */
export function readAnthropicError(status: number, body: unknown): ProviderError {
  const error = isObject(body) ? body['error'] : undefined;
  const type = isObject(error) && typeof error['type'] === 'string' ? error['type'] : null;
  const known = type !== null && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type as AnthropicErrorType] : undefined;
  let message: string;
  if (isObject(error) && typeof error['message'] === 'string') message = error['message'];
  else if (typeof body === 'string' && body.trim() !== '') message = body.trim();
  else message = `Anthropic answered HTTP ${status}`;
  let kind = known?.kind ?? kindForStatus(status);
  if (status === 413) kind = 'request_too_large';
  if (kind === 'invalid_request' && CONTEXT_LENGTH.test(message)) kind = 'context_length';
  const details = isObject(error) ? error['details'] : undefined;
  const detailCode = isObject(details) && typeof details['error_code'] === 'string' ? details['error_code'] : null;
  return { kind, status, message: clip(message), code: detailCode ?? type };
}

/**
 * Reads the payload of a stream `error` event, which arrives after HTTP 200: the status is the one
 * the error type comes with (529 for `overloaded_error`, 500 when the type is unknown).
 * @param payload The event's parsed JSON.
 */
export function readAnthropicStreamError(payload: unknown): ProviderError {
  const error = isObject(payload) ? payload['error'] : undefined;
  const type = isObject(error) && typeof error['type'] === 'string' ? error['type'] : null;
  const status = type !== null && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type as AnthropicErrorType].status : 500;
  return readAnthropicError(status, payload);
}

/**
 * The Anthropic `error.type` for a provider error kind (providers.md §7.7, Anthropic client column).
 * @param kind What went wrong.
 * @example
 * anthropicErrorType('overloaded'); // 'overloaded_error'
 */
export function anthropicErrorType(kind: ProviderErrorKind): AnthropicErrorType {
  switch (kind) {
    case 'invalid_request':
    case 'context_length':
    case 'content_policy':
      return 'invalid_request_error';
    case 'authentication':
      return 'authentication_error';
    case 'permission':
      return 'permission_error';
    case 'not_found':
      return 'not_found_error';
    case 'request_too_large':
      return 'request_too_large';
    case 'rate_limit':
      return 'rate_limit_error';
    case 'overloaded':
      return 'overloaded_error';
    case 'timeout':
      return 'timeout_error';
    case 'server':
      return 'api_error';
    default: {
      const unknownKind: never = kind;
      return unknownKind;
    }
  }
}

/**
 * The status an Anthropic SDK should see for a provider error kind (providers.md §7.7): the SDKs pick
 * their exception class from the status alone.
 * @param kind What went wrong.
 */
export function anthropicErrorStatus(kind: ProviderErrorKind): number {
  switch (kind) {
    case 'server':
      // "other upstream failure": 500 api_error for an Anthropic client.
      return 500;
    case 'context_length':
    case 'content_policy':
      return 400;
    default:
      return BY_TYPE[anthropicErrorType(kind)].status;
  }
}

/**
 * Builds the Anthropic error body for a provider error, for a response or a stream `error` event.
 * @param error The error to show.
 * @example
 * anthropicErrorBody({ kind: 'rate_limit', status: 429, message: 'slow down', code: null });
 * // { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }
 */
export function anthropicErrorBody(error: Pick<ProviderError, 'kind' | 'message'>): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.kind), message: error.message } };
}
