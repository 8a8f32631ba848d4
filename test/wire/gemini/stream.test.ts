import { readFileSync } from 'node:fs';
import { ApiError, GoogleGenAI } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../src/wire/chat/types.js';
import type { ProviderError, StreamDecoder } from '../../../src/wire/codec.js';
import { geminiClient, geminiProvider } from '../../../src/wire/gemini/codec.js';
import { parseSseEvent, SseFramer } from '../../../src/wire/sse.js';

const encoder = new TextEncoder();
const recorded = readFileSync(new URL('../../fixtures/gemini/stream-thoughts-text-function-call.sse.txt', import.meta.url));
const recordedText = readFileSync(new URL('../../fixtures/gemini/stream-text.sse.txt', import.meta.url));

/** Frames byte chunks as SSE and feeds each event's data to a fresh decoder. */
function decode(chunks: readonly Uint8Array[]): { chunks: ChatChunk[]; decoder: StreamDecoder; events: number } {
  const framer = new SseFramer();
  const decoder = geminiProvider.createDecoder();
  const out: ChatChunk[] = [];
  let events = 0;
  const feed = (bytes: Uint8Array): void => {
    const { data, event } = parseSseEvent(bytes);
    if (data === null) return;
    events++;
    out.push(...decoder.push({ event, data }));
  };
  for (const chunk of chunks) {
    const { buffer, ends } = framer.push(chunk);
    let start = 0;
    for (const end of ends) {
      feed(buffer.subarray(start, end));
      start = end;
    }
  }
  const tail = framer.flush();
  if (tail !== null) feed(tail);
  return { chunks: out, decoder, events };
}

/** Splits encoder output into events, checking each ends with a blank line. */
function sseEvents(text: string): unknown[] {
  const bytes = encoder.encode(text);
  const framer = new SseFramer();
  const { buffer, ends } = framer.push(bytes);
  expect(framer.flush()).toBeNull();
  expect(ends.at(-1) ?? 0).toBe(buffer.length);
  const events: unknown[] = [];
  let start = 0;
  for (const end of ends) {
    const raw = new TextDecoder().decode(buffer.subarray(start, end));
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    const { data } = parseSseEvent(buffer.subarray(start, end));
    events.push(JSON.parse(data!));
    start = end;
  }
  return events;
}

const base = { id: 'HTESab3lIJWe0-kP6_Wh4Ao', object: 'chat.completion.chunk', created: 0, model: 'gemini-2.5-flash' } as const;

describe('Gemini stream decoder', () => {
  it('decodes a recorded CRLF stream: thoughts, text, a whole function call, finish, then usage', () => {
    const { chunks, decoder, events } = decode([recorded]);
    expect(events).toBe(4);
    expect(chunks).toEqual([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { reasoning_content: expect.stringContaining('**Calculating Yesterday') as unknown as string }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { reasoning_content: expect.stringContaining('**Refining Date Parameters**') as unknown as string }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'Yesterday was 2025-11-10.\n' }, finish_reason: null }] },
      {
        ...base,
        choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"shanghai","date":"2025-11-10"}' } }] }, finish_reason: null }],
      },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
      { ...base, choices: [], usage: { prompt_tokens: 391, completion_tokens: 145, total_tokens: 536, completion_tokens_details: { reasoning_tokens: 102 } } },
    ]);
    expect(decoder.done).toBe(true);
    expect(decoder.error).toBeNull();
  });

  it('gives identical chunks however the bytes are split', () => {
    const whole = decode([recorded]).chunks;
    for (let at = 1; at < recorded.length; at++) {
      expect(decode([recorded.subarray(0, at), recorded.subarray(at)]).chunks).toEqual(whole);
    }
    expect(decode([...recorded].map((byte) => Uint8Array.of(byte))).chunks).toEqual(whole);
  });

  it('decodes a recorded text stream, keeping only the last usage', () => {
    const { chunks, decoder } = decode([recordedText]);
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');
    expect(text).toBe('Paris\n');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toEqual({ id: 'wzCjaPa4As7shMIP2Mei0AI', object: 'chat.completion.chunk', created: 0, model: 'gemini-2.0-flash', choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } });
    expect(decoder.done).toBe(true);
  });

  it('is not done when the stream stops before a finish reason', () => {
    const firstEvent = recorded.subarray(0, recorded.indexOf('\r\n\r\n') + 4);
    const { decoder } = decode([firstEvent]);
    expect(decoder.done).toBe(false);
  });

  it('reports an error event as the stream error, mapped like an HTTP error', () => {
    const decoder = geminiProvider.createDecoder();
    decoder.push({ event: null, data: '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}]}' });
    expect(decoder.push({ event: null, data: '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}' })).toEqual([]);
    expect(decoder.error).toEqual({ kind: 'overloaded', status: 503, message: 'The model is overloaded. Please try again later.', code: 'UNAVAILABLE' });
    expect(decoder.done).toBe(false);
  });

  it('reports a failed function call finish as an error, not a finish', () => {
    const decoder = geminiProvider.createDecoder();
    const chunks = decoder.push({ event: null, data: '{"candidates":[{"content":{"role":"model"},"finishReason":"MALFORMED_FUNCTION_CALL","index":0}]}' });
    expect(chunks.some((chunk) => chunk.choices.some((choice) => choice.finish_reason !== null))).toBe(false);
    expect(decoder.error).toMatchObject({ kind: 'server', status: 502, code: 'MALFORMED_FUNCTION_CALL' });
  });

  it('reads a blocked prompt as a content_filter finish', () => {
    const decoder = geminiProvider.createDecoder();
    const chunks = decoder.push({ event: null, data: JSON.stringify({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 } }) });
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? (chunk.usage ? 'usage' : null))).toEqual([null, 'content_filter', 'usage']);
    expect(decoder.done).toBe(true);
  });

  it('numbers several function calls and keeps ids Gemini gave', () => {
    const decoder = geminiProvider.createDecoder();
    const chunks = decoder.push({
      event: null,
      data: JSON.stringify({
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { name: 'a', args: { x: 1 } } }, { functionCall: { id: 'fc_1', name: 'b' } }] },
            finishReason: 'STOP',
          },
        ],
      }),
    });
    expect(chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))).toEqual([
      { index: 0, id: 'call_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
      { index: 1, id: 'fc_1', type: 'function', function: { name: 'b', arguments: '{}' } },
    ]);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });
});

/** The chunks an OpenAI-format upstream sends (providers.md §1.6), tool arguments in fragments. */
function openAiChunks(): ChatChunk[] {
  const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1735689600,
    model: 'gpt-4o',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return [
    chunk({ role: 'assistant', content: '' }),
    chunk({ reasoning_content: 'Need weather.' }),
    chunk({ content: 'Hel' }),
    chunk({ content: 'lo' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
    chunk({}, 'tool_calls'),
    { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o', choices: [], usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21, completion_tokens_details: { reasoning_tokens: 3 } } },
  ];
}

function encodeAll(chunks: ChatChunk[], finish: (encoder: ReturnType<typeof geminiClient.createEncoder>) => string): string {
  const encoderInstance = geminiClient.createEncoder({ model: 'gemini-2.5-flash', id: 'resp_1', created: 0, includeUsage: false });
  return chunks.map((chunk) => encoderInstance.push(chunk)).join('') + finish(encoderInstance);
}

describe('Gemini stream encoder', () => {
  it('writes SSE events that each end with a blank line: text as it comes, whole calls with finish and usage last', () => {
    const events = sseEvents(encodeAll(openAiChunks(), (encoderInstance) => encoderInstance.end()));
    const meta = { modelVersion: 'gemini-2.5-flash', responseId: 'resp_1' };
    expect(events).toEqual([
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Need weather.', thought: true }] }, index: 0 }], ...meta },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }], ...meta },
      { candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, index: 0 }], ...meta },
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { id: 'call_A', name: 'get_weather', args: { city: 'Oslo' } } },
                { functionCall: { id: 'call_B', name: 'get_time', args: {} } },
              ],
            },
            index: 0,
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 9, totalTokenCount: 21, thoughtsTokenCount: 3 },
        ...meta,
      },
    ]);
  });

  it('writes an error event the SDK raises on', () => {
    const error: ProviderError = { kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' };
    const text = encodeAll(openAiChunks().slice(0, 3), (encoderInstance) => encoderInstance.error(error));
    const events = sseEvents(text);
    expect(events.at(-1)).toEqual({ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } });
  });

  it('decodes back to what it encoded (Gemini -> pivot -> Gemini -> pivot)', () => {
    const first = decode([recorded]).chunks;
    const encoderInstance = geminiClient.createEncoder({ model: 'gemini-2.5-flash', id: 'HTESab3lIJWe0-kP6_Wh4Ao', created: 0, includeUsage: true });
    const text = first.map((chunk) => encoderInstance.push(chunk)).join('') + encoderInstance.end();
    const second = decode([encoder.encode(text)]);
    const strip = (chunks: ChatChunk[]): unknown[] => chunks.map(({ choices, usage }) => ({ choices, usage }));
    expect(strip(second.chunks)).toEqual(strip(first));
    expect(second.decoder.done).toBe(true);
  });
});

describe('@google/genai reading the encoder output', () => {
  function client(body: string): GoogleGenAI {
    const fetch = async (): Promise<Response> =>
      new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    return new GoogleGenAI({ apiKey: 'test-key', httpOptions: { fetch } });
  }

  it('yields text, thoughts, function calls and usage', async () => {
    const genai = client(encodeAll(openAiChunks(), (encoderInstance) => encoderInstance.end()));
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Weather in Oslo?' });
    let text = '';
    let thoughts = '';
    const calls: unknown[] = [];
    let usage: unknown;
    let finishReason: unknown;
    for await (const response of stream) {
      for (const part of response.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought === true) thoughts += part.text ?? '';
        else text += part.text ?? '';
      }
      calls.push(...(response.functionCalls ?? []));
      usage = response.usageMetadata ?? usage;
      finishReason = response.candidates?.[0]?.finishReason ?? finishReason;
    }
    expect(text).toBe('Hello');
    expect(thoughts).toBe('Need weather.');
    expect(calls).toEqual([
      { id: 'call_A', name: 'get_weather', args: { city: 'Oslo' } },
      { id: 'call_B', name: 'get_time', args: {} },
    ]);
    expect(finishReason).toBe('STOP');
    expect(usage).toMatchObject({ promptTokenCount: 9, totalTokenCount: 21 });
  });

  it('keeps a streamed answer in a chat session history, an empty finishing event included', async () => {
    const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: ChatChunk['choices'][number]['finish_reason'] = null): ChatChunk => ({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'gpt-4o',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    const genai = client(encodeAll([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hi' }), chunk({ content: ' there' }), chunk({}, 'stop')], (encoderInstance) => encoderInstance.end()));
    const chat = genai.chats.create({ model: 'gemini-2.5-flash' });
    for await (const _response of await chat.sendMessageStream({ message: 'Hello' })) {
      // Drain.
    }
    const history = chat.getHistory(true);
    expect(history[0]).toEqual({ role: 'user', parts: [{ text: 'Hello' }] });
    expect(history.slice(1).every((content) => content.role === 'model')).toBe(true);
    expect(history.slice(1).flatMap((content) => content.parts ?? []).map((part) => part.text).join('')).toBe('Hi there');
  });

  it('keeps a whole answer with no text in a chat session history', async () => {
    const body = geminiClient.writeResponse(
      { id: 'r', object: 'chat.completion', created: 0, model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'stop' }] },
      'gemini-2.5-flash',
    );
    const fetch = async (): Promise<Response> => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    const chat = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { fetch } }).chats.create({ model: 'gemini-2.5-flash' });
    await chat.sendMessage({ message: 'Hello' });
    expect(chat.getHistory(true)).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }] },
      { role: 'model', parts: [{ text: '' }] },
    ]);
  });

  it('raises ApiError on the error event', async () => {
    const error: ProviderError = { kind: 'rate_limit', status: 429, message: 'Slow down', code: 'rate_limit_exceeded' };
    const genai = client(encodeAll(openAiChunks().slice(0, 3), (encoderInstance) => encoderInstance.error(error)));
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' });
    const consume = async (): Promise<void> => {
      for await (const _response of stream) {
        // Drain until the error event.
      }
    };
    const thrown = await consume().then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).status).toBe(429);
  });
});
