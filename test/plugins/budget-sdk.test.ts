import { RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { budget } from '../../src/plugins/budget/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

describe('budget() through the OpenAI SDK', () => {
  it('charges the priced cost of each call and refuses the next once spent, naming the budget', async () => {
    const budgets = budget({ budgets: [{ scope: 'user', limitUsd: 0.001, period: 'month', thresholds: [0.5] }] });
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } }, use: [budgets] });
    const thresholds = collect(sluice, 'budget:threshold');
    const ends = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL, { defaultHeaders: { 'x-sluice-user': 'alice' } });
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens.
    mock.script({ kind: 'reply', content: 'ok', usage: { prompt_tokens: 2000, completion_tokens: 1000 } });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    await sluice.flush();
    await budgets.flush();
    const cost = ends[0]!.record.costUsd!;
    expect(cost).toBeCloseTo(0.0009, 6);
    expect(await budgets.spent('user:alice')).toBeCloseTo(cost, 9);
    expect(thresholds).toEqual([{ type: 'budget:threshold', budget: 'user:alice', threshold: 0.5, spentUsd: cost, limitUsd: 0.001 }]);

    mock.script({ kind: 'reply', content: 'ok', usage: { prompt_tokens: 2000, completion_tokens: 1000 } });
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    await sluice.flush();
    await budgets.flush();
    const error = await rejection(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    const refused = error as RateLimitError;
    expect(refused.message).toMatch(/^429 budget 'user:alice' is spent: \$0\.00\d+ of \$0\.001 this month; it resets at \d{4}-\d{2}-01T00:00:00\.000Z/);
    expect(refused.code).toBe('sluice_budget_exceeded');
    expect(refused.headers?.get('x-should-retry')).toBe('false');
    expect(mock.requests).toHaveLength(2);

    // Another user is unaffected.
    const bob = clientFor(sluice, mock.baseURL, { defaultHeaders: { 'x-sluice-user': 'bob' } });
    await bob.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    expect(mock.requests).toHaveLength(3);
  });

  it('charges a stream when it ends, from the usage in its last chunk', async () => {
    const budgets = budget({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k' } }, use: [budgets] });
    mock.script({ kind: 'reply', content: 'streamed', usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true });
    await sluice.flush();
    await budgets.flush();
    expect(await budgets.spent('global')).toBe(0);
    for await (const chunk of stream) void chunk;
    await sluice.flush();
    await budgets.flush();
    expect(await budgets.spent('global')).toBeCloseTo(0.15, 9);
  });
});
