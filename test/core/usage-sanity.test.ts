import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { budget } from '../../src/plugins/budget/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { computeCostUsd } from '../../src/wire/price.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const completion = (usage: Record<string, unknown>): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage,
  });

const json = { 'content-type': 'application/json' };

describe('usage and cost sanitising', () => {
  it('treats absurd and negative counts as unknown, keeps costs finite and budgets usable', async () => {
    const budgets = budget({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k-123456789' } }, use: [budgets] });
    const ends = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL);

    mock.script({ kind: 'raw', status: 200, headers: json, body: completion({ prompt_tokens: 1e308, completion_tokens: 1e308, total_tokens: 1e308 }) });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    mock.script({ kind: 'raw', status: 200, headers: json, body: completion({ prompt_tokens: -50, completion_tokens: 10, prompt_tokens_details: { cached_tokens: -5 } }) });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    mock.script({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: [
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] })}\n\n`,
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 1e308, completion_tokens: -3 } })}\n\n`,
        'data: [DONE]\n\n',
      ],
    });
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    for await (const chunk of stream) void chunk;
    await sluice.flush();
    await budgets.flush();

    expect(ends).toHaveLength(3);
    const [huge, negative, streamed] = ends.map((event) => event.record);
    expect(huge!.usage).toMatchObject({ inputTokens: null, outputTokens: null });
    expect(huge!.costUsd).toBeNull();
    expect(negative!.usage).toMatchObject({ inputTokens: null, outputTokens: 10, cachedTokens: null });
    expect(negative!.costUsd === null || Number.isFinite(negative!.costUsd)).toBe(true);
    expect(streamed!.usage).toMatchObject({ inputTokens: null, outputTokens: null });
    for (const { record } of ends) expect(record.costUsd === null || (Number.isFinite(record.costUsd) && record.costUsd >= 0)).toBe(true);

    const spent = await budgets.spent('global');
    expect(Number.isFinite(spent)).toBe(true);
    expect(spent).toBeLessThan(1);
    // The budget still lets calls through.
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
  });

  it('never computes a non-finite cost', () => {
    const price = { input: 2.5, cachedInput: 1.25, output: 10 };
    expect(computeCostUsd(price, { inputTokens: 1e308, outputTokens: 1e308, cachedTokens: null, reasoningTokens: null })).toBeNull();
    expect(computeCostUsd(price, { inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 0, cachedTokens: null, reasoningTokens: null })).toSatisfy(Number.isFinite);
    expect(computeCostUsd({ input: 1e308, cachedInput: null, output: 1e308 }, { inputTokens: 10, outputTokens: 10, cachedTokens: null, reasoningTokens: null })).toBeNull();
  });
});
