import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import { cache } from '../../src/plugins/cache/index.js';
import { convertsWhole, dialectJsonToEvents, dialectStreamToJson, type DialectCodecs } from '../../src/plugins/cache/replay.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { anthropicClient, anthropicProvider } from '../../src/wire/anthropic/codec.js';
import { createSseFramer } from '../../src/wire/framing.js';
import { geminiClient, geminiProvider } from '../../src/wire/gemini/codec.js';
import { nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const fixture = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

function setup(): Sluice {
  return createSluice({
    providers: { an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k' }, ge: { kind: 'gemini', baseURL: mock.url, apiKey: 'k' } },
    use: [cache({ ttl: '10m' })],
  });
}

const claude = (sluice: Sluice) => new Anthropic({ apiKey: 'k', maxRetries: 0, logLevel: 'off', fetch: sluice.fetch });
const genai = (sluice: Sluice) => new GoogleGenAI({ apiKey: 'k', httpOptions: { fetch: sluice.fetch } as never });

const request = { model: 'an/claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello brave new world' }] };
const geminiRequest = { model: 'ge/gemini-2.5-flash', contents: 'hello brave new world' };

/** Reads an Anthropic stream through the SDK: the text deltas joined, and the final message. */
async function streamAnthropic(client: Anthropic): Promise<{ text: string; message: Anthropic.Message }> {
  const stream = client.messages.stream(request);
  let text = '';
  stream.on('text', (delta) => (text += delta));
  const message = await stream.finalMessage();
  return { text, message };
}

/** Reads a Gemini stream through the SDK: the text joined, and the last chunk. */
async function streamGemini(client: GoogleGenAI): Promise<{ text: string; last: unknown }> {
  let text = '';
  let last: unknown = null;
  for await (const chunk of await client.models.generateContentStream(geminiRequest)) {
    text += chunk.text ?? '';
    last = chunk;
  }
  return { text, last };
}

describe('cache() across shapes through the Anthropic SDK', () => {
  it('answers a stream from a cached JSON answer', async () => {
    const sluice = setup();
    mock.script({ kind: 'reply', content: 'Cached as JSON', usage: { prompt_tokens: 12, completion_tokens: 4 } });
    const json = await claude(sluice).messages.create(request);
    await sluice.flush();

    const ended = nextRecord(sluice);
    const { text, message } = await streamAnthropic(claude(sluice));
    expect(mock.requests).toHaveLength(1);
    expect((await ended).cache?.status).toBe('hit');
    expect(text).toBe('Cached as JSON');
    expect(message.content).toEqual(json.content);
    expect(message).toMatchObject({ id: json.id, model: json.model, stop_reason: 'end_turn', usage: { output_tokens: 4 } });
  });

  it('answers a JSON call from a cached stream', async () => {
    const sluice = setup();
    mock.script({ kind: 'reply', content: 'Cached as a stream', usage: { prompt_tokens: 12, completion_tokens: 5 } });
    const streamed = await streamAnthropic(claude(sluice));
    await sluice.flush();

    const { data: json, response } = await claude(sluice).messages.create(request).withResponse();
    expect(mock.requests).toHaveLength(1);
    expect(response.headers.get('x-sluice-cache')).toBe('hit');
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(json.content).toEqual([{ type: 'text', text: streamed.text }]);
    expect(json).toMatchObject({ id: streamed.message.id, model: streamed.message.model, stop_reason: 'end_turn', usage: { input_tokens: 12, output_tokens: 5 } });
  });

  it('converts tool calls both ways', async () => {
    const sluice = setup();
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
    mock.script({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const json = await claude(sluice).messages.create({ ...request, tools });
    await sluice.flush();
    const streamed = await claude(sluice).messages.stream({ ...request, tools }).finalMessage();
    expect(mock.requests).toHaveLength(1);
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content).toEqual(json.content);
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } });
  });

  it('replays a stream to a stream byte for byte', async () => {
    const sluice = setup();
    const call = async () => {
      const response = await sluice.fetch('https://api.anthropic.com/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ ...request, stream: true }),
      });
      return { text: await response.text(), status: response.headers.get('x-sluice-cache') };
    };
    const first = await call();
    await sluice.flush();
    const second = await call();
    expect(mock.requests).toHaveLength(1);
    expect(second).toEqual({ text: first.text, status: 'hit' });
  });

  it('goes upstream rather than drop a thinking signature', async () => {
    const sluice = setup();
    const thinking = { kind: 'reply', content: 'Thought about it', thinking: 'Let me think.' } as const;
    mock.script(thinking, thinking);
    await claude(sluice).messages.create(request);
    await sluice.flush();
    const ended = nextRecord(sluice);
    const { message } = await streamAnthropic(claude(sluice));
    expect((await ended).cache?.status).toBe('miss');
    expect(mock.requests).toHaveLength(2);
    expect(message.content[0]).toMatchObject({ type: 'thinking' });
  });
});

describe('cache() across shapes through the Google Gen AI SDK', () => {
  it('answers a stream from a cached JSON answer', async () => {
    const sluice = setup();
    mock.script({ kind: 'reply', content: 'Cached as JSON', usage: { prompt_tokens: 12, completion_tokens: 4 } });
    const json = await genai(sluice).models.generateContent(geminiRequest);
    await sluice.flush();

    const ended = nextRecord(sluice);
    const { text, last } = await streamGemini(genai(sluice));
    expect(mock.requests).toHaveLength(1);
    expect((await ended).cache?.status).toBe('hit');
    expect(text).toBe(json.text);
    expect(text).toBe('Cached as JSON');
    expect(last).toMatchObject({ candidates: [{ finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 4 } });
  });

  it('answers a JSON call from a cached stream', async () => {
    const sluice = setup();
    mock.script({ kind: 'reply', content: 'Cached as a stream', usage: { prompt_tokens: 12, completion_tokens: 5 } });
    const streamed = await streamGemini(genai(sluice));
    await sluice.flush();

    const ended = nextRecord(sluice);
    const json = await genai(sluice).models.generateContent(geminiRequest);
    expect(mock.requests).toHaveLength(1);
    expect((await ended).cache?.status).toBe('hit');
    expect(json.text).toBe(streamed.text);
    expect(json.candidates?.[0]?.finishReason).toBe('STOP');
    expect(json.usageMetadata).toMatchObject({ promptTokenCount: 12, candidatesTokenCount: 5 });
  });

  it('converts function calls both ways', async () => {
    const sluice = setup();
    mock.script({ kind: 'reply', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const config = { tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } }] }] };
    const streamedCalls: unknown[] = [];
    for await (const chunk of await genai(sluice).models.generateContentStream({ ...geminiRequest, config })) streamedCalls.push(...(chunk.functionCalls ?? []));
    await sluice.flush();
    const json = await genai(sluice).models.generateContent({ ...geminiRequest, config });
    expect(mock.requests).toHaveLength(1);
    expect(streamedCalls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' } })]);
    expect(json.functionCalls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' } })]);
  });

  it('goes upstream rather than drop a thought signature', async () => {
    const sluice = setup();
    // The mock signs the first function call of a thinking answer, as Gemini thinking models do.
    mock.script({ kind: 'reply', thinking: 'Let me think.', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    await streamGemini(genai(sluice));
    await sluice.flush();
    const ended = nextRecord(sluice);
    await genai(sluice).models.generateContent(geminiRequest);
    expect((await ended).cache?.status).toBe('miss');
    expect(mock.requests).toHaveLength(2);
  });
});

const anthropicCodecs: DialectCodecs = { dialect: 'anthropic', client: anthropicClient, provider: anthropicProvider, createFramer: createSseFramer };
const geminiCodecs: DialectCodecs = { dialect: 'gemini', client: geminiClient, provider: geminiProvider, createFramer: createSseFramer };

describe('dialect conversions (recorded answers)', () => {
  it('turns an Anthropic stream into its message, and refuses a cut or failed one', () => {
    const stream = fixture('anthropic/stream-text.sse.txt');
    expect(JSON.parse(dialectStreamToJson(anthropicCodecs, stream, null)!)).toEqual({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'Hello!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: expect.objectContaining({ input_tokens: 25, output_tokens: 15 }),
    });
    const cut = stream.slice(0, stream.indexOf('event: message_stop'));
    expect(dialectStreamToJson(anthropicCodecs, cut, null)).toBeNull();
    const failed = cut + 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    expect(dialectStreamToJson(anthropicCodecs, failed, null)).toBeNull();
    expect(dialectStreamToJson(anthropicCodecs, 'event: message_start\ndata: {not json\n\n', null)).toBeNull();
  });

  it('turns an Anthropic message into a stream the decoder reads back to the same message', () => {
    const message = JSON.parse(fixture('anthropic/response-tool-use.json')) as Record<string, unknown>;
    const events = dialectJsonToEvents(anthropicCodecs, JSON.stringify(message), null)!;
    expect(events[0]).toMatch(/^event: message_start\n/);
    expect(events.at(-1)).toContain('event: message_stop');
    const back = JSON.parse(dialectStreamToJson(anthropicCodecs, events.join(''), null)!) as Record<string, unknown>;
    expect(back).toMatchObject({ id: message['id'], model: message['model'], content: message['content'], stop_reason: message['stop_reason'] });
  });

  it('leaves Anthropic thinking unconverted, both ways', () => {
    expect(dialectJsonToEvents(anthropicCodecs, fixture('anthropic/response-thinking.json'), null)).toBeNull();
    expect(dialectStreamToJson(anthropicCodecs, fixture('anthropic/stream-thinking.sse.txt'), null)).toBeNull();
    expect(convertsWhole('anthropic', { type: 'message_delta', delta: { stop_reason: 'stop_sequence' } })).toBe(false);
  });

  it('turns a Gemini stream into its answer, and back', () => {
    const json = JSON.parse(dialectStreamToJson(geminiCodecs, fixture('gemini/stream-text.sse.txt'), null)!) as Record<string, unknown>;
    expect(json).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Paris\n' }] }, finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2 },
      modelVersion: 'gemini-2.0-flash',
      responseId: 'wzCjaPa4As7shMIP2Mei0AI',
    });
    const events = dialectJsonToEvents(geminiCodecs, fixture('gemini/response-text.json'), null)!;
    expect(events.every((event) => event.startsWith('data: ') && event.endsWith('\r\n\r\n'))).toBe(true);
    expect(JSON.parse(dialectStreamToJson(geminiCodecs, events.join(''), null)!)).toMatchObject({ candidates: [{ content: { parts: [{ text: 'Paris\n' }] } }] });
  });

  it('refuses a Gemini stream without a finish reason, a blocked prompt and thought signatures', () => {
    const stream = fixture('gemini/stream-text.sse.txt');
    expect(dialectStreamToJson(geminiCodecs, stream.slice(0, stream.indexOf('\r\n\r\n') + 4), null)).toBeNull();
    expect(dialectJsonToEvents(geminiCodecs, fixture('gemini/response-blocked-prompt.json'), null)).toBeNull();
    expect(dialectStreamToJson(geminiCodecs, fixture('gemini/stream-thoughts-text-function-call.sse.txt'), null)).toBeNull();
  });
});
