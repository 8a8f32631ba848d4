import { describe, expect, it } from 'vitest';
import type { ModelPrice, PriceTable } from '../../src/wire/price.js';
import { anthropicPrices } from '../../src/wire/prices/anthropic.js';
import { bedrockPrices } from '../../src/wire/prices/bedrock.js';
import { geminiPrices } from '../../src/wire/prices/google.js';
import { groqPrices } from '../../src/wire/prices/groq.js';
import { genaiSnapshot } from '../../src/wire/prices/genai-snapshot.js';
import { builtinPrices, findProviderPrice } from '../../src/wire/prices/index.js';
import { openaiPrices } from '../../src/wire/prices/openai.js';
import { vertexPrices } from '../../src/wire/prices/vertex.js';
import { providerCatalog } from '../../src/providers/catalog.js';

const tables = Object.entries(builtinPrices);

describe('builtin price tables', () => {
  it('has finite non-negative numbers on every entry, cachedInput <= input where set', () => {
    for (const [provider, table] of tables) {
      expect(Object.keys(table).length, provider).toBeGreaterThan(0);
      for (const [id, price] of Object.entries(table)) {
        const where = `${provider}: ${id}`;
        for (const value of [price.input, price.output, price.cachedInput, price.cacheWrite, price.reasoning]) {
          if (value === null || value === undefined) continue;
          expect(Number.isFinite(value) && value >= 0, `${where}: ${value}`).toBe(true);
        }
        expect(price.input, where).toBeGreaterThan(0);
        if (price.cachedInput !== null) expect(price.cachedInput, where).toBeLessThanOrEqual(price.input);
        if (typeof price.cacheWrite === 'number') expect(price.cacheWrite, where).toBeGreaterThanOrEqual(price.input);
      }
    }
  });

  it('is keyed by catalog provider names', () => {
    for (const [provider] of tables) expect(Object.hasOwn(providerCatalog, provider), provider).toBe(true);
  });

  it('bills Anthropic cache writes at 1.25x input and reads at most 0.1x', () => {
    for (const [id, price] of Object.entries(anthropicPrices as PriceTable)) {
      // Claude 3 Haiku predates the 1.25x rule: $0.30 writes on $0.25 input.
      if (id === 'claude-3-haiku') continue;
      expect(price.cacheWrite, id).toBeCloseTo(price.input * 1.25, 10);
      expect(price.cachedInput ?? Number.POSITIVE_INFINITY, id).toBeLessThanOrEqual(price.input * 0.1 + 1e-12);
    }
  });

  it('shares the first-party table with providers that resell it at list price', () => {
    expect(builtinPrices['azure']).toBe(openaiPrices);
    expect(builtinPrices['azure-openai']).toBe(openaiPrices);
    expect(builtinPrices['anthropic']).toBe(anthropicPrices);
    expect(builtinPrices['gemini']).toBe(geminiPrices);
    expect(builtinPrices['gemini-openai']).toBe(geminiPrices);
  });

  it("prices Claude on Bedrock's global profile and on Vertex as Anthropic does, Bedrock's regional ones of 4.5+ at 1.1x", () => {
    const base = ({ input, cachedInput, output, cacheWrite }: ModelPrice) => ({ input, cachedInput, output, cacheWrite });
    expect(base(bedrockPrices['global.anthropic.claude-sonnet-4-5-20250929-v1:0']!)).toEqual(base(anthropicPrices['claude-sonnet-4-5']));
    expect(base(bedrockPrices['anthropic.claude-sonnet-4-5-20250929-v1:0']!)).toEqual({ input: 3.3, cachedInput: 0.33, output: 16.5, cacheWrite: 4.125 });
    expect(base(bedrockPrices['eu.anthropic.claude-opus-4-6-v1']!)).toEqual({ input: 5.5, cachedInput: 0.55, output: 27.5, cacheWrite: 6.875 });
    expect(base(bedrockPrices['us.anthropic.claude-opus-4-1-20250805-v1:0']!)).toEqual(base(anthropicPrices['claude-opus-4-1']));
    expect(base(vertexPrices['claude-sonnet-4-5@20250929'])).toEqual(base(anthropicPrices['claude-sonnet-4-5']));
    expect(base(vertexPrices['claude-haiku-4-5@20251001'])).toEqual(base(anthropicPrices['claude-haiku-4-5']));
  });
});

describe('known prices', () => {
  it('claude-sonnet-4-5: $3 in, $0.30 cache read, $3.75 cache write, $15 out (models.dev, anthropic.com/pricing)', () => {
    expect(findProviderPrice(builtinPrices, 'anthropic', 'claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6 });
  });

  it('gemini-2.5-flash: $0.30 in, $0.03 cache read, $2.50 out (models.dev providers/google)', () => {
    expect(findProviderPrice(builtinPrices, 'gemini', 'gemini-2.5-flash')).toEqual({ input: 0.3, cachedInput: 0.03, output: 2.5 });
  });

  it('Groq openai/gpt-oss-120b: $0.15 in, $0.075 cache read, $0.60 out (models.dev providers/groq)', () => {
    expect(findProviderPrice(builtinPrices, 'groq', 'openai/gpt-oss-120b')).toEqual({ input: 0.15, cachedInput: 0.075, output: 0.6 });
  });
});

describe('findProviderPrice', () => {
  it("looks in the provider's own table first", () => {
    expect(findProviderPrice(builtinPrices, 'groq', 'openai/gpt-oss-120b')).toBe(groqPrices['openai/gpt-oss-120b']);
    expect(findProviderPrice(builtinPrices, 'bedrock', 'anthropic.claude-haiku-4-5-20251001-v1:0')).toBe(bedrockPrices['anthropic.claude-haiku-4-5-20251001-v1:0']);
  });

  it("strips a dated snapshot in the provider's table", () => {
    expect(findProviderPrice(builtinPrices, 'openai', 'gpt-4o-2024-08-06')).toBe(openaiPrices['gpt-4o']);
    expect(findProviderPrice(builtinPrices, 'xai', 'grok-4-0709')).toBe(builtinPrices['xai']?.['grok-4']);
  });

  it("prefers the provider's price over the creator's", () => {
    const own = { input: 9, cachedInput: null, output: 9 };
    const custom = { ...builtinPrices, acme: { 'gpt-4o': own } };
    expect(findProviderPrice(custom, 'acme', 'gpt-4o')).toBe(own);
    expect(findProviderPrice(custom, 'acme', 'gpt-4o-mini')).toBe(openaiPrices['gpt-4o-mini']);
  });

  it('falls back to openai, then anthropic, then gemini when the provider has no entry', () => {
    // Vertex lists Claude only; its Gemini ids bill as on the Gemini API.
    // (Here genai-prices' google table answers first, at the same rates.)
    expect(findProviderPrice(builtinPrices, 'vertex', 'gemini-2.5-pro')).toEqual(geminiPrices['gemini-2.5-pro']);
    expect(findProviderPrice(builtinPrices, 'vertex', 'gemini-2.5-pro', {})).toBe(geminiPrices['gemini-2.5-pro']);
    expect(findProviderPrice(builtinPrices, 'vertex', 'claude-sonnet-4-5@20250929')).toBe(vertexPrices['claude-sonnet-4-5@20250929']);
    // A provider without a table, and an unknown provider.
    expect(findProviderPrice(builtinPrices, 'openrouter', 'gpt-4.1')).toBe(openaiPrices['gpt-4.1']);
    expect(findProviderPrice(builtinPrices, 'no-such-provider', 'claude-haiku-4-5')).toBe(anthropicPrices['claude-haiku-4-5']);
  });

  it('keeps the creator order: openai before anthropic before gemini', () => {
    const shared = 'same-id';
    const inOpenai = { input: 1, cachedInput: null, output: 1 };
    const inAnthropic = { input: 2, cachedInput: null, output: 2 };
    const inGemini = { input: 3, cachedInput: null, output: 3 };
    const custom = { openai: { [shared]: inOpenai }, anthropic: { [shared]: inAnthropic }, gemini: { [shared]: inGemini } };
    expect(findProviderPrice(custom, null, shared)).toBe(inOpenai);
    expect(findProviderPrice({ anthropic: custom.anthropic, gemini: custom.gemini }, null, shared)).toBe(inAnthropic);
    expect(findProviderPrice({ gemini: custom.gemini }, null, shared)).toBe(inGemini);
  });

  it('looks only at the creators when the provider is null', () => {
    expect(findProviderPrice(builtinPrices, null, 'claude-opus-4-1-20250805')).toBe(anthropicPrices['claude-opus-4-1']);
    expect(findProviderPrice(builtinPrices, null, 'gemini-2.0-flash')).toBe(geminiPrices['gemini-2.0-flash']);
    expect(findProviderPrice(builtinPrices, null, 'openai/gpt-oss-120b', {})).toBeUndefined();
    // genai-prices' openai table lists it: the creators' snapshot tables come after the curated ones.
    expect(findProviderPrice(builtinPrices, null, 'openai/gpt-oss-120b')).toBe(genaiSnapshot['openai']!['gpt-oss-120b']);
  });

  it("strips a prefix naming the creator, and only that creator's", () => {
    expect(findProviderPrice(builtinPrices, 'openrouter', 'anthropic/claude-sonnet-4-5')).toBe(anthropicPrices['claude-sonnet-4-5']);
    expect(findProviderPrice(builtinPrices, 'vercel', 'google/gemini-2.5-pro')).toBe(geminiPrices['gemini-2.5-pro']);
    expect(findProviderPrice(builtinPrices, null, 'gemini/gemini-2.5-flash-lite')).toBe(geminiPrices['gemini-2.5-flash-lite']);
    expect(findProviderPrice(builtinPrices, null, 'openai/gpt-5-2025-08-07')).toBe(openaiPrices['gpt-5']);
    expect(findProviderPrice(builtinPrices, null, 'meta-llama/gpt-4o')).toBeUndefined();
    expect(findProviderPrice(builtinPrices, null, 'anthropic/gpt-4o')).toBeUndefined();
  });

  it('returns undefined for unknown ids and never reads Object.prototype', () => {
    expect(findProviderPrice(builtinPrices, 'groq', 'no-such-model')).toBeUndefined();
    expect(findProviderPrice(builtinPrices, 'constructor', 'toString')).toBeUndefined();
    expect(findProviderPrice(builtinPrices, '__proto__', 'constructor')).toBeUndefined();
    expect(findProviderPrice({}, 'openai', 'gpt-4o', {})).toBeUndefined();
    expect(findProviderPrice({}, 'openai', 'gpt-4o')).toBe(genaiSnapshot['openai']!['gpt-4o']);
    expect(findProviderPrice(builtinPrices, 'toString', 'gpt-x', { toString: {} })).toBeUndefined();
  });
});
