import OpenAI, { NotFoundError } from 'openai';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../src/core/respond.js';

describe('errorResponse', () => {
  it('renders the OpenAI error shape with a JSON content-type and the call id as request id', async () => {
    const response = errorResponse('openai', { status: 404, code: 'sluice_unknown_model', message: "model 'smrt' is not configured", requestId: 'sl_1' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBe('sl_1');
    expect(response.headers.has('x-should-retry')).toBe(false);
    expect(response.headers.has('retry-after')).toBe(false);
    expect(await response.json()).toEqual({
      error: { message: "model 'smrt' is not configured", type: 'invalid_request_error', param: null, code: 'sluice_unknown_model' },
    });
  });

  it('picks the error type from the status', async () => {
    const typeOf = async (status: number): Promise<string> =>
      ((await errorResponse('openai', { status, code: 'c', message: 'm', requestId: 'r' }).json()) as { error: { type: string } }).error.type;
    expect(await typeOf(400)).toBe('invalid_request_error');
    expect(await typeOf(401)).toBe('authentication_error');
    expect(await typeOf(403)).toBe('permission_error');
    expect(await typeOf(429)).toBe('rate_limit_error');
    expect(await typeOf(500)).toBe('server_error');
    expect(await typeOf(503)).toBe('server_error');
    expect(await typeOf(418)).toBe('invalid_request_error');
  });

  it('adds x-should-retry, the retry-after pair rounded up, and the param', async () => {
    const response = errorResponse('openai', {
      status: 429,
      code: 'sluice_rate_limited',
      message: 'slow down',
      requestId: 'sl_2',
      shouldRetry: true,
      retryAfterMs: 1500.2,
      param: 'model',
    });
    expect(response.headers.get('x-should-retry')).toBe('true');
    expect(response.headers.get('retry-after-ms')).toBe('1501');
    expect(response.headers.get('retry-after')).toBe('2');
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('model');
    expect(errorResponse('openai', { status: 500, code: 'c', message: 'm', requestId: 'r', shouldRetry: false }).headers.get('x-should-retry')).toBe('false');
  });

  it('becomes the SDK error class for its status, with the message, code and request id', async () => {
    const client = new OpenAI({
      apiKey: 'unused',
      baseURL: 'http://sluice.invalid/v1',
      maxRetries: 0,
      logLevel: 'off',
      fetch: async () => errorResponse('openai', { status: 404, code: 'sluice_unknown_model', message: "model 'smrt' is not configured", requestId: 'sl_3' }),
    });
    const error = await client.models.retrieve('smrt').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    const notFound = error as NotFoundError;
    expect(notFound.message).toBe("404 model 'smrt' is not configured");
    expect(notFound.code).toBe('sluice_unknown_model');
    expect(notFound.requestID).toBe('sl_3');
  });
});
