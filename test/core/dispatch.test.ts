import type OpenAI from 'openai';
import { APIConnectionError, type APIError, InternalServerError, RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, directClient, messages, nextRecord, rechunkingFetch, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const bytesOf = async (response: Response): Promise<Uint8Array> => new Uint8Array(await response.arrayBuffer());
const withoutLength = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const { 'content-length': _length, ...rest } = headers;
  return rest;
};

type StreamRequest = Parameters<OpenAI['chat']['completions']['create']>[0] & { stream: true };

/** Makes the same streamed call straight to the mock, then through a zero-config Sluice. */
async function directThenVia(request: StreamRequest) {
  const direct = await directClient(mock.baseURL).chat.completions.create(request).asResponse();
  const directBytes = await bytesOf(direct);
  const directUpstream = mock.requests[0]!;
  mock.reset();
  const sluice = createSluice();
  const ended = nextRecord(sluice);
  const via = await clientFor(sluice, mock.baseURL).chat.completions.create(request).asResponse();
  return { direct, directBytes, directUpstream, via, ended };
}

describe('zero-config equivalence', () => {
  it('returns the same status, headers and JSON as calling the provider directly', async () => {
    const direct = await directClient(mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    const directUpstream = mock.requests[0]!;
    mock.reset();
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const via = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();

    expect(via.response.status).toBe(direct.response.status);
    for (const name of ['content-type', 'x-request-id', 'x-ratelimit-remaining-requests', 'openai-version']) {
      expect(via.response.headers.get(name), name).toBe(direct.response.headers.get(name));
    }
    expect(via.request_id).toBe('req_1');
    expect(via.data).toEqual(direct.data);
    // Nothing changed on the way up either: same headers, same bytes.
    expect(mock.requests[0]!.headers).toEqual(directUpstream.headers);
    expect(mock.requests[0]!.bodyText).toBe(directUpstream.bodyText);

    const record = await ended;
    expect(record).toMatchObject({ outcome: 'completed', status: 200, operation: 'chat', model: 'gpt-4o-mini', provider: null, streamed: false });
    expect(record.usage.inputTokens).toBe(direct.data.usage?.prompt_tokens);
    expect(record.usage.outputTokens).toBe(direct.data.usage?.completion_tokens);
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it('returns the same raw bytes as the global fetch for a plain fetch through sluice.fetch', async () => {
    const init = (): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages }),
    });
    const direct = await fetch(`${mock.baseURL}/chat/completions`, init());
    const directBytes = await bytesOf(direct);
    mock.reset();
    const via = await createSluice().fetch(`${mock.baseURL}/chat/completions`, init());
    expect(via.status).toBe(direct.status);
    expect(via.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(via.headers.get('x-request-id')).toBe(direct.headers.get('x-request-id'));
    expect(await bytesOf(via)).toEqual(directBytes);
  });

  it('streams exactly the provider bytes when the client did not ask for usage, while recording usage and cost', async () => {
    const request = { model: 'gpt-4o-mini', messages, stream: true } as const;
    const { direct, directBytes, directUpstream, via, ended } = await directThenVia(request);

    expect(via.status).toBe(200);
    expect(via.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(via.headers.get('x-request-id')).toBe(direct.headers.get('x-request-id'));
    expect(new TextDecoder().decode(await bytesOf(via))).toBe(new TextDecoder().decode(directBytes));

    // Sluice asked for usage itself, and hid what that added.
    const upstream = mock.requests[0]!;
    expect((upstream.body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);
    expect(directUpstream.bodyText).not.toContain('stream_options');
    expect(withoutLength(upstream.headers)).toEqual(withoutLength(directUpstream.headers));

    const record = await ended;
    expect(record).toMatchObject({ outcome: 'completed', streamed: true, usagePartial: false, model: 'gpt-4o-mini' });
    expect(record.usage.inputTokens).toBeGreaterThan(0);
    expect(record.usage.outputTokens).toBeGreaterThan(0);
    expect(record.costUsd).toBeGreaterThan(0);
    expect(record.ttftMs).not.toBeNull();
  });

  it('streams exactly the provider bytes, usage chunk included, when the client asked for usage', async () => {
    const request = { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } } as const;
    const { directBytes, directUpstream, via, ended } = await directThenVia(request);
    expect(await bytesOf(via)).toEqual(directBytes);
    expect(mock.requests[0]!.bodyText).toBe(directUpstream.bodyText);
    const record = await ended;
    expect(record.usage.inputTokens).toBeGreaterThan(0);
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it('streams the same bytes whatever size the upstream chunks are', async () => {
    const request = { model: 'gpt-4o-mini', messages, stream: true } as const;
    const expected = new TextDecoder().decode(await bytesOf(await directClient(mock.baseURL).chat.completions.create(request).asResponse()));
    for (const size of [1, 2, 7, 64, 1000]) {
      mock.reset();
      const sluice = createSluice({ fetch: rechunkingFetch(size) });
      const ended = nextRecord(sluice);
      const via = await clientFor(sluice, mock.baseURL).chat.completions.create(request).asResponse();
      expect(new TextDecoder().decode(await bytesOf(via)), `chunks of ${size}`).toBe(expected);
      const record = await ended;
      expect(record.usage.outputTokens, `chunks of ${size}`).toBeGreaterThan(0);
      expect(record.outcome).toBe('completed');
    }
  });

  it('gives the SDK iterator the same chunks as the provider', async () => {
    const request = { model: 'gpt-4o-mini', messages, stream: true } as const;
    const directChunks = [];
    for await (const chunk of await directClient(mock.baseURL).chat.completions.create(request)) directChunks.push(chunk);
    mock.reset();
    const viaChunks = [];
    for await (const chunk of await clientFor(createSluice(), mock.baseURL).chat.completions.create(request)) viaChunks.push(chunk);
    expect(viaChunks).toEqual(directChunks);
    expect(viaChunks.every((chunk) => !('usage' in chunk))).toBe(true);
  });
});

describe('re-wrapped responses', () => {
  it('keeps content-encoding and content-length over a body fetch already decoded, as fetch itself does', async () => {
    const decoded = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [] });
    const gzipped: typeof fetch = async () =>
      new Response(decoded, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '57', 'x-request-id': 'req_gz' } });
    const { data, response, request_id } = await clientFor(createSluice({ fetch: gzipped }), mock.baseURL)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(data.id).toBe('chatcmpl-1');
    expect(request_id).toBe('req_gz');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('content-length')).toBe('57');
  });

  it('passes a provider error body through byte for byte', async () => {
    const init = (): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini' }) });
    const direct = await fetch(`${mock.baseURL}/chat/completions`, init());
    const directText = await direct.text();
    mock.reset();
    const via = await createSluice().fetch(`${mock.baseURL}/chat/completions`, init());
    expect(via.status).toBe(400);
    expect(await via.text()).toBe(directText);
  });
});

describe('request bodies', () => {
  it('sends fields Sluice does not model upstream unchanged', async () => {
    const sluice = createSluice();
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const body = {
      model: 'gpt-4o-mini',
      messages,
      tools,
      response_format: { type: 'json_object' as const },
      x_made_up: { nested: [1, 'two', null] },
    };
    await clientFor(sluice, mock.baseURL).chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(mock.requests[0]!.body).toEqual(body);
    // Even when Sluice rewrites the body (injecting include_usage), the rest stays as it was.
    await clientFor(sluice, mock.baseURL).chat.completions.create({ ...body, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    expect(mock.requests[1]!.body).toEqual({ ...body, stream: true, stream_options: { include_usage: true } });
  });
});

describe('embeddings and responses', () => {
  it('records embeddings usage with no output tokens', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const result = await clientFor(sluice, mock.baseURL).embeddings.create({ model: 'text-embedding-3-small', input: ['a cat', 'a dog'] });
    expect(result.data).toHaveLength(2);
    const record = await ended;
    expect(record).toMatchObject({ operation: 'embeddings', outcome: 'completed', model: 'text-embedding-3-small' });
    expect(record.usage).toMatchObject({ inputTokens: result.usage.prompt_tokens, outputTokens: 0 });
    expect(record.costUsd).toBeGreaterThan(0);
  });

  it('records usage of a non-streaming Responses call', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const response = await clientFor(sluice, mock.baseURL).responses.create({ model: 'gpt-4.1', input: 'Say hi' });
    const record = await ended;
    expect(record).toMatchObject({ operation: 'responses', outcome: 'completed', streamed: false, model: 'gpt-4.1' });
    expect(record.usage).toMatchObject({ inputTokens: response.usage?.input_tokens, outputTokens: response.usage?.output_tokens });
  });

  it('records usage of a streaming Responses call from response.completed, changing nothing', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).responses.create({ model: 'gpt-4.1', input: 'Say hi', stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === 'response.completed') completed = event.response;
    expect(mock.requests[0]!.bodyText).not.toContain('stream_options');
    const record = await ended;
    expect(record).toMatchObject({ operation: 'responses', outcome: 'completed', streamed: true, usagePartial: false });
    expect(record.usage).toMatchObject({ inputTokens: completed?.usage?.input_tokens, outputTokens: completed?.usage?.output_tokens });
    expect(record.usage.inputTokens).toBeGreaterThan(0);
  });
});

describe('upstream failures', () => {
  it('surfaces a 500 as InternalServerError with the provider message; the record is failed', async () => {
    mock.script({ kind: 'error', status: 500, message: 'The engine is on fire.' });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).message).toBe('500 The engine is on fire.');
    expect((error as APIError).requestID).toBe('req_1');
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'failed', status: 500, error: { class: 'http_error', message: 'The engine is on fire.' } });
  });

  it('surfaces a 429 as RateLimitError with retry-after headers; the record is failed', async () => {
    mock.script({ kind: 'rate-limit', retryAfterS: 3 });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimited = error as RateLimitError;
    expect(rateLimited.message).toContain('Rate limit reached for gpt-4o-mini');
    expect(rateLimited.headers?.get('retry-after')).toBe('3');
    expect(rateLimited.headers?.get('x-ratelimit-limit-requests')).not.toBeNull();
    expect(await ended).toMatchObject({ outcome: 'failed', status: 429, error: { class: 'http_error' } });
  });

  it('surfaces a reset connection as APIConnectionError; the record is errored with network_error', async () => {
    mock.script({ kind: 'reset' });
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(APIConnectionError);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'errored', status: null, error: { class: 'network_error' } });
  });

  it('surfaces a refused connection as APIConnectionError; the record is errored with network_error', async () => {
    const closed = await createMockProvider();
    const baseURL = closed.baseURL;
    await closed.close();
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(APIConnectionError);
    const record = await ended;
    expect(record).toMatchObject({ outcome: 'errored', error: { class: 'network_error' } });
    expect(record.error?.message).toContain('ECONNREFUSED');
  });
});
