import { readFileSync } from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { ChatFinishReason, ChatResponse } from '../../../src/wire/chat/types.js';
import type { Translated } from '../../../src/wire/codec.js';
import {
  readAnthropicResponse,
  toAnthropicUsage,
  toChatUsage,
  toFinishReason,
  toMessageId,
  toStopReason,
  toToolInput,
  writeAnthropicResponse,
} from '../../../src/wire/anthropic/response.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/anthropic/${name}`, import.meta.url), 'utf8'));

function value<T>(result: Translated<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.status}: ${result.error.message}`);
  return result.value;
}

/** providers.md §1.3, the Chat Completions response example. */
const CHAT_RESPONSE: ChatResponse = {
  id: 'chatcmpl-9x1',
  object: 'chat.completion',
  created: 1735689600,
  model: 'gpt-4o-2024-08-06',
  choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: 'Hi.', refusal: null } }],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 3,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
};

describe('readAnthropicResponse (Anthropic provider -> pivot)', () => {
  it('reads a text answer', () => {
    expect(value(readAnthropicResponse(fixture('response-text.json')))).toEqual({
      id: 'chatcmpl-msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      created: 0,
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.', refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: {
        prompt_tokens: 2095,
        completion_tokens: 503,
        total_tokens: 2598,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      },
    });
  });

  it('reads tool use as tool calls and counts cache reads into prompt_tokens', () => {
    const response = value(readAnthropicResponse(fixture('response-tool-use.json')));
    expect(response.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me check.',
        refusal: null,
        tool_calls: [{ id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    expect(response.usage).toEqual({
      prompt_tokens: 412 + 1024,
      completion_tokens: 58,
      total_tokens: 412 + 1024 + 58,
      prompt_tokens_details: { cached_tokens: 1024, cache_write_tokens: 0 },
    });
  });

  it('reads thinking as reasoning_content, even from the partial shape the docs show', () => {
    const response = value(readAnthropicResponse(fixture('response-thinking.json')));
    expect(response.choices[0]?.message).toEqual({
      role: 'assistant',
      content: 'Based on my analysis...',
      refusal: null,
      reasoning_content: 'Let me analyze this step by step...',
    });
    expect(response.usage).toBeUndefined();
  });

  it('gives content null when the answer is only tool calls, and skips redacted thinking and server-tool blocks', () => {
    const response = value(
      readAnthropicResponse({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'm',
        content: [
          { type: 'redacted_thinking', data: 'EmwK...' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'x' } },
          { type: 'tool_use', id: 't', name: 'f', input: {} },
        ],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4, output_tokens_details: { thinking_tokens: 1 } },
      }),
    );
    expect(response.choices[0]?.message.content).toBeNull();
    expect(response.choices[0]?.message.tool_calls).toEqual([{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }]);
    expect(response.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 2,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 4, cache_write_tokens: 3 },
      completion_tokens_details: { reasoning_tokens: 1 },
    });
  });

  it.each([
    ['a string', 'oops', /not a JSON object/],
    ['an error object', { type: 'error', error: { type: 'api_error', message: 'x' } }, /error object/],
    ['no content', { id: 'msg_1', type: 'message' }, /'content' is not an array/],
    ['a block without a type', { content: [{ text: 'x' }] }, /content\[0\] is not a content block/],
    ['a text block without text', { content: [{ type: 'text' }] }, /content\[0\]\.text/],
    ['a tool_use without an id', { content: [{ type: 'tool_use', name: 'f', input: {} }] }, /content\[0\] \(tool_use\) has no id or name/],
    ['usage that is not an object', { content: [], usage: 5 }, /'usage' is not an object/],
  ])('answers 502 for %s', (_name, body, message) => {
    const result = readAnthropicResponse(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.status).toBe(502);
    expect(result.error.message).toMatch(message);
  });
});

describe('writeAnthropicResponse (pivot -> Anthropic SDK)', () => {
  it('writes a text answer with Anthropic usage', () => {
    expect(writeAnthropicResponse(CHAT_RESPONSE, 'claude-sonnet-4-5')).toEqual({
      id: 'msg_9x1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Hi.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('orders thinking, text, then tool uses; parses arguments; keeps broken ones whole under _raw', () => {
    const message = writeAnthropicResponse(
      {
        ...CHAT_RESPONSE,
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: 'Let me check.',
              reasoning_content: 'The user wants weather.',
              tool_calls: [
                { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
                { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
                { id: 'call_3', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } },
              ],
            },
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 10 } },
      },
      'claude',
    );
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user wants weather.', signature: '' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      { type: 'tool_use', id: 'call_3', name: 'get_time', input: { _raw: '{"tz":' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toEqual({ input_tokens: 30, output_tokens: 20, cache_creation_input_tokens: 10, cache_read_input_tokens: 60 });
  });

  it('shows a refusal as text with stop_reason refusal', () => {
    const message = writeAnthropicResponse(
      { ...CHAT_RESPONSE, choices: [{ index: 0, finish_reason: 'content_filter', message: { role: 'assistant', content: null, refusal: "I can't help with that." } }] },
      'claude',
    );
    expect(message.content).toEqual([{ type: 'text', text: "I can't help with that." }]);
    expect(message.stop_reason).toBe('refusal');
  });

  it('is what the Anthropic SDK returns from messages.create', async () => {
    const body = writeAnthropicResponse(CHAT_RESPONSE, 'claude-sonnet-4-5');
    const client = new Anthropic({
      apiKey: 'test',
      maxRetries: 0,
      fetch: async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'request-id': 'req_1' } }),
    });
    const message = await client.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([{ type: 'text', text: 'Hi.' }]);
    expect(message.usage.input_tokens).toBe(12);
  });

  it.each(['response-text.json', 'response-tool-use.json'])('writes %s back as it came, once read', (name) => {
    const original = fixture(name) as Record<string, unknown>;
    const back = writeAnthropicResponse(value(readAnthropicResponse(original)), original['model'] as string);
    expect(back.id).toBe(original['id']);
    expect(back.content).toEqual(original['content']);
    expect(back.stop_reason).toBe(original['stop_reason']);
    const usage = original['usage'] as Record<string, number>;
    expect(back.usage).toEqual({
      input_tokens: usage['input_tokens'],
      output_tokens: usage['output_tokens'],
      cache_creation_input_tokens: usage['cache_creation_input_tokens'] ?? 0,
      cache_read_input_tokens: usage['cache_read_input_tokens'] ?? 0,
    });
  });
});

describe('mappings', () => {
  it.each<[string, ChatFinishReason]>([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['something_new', 'stop'],
  ])('stop_reason %s -> finish_reason %s', (stopReason, finishReason) => {
    expect(toFinishReason(stopReason)).toBe(finishReason);
  });

  it.each<[ChatFinishReason | null, string]>([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['function_call', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ])('finish_reason %s -> stop_reason %s', (finishReason, stopReason) => {
    expect(toStopReason(finishReason)).toBe(stopReason);
  });

  it('converts usage both ways without losing cache reads or writes', () => {
    const anthropic = { input_tokens: 25, output_tokens: 15, cache_read_input_tokens: 1200, cache_creation_input_tokens: 300 };
    expect(toAnthropicUsage(toChatUsage(anthropic))).toEqual({ input_tokens: 25, output_tokens: 15, cache_read_input_tokens: 1200, cache_creation_input_tokens: 300 });
    expect(toAnthropicUsage(null)).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  it('makes msg_ ids and tool inputs', () => {
    expect([toMessageId('chatcmpl-abc'), toMessageId('msg_abc'), toMessageId('sluice-1')]).toEqual(['msg_abc', 'msg_abc', 'msg_sluice-1']);
    expect([toToolInput(' '), toToolInput('{"a":1}'), toToolInput('[1]'), toToolInput('nope')]).toEqual([{}, { a: 1 }, { _raw: '[1]' }, { _raw: 'nope' }]);
  });
});
