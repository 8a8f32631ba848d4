import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chatResponseToEvents,
  insertUsageChunk,
  removeUsage,
  replayStream,
  sliceChunks,
  streamToChatResponse,
  toChatUsage,
} from '../../src/plugins/cache/replay.js';
import type { ChatResponse } from '../../src/wire/chat/types.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const textStream = fixture('chat-stream-text-usage.sse.txt');
const toolStream = fixture('chat-stream-tool-calls.sse.txt');
const chatResponse = JSON.parse(fixture('chat-response.json')) as ChatResponse;

/** The data payloads of an SSE text. */
const payloads = (text: string): string[] =>
  text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice(6));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(decoder.decode(read.value));
  return chunks;
}

describe('stream to JSON', () => {
  it('aggregates content, finish reason and the usage chunk', () => {
    expect(streamToChatResponse(textStream, null)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1735689600,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hel', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
    });
  });

  it('gathers tool calls by index with their argument fragments joined, and says content null', () => {
    const response = streamToChatResponse(toolStream, { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 })!;
    expect(response.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
    // No usage chunk in the stream: the stored usage is used.
    expect(response.usage).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
  });

  it('refuses a stream that carried an error event or no chunk', () => {
    expect(streamToChatResponse('data: {"error":{"message":"overloaded","type":"server_error","code":null}}\n\n', null)).toBeNull();
    expect(streamToChatResponse('data: [DONE]\n\n', null)).toBeNull();
  });

  it('reads CRLF-framed streams', () => {
    expect(streamToChatResponse(textStream.replaceAll('\n', '\r\n'), null)?.choices[0]?.message.content).toBe('Hel');
  });
});

describe('JSON to stream', () => {
  it('splits an answer into role, content and finish chunks, then [DONE]', () => {
    const events = chatResponseToEvents(chatResponse, false, null);
    expect(events.at(-1)).toBe('data: [DONE]\n\n');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
    expect(chunks.map((chunk) => (chunk['choices'] as Array<{ delta: unknown }>)[0]?.delta)).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hi.' },
      {},
    ]);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-9x1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp_abc' });
      expect(chunk).not.toHaveProperty('usage');
    }
  });

  it('adds the usage chunk, and usage:null on the others, only when asked', () => {
    const events = chatResponseToEvents(chatResponse, true, null);
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: chatResponse.usage });
    expect(chunks.slice(0, -1).every((chunk) => chunk['usage'] === null)).toBe(true);
  });

  it('round-trips through the stream form', () => {
    const back = streamToChatResponse(chatResponseToEvents(chatResponse, true, null).join(''), null)!;
    const { annotations: _annotations, ...message } = chatResponse.choices[0]!.message as Record<string, unknown>;
    expect(back).toEqual({ ...chatResponse, choices: [{ ...chatResponse.choices[0], message }] });
  });

  it('streams tool calls one chunk each', () => {
    const fromStream = streamToChatResponse(toolStream, null)!;
    const again = streamToChatResponse(chatResponseToEvents(fromStream, false, null).join(''), null);
    expect(again).toEqual(fromStream);
  });
});

describe('usage in stored streams', () => {
  it('removes the usage chunk and the usage:null members for callers that did not ask', () => {
    const chunks = removeUsage([textStream.slice(0, 100), textStream.slice(100, 500), textStream.slice(500)]);
    const text = chunks.join('');
    expect(text).not.toContain('"usage"');
    expect(payloads(text)).toHaveLength(4);
    expect(payloads(text).at(-1)).toBe('[DONE]');
    expect(streamToChatResponse(text, null)?.choices[0]?.message.content).toBe('Hel');
  });

  it('inserts a usage chunk before [DONE] for callers that asked', () => {
    const stripped = removeUsage([textStream]);
    const usage = { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 };
    const chunks = insertUsageChunk(stripped, usage);
    const data = payloads(chunks.join(''));
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2)!)).toEqual({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o', choices: [], usage });
  });

  it('rebuilds wire usage from recorded usage', () => {
    expect(toChatUsage({ inputTokens: 10, outputTokens: 5, cachedTokens: 4, reasoningTokens: 2, cacheWriteTokens: null })).toEqual({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
    expect(toChatUsage({ inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null })).toBeNull();
  });
});

describe('replay', () => {
  it('hands out the stored chunks one per read', async () => {
    const chunks = sliceChunks('abcdefgh', [3, 0, 5]);
    expect(chunks).toEqual(['abc', '', 'defgh']);
    expect(await readAll(replayStream(chunks))).toEqual(['abc', 'defgh']);
  });
});
