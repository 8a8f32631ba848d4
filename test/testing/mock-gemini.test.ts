import { ApiError, GoogleGenAI } from '@google/genai';
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

function sdk(apiKey = 'test-key'): GoogleGenAI {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: mock.url } });
}

const model = 'gemini-2.5-flash';
const contents = 'hello brave new world';
const generatePath = `/v1beta/models/${model}:generateContent`;
const streamPath = `/v1beta/models/${model}:streamGenerateContent`;
const body = { contents: [{ role: 'user', parts: [{ text: contents }] }] };

function post(path: string, payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

/** The JSON payloads of a Google SSE body, checking the CRLF CRLF separators. */
function sseData(text: string): Record<string, unknown>[] {
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  return text
    .split('\r\n\r\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return JSON.parse(block.slice('data: '.length)) as Record<string, unknown>;
    });
}

describe('Gemini: healthy answers', () => {
  it('echoes the last user text as a GenerateContentResponse with usageMetadata', async () => {
    const response = await sdk().models.generateContent({ model, contents });
    expect(response.text).toBe('Echo: hello brave new world');
    expect(response.candidates?.[0]).toMatchObject({ finishReason: 'STOP', index: 0, content: { role: 'model' } });
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: Math.ceil(contents.length / 4),
      candidatesTokenCount: Math.ceil('Echo: hello brave new world'.length / 4),
      totalTokenCount: Math.ceil(contents.length / 4) + Math.ceil('Echo: hello brave new world'.length / 4),
    });
    expect(response.modelVersion).toBe(model);
    expect(response.responseId).toBe('mockresp1');
    expect(mock.requests[0]).toMatchObject({ dialect: 'gemini', path: generatePath });
    expect(mock.requests[0]?.headers['x-goog-api-key']).toBe('test-key');
  });

  it('streams SSE events separated by CRLF CRLF, usage in full only on the last one', async () => {
    const response = await post(`${streamPath}?alt=sse`, body);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = sseData(await response.text());
    expect(events.length).toBeGreaterThanOrEqual(3);
    const last = events.at(-1) as { candidates: { finishReason?: string }[]; usageMetadata: Record<string, number> };
    expect(last.candidates[0]?.finishReason).toBe('STOP');
    expect(last.usageMetadata['candidatesTokenCount']).toBe(7);
    for (const event of events.slice(0, -1)) {
      const candidate = (event['candidates'] as { finishReason?: string }[])[0];
      expect(candidate?.finishReason).toBeUndefined();
      expect((event['usageMetadata'] as Record<string, number>)['candidatesTokenCount']).toBeUndefined();
    }
  });

  it('streams through the SDK to the same text as the non-streaming answer', async () => {
    const client = sdk();
    const whole = await client.models.generateContent({ model, contents });
    let text = '';
    let chunks = 0;
    for await (const chunk of await client.models.generateContentStream({ model, contents })) {
      text += chunk.text ?? '';
      chunks += 1;
    }
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(text).toBe(whole.text);
    expect(mock.requests[1]?.query).toBe('alt=sse');
  });

  it('returns whole functionCall parts with object args and no id unless scripted', async () => {
    const toolCalls = [
      { name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { name: 'get_time', arguments: '{"zone":"CET"}', id: 'call-7' },
    ];
    mock.script({ kind: 'reply', toolCalls }, { kind: 'reply', toolCalls });
    const response = await sdk().models.generateContent({ model, contents });
    expect(response.functionCalls).toEqual([
      { name: 'get_weather', args: { city: 'Oslo' } },
      { name: 'get_time', args: { zone: 'CET' }, id: 'call-7' },
    ]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');

    const calls: unknown[] = [];
    for await (const chunk of await sdk().models.generateContentStream({ model, contents })) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([
      { name: 'get_weather', args: { city: 'Oslo' } },
      { name: 'get_time', args: { zone: 'CET' }, id: 'call-7' },
    ]);
  });

  it('sends thinking as thought parts, counted in thoughtsTokenCount apart from candidates', async () => {
    const thinking = 'Greet them back warmly.';
    mock.script({ kind: 'reply', thinking, content: 'Hi!' }, { kind: 'reply', thinking, content: 'Hi!' });
    const response = await sdk().models.generateContent({ model, contents });
    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]).toEqual({ text: thinking, thought: true });
    expect(parts[1]).toEqual({ text: 'Hi!' });
    expect(response.text).toBe('Hi!');
    expect(response.usageMetadata).toMatchObject({ thoughtsTokenCount: 6, candidatesTokenCount: 1 });

    const thoughts: string[] = [];
    for await (const chunk of await sdk().models.generateContentStream({ model, contents })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (part.thought === true) thoughts.push(part.text ?? '');
    }
    expect(thoughts.join('')).toBe(thinking);
  });

  it('maps scripted usage (cached and reasoning tokens) and finish reasons', async () => {
    mock.script({
      kind: 'reply',
      content: 'cut',
      finishReason: 'length',
      usage: { prompt_tokens: 1500, completion_tokens: 50, cached_tokens: 1024, reasoning_tokens: 20 },
    });
    const response = await sdk().models.generateContent({ model, contents });
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 1500,
      cachedContentTokenCount: 1024,
      candidatesTokenCount: 30,
      thoughtsTokenCount: 20,
      totalTokenCount: 1550,
    });
  });

  it('counts tokens on :countTokens and serves the /v1/ path too', async () => {
    const counted = await sdk().models.countTokens({ model, contents });
    expect(counted.totalTokens).toBe(Math.ceil(contents.length / 4));
    const v1 = await post(`/v1/models/${model}:generateContent`, body);
    expect(((await v1.json()) as { candidates: unknown[] }).candidates).toHaveLength(1);
    expect(mock.requests[1]?.dialect).toBe('gemini');
  });

  it('streams one JSON array without alt=sse', async () => {
    const response = await post(streamPath, body);
    const parsed = JSON.parse(await response.text()) as { candidates: { finishReason?: string }[] }[];
    expect(parsed.length).toBeGreaterThanOrEqual(3);
    expect(parsed.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
  });
});

describe('Gemini: auth and errors', () => {
  it('answers a missing key 403 PERMISSION_DENIED and a wrong one 400 API_KEY_INVALID, as Google does', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'right-key' });
    expect((await sdk('right-key').models.generateContent({ model, contents })).text).toBe('Echo: hello brave new world');
    expect((await post(`${generatePath}?key=right-key`, body)).status).toBe(200);

    const wrong = await sdk('wrong-key')
      .models.generateContent({ model, contents })
      .catch((caught: unknown) => caught);
    expect(wrong).toBeInstanceOf(ApiError);
    expect((wrong as ApiError).status).toBe(400);
    expect((wrong as ApiError).message).toContain('API_KEY_INVALID');

    const missing = await post(generatePath, body);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('error: 503 UNAVAILABLE and 400 INVALID_ARGUMENT reach the SDK as ApiError with the status', async () => {
    mock.script({ kind: 'error', status: 503 }, { kind: 'error', status: 400, message: 'Bad field.' });
    const unavailable = await sdk()
      .models.generateContent({ model, contents })
      .catch((caught: unknown) => caught);
    expect(unavailable).toBeInstanceOf(ApiError);
    expect((unavailable as ApiError).status).toBe(503);
    expect(JSON.parse((unavailable as ApiError).message)).toEqual({
      error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
    });
    const invalid = await post(generatePath, body);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: { code: 400, message: 'Bad field.', status: 'INVALID_ARGUMENT' } });
  });

  it('rate-limit: 429 RESOURCE_EXHAUSTED with RetryInfo, and retry-after only when asked', async () => {
    mock.script({ kind: 'rate-limit' }, { kind: 'rate-limit', retryAfterS: 37 });
    const bare = await post(generatePath, body);
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    const bareBody = (await bare.json()) as { error: { status: string; details: { '@type': string; retryDelay?: string }[] } };
    expect(bareBody.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(bareBody.error.details.find((detail) => detail['@type'].endsWith('RetryInfo'))?.retryDelay).toBe('1s');

    const error = await sdk()
      .models.generateContent({ model, contents })
      .catch((caught: unknown) => caught);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toContain('"retryDelay":"37s"');
  });

  it('mid-stream-error: an error JSON event after N events; the SDK stream raises ApiError', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 1 });
    const events = sseData(await (await post(`${streamPath}?alt=sse`, body)).text());
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      error: {
        code: 500,
        message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
        status: 'INTERNAL',
      },
    });

    mock.script({ kind: 'mid-stream-error', afterChunks: 1, status: 503 });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of await sdk().models.generateContentStream({ model, contents })) received.push(chunk.text ?? '');
    })().catch((caught: unknown) => caught);
    expect(received).toEqual(['Echo:']);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
  });

  it('malformed: a cut JSON event makes the SDK stream throw', async () => {
    mock.script({ kind: 'malformed', afterChunks: 1 });
    const error = await (async () => {
      for await (const chunk of await sdk().models.generateContentStream({ model, contents })) void chunk;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });

  it('reset-mid-stream cuts the SDK stream', async () => {
    mock.script({ kind: 'reset-mid-stream', afterChunks: 1 });
    const error = await (async () => {
      for await (const chunk of await sdk().models.generateContentStream({ model, contents })) void chunk;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
  });

  it('answers 400 INVALID_ARGUMENT to a body without contents', async () => {
    const response = await post(generatePath, {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});
