import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));
afterEach(() => vi.useRealTimers());

const completion = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 100_000, completion_tokens: 10_000, total_tokens: 110_000 },
});

describe('record.pricing', () => {
  it("prices a call at its start time and says which window applied (a user's table with windows)", async () => {
    const peak = { input: 1.32, cachedInput: 0.044, output: 3.96 };
    const offPeak = { input: 0.66, cachedInput: 0.022, output: 1.98 };
    const sluice = createSluice({
      providers: { openai: { baseURL: mock.baseURL, apiKey: 'k-123456789' } },
      prices: {
        'gpt-4o-mini': {
          ...peak,
          windows: [
            { name: 'peak', from: '01:00', to: '04:00', rates: peak },
            { name: 'off-peak', from: '10:00', to: '01:00', rates: offPeak },
          ],
        },
      },
    });
    const ends = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL);
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const at of ['2026-12-07T02:00:00Z', '2026-12-07T12:00:00Z']) {
      vi.setSystemTime(new Date(at));
      mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: completion });
      await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    }
    await sluice.flush();
    const [night, noon] = ends.map((event) => event.record);
    expect(night).toMatchObject({ costUsd: 0.1716, pricing: { tier: null, window: 'peak', region: null, since: null } });
    expect(noon).toMatchObject({ costUsd: 0.0858, pricing: { window: 'off-peak' } });
  });

  it('is null when the model has no price', async () => {
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k-123456789' } } });
    const ends = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: completion.replace('gpt-4o-mini', 'no-such-model') });
    await client.chat.completions.create({ model: 'openai/no-such-model', messages });
    await sluice.flush();
    expect(ends[0]?.record).toMatchObject({ costUsd: null, pricing: null });
  });
});
