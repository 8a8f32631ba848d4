/**
 * Price files kept by others (genai-prices' data, LiteLLM's JSON) converted to Sluice's `prices`:
 * the converted genai-prices table bills every comparable call exactly as genai-prices' own
 * calculator does, and a converted LiteLLM file prices a call made through Sluice.
 */
import { calcPrice, findProvider, type Provider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/index.js';
import { computeCostUsd, findPrice } from '../../src/wire/price.js';
import { fromGenaiPrices, fromLiteLLMPrices } from '../../src/wire/prices/foreign.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';
import { AT, PROFILES } from './compare.js';

const GENAI_IDS = ['openai', 'anthropic', 'google', 'aws', 'mistral', 'deepseek', 'x-ai', 'groq', 'together', 'fireworks', 'cerebras'];
const SLUICE_NAME: Record<string, string> = { google: 'gemini', aws: 'bedrock', 'x-ai': 'xai' };
let mock: MockProvider;
useMock((created) => (mock = created));

const providers = GENAI_IDS.map((id) => findProvider({ providerId: id })).filter((provider): provider is Provider => provider !== undefined);

describe('fromGenaiPrices', () => {
  const { prices, warnings } = fromGenaiPrices(providers);

  it('bills every model it converts as genai-prices does, at peak and off-peak hours, across tiers and dated changes', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const at of [AT, new Date(Date.UTC(2026, 11, 8, 2, 0)), new Date(Date.UTC(2026, 3, 1, 12, 0))]) {
      for (const provider of providers) {
        for (const model of provider.models) {
          const price = findPrice(prices, `${SLUICE_NAME[provider.id] ?? provider.id}/${model.id}`);
          if (price === undefined) continue;
          for (const { name, usage } of PROFILES) {
            const theirs = calcPrice(
              { input_tokens: usage.inputTokens ?? 0, output_tokens: usage.outputTokens ?? 0, cache_read_tokens: usage.cachedTokens ?? undefined, cache_write_tokens: usage.cacheWriteTokens ?? undefined },
              model.id,
              { providerId: provider.id, timestamp: at },
            );
            if (theirs === null) continue;
            compared++;
            const ours = computeCostUsd(price, usage, at.getTime());
            if (ours === null || Math.abs(ours - theirs.total_price) > 1e-9 + 1e-6 * theirs.total_price) {
              mismatches.push(`${provider.id}/${model.id} ${name} ${at.toISOString()}: ${ours} vs ${theirs.total_price}`);
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(mismatches).toEqual([]);
  });

  it("keys rows by Sluice's provider names, every exact id of a model's match", () => {
    expect(prices['bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0'] ?? prices['bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0']).toBeDefined();
    expect(prices['gemini/gemini-2.5-pro']).toEqual(prices['vertex/gemini-2.5-pro']);
    expect(prices['openai/gpt-5.4-2026-03-05']).toEqual(prices['openai/gpt-5.4']);
    expect(Object.keys(prices).some((key) => key.startsWith('google/') || key.startsWith('aws/'))).toBe(false);
  });

  it('gives a table createSluice accepts as it is (tiers, windows and dated changes with tiers included)', async () => {
    const sluice = createSluice({ prices });
    await sluice.close();
  });

  it('names what it cannot carry over, and never throws on a partial file', () => {
    expect(warnings.some((line) => /no input_mtok/.test(line))).toBe(true);
    const partial = fromGenaiPrices([
      { id: 'acme', models: [{ id: 'a', match: { regex: '^a-.*' }, prices: { input_mtok: 1, output_mtok: 2 } }, { id: 'b', match: { equals: 'b' }, prices: { requests_kcount: 5 } }, 'junk'] },
      { name: 'no id' },
    ]);
    expect(partial.prices['acme/a']).toEqual({ input: 1, output: 2, cachedInput: null });
    expect(partial.warnings).toEqual([
      'acme/a: matches not carried over as ids: {"regex":"^a-.*"}',
      'acme/b: no input_mtok (not billed per token); skipped',
      'a provider entry without an id or models; skipped',
    ]);
    expect(() => fromGenaiPrices({ not: 'a list' })).toThrow(TypeError);
  });

  it('turns time-of-day sets into UTC windows and start dates into changes', () => {
    const { prices: converted } = fromGenaiPrices([
      {
        id: 'deepseek',
        models: [
          {
            id: 'm',
            match: { equals: 'm' },
            prices: [
              { prices: { input_mtok: 1, output_mtok: 2 } },
              { constraint: { type: 'time_of_date', start_time: '16:30:00Z', end_time: '00:30:00Z' }, prices: { input_mtok: 0.5, output_mtok: 1 } },
              { constraint: { type: 'start_date', start_date: '2027-01-01' }, prices: { input_mtok: { base: 2, tiers: [{ start: 100, price: 4 }] }, output_mtok: 3 } },
            ],
          },
        ],
      },
    ]);
    expect(converted['deepseek/m']).toEqual({
      input: 1,
      output: 2,
      cachedInput: null,
      windows: [{ name: '16:30-00:30 UTC', from: '16:30', to: '00:30', rates: { input: 0.5, output: 1, cachedInput: null } }],
      changes: [{ from: '2027-01-01', rates: { input: 2, output: 3, cachedInput: null }, tiers: [{ above: 100, rates: { input: 4, output: 3, cachedInput: null } }] }],
    });
  });
});

describe('fromLiteLLMPrices', () => {
  // Entries in the shape of LiteLLM's model_prices_and_context_window.json (field names as documented there).
  const file = {
    sample_spec: { input_cost_per_token: 0, litellm_provider: 'one of https://docs.litellm.ai/docs/providers' },
    'gpt-4o': { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-6, litellm_provider: 'openai', mode: 'chat' },
    'gemini/gemini-2.5-pro': {
      input_cost_per_token: 1.25e-6,
      input_cost_per_token_above_200k_tokens: 2.5e-6,
      output_cost_per_token: 1e-5,
      output_cost_per_token_above_200k_tokens: 1.5e-5,
      cache_read_input_token_cost: 1.25e-7,
      cache_read_input_token_cost_above_200k_tokens: 2.5e-7,
      litellm_provider: 'gemini',
    },
    'claude-opus-4-5': {
      input_cost_per_token: 5e-6,
      output_cost_per_token: 2.5e-5,
      cache_read_input_token_cost: 5e-7,
      cache_creation_input_token_cost: 6.25e-6,
      cache_creation_input_token_cost_above_1hr: 1e-5,
      litellm_provider: 'anthropic',
    },
    'bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0': { input_cost_per_token: 1.1e-6, output_cost_per_token: 5.5e-6, litellm_provider: 'bedrock_converse' },
    'dall-e-3': { output_cost_per_image: 0.04, litellm_provider: 'openai', mode: 'image_generation' },
  };

  it('converts per-token prices to per-million rates, with tiers, cache writes and provider names', () => {
    const { prices, warnings } = fromLiteLLMPrices(file);
    expect(prices['openai/gpt-4o']).toEqual({ input: 2.5, output: 10, cachedInput: 1.25 });
    expect(prices['azure-openai/gpt-4o']).toEqual(prices['openai/gpt-4o']);
    expect(prices['gemini/gemini-2.5-pro']).toEqual({
      input: 1.25,
      output: 10,
      cachedInput: 0.125,
      tiers: [{ above: 200_000, rates: { input: 2.5, output: 15, cachedInput: 0.25 } }],
    });
    expect(prices['anthropic/claude-opus-4-5']).toEqual({ input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25, cacheWrite1h: 10 });
    expect(prices['bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0']).toEqual({ input: 1.1, output: 5.5, cachedInput: null });
    expect(Object.keys(prices)).not.toContain('sample_spec');
    expect(warnings).toEqual(['dall-e-3: no input_cost_per_token; skipped']);
  });

  it('prices a call made through Sluice from the converted file, over the built-in table', async () => {
    const { prices } = fromLiteLLMPrices({ 'gpt-4o-mini': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, litellm_provider: 'openai' } });
    const sluice = createSluice({ providers: { openai: { baseURL: mock.baseURL, apiKey: 'k-123456789' } }, prices });
    const ends = collect(sluice, 'request:end');
    mock.script({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      }),
    });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    await sluice.flush();
    expect(ends[0]?.record.costUsd).toBeCloseTo(1000 * 1e-6 + 100 * 2e-6, 12);
    await sluice.close();
  });
});
