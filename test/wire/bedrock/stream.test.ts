import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../src/wire/chat/types.js';
import { bedrockProvider } from '../../../src/wire/bedrock/codec.js';
import { encodeEventStreamMessage, EventStreamDecoder, toStreamFrame } from '../../../src/wire/bedrock/event-stream.js';

/** Encodes a recording of providers.md §5.5 frames into the bytes Bedrock sends. */
function streamBytes(name: string): Uint8Array {
  const fixture = JSON.parse(readFileSync(new URL(`../../fixtures/bedrock/${name}`, import.meta.url), 'utf8')) as {
    messages: Array<{ headers: Record<string, string>; payload: unknown }>;
  };
  const parts = fixture.messages.map((message) => encodeEventStreamMessage(message.headers, new TextEncoder().encode(JSON.stringify(message.payload))));
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** Decodes the bytes in chunks of `size`, as a response body would deliver them. */
function decode(bytes: Uint8Array, size = 7): { chunks: ChatChunk[]; decoder: ReturnType<typeof bedrockProvider.createDecoder> } {
  const framer = new EventStreamDecoder();
  const decoder = bedrockProvider.createDecoder();
  const chunks: ChatChunk[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) {
    for (const message of framer.push(bytes.subarray(offset, offset + size))) chunks.push(...decoder.push(toStreamFrame(message)));
  }
  return { chunks, decoder };
}

const base = { id: '', object: 'chat.completion.chunk', created: 0, model: '' } as const;
const delta = (value: ChatChunk['choices'][number]['delta']): ChatChunk => ({ ...base, choices: [{ index: 0, delta: value, finish_reason: null, logprobs: null }] });

describe('Bedrock stream decoder', () => {
  it('turns a text + tool-use ConverseStream into Chat Completions chunks', () => {
    const { chunks, decoder } = decode(streamBytes('converse-stream-tool.json'));
    expect(chunks).toEqual([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'It is' }),
      delta({ content: ' 4°C in Oslo.' }),
      delta({ tool_calls: [{ index: 0, id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls', logprobs: null }] },
      { ...base, choices: [], usage: { prompt_tokens: 31, completion_tokens: 7, total_tokens: 38, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } } },
    ]);
    expect(decoder.done).toBe(true);
    expect(decoder.error).toBeNull();
  });

  it('gives reasoning as reasoning_content, drops the signature, counts cached input', () => {
    const { chunks, decoder } = decode(streamBytes('converse-stream-reasoning.json'), 64);
    expect(chunks).toEqual([
      delta({ role: 'assistant', content: '' }),
      delta({ reasoning_content: 'The user wants a greeting.' }),
      delta({ content: 'Hello!' }),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }] },
      { ...base, choices: [], usage: { prompt_tokens: 1212, completion_tokens: 40, total_tokens: 1252, prompt_tokens_details: { cached_tokens: 1100, cache_write_tokens: 100 } } },
    ]);
    expect(decoder.done).toBe(true);
  });

  it('reports a mid-stream exception as the error, not as a finish', () => {
    const { chunks, decoder } = decode(streamBytes('converse-stream-throttled.json'));
    expect(chunks).toEqual([delta({ role: 'assistant', content: '' }), delta({ content: 'It is' })]);
    expect(decoder.done).toBe(false);
    expect(decoder.error).toEqual({ kind: 'rate_limit', status: 429, message: 'Too many requests, please wait before trying again.', code: 'throttlingException' });
  });

  it.each([
    ['modelStreamErrorException', { message: 'Model error', originalStatusCode: 500, originalMessage: 'boom' }, 'server', 424],
    ['validationException', { message: 'Input is too long for requested model.' }, 'context_length', 400],
    ['internalServerException', { message: 'Internal error' }, 'server', 500],
    ['serviceUnavailableException', { message: 'Unavailable' }, 'overloaded', 503],
  ] as const)('maps %s', (event, payload, kind, status) => {
    const decoder = bedrockProvider.createDecoder();
    expect(decoder.push({ event, data: JSON.stringify(payload) })).toEqual([]);
    expect(decoder.error).toMatchObject({ kind, status, code: event });
    // Nothing after an error.
    expect(decoder.push({ event: 'messageStart', data: '{"role":"assistant"}' })).toEqual([]);
  });

  it('maps an unmodeled error frame', () => {
    const decoder = bedrockProvider.createDecoder();
    decoder.push(toStreamFrame({ headers: { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, payload: new Uint8Array(0) }));
    expect(decoder.error).toEqual({ kind: 'server', status: 500, message: 'boom', code: 'InternalFailure' });
  });

  it('treats a malformed stop as a failure', () => {
    const decoder = bedrockProvider.createDecoder();
    expect(decoder.push({ event: 'messageStop', data: '{"stopReason":"malformed_model_output"}' })).toEqual([]);
    expect(decoder.error).toMatchObject({ kind: 'server', status: 502, code: 'malformed_model_output' });
  });

  it('reports a payload that is not JSON', () => {
    const decoder = bedrockProvider.createDecoder();
    decoder.push({ event: 'contentBlockDelta', data: '{"contentBlockIndex":0,' });
    expect(decoder.error).toMatchObject({ kind: 'server', status: 502, message: "Bedrock stream event 'contentBlockDelta' has no JSON object payload" });
  });

  it('numbers parallel tool calls by block and ignores unknown events and empty fragments', () => {
    const decoder = bedrockProvider.createDecoder();
    const start = (index: number, id: string): string => JSON.stringify({ contentBlockIndex: index, start: { toolUse: { toolUseId: id, name: 'f' } } });
    const input = (index: number, text: string): string => JSON.stringify({ contentBlockIndex: index, delta: { toolUse: { input: text } } });
    const chunks = [
      ...decoder.push({ event: 'contentBlockStart', data: start(1, 'a') }),
      ...decoder.push({ event: 'contentBlockStart', data: start(2, 'b') }),
      ...decoder.push({ event: 'contentBlockDelta', data: input(2, '{}') }),
      ...decoder.push({ event: 'contentBlockDelta', data: input(1, '') }),
      ...decoder.push({ event: 'someFutureEvent', data: '{}' }),
      ...decoder.push({ event: 'contentBlockDelta', data: '{"contentBlockIndex":3,"delta":{"citation":{}}}' }),
    ];
    expect(chunks.map((chunk) => chunk.choices[0]!.delta.tool_calls?.[0])).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, id: 'b', type: 'function', function: { name: 'f', arguments: '' } },
      { index: 1, function: { arguments: '{}' } },
    ]);
  });

  it('is done only at metadata, and yields nothing after it', () => {
    const decoder = bedrockProvider.createDecoder();
    decoder.push({ event: 'messageStop', data: '{"stopReason":"end_turn"}' });
    expect(decoder.done).toBe(false);
    expect(decoder.push({ event: 'metadata', data: '{"metrics":{"latencyMs":1}}' })).toEqual([]);
    expect(decoder.done).toBe(true);
    expect(decoder.push({ event: 'contentBlockDelta', data: '{"contentBlockIndex":0,"delta":{"text":"late"}}' })).toEqual([]);
  });
});
