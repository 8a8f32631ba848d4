import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderErrorKind } from '../../../src/wire/codec.js';
import { geminiErrorBody, readGeminiError } from '../../../src/wire/gemini/errors.js';

const errors = JSON.parse(readFileSync(new URL('../../fixtures/gemini/errors.json', import.meta.url), 'utf8')) as Record<string, { status: number; body: unknown }>;

describe('readGeminiError', () => {
  it.each<[string, ProviderErrorKind, string]>([
    ['rate_limit', 'rate_limit', 'RESOURCE_EXHAUSTED'],
    ['api_key', 'authentication', 'INVALID_ARGUMENT'],
    ['context_length', 'context_length', 'INVALID_ARGUMENT'],
    ['not_found', 'not_found', 'NOT_FOUND'],
    ['overloaded', 'overloaded', 'UNAVAILABLE'],
    ['permission', 'permission', 'PERMISSION_DENIED'],
    ['unauthenticated', 'authentication', 'UNAUTHENTICATED'],
    ['timeout', 'timeout', 'DEADLINE_EXCEEDED'],
    ['internal', 'server', 'INTERNAL'],
  ])('reads %s as %s', (name, kind, code) => {
    const { status, body } = errors[name]!;
    const error = readGeminiError(status, body);
    expect(error).toEqual({ kind, status, message: (body as { error: { message: string } }).error.message, code });
  });

  it('reads an ordinary 400 as invalid_request', () => {
    expect(readGeminiError(400, { error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified\n', status: 'INVALID_ARGUMENT' } }).kind).toBe('invalid_request');
  });

  it('reads prepaid credit exhaustion (402) as permission: waiting does not help', () => {
    expect(readGeminiError(402, { error: { code: 402, message: 'Your prepayment credits are depleted.', status: 'RESOURCE_EXHAUSTED' } }).kind).toBe('permission');
  });

  it('classifies bodies without a Google error by status, and never passes HTML on', () => {
    expect(readGeminiError(502, '<html><body>Bad Gateway</body></html>')).toEqual({ kind: 'server', status: 502, message: 'HTTP 502', code: null });
    expect(readGeminiError(429, 'Too Many Requests')).toEqual({ kind: 'rate_limit', status: 429, message: 'Too Many Requests', code: null });
    expect(readGeminiError(503, null).kind).toBe('overloaded');
    expect(readGeminiError(413, '').kind).toBe('request_too_large');
  });

  it('reads an error wrapped in an array, as the non-SSE stream format sends it', () => {
    expect(readGeminiError(429, [errors['rate_limit']!.body]).kind).toBe('rate_limit');
  });
});

describe('geminiErrorBody', () => {
  it.each<[ProviderErrorKind, number, string]>([
    ['invalid_request', 400, 'INVALID_ARGUMENT'],
    ['context_length', 400, 'INVALID_ARGUMENT'],
    ['authentication', 401, 'UNAUTHENTICATED'],
    ['permission', 403, 'PERMISSION_DENIED'],
    ['not_found', 404, 'NOT_FOUND'],
    ['rate_limit', 429, 'RESOURCE_EXHAUSTED'],
    ['overloaded', 503, 'UNAVAILABLE'],
    ['timeout', 504, 'DEADLINE_EXCEEDED'],
    ['server', 500, 'INTERNAL'],
  ])('writes %s as %i %s', (kind, code, status) => {
    expect(geminiErrorBody({ kind, status: 999, message: 'm', code: 'x' })).toEqual({ error: { code, message: 'm', status } });
  });
});

describe('codecs', () => {
  it('declare their formats and framing', async () => {
    const { geminiClient, geminiProvider } = await import('../../../src/wire/gemini/codec.js');
    const { ollamaProvider } = await import('../../../src/wire/ollama/codec.js');
    expect([geminiClient.format, geminiProvider.format, geminiProvider.framing]).toEqual(['gemini', 'gemini', 'sse']);
    expect([ollamaProvider.format, ollamaProvider.framing]).toEqual(['ollama', 'ndjson']);
  });
});
