import { request as httpRequest } from 'node:http';
import OpenAI, {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  toFile,
} from 'openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  await mock.close();
  expect(mock.openConnections()).toBe(0);
  vi.useRealTimers();
});

function sdk(): OpenAI {
  return new OpenAI({ baseURL: mock.baseURL, apiKey: 'test', maxRetries: 0, logLevel: 'off' });
}

const userMessage = [{ role: 'user' as const, content: 'hello brave new world' }];

function post(path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, one per event. */
function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n'),
    );
}

function parsed(payloads: readonly string[]): Record<string, unknown>[] {
  return payloads.filter((payload) => payload !== '[DONE]').map((payload) => JSON.parse(payload) as Record<string, unknown>);
}

/** Reads a streamed body until `count` events arrived; the body stays open. */
async function readEvents(response: Response, count: number): Promise<{ text: string; next: () => Promise<unknown> }> {
  const body = response.body;
  if (body === null) throw new Error('no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (dataOf(text).length < count || !text.endsWith('\n\n')) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`stream ended after ${dataOf(text).length} events`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  return { text, next: () => reader.read() };
}

interface NodePostOptions {
  readonly signal?: AbortSignal;
  /** Called with the body received so far after each chunk. */
  readonly onChunk?: (text: string) => void;
}

/**
 * A plain node:http POST. Fake-timer tests use it because fetch (undici) and the SDK arm global timers
 * of their own, which would blur `vi.getTimerCount()`.
 */
function nodePost(path: string, body: unknown, options: NodePostOptions = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${mock.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (incoming) => {
      let text = '';
      let hasEnded = false;
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        text += chunk;
        options.onChunk?.(text);
      });
      incoming.on('end', () => {
        hasEnded = true;
        resolve({ status: incoming.statusCode ?? 0, text });
      });
      incoming.on('error', reject);
      incoming.on('close', () => {
        if (!hasEnded) reject(new Error('connection closed before the body ended'));
      });
    });
    outgoing.on('error', reject);
    options.signal?.addEventListener('abort', () => outgoing.destroy(new Error('aborted by the test')), { once: true });
    outgoing.end(JSON.stringify(body));
  });
}

describe('healthy OpenAI behaviour', () => {
  it('answers a chat completion that echoes the last user message, with full usage', async () => {
    const { data: completion, response } = await sdk()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, ...userMessage] })
      .withResponse();

    expect(completion).toMatchObject({
      id: 'chatcmpl-mock1',
      object: 'chat.completion',
      created: 1735689600,
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_mock',
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          logprobs: null,
          message: { role: 'assistant', content: 'Echo: hello brave new world', refusal: null, annotations: [] },
        },
      ],
      usage: {
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    const usage = completion.usage;
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(response.headers.get('openai-processing-ms')).toBe('0');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('499');

    const [recorded] = mock.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', query: '', aborted: false });
    expect(recorded?.headers['authorization']).toBe('Bearer test');
    expect(recorded?.body).toMatchObject({ model: 'gpt-4o-mini' });
    await recorded?.done;
  });

  it('is deterministic: the same request gets the same body', async () => {
    const first = await (await post('/v1/chat/completions', { model: 'gpt-4o', messages: userMessage })).json();
    mock.reset();
    const second = await (await post('/v1/chat/completions', { model: 'gpt-4o', messages: userMessage })).json();
    expect(second).toEqual(first);
  });

  it('streams without a usage key anywhere unless include_usage is set', async () => {
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage, stream: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text).not.toContain('"usage"');
    const payloads = dataOf(text);
    expect(payloads.at(-1)).toBe('[DONE]');
    const chunks = parsed(payloads);
    expect(chunks[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    const contentChunks = chunks.slice(1, -1);
    expect(contentChunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.at(-1)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
    expect(new Set(chunks.map((chunk) => chunk['id']))).toEqual(new Set(['chatcmpl-mock1']));
  });

  it('streams usage: null on every chunk and a final choices: [] usage chunk with include_usage', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: userMessage,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = parsed(dataOf(await response.text()));
    const last = chunks.at(-1);
    expect(last?.['choices']).toEqual([]);
    expect(last?.['usage']).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toHaveProperty('usage', null);
  });

  it('streams through the SDK to the same text as the non-streaming answer', async () => {
    const stream = await sdk().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: userMessage,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usageTokens = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usageTokens = chunk.usage?.total_tokens ?? usageTokens;
    }
    expect(text).toBe('Echo: hello brave new world');
    expect(usageTokens).toBeGreaterThan(0);
  });

  it('streams fragmented tool calls that the SDK reassembles', async () => {
    mock.script({
      kind: 'reply',
      content: 'Checking.',
      toolCalls: [
        { name: 'get_weather', arguments: '{"city":"Oslo","unit":"celsius"}' },
        { name: 'get_time', arguments: '{}' },
      ],
    });
    const completion = await sdk()
      .chat.completions.stream({ model: 'gpt-4o-mini', messages: userMessage, stream: true })
      .finalChatCompletion();
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Checking.');
    expect(choice?.message.tool_calls).toMatchObject([
      { id: 'call_mock1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo","unit":"celsius"}' } },
      { id: 'call_mock1_1', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);

    mock.script({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const raw = parsed(dataOf(await (await post('/v1/chat/completions', { model: 'm', messages: userMessage, stream: true })).text()));
    const fragments = raw.flatMap((chunk) => {
      const choices = chunk['choices'] as { delta: { tool_calls?: Record<string, unknown>[] } }[];
      return choices[0]?.delta.tool_calls ?? [];
    });
    expect(fragments[0]).toEqual({ index: 0, id: 'call_mock2_0', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(fragments.length).toBeGreaterThan(2);
    for (const fragment of fragments.slice(1)) expect(Object.keys(fragment).sort()).toEqual(['function', 'index']);
  });

  it('applies a scripted reply: content, finish reason, usage and model', async () => {
    mock.script({
      kind: 'reply',
      content: 'Cut',
      finishReason: 'length',
      model: 'gpt-4o-2024-08-06',
      usage: { prompt_tokens: 100, completion_tokens: 20, cached_tokens: 64, reasoning_tokens: 8 },
    });
    const completion = await sdk().chat.completions.create({ model: 'gpt-4o', messages: userMessage });
    expect(completion.model).toBe('gpt-4o-2024-08-06');
    expect(completion.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'Cut' } });
    expect(completion.usage).toMatchObject({
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 64 },
      completion_tokens_details: { reasoning_tokens: 8 },
    });
  });

  it('answers embeddings deterministically, as floats or base64 (the SDK default)', async () => {
    const client = sdk();
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
    expect(mock.requests[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(viaBase64.data).toHaveLength(2);
    expect(viaBase64.data[0]?.embedding).toHaveLength(8);
    expect(viaBase64.data.map((item) => item.embedding)).toEqual(viaFloat.data.map((item) => item.embedding));
    expect(viaFloat.data[0]?.embedding).not.toEqual(viaFloat.data[1]?.embedding);
    expect(viaFloat.usage.prompt_tokens).toBeGreaterThan(0);

    const wide = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 32, encoding_format: 'float' });
    expect(wide.data[0]?.embedding).toHaveLength(32);
  });

  it('answers the Responses API without streaming', async () => {
    const response = await sdk().responses.create({ model: 'gpt-4.1', input: 'hello brave new world', instructions: 'Be brief.' });
    expect(response).toMatchObject({ id: 'resp_mock1', object: 'response', status: 'completed', model: 'gpt-4.1', instructions: 'Be brief.' });
    expect(response.output_text).toBe('Echo: hello brave new world');
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));
  });

  it('streams Responses API events with event: and data: lines', async () => {
    const stream = await sdk().responses.create({ model: 'gpt-4.1', input: 'hello brave new world', stream: true });
    const types: string[] = [];
    let text = '';
    let totalTokens = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') totalTokens = event.response.usage?.total_tokens ?? 0;
    }
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.filter((type) => type === 'response.output_text.delta').length).toBeGreaterThanOrEqual(3);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(text).toBe('Echo: hello brave new world');
    expect(totalTokens).toBeGreaterThan(0);

    const raw = await (await post('/v1/responses', { model: 'gpt-4.1', input: 'hi', stream: true })).text();
    expect(raw.startsWith('event: response.created\ndata: {"type":"response.created","sequence_number":0,')).toBe(true);
    expect(raw).not.toContain('[DONE]');
  });

  it('lists and retrieves models, and 404s an unknown one', async () => {
    const client = sdk();
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small']));
    await expect(client.models.retrieve('gpt-4o')).resolves.toMatchObject({ id: 'gpt-4o', object: 'model' });
    await expect(client.models.retrieve('gpt-nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('echoes anything else so pass-through can be tested, multipart included', async () => {
    const file = await toFile(Buffer.from('{"custom_id":"1"}\n'), 'batch.jsonl');
    const echoed: unknown = await sdk().files.create({ file, purpose: 'batch' });
    const [recorded] = mock.requests;
    expect(echoed).toMatchObject({ object: 'mock.echo', method: 'POST', path: '/v1/files', bytes: recorded?.bodyBytes.length });
    expect((echoed as { contentType: string }).contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(recorded?.bodyText).toContain('{"custom_id":"1"}');

    const listed = await fetch(`${mock.baseURL}/batches?limit=2`);
    expect(await listed.json()).toEqual({ object: 'mock.echo', method: 'GET', path: '/v1/batches', contentType: null, bytes: 0 });
    expect(mock.requests[1]).toMatchObject({ path: '/v1/batches', query: 'limit=2' });
  });

  it('rejects a missing or wrong key with OpenAI 401 body when apiKey is set', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'sk-right' });
    const wrong = sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage });
    await expect(wrong).rejects.toBeInstanceOf(AuthenticationError);
    await expect(wrong).rejects.toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    const right = new OpenAI({ baseURL: mock.baseURL, apiKey: 'sk-right', maxRetries: 0 });
    await expect(right.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).resolves.toHaveProperty('object', 'chat.completion');
  });
});

describe('request checks', () => {
  it('answers OpenAI 400s for a body that is not JSON or lacks a model', async () => {
    const notJson = await fetch(`${mock.baseURL}/chat/completions`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    const noModel = sdk().chat.completions.create({ messages: userMessage } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await expect(noModel).rejects.toMatchObject({ status: 400, message: '400 you must provide a model parameter' });
  });

  it('answers 413 to a body over maxBodyBytes and records it truncated', async () => {
    await mock.close();
    mock = await createMockProvider({ maxBodyBytes: 16 });
    mock.script({ kind: 'hang' });
    const response = await fetch(`${mock.baseURL}/files`, { method: 'POST', body: 'x'.repeat(100) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'request_too_large' } });
    expect(mock.requests[0]?.bodyText).toBe('x'.repeat(16));
    expect(mock.pendingSteps()).toBe(1);
  });

  it('refuses a step whose headers Node could not send, when it is scripted', () => {
    expect(() => mock.script({ kind: 'reply', headers: { 'bad header': 'x' } })).toThrow(/bad header/);
    expect(() => mock.script({ kind: 'reply', headers: { 'x-ok': 'line\nbreak' } })).toThrow(TypeError);
    expect(mock.pendingSteps()).toBe(0);
  });
});

describe('scripted faults', () => {
  it('error: sends the exact error body and the SDK raises its typed class', async () => {
    mock.script(
      { kind: 'error', status: 400, code: 'context_length_exceeded', message: 'Too long.' },
      { kind: 'error', status: 503 },
    );
    const client = sdk();
    const failure = client.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage });
    await expect(failure).rejects.toBeInstanceOf(BadRequestError);
    await expect(failure).rejects.toMatchObject({ message: '400 Too long.', code: 'context_length_exceeded', type: 'invalid_request_error' });

    const raw = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('content-type')).toBe('application/json');
    expect(await raw.text()).toBe(
      '{"error":{"message":"The engine is currently overloaded, please try again later.","type":"server_error","param":null,"code":null}}',
    );
  });

  it('error: a 500 becomes InternalServerError', async () => {
    mock.script({ kind: 'error', status: 500 });
    await expect(sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).rejects.toBeInstanceOf(InternalServerError);
  });

  it('rate-limit: 429 with retry-after, retry-after-ms and x-ratelimit-* headers', async () => {
    mock.script({ kind: 'rate-limit', retryAfterS: 2, retryAfterMs: 1500 });
    const error: unknown = await sdk()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    const headers = (error as RateLimitError).headers;
    expect(headers.get('retry-after')).toBe('2');
    expect(headers.get('retry-after-ms')).toBe('1500');
    expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(headers.get('x-ratelimit-reset-requests')).toBe('1.5s');
    expect(headers.get('x-request-id')).toBe('req_1');
    expect((error as RateLimitError).code).toBe('rate_limit_exceeded');
  });

  it('reset: destroys the socket before headers and the SDK reports a connection error', async () => {
    mock.script({ kind: 'reset' });
    await expect(sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).rejects.toBeInstanceOf(APIConnectionError);
    await mock.requests[0]?.done;
    expect(mock.requests[0]?.aborted).toBe(false);
  });

  it('hang: never answers; aborting rejects the client and marks the request aborted', async () => {
    mock.script({ kind: 'hang' }, { kind: 'hang' });
    const controller = new AbortController();
    const pending = sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage }, { signal: controller.signal });
    await mock.waitForRequest(0);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(APIUserAbortError);
    await mock.requests[0]?.done;
    expect(mock.requests[0]?.aborted).toBe(true);

    const fetchController = new AbortController();
    const fetched = post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage }, { signal: fetchController.signal });
    await mock.waitForRequest(1);
    fetchController.abort();
    await expect(fetched).rejects.toMatchObject({ name: 'AbortError' });
    await mock.requests[1]?.done;
    expect(mock.requests[1]?.aborted).toBe(true);
  });

  it('stall: sends N chunks then keeps the connection open until close()', async () => {
    mock.script({ kind: 'stall', afterChunks: 2 });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage, stream: true });
    expect(response.status).toBe(200);
    const { text, next } = await readEvents(response, 2);
    expect(dataOf(text)).toHaveLength(2);
    expect(text).not.toContain('[DONE]');
    const pendingRead = next();
    expect(mock.openConnections()).toBe(1);
    await mock.close();
    await expect(pendingRead).rejects.toThrow();
    expect(mock.requests[0]?.aborted).toBe(false);
  });

  it('reset-mid-stream: sends N chunks then destroys the socket', async () => {
    mock.script({ kind: 'reset-mid-stream', afterChunks: 3 });
    const stream = await sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage, stream: true });
    let received = 0;
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) if (chunk.object === 'chat.completion.chunk') received += 1;
    };
    await expect(consume()).rejects.toThrow();
    expect(received).toBe(3);
    await mock.requests[0]?.done;
    expect(mock.requests[0]?.aborted).toBe(false);
  });

  it('cuts a non-streaming JSON body short for reset-mid-stream and malformed', async () => {
    mock.script({ kind: 'reset-mid-stream', afterChunks: 1 }, { kind: 'malformed' });
    const cut = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    await expect(sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).rejects.toBeInstanceOf(SyntaxError);
  });

  it('malformed: a broken data: event makes the SDK stream throw', async () => {
    mock.script({ kind: 'malformed', afterChunks: 1 }, { kind: 'malformed' });
    const stream = await sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage, stream: true });
    const consume = async (): Promise<number> => {
      let count = 0;
      for await (const chunk of stream) if (chunk.id !== '') count += 1;
      return count;
    };
    await expect(consume()).rejects.toBeInstanceOf(SyntaxError);

    const raw = dataOf(await (await post('/v1/chat/completions', { model: 'm', messages: userMessage, stream: true })).text());
    expect(raw).toHaveLength(2);
    expect(() => JSON.parse(raw[0] ?? '') as unknown).toThrow(SyntaxError);
    expect(raw[1]).toBe('[DONE]');
  });

  it('mid-stream-error: an error event after N chunks and no [DONE]; the SDK raises APIError', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 2, message: 'Upstream went away.' });
    const stream = await sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage, stream: true });
    let received = 0;
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) if (chunk.object === 'chat.completion.chunk') received += 1;
    };
    const error: unknown = await consume().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('Upstream went away.');
    expect(received).toBe(2);

    mock.script({ kind: 'mid-stream-error', afterChunks: 1 });
    const raw = dataOf(await (await post('/v1/chat/completions', { model: 'm', messages: userMessage, stream: true })).text());
    expect(raw).toHaveLength(2);
    expect(JSON.parse(raw[1] ?? '')).toEqual({
      error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
    });
  });

  it('mid-stream-error on the Responses API sends an event: error', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 2, code: 'server_error' });
    const stream = await sdk().responses.create({ model: 'gpt-4.1', input: 'hi', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['response.created', 'response.in_progress', 'error']);
  });

  it('raw: writes exact status, headers and body chunks', async () => {
    mock.script({ kind: 'raw', status: 502, headers: { 'content-type': 'text/html' }, body: ['<html>', 'Bad gateway', '</html>'] });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(await response.text()).toBe('<html>Bad gateway</html>');
  });

  it('adds per-step headers over the generated ones', async () => {
    mock.script({ kind: 'reply', headers: { 'X-Should-Retry': 'false', 'openai-processing-ms': '42' } });
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    expect(response.headers.get('x-should-retry')).toBe('false');
    expect(response.headers.get('openai-processing-ms')).toBe('42');
  });
});

describe('queue and matching', () => {
  it('consumes steps FIFO, one per model call, and falls back to healthy answers', async () => {
    mock.script({ kind: 'reply', content: 'one' }, { kind: 'reply', content: 'two' });
    const client = sdk();
    const ask = async (): Promise<string | null | undefined> =>
      (await client.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).choices[0]?.message.content;
    await client.models.list();
    expect(mock.pendingSteps()).toBe(2);
    expect(await ask()).toBe('one');
    expect(await ask()).toBe('two');
    expect(await ask()).toBe('Echo: hello brave new world');
    expect(mock.requests.map((request) => request.step?.kind)).toEqual([undefined, 'reply', 'reply', undefined]);
  });

  it('routes a step only to a request it matches; unmatched steps stay queued', async () => {
    mock.script(
      { kind: 'error', status: 404, match: { model: 'gpt-4o' } },
      { kind: 'reply', model: 'scripted-embedding', match: { path: '/v1/embeddings' } },
      { kind: 'error', status: 500, match: { path: '/v1/files' } },
    );
    const client = sdk();
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).resolves.toBeDefined();
    expect(mock.pendingSteps()).toBe(3);
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(embedding.model).toBe('scripted-embedding');
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: userMessage })).rejects.toBeInstanceOf(NotFoundError);
    expect(mock.pendingSteps()).toBe(1);
    const upload = await fetch(`${mock.baseURL}/files`, { method: 'POST', body: 'x' });
    expect(upload.status).toBe(500);
    expect(mock.pendingSteps()).toBe(0);
  });

  it('uses the fallback option when nothing queued matches', async () => {
    await mock.close();
    mock = await createMockProvider({ fallback: { kind: 'error', status: 503 } });
    mock.script({ kind: 'reply', content: 'queued' });
    const client = sdk();
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage });
    expect(first.choices[0]?.message.content).toBe('queued');
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: userMessage })).rejects.toMatchObject({ status: 503 });
  });

  it('reset() clears the queue, the requests and the id counter', async () => {
    mock.script({ kind: 'hang', match: { model: 'never' } });
    await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    mock.reset();
    expect(mock.pendingSteps()).toBe(0);
    expect(mock.requests).toHaveLength(0);
    const response = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage });
    expect(response.headers.get('x-request-id')).toBe('req_1');
  });

  it('validates steps when they are scripted', () => {
    expect(() => mock.script({ kind: 'stall', afterChunks: -1 })).toThrow(TypeError);
    expect(() => mock.script({ kind: 'error', status: 200 })).toThrow(/status/);
    expect(() => mock.script({ kind: 'reply', latencyMs: Number.NaN })).toThrow(/latencyMs/);
    expect(mock.pendingSteps()).toBe(0);
  });
});

describe('timing and lifecycle', () => {
  it('waits latencyMs on setTimeout, so fake timers drive it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    mock.script({ kind: 'reply', content: 'late', latencyMs: 5000 });
    let isSettled = false;
    const answer = nodePost('/v1/chat/completions', { model: 'gpt-4o-mini', messages: userMessage }).finally(() => {
      isSettled = true;
    });
    await mock.waitForRequest(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(isSettled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(text).toContain('"content":"late"');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('spaces chunks by chunkDelayMs and cancels the timer when the client leaves', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    mock.script({ kind: 'reply', chunkDelayMs: 1000 });
    const controller = new AbortController();
    let received = 0;
    let onFirstEvent = (): void => {};
    const firstEvent = new Promise<void>((resolve) => {
      onFirstEvent = resolve;
    });
    const answer = nodePost(
      '/v1/chat/completions',
      { model: 'gpt-4o-mini', messages: userMessage, stream: true },
      {
        signal: controller.signal,
        onChunk: (text) => {
          received = text.split('\n\n').length - 1;
          if (received >= 1) onFirstEvent();
        },
      },
    ).catch((error: unknown) => error);
    await firstEvent;
    expect(received).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(received).toBe(2));
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(await answer).toBeInstanceOf(Error);
    await mock.requests[0]?.done;
    expect(mock.requests[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() ends hanging and stalled connections and leaves no sockets or timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    mock.script(
      { kind: 'hang', match: { model: 'a' } },
      { kind: 'stall', afterChunks: 1, match: { model: 'b' } },
      { kind: 'reply', latencyMs: 60_000, match: { model: 'c' } },
    );
    const settle = (promise: Promise<unknown>): Promise<string> =>
      promise.then(
        () => 'resolved',
        () => 'rejected',
      );
    const outcomes = [
      settle(nodePost('/v1/chat/completions', { model: 'a', messages: userMessage })),
      settle(nodePost('/v1/chat/completions', { model: 'b', messages: userMessage, stream: true })),
      settle(nodePost('/v1/chat/completions', { model: 'c', messages: userMessage })),
    ];
    await mock.waitForRequest(2);
    expect(mock.openConnections()).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    await mock.close();
    expect(mock.openConnections()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await Promise.all(outcomes)).toEqual(['rejected', 'rejected', 'rejected']);
    await Promise.all(mock.requests.map((request) => request.done));
    expect(mock.requests.map((request) => request.aborted)).toEqual([false, false, false]);
    await expect(mock.waitForRequest(5)).rejects.toThrow(/closed/);
  });
});
