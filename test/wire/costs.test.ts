/**
 * Worked examples of issue 18: each call priced as the provider bills it, matching the provider's
 * published price and @pydantic/genai-prices 0.1.8 (`calcPrice`) to the cent; the expected figures
 * are genai-prices' totals for the same usage.
 */
import { describe, expect, it } from 'vitest';
import { computeCostUsd, findPrice, resolvePrice, type TokenUsage } from '../../src/wire/price.js';
import { builtinPrices, findProviderPrice } from '../../src/wire/prices/index.js';

const usage = (inputTokens: number, outputTokens: number, extra: Partial<TokenUsage> = {}): TokenUsage => ({
  inputTokens,
  outputTokens,
  cachedTokens: null,
  reasoningTokens: null,
  ...extra,
});
const at = (iso: string): number => Date.parse(iso);
const price = (provider: string, model: string) => findProviderPrice(builtinPrices, provider, model);

describe('costs as the providers bill them (worked examples)', () => {
  it('a 250k-token Gemini 2.5 Pro call bills the whole call at the >200k tier: $0.655', () => {
    const p = price('gemini', 'gemini-2.5-pro');
    const call = usage(250_000, 2_000);
    // 250,000 x $2.50 + 2,000 x $15 per million (ai.google.dev pricing; genai-prices 0.655)
    expect(computeCostUsd(p, call)).toBe(0.655);
    expect(p && resolvePrice(p, call).pricing).toEqual({ tier: '>200k', window: null, region: null, since: null });
    // At exactly 200k the base tier applies (genai-prices: tier starts above 200,000).
    expect(computeCostUsd(p, usage(200_000, 1_000))).toBe(0.26);
  });

  it('a 1-hour Anthropic cache write bills at 2x input: $0.0705', () => {
    const p = price('anthropic', 'claude-sonnet-4-5-20250929');
    // 1,000 uncached x $3 + 10,000 1-hour writes x $6 + 500 output x $15 per million
    const call = usage(11_000, 500, { cacheWriteTokens: 10_000, cacheWrite1hTokens: 10_000 });
    expect(computeCostUsd(p, call)).toBe(0.0705);
    // The same writes at 5 minutes: 10,000 x $3.75 (genai-prices 0.048).
    expect(computeCostUsd(p, usage(11_000, 500, { cacheWriteTokens: 10_000 }))).toBe(0.048);
  });

  it('a Bedrock us. Claude Sonnet 4.5 call bills the 1.1x regional rate: $0.0495', () => {
    const p = price('bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    // 10,000 x $3.30 + 1,000 x $16.50 per million (aws.amazon.com/bedrock/pricing; genai-prices 0.0495)
    expect(computeCostUsd(p, usage(10_000, 1_000))).toBe(0.0495);
    expect(p && resolvePrice(p, usage(10_000, 1_000)).pricing.region).toBe('us');
    // The global. profile bills the base rate.
    expect(computeCostUsd(price('bedrock', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0'), usage(10_000, 1_000))).toBe(0.045);
  });

  it('a DeepSeek V4 Pro call bills peak at 02:00 UTC ($0.1716) and off-peak at 12:00 UTC ($0.0858)', () => {
    const p = price('deepseek', 'deepseek-v4-pro');
    const call = usage(100_000, 10_000);
    // Peak 01:00-04:00 and 06:00-10:00 UTC: $1.32 / $3.96; off-peak half (api-docs.deepseek.com).
    expect(computeCostUsd(p, call, at('2026-12-07T02:00:00Z'))).toBe(0.1716);
    expect(computeCostUsd(p, call, at('2026-12-07T12:00:00Z'))).toBe(0.0858);
    expect(p && resolvePrice(p, call, at('2026-12-07T02:00:00Z')).pricing.window).toBe('peak');
    expect(p && resolvePrice(p, call, at('2026-12-07T12:00:00Z')).pricing.window).toBe('off-peak');
    // Without a call time, the list (peak) rate: never understated.
    expect(computeCostUsd(p, call)).toBe(0.1716);
  });

  it('Gemini 3.7 Flash bills its introductory price through 2026-12-31 and the list price from 2027-01-01', () => {
    const p = price('gemini', 'gemini-3.7-flash');
    const call = usage(100_000, 10_000);
    expect(computeCostUsd(p, call, at('2026-12-31T23:59:59Z'))).toBe(0.1125);
    expect(computeCostUsd(p, call, at('2027-01-01T00:00:00Z'))).toBe(0.225);
    expect(p && resolvePrice(p, call, at('2027-01-01T00:00:00Z')).pricing.since).toBe('2027-01-01');
  });
});

describe('coverage (issue 18)', () => {
  it.each([
    ['bedrock', 'us.anthropic.claude-sonnet-4-6'],
    ['bedrock', 'global.anthropic.claude-sonnet-4-6'],
    ['bedrock', 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['bedrock', 'jp.anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['bedrock', 'au.anthropic.claude-opus-4-7'],
    ['bedrock', 'apac.anthropic.claude-sonnet-4-20250514-v1:0'],
    ['bedrock', 'us.anthropic.claude-opus-4-8'],
    ['bedrock', 'global.anthropic.claude-opus-5'],
    ['bedrock', 'eu.anthropic.claude-sonnet-5-v1:0'],
    ['bedrock', 'us.anthropic.claude-fable-5'],
    ['vertex', 'claude-sonnet-4-5@default'],
    ['vertex', 'claude-opus-5@default'],
    ['gemini', 'gemini-3.1-flash-lite-preview'],
    ['deepseek', 'deepseek-v3.2'],
    ['groq', 'meta-llama/llama-4-scout-17b-16e-instruct'],
    ['xai', 'grok-4-latest'],
  ])('%s prices %s', (provider, model) => {
    expect(price(provider, model)).toBeDefined();
  });

  it('never maps an older snapshot to a newer price', () => {
    expect(findPrice(builtinPrices['openai'] ?? {}, 'gpt-3.5-turbo-0613')).not.toBe(findPrice(builtinPrices['openai'] ?? {}, 'gpt-3.5-turbo'));
    expect(findPrice(builtinPrices['openai'] ?? {}, 'gpt-3.5-turbo-0301')).not.toBe(findPrice(builtinPrices['openai'] ?? {}, 'gpt-3.5-turbo'));
  });
});

describe('cache writes by duration, as each dialect reports them', () => {
  it("reads Anthropic's cache_creation split, in a whole answer and in a stream", async () => {
    const { toChatUsage } = await import('../../src/wire/anthropic/response.js');
    const { pivotUsage } = await import('../../src/wire/chat/usage.js');
    const usage = toChatUsage({
      input_tokens: 1_000,
      output_tokens: 500,
      cache_creation_input_tokens: 10_000,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 10_000 },
    });
    expect(pivotUsage(usage)).toMatchObject({ inputTokens: 11_000, cacheWriteTokens: 10_000, cacheWrite1hTokens: 10_000 });
    const { AnthropicStreamDecoder } = await import('../../src/wire/anthropic/stream.js');
    const decoder = new AnthropicStreamDecoder();
    const start = { type: 'message_start', message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 1_000, output_tokens: 1, cache_creation_input_tokens: 10_000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 10_000 } } } };
    decoder.push({ event: 'message_start', data: JSON.stringify(start) });
    decoder.push({ event: 'message_delta', data: JSON.stringify({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 500 } }) });
    const chunks = decoder.push({ event: 'message_stop', data: '{"type":"message_stop"}' });
    const last = chunks.at(-1)?.usage;
    expect(last && pivotUsage(last)).toMatchObject({ inputTokens: 11_000, outputTokens: 500, cacheWrite1hTokens: 10_000 });
  });

  it("reads Bedrock's cacheDetails split", async () => {
    const { toChatUsage } = await import('../../src/wire/bedrock/response.js');
    const usage = toChatUsage({ inputTokens: 1_000, outputTokens: 500, cacheWriteInputTokens: 10_000, cacheDetails: [{ ttl: '1h', inputTokens: 4_000 }, { ttl: '5m', inputTokens: 6_000 }] });
    expect(usage?.prompt_tokens_details).toEqual({ cached_tokens: 0, cache_write_tokens: 10_000, cache_write_1h_tokens: 4_000 });
  });

  it('reads OpenAI-format cache writes where the provider reports them', async () => {
    const { chatUsage } = await import('../../src/wire/openai/usage.js');
    expect(chatUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 10, cache_write_tokens: 40 } })).toMatchObject({ cacheWriteTokens: 40 });
  });
});

describe('resolvePrice edge cases', () => {
  const base = { input: 1, cachedInput: null, output: 1 };
  const other = { input: 2, cachedInput: null, output: 2 };
  it('ignores a change date or window time that does not parse, and picks the latest started change in any order', () => {
    const call = usage(10, 10);
    expect(resolvePrice({ ...base, changes: [{ from: 'soon', rates: other }] }, call, at('2026-12-07T00:00:00Z')).pricing.since).toBeNull();
    expect(resolvePrice({ ...base, windows: [{ name: 'x', from: 'aa:bb', to: '10:00', rates: other }] }, call, at('2026-12-07T05:00:00Z')).pricing.window).toBeNull();
    const third = { input: 3, cachedInput: null, output: 3 };
    const out = resolvePrice({ ...base, changes: [{ from: '2026-06-01', rates: third }, { from: '2026-01-01', rates: other }] }, call, at('2026-12-07T00:00:00Z'));
    expect(out.rates).toBe(third);
    expect(out.pricing.since).toBe('2026-06-01');
  });

  it("applies a dated change's own tiers from its date on, and the model's tiers before it or when it has none", () => {
    const bigTier = { input: 10, cachedInput: null, output: 10 };
    const changeTier = { input: 4, cachedInput: null, output: 4 };
    const price = { ...base, tiers: [{ above: 100, rates: bigTier }], changes: [{ from: '2026-06-01', rates: other, tiers: [{ above: 100, rates: changeTier }] }] };
    expect(resolvePrice(price, usage(500, 1), at('2026-05-31T00:00:00Z')).rates).toBe(bigTier);
    expect(resolvePrice(price, usage(500, 1), at('2026-06-01T00:00:00Z')).rates).toBe(changeTier);
    expect(resolvePrice(price, usage(50, 1), at('2026-06-01T00:00:00Z')).rates).toBe(other);
    const ended = { ...price, changes: [{ from: '2026-06-01', rates: other, tiers: [] }] };
    expect(resolvePrice(ended, usage(500, 1), at('2026-07-01T00:00:00Z'))).toEqual({ rates: other, pricing: { tier: null, window: null, region: null, since: '2026-06-01' } });
    const kept = { ...price, changes: [{ from: '2026-06-01', rates: other }] };
    expect(resolvePrice(kept, usage(500, 1), at('2026-07-01T00:00:00Z')).rates).toBe(bigTier);
  });

  it('wraps a window past midnight, the end exclusive', () => {
    const p = { ...base, windows: [{ name: 'night', from: '22:00', to: '02:00', rates: other }] };
    expect(resolvePrice(p, usage(1, 1), at('2026-12-07T23:30:00Z')).pricing.window).toBe('night');
    expect(resolvePrice(p, usage(1, 1), at('2026-12-07T01:59:00Z')).pricing.window).toBe('night');
    expect(resolvePrice(p, usage(1, 1), at('2026-12-07T02:00:00Z')).pricing.window).toBeNull();
  });
});
