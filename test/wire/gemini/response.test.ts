import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatResponse } from '../../../src/wire/chat/types.js';
import type { Translated } from '../../../src/wire/codec.js';
import { geminiClient, geminiProvider } from '../../../src/wire/gemini/codec.js';
import { chatFinishReason, chatUsage, geminiUsage, readGeminiResponse, writeGeminiResponse } from '../../../src/wire/gemini/response.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/gemini/${name}`, import.meta.url), 'utf8'));

function ok<T>(result: Translated<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.error.message}`);
  return result.value;
}

describe('readGeminiResponse (Gemini is the target)', () => {
  it('reads a recorded text answer', () => {
    expect(ok(readGeminiResponse(fixture('response-text.json')))).toEqual({
      id: 'wjCjaI3AI7mokdUPn8Gf2Ac',
      object: 'chat.completion',
      created: 0,
      model: 'gemini-2.0-flash',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris\n' }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    });
  });

  it('reads a recorded function call: STOP becomes tool_calls, thoughts count as completion and reasoning', () => {
    const response = ok(readGeminiResponse(fixture('response-function-call.json')));
    expect(response.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"london"}' } }] },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
    // 113 prompt; 15 visible + 58 thoughts = 73 completion; Gemini's total says 186 too.
    expect(response.usage).toEqual({ prompt_tokens: 113, completion_tokens: 73, total_tokens: 186, completion_tokens_details: { reasoning_tokens: 58 } });
  });

  it('reads parallel function calls with distinct synthetic ids', () => {
    const response = ok(readGeminiResponse(fixture('response-parallel-function-calls.json')));
    expect(response.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_0', type: 'function', function: { name: 'power_disco_ball', arguments: '{"power":true}' } },
      { id: 'call_1', type: 'function', function: { name: 'start_music', arguments: '{"energetic":true,"loud":true}' } },
      { id: 'call_2', type: 'function', function: { name: 'dim_lights', arguments: '{"brightness":0.5}' } },
    ]);
    expect(response.choices[0]?.finish_reason).toBe('tool_calls');
    expect(response.usage).toBeUndefined();
  });

  it('reads a blocked prompt as content_filter with no content', () => {
    const response = ok(readGeminiResponse(fixture('response-blocked-prompt.json')));
    expect(response.choices).toEqual([{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter', logprobs: null }]);
    expect(response.usage).toEqual({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
  });

  it('reads thoughts, cached tokens, tool-use prompt tokens and Vertex createTime', () => {
    const response = ok(
      readGeminiResponse({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Let me think.', thought: true }, { text: 'Four.' }] }, finishReason: 'MAX_TOKENS', index: 0 }],
        usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, toolUsePromptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 8, totalTokenCount: 115 },
        createTime: '2025-01-01T00:00:00.500Z',
        modelVersion: 'gemini-2.5-pro',
      }),
    );
    expect(response.created).toBe(1735689600);
    expect(response.choices[0]).toMatchObject({ message: { content: 'Four.', reasoning_content: 'Let me think.' }, finish_reason: 'length' });
    expect(response.usage).toEqual({
      prompt_tokens: 105,
      completion_tokens: 10,
      total_tokens: 115,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 8 },
    });
  });

  it.each([
    ['no candidates and no block reason', { usageMetadata: { promptTokenCount: 1 } }, 'no candidates'],
    ['a malformed function call', { candidates: [{ finishReason: 'MALFORMED_FUNCTION_CALL', finishMessage: 'Malformed function call: x' }] }, 'MALFORMED_FUNCTION_CALL'],
    ['an error body with a 200', { error: { code: 500, message: 'boom', status: 'INTERNAL' } }, 'boom'],
    ['a non-object', [1, 2], 'JSON object'],
  ])('answers 502 for %s', (_name, body, text) => {
    const result = readGeminiResponse(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.status).toBe(502);
      expect(result.error.message).toContain(text);
    }
  });
});

describe('finish reasons and usage', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['OTHER', false, 'stop'],
    ['LANGUAGE', false, 'stop'],
    ['FINISH_REASON_UNSPECIFIED', false, 'stop'],
    ['SOMETHING_NEW', true, 'tool_calls'],
    ['UNEXPECTED_TOOL_CALL', true, null],
    ['TOO_MANY_TOOL_CALLS', true, null],
  ] as const)('%s (calls: %s) -> %s', (reason, calls, expected) => {
    expect(chatFinishReason(reason, calls)).toBe(expected);
  });

  it('writes usage back with reasoning split out of the visible output', () => {
    const usage = chatUsage({ promptTokenCount: 391, candidatesTokenCount: 43, totalTokenCount: 536, thoughtsTokenCount: 102, cachedContentTokenCount: 200 });
    expect(usage).toEqual({ prompt_tokens: 391, completion_tokens: 145, total_tokens: 536, prompt_tokens_details: { cached_tokens: 200 }, completion_tokens_details: { reasoning_tokens: 102 } });
    expect(geminiUsage(usage!)).toEqual({ promptTokenCount: 391, candidatesTokenCount: 43, totalTokenCount: 536, cachedContentTokenCount: 200, thoughtsTokenCount: 102 });
  });
});

describe('writeGeminiResponse (a Gemini SDK is the caller)', () => {
  const answer: ChatResponse = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-2024-08-06',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Let me check.',
          reasoning_content: 'The user wants weather.',
          tool_calls: [{ id: 'call_7Kq', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 5 } },
  };

  it('writes text, thoughts and function calls with parsed args, finish reason, usage, model and id', () => {
    expect(writeGeminiResponse(answer, 'gemini-2.5-flash')).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'The user wants weather.', thought: true },
              { text: 'Let me check.' },
              { functionCall: { id: 'call_7Kq', name: 'get_weather', args: { city: 'Oslo' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 4, totalTokenCount: 21, cachedContentTokenCount: 4, thoughtsTokenCount: 5 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'chatcmpl-1',
    });
  });

  it('round-trips through the provider side', () => {
    const back = ok(geminiProvider.readResponse(JSON.parse(JSON.stringify(geminiClient.writeResponse(answer, 'gemini-2.5-flash')))));
    expect(back.choices[0]?.message).toEqual(answer.choices[0]?.message);
    expect(back.choices[0]?.finish_reason).toBe('tool_calls');
    expect(back.usage).toEqual(answer.usage);
  });

  it('maps length and content_filter, and writes a refusal as text', () => {
    const body = writeGeminiResponse(
      {
        ...answer,
        choices: [
          { index: 0, message: { role: 'assistant', content: 'cut' }, finish_reason: 'length' },
          { index: 1, message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' }, finish_reason: 'content_filter' },
        ],
      },
      'm',
    );
    expect(body.candidates?.map((candidate) => [candidate.finishReason, candidate.content?.parts])).toEqual([
      ['MAX_TOKENS', [{ text: 'cut' }]],
      ['SAFETY', [{ text: 'I cannot help with that.' }]],
    ]);
  });
});
