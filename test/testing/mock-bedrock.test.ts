import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/providers/bedrock/sigv4.js';
import { EventStreamDecoder, encodeEventStreamMessage, type EventStreamMessage } from '../../src/wire/bedrock/event-stream.js';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  await mock.close();
  expect(mock.openConnections()).toBe(0);
});

const modelId = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
const encodedModel = encodeURIComponent(modelId);
const body = { messages: [{ role: 'user', content: [{ text: 'hello brave new world' }] }], inferenceConfig: { maxTokens: 256 } };
const aws = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };

function url(action: string): string {
  return `${mock.url}/model/${encodedModel}/${action}`;
}

function post(action: string, payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url(action), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

async function signedPost(action: string, payload: unknown, tamper?: (text: string) => string): Promise<Response> {
  const text = JSON.stringify(payload);
  const headers = await signRequest(
    { method: 'POST', url: url(action), headers: new Headers({ 'content-type': 'application/json' }), body: text },
    { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
    { region: aws.region, service: 'bedrock', date: new Date() },
  );
  return fetch(url(action), { method: 'POST', headers, body: tamper === undefined ? text : tamper(text) });
}

interface Frame {
  readonly headers: Record<string, string>;
  readonly payload: Record<string, unknown>;
}

/** Decodes a whole event-stream body into frames with parsed JSON payloads. */
async function frames(response: Response): Promise<Frame[]> {
  const decoder = new EventStreamDecoder();
  const messages: EventStreamMessage[] = decoder.push(new Uint8Array(await response.arrayBuffer()));
  expect(decoder.pendingBytes).toBe(0);
  return messages.map((message) => ({
    headers: message.headers,
    payload: JSON.parse(new TextDecoder().decode(message.payload)) as Record<string, unknown>,
  }));
}

function events(list: readonly Frame[]): string[] {
  return list.map((frame) => frame.headers[':event-type'] ?? frame.headers[':exception-type'] ?? '?');
}

describe('Bedrock Converse', () => {
  it('answers /converse with output.message, stopReason, usage and metrics; the model id is decoded', async () => {
    const response = await post('converse', body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amzn-requestid')).toBe('req_1');
    expect(await response.json()).toEqual({
      output: { message: { role: 'assistant', content: [{ text: 'Echo: hello brave new world' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 9, outputTokens: 7, totalTokens: 16, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      metrics: { latencyMs: 107 },
    });
    expect(mock.requests[0]).toMatchObject({ dialect: 'bedrock', path: `/model/${encodedModel}/converse` });
  });

  it('returns reasoning, text and toolUse blocks, mapping usage with cache reads apart from uncached input', async () => {
    mock.script({
      kind: 'reply',
      thinking: 'Look it up.',
      content: 'Checking.',
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      usage: { prompt_tokens: 1200, completion_tokens: 60, cached_tokens: 1000, cache_write_tokens: 100 },
    });
    const answer = (await (await post('converse', body)).json()) as Record<string, unknown>;
    expect(answer['stopReason']).toBe('tool_use');
    expect((answer['output'] as { message: { content: unknown[] } }).message.content).toEqual([
      { reasoningContent: { reasoningText: { text: 'Look it up.', signature: expect.any(String) as unknown } } },
      { text: 'Checking.' },
      { toolUse: { toolUseId: 'tooluse_mock1_0', name: 'get_weather', input: { city: 'Oslo' } } },
    ]);
    expect(answer['usage']).toEqual({ inputTokens: 100, outputTokens: 60, totalTokens: 1260, cacheReadInputTokens: 1000, cacheWriteInputTokens: 100 });
  });

  it('streams event-stream frames: messageStart, deltas, contentBlockStop, messageStop, then metadata', async () => {
    const response = await post('converse-stream', body);
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    const list = await frames(response);
    const names = events(list);
    expect(names[0]).toBe('messageStart');
    expect(names.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    for (const frame of list) {
      expect(frame.headers).toMatchObject({ ':message-type': 'event', ':content-type': 'application/json' });
      expect(typeof frame.payload['p']).toBe('string');
    }
    const text = list
      .filter((frame) => frame.headers[':event-type'] === 'contentBlockDelta')
      .map((frame) => (frame.payload['delta'] as { text: string }).text)
      .join('');
    expect(text).toBe('Echo: hello brave new world');
    expect(list.at(-2)?.payload).toMatchObject({ stopReason: 'end_turn' });
    expect(list.at(-1)?.payload).toMatchObject({ usage: { inputTokens: 9, outputTokens: 7, totalTokens: 16 }, metrics: { latencyMs: 107 } });
  });

  it('streams reasoningContent deltas with a signature, and toolUse with contentBlockStart and string input fragments', async () => {
    const args = '{"city":"Oslo","unit":"celsius"}';
    mock.script({ kind: 'reply', thinking: 'Think first.', toolCalls: [{ name: 'get_weather', arguments: args, id: 'tooluse_1' }] });
    const list = await frames(await post('converse-stream', body));
    expect(events(list)).toContain('contentBlockStart');
    const reasoning = list
      .filter((frame) => (frame.payload['delta'] as { reasoningContent?: { text?: string } } | undefined)?.reasoningContent?.text !== undefined)
      .map((frame) => (frame.payload['delta'] as { reasoningContent: { text: string } }).reasoningContent.text);
    expect(reasoning.join('')).toBe('Think first.');
    expect(list.some((frame) => (frame.payload['delta'] as { reasoningContent?: { signature?: string } } | undefined)?.reasoningContent?.signature)).toBe(true);
    const start = list.find((frame) => frame.headers[':event-type'] === 'contentBlockStart');
    expect(start?.payload).toMatchObject({ contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather' } } });
    const input = list
      .filter((frame) => frame.payload['contentBlockIndex'] === 1 && frame.headers[':event-type'] === 'contentBlockDelta')
      .map((frame) => (frame.payload['delta'] as { toolUse: { input: string } }).toolUse.input);
    expect(input.length).toBeGreaterThan(1);
    expect(input.join('')).toBe(args);
    expect(list.find((frame) => frame.headers[':event-type'] === 'messageStop')?.payload).toMatchObject({ stopReason: 'tool_use' });
  });

  it('counts tokens on /count-tokens', async () => {
    const response = await post('count-tokens', { input: { converse: body } });
    expect(await response.json()).toEqual({ inputTokens: 9 });
  });
});

describe('Bedrock errors and faults', () => {
  it('error: {message} with x-amzn-errortype, by status', async () => {
    mock.script({ kind: 'error', status: 429 }, { kind: 'error', status: 503 }, { kind: 'error', status: 403 }, { kind: 'error', status: 400, message: 'Bad.' });
    const expected = [
      [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
      [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
      [403, 'AccessDeniedException', "You don't have access to the model with the specified model ID."],
      [400, 'ValidationException', 'Bad.'],
    ] as const;
    for (const [status, type, message] of expected) {
      const response = await post('converse', body);
      expect(response.status).toBe(status);
      expect(response.headers.get('x-amzn-errortype')).toBe(`${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`);
      expect(await response.json()).toEqual({ message });
    }
  });

  it('rate-limit: ThrottlingException without retry-after unless the step asks for one', async () => {
    mock.script({ kind: 'rate-limit' }, { kind: 'rate-limit', retryAfterS: 3 });
    const bare = await post('converse', body);
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    expect(bare.headers.get('x-amzn-errortype')).toMatch(/^ThrottlingException:/);
    expect((await post('converse', body)).headers.get('retry-after')).toBe('3');
  });

  it('mid-stream-error: an exception frame after N events, with valid CRCs and no messageStop', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 2, status: 429 });
    const list = await frames(await post('converse-stream', body));
    expect(list).toHaveLength(3);
    expect(list[2]?.headers).toEqual({ ':exception-type': 'throttlingException', ':content-type': 'application/json', ':message-type': 'exception' });
    expect(list[2]?.payload).toEqual({ message: 'Too many requests, please wait before trying again.' });
  });

  it('malformed: a frame with valid CRCs around a cut JSON payload', async () => {
    mock.script({ kind: 'malformed', afterChunks: 1 });
    const decoder = new EventStreamDecoder();
    const messages = decoder.push(new Uint8Array(await (await post('converse-stream', body)).arrayBuffer()));
    expect(messages).toHaveLength(2);
    expect(() => JSON.parse(new TextDecoder().decode(messages[1]?.payload))).toThrow();
  });

  it('raw: writes scripted bytes as they are, e.g. a frame whose CRC is wrong', async () => {
    const frame = encodeEventStreamMessage({ ':message-type': 'event', ':event-type': 'messageStart' }, new TextEncoder().encode('{"role":"assistant"}'));
    const corrupt = frame.slice();
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, body: [frame, corrupt] });
    const bytes = new Uint8Array(await (await post('converse-stream', body)).arrayBuffer());
    expect(bytes.length).toBe(frame.length * 2);
    expect(() => new EventStreamDecoder().push(bytes)).toThrow();
  });

  it('answers ValidationException to a body without messages', async () => {
    const response = await post('converse', {});
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
  });
});

describe('Bedrock auth', () => {
  beforeEach(async () => {
    await mock.close();
    mock = await createMockProvider({ aws, bedrockApiKey: 'bedrock-api-key' });
  });

  it('accepts a request signed with SigV4 over the encoded model id', async () => {
    const response = await signedPost('converse', body);
    expect(response.status).toBe(200);
    expect(mock.requests[0]?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    const stream = await signedPost('converse-stream', body);
    expect(events(await frames(stream)).at(-1)).toBe('metadata');
  });

  it('rejects a body changed after signing with InvalidSignatureException, consuming no step', async () => {
    mock.script({ kind: 'reply', content: 'kept' });
    const response = await signedPost('converse', body, (text) => text.replace('hello', 'HELLO'));
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/');
    expect(((await response.json()) as { message: string }).message).toMatch(/^The request signature we calculated does not match/);
    expect(mock.pendingSteps()).toBe(1);
  });

  it('rejects a missing signature, an unknown key id and a wrong region', async () => {
    const missing = await post('converse', body);
    expect(missing.status).toBe(403);
    expect(missing.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);

    const text = JSON.stringify(body);
    const sign = (accessKeyId: string, region: string): Promise<Headers> =>
      signRequest(
        { method: 'POST', url: url('converse'), headers: new Headers({ 'content-type': 'application/json' }), body: text },
        { accessKeyId, secretAccessKey: aws.secretAccessKey },
        { region, service: 'bedrock', date: new Date() },
      );
    const unknown = await fetch(url('converse'), { method: 'POST', headers: await sign('AKIDOTHER', aws.region), body: text });
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
    const region = await fetch(url('converse'), { method: 'POST', headers: await sign(aws.accessKeyId, 'eu-west-1'), body: text });
    expect(region.status).toBe(403);
    expect(region.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
  });

  it('rejects a signature dated more than five minutes away', async () => {
    const text = JSON.stringify(body);
    const headers = await signRequest(
      { method: 'POST', url: url('converse'), headers: new Headers({ 'content-type': 'application/json' }), body: text },
      { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
      { region: aws.region, service: 'bedrock', date: new Date(Date.now() - 10 * 60 * 1000) },
    );
    const response = await fetch(url('converse'), { method: 'POST', headers, body: text });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Signature expired/);
  });

  it('accepts the Bedrock API key as a bearer token and refuses another', async () => {
    expect((await post('converse', body, { authorization: 'Bearer bedrock-api-key' })).status).toBe(200);
    const wrong = await post('converse', body, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-amzn-errortype')).toMatch(/^UnrecognizedClientException:/);
  });
});
