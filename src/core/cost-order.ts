/**
 * The `cost` strategy: orders a router's targets by what one call is expected to cost on each, from
 * the price table and a rough token estimate. Pure.
 * @module
 */

/** Token counts one call is expected to use. */
export interface ExpectedTokens {
  inputTokens: number;
  outputTokens: number;
}

/** A model's prices in USD per million tokens (a `ModelPrice` from the price tables fits). */
export interface TokenPrice {
  input: number;
  output: number;
}

/** Characters per token in the estimate: OpenAI's rule of thumb for English text. */
const CHARS_PER_TOKEN = 4;
/** Output assumed when the request sets no `max_tokens`. */
const DEFAULT_OUTPUT_TOKENS = 256;

/**
 * Estimates a call's tokens for ordering only, never for billing: input ≈ ⌈characters / 4⌉ of the
 * request body (JSON punctuation included, so it runs high), output = the request's max tokens, or 256.
 * Every target gets the same estimate, so only the price ratio between input and output matters.
 * @param bodyText The request body as sent, or `null` when there is none.
 * @param maxTokens The request's output limit (`max_tokens`, `max_output_tokens`, `maxOutputTokens`), or `null`.
 * @returns The estimate.
 * @example
 * expectedTokens('{"messages":[...]}', null); // { inputTokens: 5, outputTokens: 256 }
 */
export function expectedTokens(bodyText: string | null, maxTokens: number | null): ExpectedTokens {
  const inputTokens = bodyText === null ? 0 : Math.ceil(bodyText.length / CHARS_PER_TOKEN);
  const outputTokens = maxTokens !== null && Number.isFinite(maxTokens) && maxTokens >= 0 ? maxTokens : DEFAULT_OUTPUT_TOKENS;
  return { inputTokens, outputTokens };
}

/**
 * Orders targets cheapest first by `input price × input tokens + output price × output tokens`; targets
 * without a (finite, non-negative) price go last. Stable: equal costs, and the unpriced ones, keep
 * their listed order.
 * @param targets The router's targets.
 * @param expected The call's expected tokens ({@link expectedTokens}).
 * @param priceOf A target's price in USD per million tokens, or `undefined` when unknown.
 * @returns A new array holding every target once.
 * @example
 * const order = orderByCost(router.targets, expectedTokens(body, maxTokens), (t) => findPrice(table, t.model));
 */
export function orderByCost<T>(targets: readonly T[], expected: ExpectedTokens, priceOf: (target: T) => TokenPrice | undefined): T[] {
  const costs = targets.map((target) => {
    const price = priceOf(target);
    if (price === undefined || !isPrice(price.input) || !isPrice(price.output)) return Number.POSITIVE_INFINITY;
    return (price.input * expected.inputTokens + price.output * expected.outputTokens) / 1_000_000;
  });
  const indexes = targets.map((_, index) => index);
  // Infinity - Infinity is NaN, so compare instead of subtracting; Array#sort is stable.
  indexes.sort((left, right) => {
    const a = costs[left]!;
    const b = costs[right]!;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return indexes.map((index) => targets[index]!);
}

function isPrice(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}
