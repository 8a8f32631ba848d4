import { describe, expect, it } from 'vitest';
import { inspectChatEvent, inspectResponsesEvent, newStreamState } from '../../src/wire/openai/stream.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const event = (text: string): Uint8Array => encoder.encode(text);
const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : decoder.decode(bytes));

const base = '"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini"';
const contentChunk = `data: {${base},"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n`;
const plainChunk = `data: {${base},"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n`;
const usage = '{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"prompt_tokens_details":{"cached_tokens":2},"completion_tokens_details":{"reasoning_tokens":1}}';
const usageChunk = `data: {${base},"choices":[],"usage":${usage}}\n\n`;

describe('inspectChatEvent', () => {
  it('removes the trailing ,"usage":null on the fast path when Sluice hides usage', () => {
    const state = newStreamState();
    expect(text(inspectChatEvent(event(contentChunk), state, true))).toBe(plainChunk);
    expect(state.model).toBe('gpt-4o-mini');
    expect(state.usage).toBeNull();
  });

  it('keeps the same bytes on the fast path when the client asked for usage itself', () => {
    const state = newStreamState();
    const input = event(contentChunk);
    expect(inspectChatEvent(input, state, false)).toBe(input);
    expect(state.model).toBe('gpt-4o-mini');
  });

  it('keeps CRLF framing when removing usage:null', () => {
    const crlf = contentChunk.replace('\n\n', '\r\n\r\n');
    expect(text(inspectChatEvent(event(crlf), newStreamState(), true))).toBe(plainChunk.replace('\n\n', '\r\n\r\n'));
  });

  it('drops the choices: [] usage chunk when hiding, and records its usage', () => {
    const state = newStreamState();
    expect(inspectChatEvent(event(usageChunk), state, true)).toBeNull();
    expect(state.usage).toEqual({ inputTokens: 9, outputTokens: 3, cachedTokens: 2, reasoningTokens: 1 });
  });

  it('keeps the usage chunk when not hiding, and records its usage', () => {
    const state = newStreamState();
    const input = event(usageChunk);
    expect(inspectChatEvent(input, state, false)).toBe(input);
    expect(state.usage).toEqual({ inputTokens: 9, outputTokens: 3, cachedTokens: 2, reasoningTokens: 1 });
  });

  it('removes usage from a content chunk that carries it when hiding, keeping the content', () => {
    const state = newStreamState();
    const chunk = `data: {${base},"choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}],"usage":${usage}}\n\n`;
    const kept = text(inspectChatEvent(event(chunk), state, true));
    expect(JSON.parse(kept!.slice('data: '.length))).not.toHaveProperty('usage');
    expect(JSON.parse(kept!.slice('data: '.length)).choices[0].delta.content).toBe('!');
    expect(state.usage?.inputTokens).toBe(9);
  });

  it('hides usage from a provider that writes JSON with spaces', () => {
    const state = newStreamState();
    const spaced = 'data: {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"content": "Hi"}}], "usage": null}\n\n';
    const kept = text(inspectChatEvent(event(spaced), state, true))!;
    expect(JSON.parse(kept.slice('data: '.length))).toEqual({ id: 'c1', model: 'm', choices: [{ index: 0, delta: { content: 'Hi' } }] });
    const usageOnly = 'data: {"id": "c1", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}}\n\n';
    expect(inspectChatEvent(event(usageOnly), state, true)).toBeNull();
    expect(state.usage).toMatchObject({ inputTokens: 4, outputTokens: 2 });
  });

  it('keeps every event untouched when not hiding', () => {
    const state = newStreamState();
    for (const sample of [contentChunk, plainChunk, usageChunk, ': ping\n\n', 'data: [DONE]\n\n']) {
      const input = event(sample);
      expect(inspectChatEvent(input, state, false)).toBe(input);
    }
  });

  it('detects [DONE] with or without a space', () => {
    const state = newStreamState();
    const done = event('data: [DONE]\n\n');
    expect(inspectChatEvent(done, state, true)).toBe(done);
    expect(state.done).toBe(true);
    const compact = newStreamState();
    inspectChatEvent(event('data:[DONE]\n\n'), compact, false);
    expect(compact.done).toBe(true);
  });

  it('detects a data: {"error": ...} event and keeps it', () => {
    const state = newStreamState();
    inspectChatEvent(event(plainChunk), state, false);
    const error = event('data: {"error":{"message":"The server had an error","type":"server_error"}}\n\n');
    expect(inspectChatEvent(error, state, true)).toBe(error);
    expect(state.error).toBe('The server had an error');
    expect(state.done).toBe(false);
  });

  it('passes comments and malformed JSON through without learning anything', () => {
    const state = newStreamState();
    const broken = event('data: {"id":"x",\n\n');
    expect(inspectChatEvent(broken, state, true)).toBe(broken);
    expect(state).toEqual(newStreamState());
  });
});

describe('inspectResponsesEvent', () => {
  const completed = (usageJson: string): string =>
    `event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_1","model":"gpt-4o-mini","status":"completed","usage":${usageJson}}}\n\n`;

  it('reads usage and model from response.completed and marks the stream done', () => {
    const state = newStreamState();
    inspectResponsesEvent(
      event(completed('{"input_tokens":20,"input_tokens_details":{"cached_tokens":4},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":27}')),
      state,
    );
    expect(state).toEqual({
      usage: { inputTokens: 20, outputTokens: 7, cachedTokens: 4, reasoningTokens: 2 },
      model: 'gpt-4o-mini',
      error: null,
      done: true,
    });
  });

  it('reads the model from response.created and ignores deltas', () => {
    const state = newStreamState();
    inspectResponsesEvent(event('event: response.created\ndata: {"type":"response.created","response":{"model":"gpt-4.1","usage":null}}\n\n'), state);
    inspectResponsesEvent(event('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"hi"}\n\n'), state);
    expect(state).toEqual({ usage: null, model: 'gpt-4.1', error: null, done: false });
  });

  it('records an error event and a failed response', () => {
    const errored = newStreamState();
    inspectResponsesEvent(event('event: error\ndata: {"type":"error","message":"overloaded","code":"server_error"}\n\n'), errored);
    expect(errored.error).toBe('overloaded');
    const failed = newStreamState();
    inspectResponsesEvent(
      event('event: response.failed\ndata: {"type":"response.failed","response":{"model":"m","usage":null,"error":{"message":"boom"}}}\n\n'),
      failed,
    );
    expect(failed).toMatchObject({ error: 'boom', done: true });
  });
});
