import { describe, expect, it } from 'vitest';
import { computeCostUsd, findPrice, type ModelPrice, type PriceTable, type TokenUsage } from '../../src/wire/price.js';
import { anthropicPrices } from '../../src/wire/prices/anthropic.js';
import { openaiPrices } from '../../src/wire/prices/openai.js';

const usage = (partial: Partial<TokenUsage>): TokenUsage => ({
  inputTokens: null,
  outputTokens: null,
  cachedTokens: null,
  reasoningTokens: null,
  ...partial,
});

describe('findPrice', () => {
  it('finds an exact id', () => {
    expect(findPrice(openaiPrices, 'gpt-4o')).toBe(openaiPrices['gpt-4o']);
    expect(findPrice(openaiPrices, 'o3')).toBe(openaiPrices.o3);
  });

  it('strips a dated snapshot suffix', () => {
    expect(findPrice(openaiPrices, 'gpt-4o-2024-08-06')).toBe(openaiPrices['gpt-4o']);
    expect(findPrice(openaiPrices, 'gpt-4.1-mini-2025-04-14')).toBe(openaiPrices['gpt-4.1-mini']);
    expect(findPrice(openaiPrices, 'gpt-6.1-sol-2026-09-29')).toBe(openaiPrices['gpt-6.1-sol']);
  });

  it("strips an eight-digit snapshot suffix (Anthropic's)", () => {
    expect(findPrice(anthropicPrices, 'claude-sonnet-4-5-20250929')).toBe(anthropicPrices['claude-sonnet-4-5']);
    expect(findPrice(anthropicPrices, 'claude-opus-4-20250514')).toBe(anthropicPrices['claude-opus-4']);
    expect(findPrice(anthropicPrices, 'claude-sonnet-4-5-2025092')).toBeUndefined();
  });

  it('strips a four-digit snapshot suffix of older models', () => {
    expect(findPrice(openaiPrices, 'gpt-3.5-turbo-0125')).toBe(openaiPrices['gpt-3.5-turbo']);
    expect(findPrice(openaiPrices, 'gpt-4-0613')).toBe(openaiPrices['gpt-4']);
  });

  it('prefers a snapshot that has its own price over the base id', () => {
    expect(findPrice(openaiPrices, 'gpt-4o-2024-05-13')).toBe(openaiPrices['gpt-4o-2024-05-13']);
    expect(findPrice(openaiPrices, 'gpt-4o-2024-05-13')?.input).toBe(5);
    expect(findPrice(openaiPrices, 'gpt-3.5-turbo-1106')?.input).toBe(1);
  });

  it('strips an openai/ provider prefix, alone or with a snapshot', () => {
    expect(findPrice(openaiPrices, 'openai/gpt-4.1-mini')).toBe(openaiPrices['gpt-4.1-mini']);
    expect(findPrice(openaiPrices, 'openai/gpt-4o-2024-11-20')).toBe(openaiPrices['gpt-4o']);
    expect(findPrice(openaiPrices, 'anthropic/gpt-4o')).toBeUndefined();
  });

  it('never matches by substring or prefix', () => {
    expect(findPrice(openaiPrices, 'gpt-4o-mini-foo')).toBeUndefined();
    expect(findPrice(openaiPrices, 'my-gpt-4o')).toBeUndefined();
    expect(findPrice(openaiPrices, 'gpt-4o-')).toBeUndefined();
    expect(findPrice(openaiPrices, 'GPT-4O')).toBeUndefined();
    expect(findPrice(openaiPrices, 'gpt-4o-2024-08-06-extra')).toBeUndefined();
    expect(findPrice(openaiPrices, 'gpt-4o-12345')).toBeUndefined();
  });

  it('returns undefined for unknown ids, including Object.prototype names', () => {
    expect(findPrice(openaiPrices, 'no-such-model')).toBeUndefined();
    expect(findPrice(openaiPrices, '')).toBeUndefined();
    expect(findPrice(openaiPrices, 'constructor')).toBeUndefined();
    expect(findPrice(openaiPrices, 'toString')).toBeUndefined();
    expect(findPrice(openaiPrices, '__proto__')).toBeUndefined();
  });

  it('works on any table of the same shape', () => {
    const table: PriceTable = { 'my-model': { input: 1, output: 2, cachedInput: null } };
    expect(findPrice(table, 'openai/my-model-2026-01-01')).toBe(table['my-model']);
  });
});

describe('computeCostUsd', () => {
  it('is null, never 0, when the price is unknown', () => {
    const cost = computeCostUsd(findPrice(openaiPrices, 'no-such-model'), usage({ inputTokens: 100, outputTokens: 10 }));
    expect(cost).toBeNull();
  });

  it('is null when neither input nor output is known', () => {
    expect(computeCostUsd(openaiPrices['gpt-4o'], usage({ cachedTokens: 5 }))).toBeNull();
  });

  it('is null for negative or non-finite counts', () => {
    const price = openaiPrices['gpt-4o'];
    expect(computeCostUsd(price, usage({ inputTokens: -1, outputTokens: 10 }))).toBeNull();
    expect(computeCostUsd(price, usage({ inputTokens: Number.NaN, outputTokens: 10 }))).toBeNull();
    expect(computeCostUsd(price, usage({ inputTokens: 10, outputTokens: Number.POSITIVE_INFINITY }))).toBeNull();
  });

  it('counts a missing side as 0 when the other is known', () => {
    // gpt-4o: 1M input at $2.50, output unknown
    expect(computeCostUsd(openaiPrices['gpt-4o'], usage({ inputTokens: 1_000_000 }))).toBe(2.5);
    // 1M output at $10, input unknown
    expect(computeCostUsd(openaiPrices['gpt-4o'], usage({ outputTokens: 1_000_000 }))).toBe(10);
  });

  it('applies the cached-input discount', () => {
    // gpt-4o: 600 uncached * 2.5 + 400 cached * 1.25 + 200 out * 10 = 1500 + 500 + 2000 per 1M
    const cost = computeCostUsd(
      openaiPrices['gpt-4o'],
      usage({ inputTokens: 1000, outputTokens: 200, cachedTokens: 400 }),
    );
    expect(cost).toBe(0.004);
  });

  it('applies a 90% cache discount without float noise', () => {
    // gpt-5: 10,000 in (8,000 cached), 3,000 out: 2000*1.25 + 8000*0.125 + 3000*10 = 33,500 per 1M
    const cost = computeCostUsd(
      openaiPrices['gpt-5'],
      usage({ inputTokens: 10_000, outputTokens: 3_000, cachedTokens: 8_000, reasoningTokens: 2_500 }),
    );
    expect(cost).toBe(0.0335);
  });

  it('bills cached tokens at the input price when the model has no cache discount', () => {
    // gpt-4-turbo: 1000 in (all "cached") * 10 + 0 out
    const cost = computeCostUsd(openaiPrices['gpt-4-turbo'], usage({ inputTokens: 1000, outputTokens: 0, cachedTokens: 1000 }));
    expect(cost).toBe(0.01);
  });

  it('clamps a cached count larger than the input', () => {
    const price: ModelPrice = { input: 2, output: 0, cachedInput: 1 };
    expect(computeCostUsd(price, usage({ inputTokens: 100, outputTokens: 0, cachedTokens: 500 }))).toBe(0.0001);
  });

  it('keeps reasoning inside output unless it is priced apart', () => {
    const price: ModelPrice = { input: 1, output: 4, cachedInput: null };
    // 1,000 out (600 reasoning) all at $4
    expect(computeCostUsd(price, usage({ inputTokens: 0, outputTokens: 1000, reasoningTokens: 600 }))).toBe(0.004);
  });

  it('bills reasoning apart when the price says so', () => {
    const price: ModelPrice = { input: 1, output: 4, cachedInput: null, reasoning: 10 };
    // 500 in * 1 + 400 visible out * 4 + 600 reasoning * 10 = 500 + 1600 + 6000 per 1M
    const cost = computeCostUsd(price, usage({ inputTokens: 500, outputTokens: 1000, reasoningTokens: 600 }));
    expect(cost).toBe(0.0081);
    // Unknown reasoning count: all output at the output price.
    expect(computeCostUsd(price, usage({ inputTokens: 500, outputTokens: 1000 }))).toBe(0.0045);
    // A null reasoning price means reasoning bills as output.
    expect(computeCostUsd({ ...price, reasoning: null }, usage({ inputTokens: 500, outputTokens: 1000, reasoningTokens: 600 }))).toBe(0.0045);
  });

  it('prices embeddings on input only', () => {
    // text-embedding-3-small: 5,000 tokens at $0.02 per 1M
    const cost = computeCostUsd(openaiPrices['text-embedding-3-small'], usage({ inputTokens: 5000, outputTokens: 0 }));
    expect(cost).toBe(0.0001);
    expect(computeCostUsd(openaiPrices['text-embedding-3-large'], usage({ inputTokens: 1_000_000 }))).toBe(0.13);
  });

  it('bills cache writes at the cacheWrite price, apart from uncached input', () => {
    const price: ModelPrice = { input: 2, output: 8, cachedInput: 0.2, cacheWrite: 2.5 };
    // 1,000 in = 500 uncached + 300 read + 200 written; 100 out:
    // 500 * 2 + 300 * 0.2 + 200 * 2.5 + 100 * 8 = 1000 + 60 + 500 + 800 = 2360 per 1M
    const cost = computeCostUsd(price, usage({ inputTokens: 1000, outputTokens: 100, cachedTokens: 300, cacheWriteTokens: 200 }));
    expect(cost).toBe(0.00236);
  });

  it('prices an Anthropic call with cache reads and writes (claude-sonnet-4-5)', () => {
    // Anthropic reports input_tokens 1,000 (uncached only), cache_read_input_tokens 8,000,
    // cache_creation_input_tokens 2,000, output_tokens 500. Normalised to OpenAI semantics:
    // inputTokens = 1,000 + 8,000 + 2,000 = 11,000, cachedTokens 8,000, cacheWriteTokens 2,000.
    // Sonnet 4.5: $3 input, $0.30 cache read, $3.75 cache write (5 min), $15 output, per 1M:
    //   1,000 * 3    = 3,000
    //   8,000 * 0.3  = 2,400
    //   2,000 * 3.75 = 7,500
    //     500 * 15   = 7,500
    //   total 20,400 per 1M tokens = $0.0204
    const price = findPrice(anthropicPrices, 'claude-sonnet-4-5-20250929');
    expect(price).toBe(anthropicPrices['claude-sonnet-4-5']);
    const cost = computeCostUsd(price, usage({ inputTokens: 11_000, outputTokens: 500, cachedTokens: 8_000, cacheWriteTokens: 2_000 }));
    expect(cost).toBe(0.0204);
  });

  it('bills cache writes at the input price when the model has no cacheWrite price', () => {
    const price: ModelPrice = { input: 2, output: 0, cachedInput: 1 };
    // 100 written at $2 (as input) + 100 uncached at $2 = 400 per 1M
    expect(computeCostUsd(price, usage({ inputTokens: 200, outputTokens: 0, cacheWriteTokens: 100 }))).toBe(0.0004);
    expect(computeCostUsd({ ...price, cacheWrite: null }, usage({ inputTokens: 200, outputTokens: 0, cacheWriteTokens: 100 }))).toBe(0.0004);
  });

  it('treats a missing or null cache write count as no writes', () => {
    const price: ModelPrice = { input: 2, output: 0, cachedInput: 1, cacheWrite: 10 };
    expect(computeCostUsd(price, usage({ inputTokens: 100, outputTokens: 0 }))).toBe(0.0002);
    expect(computeCostUsd(price, usage({ inputTokens: 100, outputTokens: 0, cacheWriteTokens: null }))).toBe(0.0002);
  });

  it('clamps cache writes to the input left after cache reads', () => {
    const price: ModelPrice = { input: 1, output: 0, cachedInput: 0.1, cacheWrite: 2 };
    // 100 in: 80 read, writes clamped from 500 to 20: 80 * 0.1 + 20 * 2 = 48 per 1M
    expect(computeCostUsd(price, usage({ inputTokens: 100, outputTokens: 0, cachedTokens: 80, cacheWriteTokens: 500 }))).toBe(0.000048);
  });

  it('is null for a negative or non-finite cache write count', () => {
    const price = anthropicPrices['claude-haiku-4-5'];
    expect(computeCostUsd(price, usage({ inputTokens: 10, outputTokens: 1, cacheWriteTokens: -1 }))).toBeNull();
    expect(computeCostUsd(price, usage({ inputTokens: 10, outputTokens: 1, cacheWriteTokens: Number.NaN }))).toBeNull();
  });

  it('rounds to 1e-10', () => {
    // gpt-5-nano: 1 input token at $0.05 per 1M = 5e-8; 3 output tokens at $0.40 = 1.2e-6
    expect(computeCostUsd(openaiPrices['gpt-5-nano'], usage({ inputTokens: 1, outputTokens: 3 }))).toBe(1.25e-6);
    expect(computeCostUsd(openaiPrices['gpt-4o'], usage({ inputTokens: 0, outputTokens: 0 }))).toBe(0);
  });
});

describe('openaiPrices table', () => {
  const entries = Object.entries(openaiPrices as PriceTable);

  it('covers the models Sluice is expected to price', () => {
    const required = [
      'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-5-chat-latest', 'gpt-5-pro', 'gpt-5-codex', 'gpt-5.1', 'gpt-5.2',
      'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini', 'chatgpt-4o-latest',
      'o1', 'o1-pro', 'o1-mini', 'o3', 'o3-pro', 'o3-mini', 'o4-mini', 'o3-deep-research', 'o4-mini-deep-research',
      'codex-mini-latest', 'computer-use-preview', 'gpt-4o-search-preview', 'gpt-4o-mini-search-preview',
      'gpt-4o-realtime-preview', 'gpt-4o-mini-realtime-preview', 'gpt-realtime', 'gpt-4o-audio-preview',
      'gpt-4o-mini-audio-preview', 'gpt-4-turbo', 'gpt-4', 'gpt-3.5-turbo',
      'text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002',
    ];
    for (const id of required) expect(findPrice(openaiPrices, id), id).toBeDefined();
  });

  it('has finite non-negative prices and cachedInput <= input on every entry', () => {
    expect(entries.length).toBeGreaterThan(50);
    for (const [id, price] of entries) {
      const numbers = [price.input, price.output, price.cachedInput, price.cacheWrite, price.reasoning].filter(
        (value): value is number => typeof value === 'number',
      );
      for (const value of numbers) {
        expect(Number.isFinite(value) && value >= 0, `${id}: ${value}`).toBe(true);
      }
      expect(price.input, id).toBeGreaterThan(0);
      if (price.cachedInput !== null) expect(price.cachedInput, id).toBeLessThanOrEqual(price.input);
      if (typeof price.cacheWrite === 'number') expect(price.cacheWrite, id).toBeGreaterThanOrEqual(price.input);
    }
  });

  it('keys have no provider prefix and no dated suffix unless priced apart', () => {
    const pricedApartSnapshots = new Set(['gpt-4o-2024-05-13', 'gpt-3.5-turbo-1106', 'gpt-3.5-turbo-0613', 'gpt-3.5-turbo-0301']);
    for (const [id] of entries) {
      expect(id.startsWith('openai/'), id).toBe(false);
      if (/-(?:\d{4}-\d{2}-\d{2}|\d{4})$/.test(id)) expect(pricedApartSnapshots.has(id), id).toBe(true);
    }
  });

  it('prices embeddings on input only', () => {
    for (const id of ['text-embedding-3-small', 'text-embedding-3-large', 'text-embedding-ada-002'] as const) {
      expect(openaiPrices[id].output, id).toBe(0);
    }
  });
});
