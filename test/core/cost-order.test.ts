import { describe, expect, it } from 'vitest';
import { expectedTokens, orderByCost, type TokenPrice } from '../../src/core/cost-order.js';
import { findPrice, type ModelPrice } from '../../src/wire/price.js';

interface Target {
  key: string;
  model: string;
}

const target = (model: string): Target => ({ key: `p/${model}`, model });

describe('orderByCost', () => {
  const prices: Record<string, TokenPrice> = {
    cheapInput: { input: 0.1, output: 10 },
    cheapOutput: { input: 5, output: 1 },
    middle: { input: 1, output: 4 },
    twin: { input: 1, output: 4 },
  };
  const priceOf = (t: Target): TokenPrice | undefined => prices[t.model];

  it('puts the cheapest first by input × in + output × out', () => {
    const targets = [target('cheapInput'), target('cheapOutput'), target('middle')];
    // Long prompt, short answer: cheapInput 0.1·10000 + 10·100 = 2000; middle 10000 + 400 = 10400; cheapOutput 50000 + 100.
    expect(orderByCost(targets, { inputTokens: 10_000, outputTokens: 100 }, priceOf).map((t) => t.model)).toEqual(['cheapInput', 'middle', 'cheapOutput']);
    // Short prompt, long answer: cheapOutput 500 + 10000; middle 100 + 40000; cheapInput 10 + 100000.
    expect(orderByCost(targets, { inputTokens: 100, outputTokens: 10_000 }, priceOf).map((t) => t.model)).toEqual(['cheapOutput', 'middle', 'cheapInput']);
  });

  it('puts unpriced targets last in listed order, and keeps equal costs in listed order', () => {
    const targets = [target('unknownB'), target('twin'), target('unknownA'), target('middle'), target('cheapInput')];
    expect(orderByCost(targets, { inputTokens: 1000, outputTokens: 1000 }, priceOf).map((t) => t.model)).toEqual(['twin', 'middle', 'cheapInput', 'unknownB', 'unknownA']);
  });

  it('treats a non-finite or negative price as unknown', () => {
    const odd: Record<string, TokenPrice> = { nan: { input: Number.NaN, output: 1 }, negative: { input: -1, output: 1 }, fine: { input: 9, output: 9 } };
    const targets = [target('nan'), target('negative'), target('fine')];
    expect(orderByCost(targets, { inputTokens: 1, outputTokens: 1 }, (t) => odd[t.model]).map((t) => t.model)).toEqual(['fine', 'nan', 'negative']);
  });

  it('returns a new array and takes ModelPrice rows from the price tables', () => {
    const table: Record<string, ModelPrice> = { small: { input: 0.15, output: 0.6, cachedInput: null }, large: { input: 2.5, output: 10, cachedInput: null } };
    const targets = [target('large'), target('small')];
    const ordered = orderByCost(targets, { inputTokens: 500, outputTokens: 256 }, (t) => findPrice(table, t.model));
    expect(ordered.map((t) => t.model)).toEqual(['small', 'large']);
    expect(ordered).not.toBe(targets);
    expect(targets.map((t) => t.model)).toEqual(['large', 'small']);
  });
});

describe('expectedTokens', () => {
  it('estimates input as ceil(chars / 4) and output as max tokens', () => {
    expect(expectedTokens('x'.repeat(401), 1000)).toEqual({ inputTokens: 101, outputTokens: 1000 });
  });

  it('assumes 256 output tokens without a limit, and no input without a body', () => {
    expect(expectedTokens(null, null)).toEqual({ inputTokens: 0, outputTokens: 256 });
    expect(expectedTokens('abcd', Number.NaN)).toEqual({ inputTokens: 1, outputTokens: 256 });
  });
});
