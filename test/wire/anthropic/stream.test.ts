import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatFinishReason, ChatUsage } from '../../../src/wire/chat/types.js';
import type { EncoderOptions, StreamFrame } from '../../../src/wire/codec.js';
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from '../../../src/wire/anthropic/stream.js';
import { parseSseEvent, SseFramer } from '../../../src/wire/sse.js';

const encoder = new TextEncoder();
const sse = (name: string): string => readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8');
const FIXTURES = ['stream-text.sse.txt', 'stream-tool-use.sse.txt', 'stream-thinking.sse.txt'] as const;
const OPTIONS: EncoderOptions = { model: 'claude-sonnet-4-5', id: 'chatcmpl-sluice1', created: 1735689600, includeUsage: true };

/** Frames byte chunks as the core does: `SseFramer`, then `parseSseEvent`; comment-only events have no data. */
function frames(chunks: readonly Uint8Array[]): StreamFrame[] {
  const framer = new SseFramer();
  const out: StreamFrame[] = [];
  const take = (bytes: Uint8Array): void => {
    const { event, data } = parseSseEvent(bytes);
    if (data !== null) out.push({ event, data });
  };
  for (const chunk of chunks) {
    const { buffer, ends } = framer.push(chunk);
    let start = 0;
    for (const end of ends) {
      take(buffer.subarray(start, end));
      start = end;
    }
  }
  const tail = framer.flush();
  if (tail !== null) take(tail);
  return out;
}

function decode(chunks: readonly Uint8Array[]): { chunks: ChatChunk[]; decoder: AnthropicStreamDecoder } {
  const decoder = new AnthropicStreamDecoder();
  return { chunks: frames(chunks).flatMap((frame) => decoder.push(frame)), decoder };
}

/** Splits bytes at the given offsets. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.min(bytes.length, Math.max(0, cut))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    out.push(bytes.subarray(start, point));
    start = point;
  }
  out.push(bytes.subarray(start));
  return out;
}

interface Accumulated {
  content: string;
  reasoning: string;
  tools: Array<{ id: string; name: string; arguments: string }>;
  finish: ChatFinishReason | null;
  usage: ChatUsage | null;
}

/** Folds chunks the way a Chat Completions client does. */
function accumulate(chunks: readonly ChatChunk[]): Accumulated {
  const out: Accumulated = { content: '', reasoning: '', tools: [], finish: null, usage: null };
  for (const chunk of chunks) {
    if (chunk.usage) out.usage = chunk.usage;
    for (const choice of chunk.choices) {
      out.content += choice.delta.content ?? '';
      out.reasoning += choice.delta.reasoning_content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        const tool = (out.tools[call.index] ??= { id: '', name: '', arguments: '' });
        if (call.id !== undefined) tool.id = call.id;
        if (call.function?.name !== undefined) tool.name = call.function.name;
        tool.arguments += call.function?.arguments ?? '';
      }
      if (choice.finish_reason !== null) out.finish = choice.finish_reason;
    }
  }
  return out;
}

/** Parses encoder output back into `[event name, payload]` pairs. */
function events(text: string): Array<[string | null, Record<string, unknown>]> {
  return frames([encoder.encode(text)]).map((frame) => [frame.event, JSON.parse(frame.data) as Record<string, unknown>]);
}

/** Runs SSE text through the Anthropic SDK's own stream reader. */
async function sdkFinalMessage(text: string): Promise<Anthropic.Message> {
  const client = new Anthropic({
    apiKey: 'test',
    maxRetries: 0,
    fetch: async () => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream', 'request-id': 'req_1' } }),
  });
  // A current model name: the SDK warns on deprecated ones.
  return client.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
}

function encodeAll(chunks: readonly ChatChunk[], options: EncoderOptions = OPTIONS): string {
  const streamEncoder = new AnthropicStreamEncoder(options);
  return chunks.map((chunk) => streamEncoder.push(chunk)).join('') + streamEncoder.end();
}

const chunk = (delta: ChatChunk['choices'][number]['delta'], finishReason: ChatFinishReason | null = null): ChatChunk => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1735689600,
  model: 'gpt-4o',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});
const usageChunk = (usage: ChatUsage): ChatChunk => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1735689600, model: 'gpt-4o', choices: [], usage });

describe('AnthropicStreamDecoder (Anthropic provider stream -> pivot chunks)', () => {
  it('decodes the documented text stream chunk by chunk', () => {
    const { chunks, decoder } = decode([encoder.encode(sse('stream-text.sse.txt'))]);
    const base = { id: 'chatcmpl-msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', object: 'chat.completion.chunk', created: 0, model: 'claude-sonnet-4-5-20250929' };
    expect(chunks).toEqual([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'Hello' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: '!' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      {
        ...base,
        choices: [],
        usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
      },
    ]);
    expect(decoder.done).toBe(true);
    expect(decoder.error).toBeNull();
  });

  it('decodes the documented tool-use stream: header first, argument fragments after, empty fragments skipped', () => {
    const { chunks } = decode([encoder.encode(sse('stream-tool-use.sse.txt'))]);
    const toolDeltas = chunks.flatMap((item) => item.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(toolDeltas[0]).toEqual({ index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(toolDeltas.slice(1).every((delta) => delta.index === 0 && delta.id === undefined && delta.function?.arguments !== '')).toBe(true);
    expect(accumulate(chunks)).toEqual({
      content: "Okay, let's check the weather for San Francisco, CA:",
      reasoning: '',
      tools: [{ id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' }],
      finish: 'tool_calls',
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 } },
    });
  });

  it('decodes the documented thinking stream into reasoning_content, with no usage chunk when Anthropic reports none', () => {
    const { chunks, decoder } = decode([encoder.encode(sse('stream-thinking.sse.txt'))]);
    expect(accumulate(chunks)).toEqual({
      content: '27 * 453 = 12,231',
      reasoning: 'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231',
      tools: [],
      finish: 'stop',
      usage: null,
    });
    expect(chunks.every((item) => item.id === 'chatcmpl-msg_01...')).toBe(true);
    expect(decoder.done).toBe(true);
  });

  for (const name of FIXTURES) {
    it(`${name}: every single split point, and one byte at a time, yields the same chunks`, () => {
      const bytes = encoder.encode(sse(name));
      const whole = decode([bytes]).chunks;
      for (let cut = 0; cut <= bytes.length; cut++) expect(decode(split(bytes, [cut])).chunks).toEqual(whole);
      expect(decode(Array.from(bytes, (byte) => Uint8Array.of(byte))).chunks).toEqual(whole);
    });

    it(`${name}: any set of split points yields the same chunks`, () => {
      const bytes = encoder.encode(sse(name));
      const whole = decode([bytes]).chunks;
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
          expect(decode(split(bytes, cuts)).chunks).toEqual(whole);
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: CRLF line ends decode like LF`, () => {
      expect(decode([encoder.encode(sse(name).replace(/\n/g, '\r\n'))]).chunks).toEqual(decode([encoder.encode(sse(name))]).chunks);
    });
  }

  it('sends "{}" for a tool called without arguments, and keeps the latest cumulative usage', () => {
    const decoder = new AnthropicStreamDecoder();
    const push = (event: Record<string, unknown>): ChatChunk[] => decoder.push({ event: event['type'] as string, data: JSON.stringify(event) });
    push({ type: 'message_start', message: { id: 'msg_1', model: 'm', usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } });
    push({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'now', input: {} } });
    push({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } });
    expect(push({ type: 'content_block_stop', index: 0 })).toEqual([
      { id: 'chatcmpl-msg_1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, finish_reason: null }] },
    ]);
    push({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 7, input_tokens: 12, cache_creation_input_tokens: 3 } });
    const [last] = push({ type: 'message_stop' });
    expect(last?.usage).toEqual({ prompt_tokens: 12 + 5 + 3, completion_tokens: 7, total_tokens: 27, prompt_tokens_details: { cached_tokens: 5, cache_write_tokens: 3 } });
  });

  it('gives each tool_use block its own tool index, skipping server tools', () => {
    const decoder = new AnthropicStreamDecoder();
    const push = (event: Record<string, unknown>): ChatChunk[] => decoder.push({ event: event['type'] as string, data: JSON.stringify(event) });
    push({ type: 'message_start', message: { id: 'msg_1', model: 'm' } });
    push({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } });
    expect(push({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } })).toEqual([]);
    push({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'a', name: 'f', input: {} } });
    push({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'b', name: 'g', input: {} } });
    const [fragment] = push({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } });
    expect(fragment?.choices[0]?.delta.tool_calls).toEqual([{ index: 1, function: { arguments: '{"x":1}' } }]);
  });

  it('stops at an error event and reports it as the provider error', () => {
    const decoder = new AnthropicStreamDecoder();
    decoder.push({ event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","model":"m"}}' });
    expect(decoder.push({ event: 'error', data: '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}' })).toEqual([]);
    expect(decoder.error).toEqual({ kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' });
    expect(decoder.push({ event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}' })).toEqual([]);
    expect(decoder.done).toBe(false);
  });

  it('reports an event whose data is not JSON as a 502 and ignores unknown events', () => {
    const decoder = new AnthropicStreamDecoder();
    expect(decoder.push({ event: 'future_event', data: '{"type":"future_event"}' })).toEqual([]);
    expect(decoder.push({ event: 'content_block_delta', data: '{"type":' })).toEqual([]);
    expect(decoder.error).toMatchObject({ kind: 'server', status: 502 });
  });
});

describe('AnthropicStreamEncoder (pivot chunks -> Anthropic SDK stream)', () => {
  it('encodes the documented Chat Completions text stream as Anthropic events', () => {
    const text = encodeAll([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({}, 'stop'),
      usageChunk({ prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }),
    ]);
    expect(text.startsWith('event: message_start\ndata: {')).toBe(true);
    expect(events(text)).toEqual([
      [
        'message_start',
        {
          type: 'message_start',
          message: { id: 'msg_sluice1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      [
        'message_delta',
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { input_tokens: 9, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      ],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('gives each streamed tool call its own tool_use block, in order', () => {
    const text = encodeAll([
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_B', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 80 } }),
    ]);
    expect(events(text).map(([name, payload]) => [name, payload['index'] ?? null, payload['content_block'] ?? payload['delta'] ?? null])).toEqual([
      ['message_start', null, null],
      ['content_block_start', 0, { type: 'tool_use', id: 'call_A', name: 'get_weather', input: {} }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '{"city":' }],
      ['content_block_delta', 0, { type: 'input_json_delta', partial_json: '"Oslo"}' }],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, { type: 'tool_use', id: 'call_B', name: 'get_time', input: {} }],
      ['content_block_delta', 1, { type: 'input_json_delta', partial_json: '{}' }],
      ['content_block_stop', 1, null],
      ['message_delta', null, { stop_reason: 'tool_use', stop_sequence: null }],
      ['message_stop', null, null],
    ]);
    expect(events(text)[8]?.[1]['usage']).toEqual({ input_tokens: 20, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 80 });
  });

  it('closes at end() when no usage chunk came, and writes an error, not end_turn, when no finish reason came', () => {
    const finished = new AnthropicStreamEncoder(OPTIONS);
    finished.push(chunk({ content: 'Hi' }, 'length'));
    expect(events(finished.end()).map(([name, payload]) => [name, payload['delta'] ?? null])).toEqual([
      ['message_delta', { stop_reason: 'max_tokens', stop_sequence: null }],
      ['message_stop', null],
    ]);
    expect(finished.end()).toBe('');

    const cut = new AnthropicStreamEncoder(OPTIONS);
    cut.push(chunk({ content: 'Hi' }));
    expect(events(cut.end())).toEqual([['error', { type: 'error', error: { type: 'api_error', message: 'the upstream stream ended before a finish reason' } }]]);
  });

  it('writes a provider error as an error event that the SDK raises with its type', async () => {
    const streamEncoder = new AnthropicStreamEncoder(OPTIONS);
    const text = streamEncoder.push(chunk({ content: 'Hel' })) + streamEncoder.error({ kind: 'overloaded', status: 529, message: 'Overloaded', code: 'overloaded_error' });
    expect(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
    expect(streamEncoder.push(chunk({ content: 'more' }))).toBe('');
    await expect(sdkFinalMessage(text)).rejects.toMatchObject({ type: 'overloaded_error', apiMessage: 'Overloaded' });
  });

  it('keeps reasoning, text and tool calls in separate blocks the SDK assembles', async () => {
    const message = await sdkFinalMessage(
      encodeAll([
        chunk({ role: 'assistant', reasoning_content: 'Think' }),
        chunk({ reasoning_content: 'ing.' }),
        chunk({ content: 'Let me check.' }),
        chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] }),
        chunk({}, 'tool_calls'),
        usageChunk({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, prompt_tokens_details: { cached_tokens: 10, cache_write_tokens: 5 } }),
      ]),
    );
    expect(message.id).toBe('msg_sluice1');
    expect(message.content.map((block) => ({ ...block }))).toEqual([
      { type: 'thinking', thinking: 'Thinking.', signature: '' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 15, output_tokens: 12, cache_read_input_tokens: 10, cache_creation_input_tokens: 5 });
  });
});

describe('decode then re-encode', () => {
  /** The events that carry content, as `[name, index, block or delta]`, without pings, signatures and empty fragments. */
  const shape = (text: string): unknown[] =>
    events(text)
      .filter(([name, payload]) => {
        const delta = payload['delta'] as Record<string, unknown> | undefined;
        if (name === 'ping' || delta?.['type'] === 'signature_delta') return false;
        return !(delta?.['type'] === 'input_json_delta' && delta['partial_json'] === '');
      })
      .map(([name, payload]) => {
        const block = payload['content_block'] as Record<string, unknown> | undefined;
        const delta = payload['delta'] as Record<string, unknown> | undefined;
        // A thinking block we write has an empty signature field; the docs' block has none.
        const { signature: _signature, ...blockWithoutSignature } = block ?? {};
        return [name, payload['index'] ?? null, block === undefined ? (delta === undefined ? null : { ...delta }) : blockWithoutSignature];
      });

  for (const name of FIXTURES) {
    it(`${name} comes back with the same blocks, indices, deltas and stop reason`, async () => {
      const original = sse(name);
      const chunks = decode([encoder.encode(original)]).chunks;
      const text = encodeAll(chunks, { ...OPTIONS, id: chunks[0]?.id ?? '' });
      expect(shape(text)).toEqual(shape(original));
      // The SDK assembles what was decoded (the docs' thinking example omits usage, which the SDK needs, so
      // the original itself cannot go through it).
      const message = await sdkFinalMessage(text);
      const decoded = accumulate(chunks);
      expect(message.id).toBe(chunks[0]?.id.slice('chatcmpl-'.length));
      expect(message.stop_reason).toBe({ stop: 'end_turn', tool_calls: 'tool_use' }[decoded.finish as 'stop' | 'tool_calls']);
      expect(message.content.map((block) => ({ ...block }))).toEqual([
        ...(decoded.reasoning === '' ? [] : [{ type: 'thinking', thinking: decoded.reasoning, signature: '' }]),
        ...(decoded.content === '' ? [] : [{ type: 'text', text: decoded.content }]),
        ...decoded.tools.map((tool) => ({ type: 'tool_use', id: tool.id, name: tool.name, input: JSON.parse(tool.arguments) as unknown })),
      ]);
      expect(message.usage.input_tokens).toBe(decoded.usage?.prompt_tokens ?? 0);
    });
  }
});

// --- property: whatever the encoder writes, split anywhere, decodes to what it was given -----------------

const script = fc.record({
  reasoning: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 3 }),
  text: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 4 }),
  tools: fc.array(
    fc.record({ name: fc.stringMatching(/^[a-z_]{1,10}$/), args: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 6 }), { maxKeys: 3 }), cuts: fc.array(fc.nat(), { maxLength: 3 }) }),
    { maxLength: 3 },
  ),
  finish: fc.constantFrom<ChatFinishReason>('stop', 'length', 'tool_calls', 'content_filter'),
  usage: fc.record({ cached: fc.nat(1000), written: fc.nat(1000), fresh: fc.nat(1000), completion: fc.nat(1000) }),
  splits: fc.array(fc.nat(), { maxLength: 20 }),
});

describe('encoder and decoder together', () => {
  it('decode(split(encode(chunks))) carries the same text, reasoning, tool calls, finish reason and usage', () => {
    fc.assert(
      fc.property(script, ({ reasoning, text, tools, finish, usage, splits }) => {
        const chunks: ChatChunk[] = [chunk({ role: 'assistant', content: '' })];
        for (const part of reasoning) chunks.push(chunk({ reasoning_content: part }));
        for (const part of text) chunks.push(chunk({ content: part }));
        tools.forEach((tool, index) => {
          const json = JSON.stringify(tool.args);
          chunks.push(chunk({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: tool.name, arguments: '' } }] }));
          for (const piece of split(encoder.encode(json), tool.cuts.map((cut) => cut % (json.length + 1)))) {
            const fragment = new TextDecoder().decode(piece);
            if (fragment !== '') chunks.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
          }
        });
        chunks.push(chunk({}, finish));
        const prompt = usage.fresh + usage.cached + usage.written;
        chunks.push(
          usageChunk({
            prompt_tokens: prompt,
            completion_tokens: usage.completion,
            total_tokens: prompt + usage.completion,
            prompt_tokens_details: { cached_tokens: usage.cached, cache_write_tokens: usage.written },
          }),
        );
        const bytes = encoder.encode(encodeAll(chunks));
        const { chunks: decoded, decoder } = decode(split(bytes, splits.map((cut) => cut % (bytes.length + 1))));
        expect(decoder.done).toBe(true);
        expect(accumulate(decoded)).toEqual(accumulate(chunks));
      }),
      { numRuns: 300 },
    );
  });
});
