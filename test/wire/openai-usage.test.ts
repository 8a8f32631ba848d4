import { describe, expect, it } from 'vitest';
import { chatUsage, responsesUsage, summarizeResponse } from '../../src/wire/openai/usage.js';

describe('chatUsage', () => {
  it('reads prompt, completion, cached and reasoning tokens', () => {
    expect(
      chatUsage({
        prompt_tokens: 100,
        completion_tokens: 40,
        total_tokens: 140,
        prompt_tokens_details: { cached_tokens: 64, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 40, cachedTokens: 64, reasoningTokens: 12 });
  });

  it('leaves what the provider did not report as null', () => {
    expect(chatUsage({ prompt_tokens: 5, completion_tokens: 1 })).toEqual({ inputTokens: 5, outputTokens: 1, cachedTokens: null, reasoningTokens: null });
  });

  it('returns null when there is no usage object', () => {
    expect(chatUsage(null)).toBeNull();
    expect(chatUsage(undefined)).toBeNull();
    expect(chatUsage('12')).toBeNull();
  });
});

describe('embeddings usage', () => {
  it('counts no output tokens when only prompt and total tokens are reported', () => {
    expect(chatUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual({ inputTokens: 8, outputTokens: 0, cachedTokens: null, reasoningTokens: null });
  });

  it('is read by summarizeResponse for an embeddings body', () => {
    const body = { object: 'list', data: [], model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } };
    expect(summarizeResponse(body, 'embeddings')).toEqual({
      usage: { inputTokens: 3, outputTokens: 0, cachedTokens: null, reasoningTokens: null },
      model: 'text-embedding-3-small',
    });
  });
});

describe('responsesUsage', () => {
  it('reads input, output, cached and reasoning tokens', () => {
    expect(
      responsesUsage({
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 9,
        output_tokens_details: { reasoning_tokens: 4 },
        total_tokens: 39,
      }),
    ).toEqual({ inputTokens: 30, outputTokens: 9, cachedTokens: 10, reasoningTokens: 4 });
  });

  it('returns null without a usage object', () => {
    expect(responsesUsage(null)).toBeNull();
  });
});

describe('summarizeResponse', () => {
  it('reads chat usage and the model the provider reported', () => {
    const body = { model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } };
    expect(summarizeResponse(body, 'chat')).toEqual({
      usage: { inputTokens: 2, outputTokens: 3, cachedTokens: null, reasoningTokens: null },
      model: 'gpt-4o-mini-2024-07-18',
    });
  });

  it('reads a responses body with its own usage shape', () => {
    const body = { object: 'response', model: 'gpt-4.1', usage: { input_tokens: 4, output_tokens: 6 } };
    expect(summarizeResponse(body, 'responses').usage).toEqual({ inputTokens: 4, outputTokens: 6, cachedTokens: null, reasoningTokens: null });
  });

  it('reports no usage for models and tolerates bodies without fields', () => {
    expect(summarizeResponse({ object: 'list', data: [] }, 'models')).toEqual({ usage: null, model: null });
    expect(summarizeResponse(null, 'chat')).toEqual({ usage: null, model: null });
  });
});
