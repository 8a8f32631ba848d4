import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../src/wire/chat/types.js';
import { anthropicClient, anthropicProvider } from '../../../src/wire/anthropic/codec.js';

describe('anthropic codecs', () => {
  it('declare their format and framing', () => {
    expect(anthropicClient.format).toBe('anthropic');
    expect(anthropicProvider.format).toBe('anthropic');
    expect(anthropicProvider.framing).toBe('sse');
  });

  it('carry a request from an Anthropic SDK to an Anthropic-shaped provider body', () => {
    const read = anthropicClient.readRequest(
      { model: 'fast', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }], stream: true },
      { model: null, stream: false },
    );
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const written = anthropicProvider.writeRequest(read.value, { model: 'claude-haiku-4-5', provider: 'claude', defaultMaxTokens: 4096 });
    expect(written).toEqual({
      ok: true,
      value: { model: 'claude-haiku-4-5', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }], stream: true },
    });
  });

  it('give one decoder and one encoder per stream', () => {
    expect(anthropicProvider.createDecoder()).not.toBe(anthropicProvider.createDecoder());
    const encoder = anthropicClient.createEncoder({ model: 'm', id: 'x', created: 0, includeUsage: false });
    const chunk: ChatChunk = { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
    expect(encoder.push(chunk)).toContain('event: message_start');
  });

  it('read provider errors', () => {
    expect(anthropicProvider.readError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }).kind).toBe('overloaded');
  });
});
