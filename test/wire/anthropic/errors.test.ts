import { describe, expect, it } from 'vitest';
import type { ProviderErrorKind } from '../../../src/wire/codec.js';
import {
  anthropicErrorBody,
  anthropicErrorStatus,
  anthropicErrorType,
  readAnthropicError,
  readAnthropicStreamError,
} from '../../../src/wire/anthropic/errors.js';

const body = (type: string, message: string): unknown => ({ type: 'error', error: { type, message }, request_id: 'req_011CS' });

describe('readAnthropicError', () => {
  it.each<[number, unknown, ProviderErrorKind, string | null]>([
    [400, body('invalid_request_error', 'messages: roles must alternate'), 'invalid_request', 'invalid_request_error'],
    [400, body('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'), 'context_length', 'invalid_request_error'],
    [400, body('invalid_request_error', 'input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000'), 'context_length', 'invalid_request_error'],
    [401, body('authentication_error', 'invalid x-api-key'), 'authentication', 'authentication_error'],
    [402, body('billing_error', 'Your credit balance is too low'), 'permission', 'billing_error'],
    [403, body('permission_error', 'Your API key does not have permission'), 'permission', 'permission_error'],
    [404, body('not_found_error', 'model: claude-x'), 'not_found', 'not_found_error'],
    [413, body('request_too_large', 'Request exceeds the maximum allowed number of bytes.'), 'request_too_large', 'request_too_large'],
    [429, body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), 'rate_limit', 'rate_limit_error'],
    [500, body('api_error', 'Internal server error'), 'server', 'api_error'],
    [504, body('timeout_error', 'Request timed out'), 'timeout', 'timeout_error'],
    [529, body('overloaded_error', 'Overloaded'), 'overloaded', 'overloaded_error'],
    // Unknown or missing types fall back to the status.
    [529, 'upstream overloaded', 'overloaded', null],
    [503, { message: 'Service Unavailable' }, 'overloaded', null],
    [502, '<html>Bad Gateway</html>', 'server', null],
    [408, null, 'timeout', null],
    [413, '<html><body>413 Request Entity Too Large</body></html>', 'request_too_large', null],
    [409, body('conflict_error', 'something new'), 'invalid_request', 'conflict_error'],
  ])('HTTP %i %j is %s', (status, errorBody, kind, code) => {
    const error = readAnthropicError(status, errorBody);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it('keeps the provider message, or a text body, or says which status came', () => {
    expect(readAnthropicError(429, body('rate_limit_error', 'slow down')).message).toBe('slow down');
    expect(readAnthropicError(502, ' Bad Gateway \n').message).toBe('Bad Gateway');
    expect(readAnthropicError(500, {}).message).toBe('Anthropic answered HTTP 500');
  });

  it('clips a long text body', () => {
    expect(readAnthropicError(502, `<html>${'x'.repeat(10_000)}</html>`).message.length).toBeLessThanOrEqual(501);
  });

  it('reports the spend-limit code, which must not be retried', () => {
    const error = readAnthropicError(429, {
      type: 'error',
      error: { type: 'rate_limit_error', message: 'spend limit reached', details: { error_code: 'enforced_spend_limit_reached' } },
    });
    expect(error).toEqual({ kind: 'rate_limit', status: 429, message: 'spend limit reached', code: 'enforced_spend_limit_reached' });
  });

  it('gives a stream error event the status its type comes with', () => {
    expect(readAnthropicStreamError(body('overloaded_error', 'Overloaded'))).toEqual({ kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' });
    expect(readAnthropicStreamError(body('weird_error', 'x'))).toMatchObject({ kind: 'server', status: 500 });
  });
});

describe('Anthropic errors for an Anthropic client (providers.md §7.7)', () => {
  it.each<[ProviderErrorKind, string, number]>([
    ['invalid_request', 'invalid_request_error', 400],
    ['context_length', 'invalid_request_error', 400],
    ['content_policy', 'invalid_request_error', 400],
    ['authentication', 'authentication_error', 401],
    ['permission', 'permission_error', 403],
    ['not_found', 'not_found_error', 404],
    ['request_too_large', 'request_too_large', 413],
    ['rate_limit', 'rate_limit_error', 429],
    ['server', 'api_error', 500],
    ['timeout', 'timeout_error', 504],
    ['overloaded', 'overloaded_error', 529],
  ])('%s is %s with HTTP %i', (kind, type, status) => {
    expect(anthropicErrorType(kind)).toBe(type);
    expect(anthropicErrorStatus(kind)).toBe(status);
    expect(anthropicErrorBody({ kind, message: 'm' })).toEqual({ type: 'error', error: { type, message: 'm' } });
  });

  it('reads back what it writes', () => {
    for (const kind of ['invalid_request', 'authentication', 'not_found', 'request_too_large', 'rate_limit', 'timeout', 'overloaded'] as const) {
      expect(readAnthropicError(anthropicErrorStatus(kind), anthropicErrorBody({ kind, message: 'm' })).kind).toBe(kind);
    }
  });
});
