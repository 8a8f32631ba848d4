import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  await mock.close();
  expect(mock.openConnections()).toBe(0);
});

function sdk(apiKey = 'test'): Anthropic {
  return new Anthropic({ baseURL: mock.url, apiKey, maxRetries: 0, logLevel: 'off' });
}

const request = {
  model: 'claude-opus-4-6',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'hello brave new world' }],
};

/** The events of an Anthropic SSE body: name and parsed data. */
function events(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length) ?? '';
      const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length) ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
}

describe('Anthropic Messages: healthy answers', () => {
  it('echoes the last user message as a message object with Anthropic usage and a request-id', async () => {
    const { data: message, response } = await sdk().messages.create(request).withResponse();
    expect(message).toMatchObject({
      id: 'msg_mock1',
      type: 'message',
      role: 'assistant',
      model: 'claude-opus-4-6',
      content: [{ type: 'text', text: 'Echo: hello brave new world' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: 'standard' },
    });
    expect(message.usage.output_tokens).toBe(Math.ceil('Echo: hello brave new world'.length / 4));
    expect(response.headers.get('request-id')).toBe('req_1');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toMatch(/^\d+$/);
    expect(response.headers.get('anthropic-ratelimit-requests-reset')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(mock.requests[0]).toMatchObject({ dialect: 'anthropic', path: '/v1/messages' });
    expect(mock.requests[0]?.headers['anthropic-version']).toBeDefined();
  });

  it('streams message_start, a ping, text deltas, a cumulative message_delta and message_stop', async () => {
    const response = await post({ ...request, stream: true });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const list = events(await response.text());
    const names = list.map((entry) => entry.event);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('content_block_start');
    expect(names[2]).toBe('ping');
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    for (const entry of list) expect(entry.data['type']).toBe(entry.event);
    const text = list
      .filter((entry) => entry.event === 'content_block_delta')
      .map((entry) => (entry.data['delta'] as { text: string }).text)
      .join('');
    expect(text).toBe('Echo: hello brave new world');
    const delta = list.find((entry) => entry.event === 'message_delta')?.data;
    expect(delta).toMatchObject({ delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } });
  });

  it('streams through the SDK to the same message as the non-streaming answer', async () => {
    const client = sdk();
    const whole = await client.messages.create(request);
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed.content).toEqual(whole.content);
    expect(streamed.stop_reason).toBe('end_turn');
    expect(streamed.usage.output_tokens).toBe(whole.usage.output_tokens);
  });

  it('returns scripted tool calls as tool_use blocks with parsed input and stop_reason tool_use', async () => {
    mock.script({
      kind: 'reply',
      content: 'Let me check.',
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}', id: 'toolu_01A' }, { name: 'get_time', arguments: '{}' }],
    });
    const message = await sdk().messages.create(request);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'toolu_mock1_1', name: 'get_time', input: {} },
    ]);
  });

  it('streams tool input as input_json_delta fragments (an empty one first) that the SDK reassembles', async () => {
    const args = '{"city":"Oslo","unit":"celsius"}';
    mock.script({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: args }] }, { kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: args }] });
    const list = events(await (await post({ ...request, stream: true })).text());
    const fragments = list
      .filter((entry) => entry.event === 'content_block_delta')
      .map((entry) => (entry.data['delta'] as { type: string; partial_json: string }).partial_json);
    expect(fragments[0]).toBe('');
    expect(fragments.length).toBeGreaterThan(2);
    expect(fragments.join('')).toBe(args);

    const message = await sdk().messages.stream(request).finalMessage();
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_mock2_0', name: 'get_weather', input: { city: 'Oslo', unit: 'celsius' } }]);
  });

  it('sends thinking first, with thinking_delta then signature_delta, and the SDK keeps both', async () => {
    mock.script({ kind: 'reply', thinking: 'The user greets me; greet back.', content: 'Hi!' }, { kind: 'reply', thinking: 'Short.', content: 'Hi!' });
    const whole = await sdk().messages.create(request);
    expect(whole.content[0]).toMatchObject({ type: 'thinking', thinking: 'The user greets me; greet back.' });
    expect((whole.content[0] as { signature: string }).signature.length).toBeGreaterThan(0);
    expect(whole.content[1]).toEqual({ type: 'text', text: 'Hi!' });

    const stream = sdk().messages.stream(request);
    const thinking: string[] = [];
    stream.on('thinking', (delta) => thinking.push(delta));
    const streamed = await stream.finalMessage();
    expect(thinking.join('')).toBe('Short.');
    expect(streamed.content[0]).toMatchObject({ type: 'thinking', thinking: 'Short.', signature: expect.any(String) as unknown });
    expect(streamed.content[1]).toEqual({ type: 'text', text: 'Hi!' });
  });

  it('maps scripted usage (cache reads and writes apart from uncached input) and finish reasons', async () => {
    mock.script({
      kind: 'reply',
      content: 'cut',
      finishReason: 'length',
      usage: { prompt_tokens: 1500, completion_tokens: 40, cached_tokens: 1024, cache_write_tokens: 400 },
      model: 'claude-opus-4-6-20260101',
    });
    const message = await sdk().messages.create(request);
    expect(message.model).toBe('claude-opus-4-6-20260101');
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage).toMatchObject({
      input_tokens: 76,
      cache_read_input_tokens: 1024,
      cache_creation_input_tokens: 400,
      output_tokens: 40,
    });
  });

  it('counts tokens on /v1/messages/count_tokens without consuming a step', async () => {
    mock.script({ kind: 'error', status: 500 });
    const counted = await sdk().messages.countTokens({ model: request.model, messages: request.messages });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(mock.pendingSteps()).toBe(1);
  });
});

describe('Anthropic Messages: request checks and auth', () => {
  it('answers 400 invalid_request_error without max_tokens', async () => {
    const error = await sdk()
      .messages.create({ model: request.model, messages: request.messages } as unknown as typeof request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      request_id: 'req_1',
    });
  });

  it('answers 400 when anthropic-version is missing, consuming no step', async () => {
    mock.script({ kind: 'reply', content: 'kept' });
    const response = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
      request_id: 'req_1',
    });
    expect(mock.pendingSteps()).toBe(1);
  });

  it('checks apiKey in x-api-key or authorization: Bearer, answering authentication_error otherwise', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'sk-ant-right' });
    const viaBearer = await sdk('sk-ant-right').messages.create(request);
    expect(viaBearer.content[0]).toMatchObject({ type: 'text' });
    expect(mock.requests[0]?.headers['authorization']).toBe('Bearer sk-ant-right');

    const viaHeader = await post(request, { 'x-api-key': 'sk-ant-right' });
    expect(viaHeader.status).toBe(200);

    const error = await sdk('sk-ant-wrong').messages.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({ error: { type: 'authentication_error', message: 'invalid x-api-key' } });

    const missing = await post(request);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'authentication_error', message: 'x-api-key header is required' } });
  });
});

describe('Anthropic Messages: scripted faults', () => {
  it('error 529 is overloaded_error, and the SDK raises OverloadedError with the request id', async () => {
    mock.script({ kind: 'error', status: 529 });
    const error = await sdk().messages.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error', requestID: 'req_1' });
    expect((error as APIError).error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' });
  });

  it('error 500 is api_error and a scripted type and message win', async () => {
    mock.script({ kind: 'error', status: 500 }, { kind: 'error', status: 402, type: 'billing_error', message: 'No credit.' });
    const server = await sdk().messages.create(request).catch((caught: unknown) => caught);
    expect(server).toBeInstanceOf(InternalServerError);
    expect(server).toMatchObject({ type: 'api_error' });
    const billing = await sdk().messages.create(request).catch((caught: unknown) => caught);
    expect(billing).toMatchObject({ status: 402, type: 'billing_error', apiMessage: 'No credit.' });
  });

  it('rate-limit: 429 rate_limit_error with retry-after and exhausted anthropic-ratelimit-* headers', async () => {
    mock.script({ kind: 'rate-limit', retryAfterS: 7 });
    const error = await sdk().messages.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    const headers = (error as RateLimitError).headers;
    expect(headers?.get('retry-after')).toBe('7');
    expect(headers?.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(headers?.get('anthropic-ratelimit-requests-reset')).toMatch(/Z$/);
    expect(headers?.get('x-ratelimit-limit-requests')).toBeNull();
    expect((error as RateLimitError).type).toBe('rate_limit_error');
  });

  it('mid-stream-error: an event: error after N events and no message_stop; the SDK stream raises it', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 3 });
    const list = events(await (await post({ ...request, stream: true })).text());
    expect(list).toHaveLength(4);
    expect(list[3]).toEqual({ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });

    mock.script({ kind: 'mid-stream-error', afterChunks: 4, status: 500 });
    const error = await sdk()
      .messages.stream(request)
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ type: 'api_error' });
  });

  it('mid-stream-error on a non-streaming call is HTTP 200 with an Anthropic error body', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 0, type: 'api_error', message: 'boom' });
    const response = await post(request);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'boom' } });
  });

  it('malformed: a cut content_block_delta makes the SDK stream throw', async () => {
    mock.script({ kind: 'malformed', afterChunks: 2 });
    const error = await sdk()
      .messages.stream(request)
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });

  it('stall and reset-mid-stream cut the stream before message_stop', async () => {
    mock.script({ kind: 'reset-mid-stream', afterChunks: 2 });
    const error = await sdk()
      .messages.stream(request)
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);

    mock.script({ kind: 'stall', afterChunks: 100 });
    const response = await post({ ...request, stream: true });
    const reader = response.body?.getReader();
    let text = '';
    while (!text.includes('event: message_delta')) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) throw new Error('ended');
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).not.toContain('message_stop');
    await reader?.cancel();
  });
});
