import { describe, expect, it } from 'vitest';
import { answerSummary, semconvInput, semconvOutput, semconvStreamOutput } from '../../src/wire/semconv-messages.js';
import { generationParams } from '../../src/wire/generation-params.js';

describe('semconvInput', () => {
  it('reads Anthropic system blocks, text, tool use and tool results', () => {
    const input = semconvInput(
      'anthropic',
      'chat',
      {
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: { city: 'Oslo' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'cold' }, { type: 'image', source: {} }] },
        ],
      },
      1000,
    );
    expect(input.system).toEqual([{ type: 'text', content: 'Be brief.' }]);
    expect(input.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'weather?' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 't1', name: 'weather', arguments: { city: 'Oslo' } }] },
      { role: 'user', parts: [{ type: 'tool_call_response', id: 't1', response: 'cold' }, { type: 'image' }] },
    ]);
  });

  it('reads Gemini contents with the model role as assistant and function calls', () => {
    const input = semconvInput(
      'gemini',
      'chat',
      {
        systemInstruction: { parts: [{ text: 'Be kind.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'hi' }] },
          { role: 'model', parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: { ok: true } } }] },
        ],
      },
      1000,
    );
    expect(input.system).toEqual([{ type: 'text', content: 'Be kind.' }]);
    expect(input.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(input.messages[1]!.parts[0]).toEqual({ type: 'tool_call', id: null, name: 'f', arguments: { a: 1 } });
    expect(input.messages[2]!.parts[0]).toEqual({ type: 'tool_call_response', id: null, response: { ok: true } });
  });

  it('reads Responses input and instructions, and OpenAI tool calls', () => {
    const responses = semconvInput('openai', 'responses', { instructions: 'sys', input: [{ role: 'user', content: 'q' }, { type: 'function_call_output', call_id: 'c', output: '42' }] }, 1000);
    expect(responses.system).toEqual([{ type: 'text', content: 'sys' }]);
    expect(responses.messages[1]).toEqual({ role: 'tool', parts: [{ type: 'tool_call_response', id: 'c', response: '42' }] });
    const chat = semconvInput('openai', 'chat', { messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'x', function: { name: 'f', arguments: '{}' } }] }] }, 1000);
    expect(chat.messages[0]).toEqual({ role: 'assistant', parts: [{ type: 'tool_call', id: 'x', name: 'f', arguments: '{}' }] });
  });

  it('shares one text budget across the whole conversion', () => {
    const input = semconvInput('openai', 'chat', { messages: [{ role: 'system', content: 'abcdef' }, { role: 'user', content: 'ghijkl' }] }, 8);
    expect(input.system).toEqual([{ type: 'text', content: 'abcdef' }]);
    expect(input.messages[0]!.parts).toEqual([{ type: 'text', content: 'gh' }]);
  });
});

describe('semconvOutput and answerSummary', () => {
  it('reads each dialect’s answer, finish reasons and id', () => {
    expect(semconvOutput('anthropic', 'chat', { content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn' }, 100)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'ok' }], finish_reason: 'end_turn' }]);
    expect(answerSummary('anthropic', { id: 'msg_1', stop_reason: 'end_turn' })).toEqual({ id: 'msg_1', finishReasons: ['end_turn'] });
    expect(answerSummary('gemini', { responseId: 'r', candidates: [{ finishReason: 'STOP' }] })).toEqual({ id: 'r', finishReasons: ['STOP'] });
    expect(answerSummary('openai', { id: 'resp_1', status: 'completed', output: [] })).toEqual({ id: 'resp_1', finishReasons: ['completed'] });
    expect(semconvOutput('openai', 'responses', { output: [{ type: 'message', content: [{ type: 'output_text', text: 'hey' }] }] }, 100)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'hey' }] }]);
  });
});

describe('generationParams', () => {
  it('reads Gemini generationConfig and OpenAI fields', () => {
    expect(generationParams('gemini', { generationConfig: { maxOutputTokens: 9, temperature: 0.5, topK: 3, stopSequences: ['x'], candidateCount: 2 } })).toEqual({ maxTokens: 9, temperature: 0.5, topK: 3, stopSequences: ['x'], choiceCount: 2 });
    expect(generationParams('openai', { max_completion_tokens: 7, stop: 'END', seed: 1, n: 2, top_p: 0.9 })).toEqual({ maxTokens: 7, stopSequences: ['END'], seed: 1, choiceCount: 2, topP: 0.9 });
    expect(generationParams('openai', null)).toEqual({});
  });
});

describe('semconvStreamOutput', () => {
  it('assembles Chat Completions deltas per choice with finish reasons', () => {
    const sse = [
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}',
      'data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}',
      'data: [DONE]',
    ].join('\n\n');
    expect(semconvStreamOutput('openai', 'chat', sse, 100)).toEqual({ messages: [{ role: 'assistant', parts: [{ type: 'text', content: 'Hello' }], finish_reason: 'stop' }], finishReasons: ['stop'] });
  });

  it('assembles Anthropic text deltas and Gemini candidates, with CR framing and a text budget', () => {
    const anthropic = 'event: content_block_delta\rdata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"abc"}}\r\rdata: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}\r\r';
    expect(semconvStreamOutput('anthropic', 'chat', anthropic, 2).messages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'ab' }], finish_reason: 'end_turn' }]);
    const gemini = 'data: {"candidates":[{"content":{"parts":[{"text":"x"}]}}]}\r\n\r\ndata: {"candidates":[{"content":{"parts":[{"text":"y"}]},"finishReason":"STOP"}]}\r\n\r\n';
    expect(semconvStreamOutput('gemini', 'chat', gemini, 100).messages).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'xy' }], finish_reason: 'STOP' }]);
  });

  it('reads a Responses stream from its terminal event', () => {
    const sse = 'event: response.completed\ndata: {"type":"response.completed","response":{"status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"done"}]}]}}\n\n';
    expect(semconvStreamOutput('openai', 'responses', sse, 100)).toEqual({ messages: [{ role: 'assistant', parts: [{ type: 'text', content: 'done' }] }], finishReasons: ['completed'] });
  });
});
