/**
 * Model prices and the cost of one call. Pure: no I/O, no clock, no globals. Price tables are plain
 * data, one file per provider under `./prices/`, gathered by provider name in `./prices/index.ts`
 * (`builtinPrices`, `findProviderPrice`); deployments may pass their own tables with the same shape.
 * @module
 */

/** Prices of one model, in USD per million tokens, for the Standard tier and short-context requests. */
export interface ModelPrice {
  /** Uncached input (prompt) tokens. */
  input: number;
  /** Output (completion) tokens, reasoning included unless `reasoning` is set. */
  output: number;
  /** Input tokens read from the prompt cache; `null` when the model has no cache discount. */
  cachedInput: number | null;
  /** Input tokens written to the prompt cache, where billed apart; absent or `null` when not. */
  cacheWrite?: number | null;
  /** Reasoning tokens, where billed apart from other output; absent or `null` when they bill as output. */
  reasoning?: number | null;
}

/** Model id to price; keys are exact ids as the provider spells them. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Token counts of one call. Sluice normalises every provider to OpenAI semantics: `inputTokens`
 * counts all input, cache reads (`cachedTokens`) and cache writes (`cacheWriteTokens`) included,
 * and `outputTokens` includes `reasoningTokens`. So an Anthropic reply with `input_tokens: 100`,
 * `cache_read_input_tokens: 800`, `cache_creation_input_tokens: 200` is `inputTokens: 1100`,
 * `cachedTokens: 800`, `cacheWriteTokens: 200`. `null` means the provider did not report the count.
 */
export interface TokenUsage {
  /** All input tokens, cache reads and cache writes included. */
  inputTokens: number | null;
  /** All output tokens, reasoning included. */
  outputTokens: number | null;
  /** The part of `inputTokens` read from the prompt cache. */
  cachedTokens: number | null;
  /** The part of `outputTokens` spent on hidden reasoning. */
  reasoningTokens: number | null;
  /**
   * The part of `inputTokens` written to the prompt cache (Anthropic's `cache_creation_input_tokens`,
   * Bedrock's `cacheWriteInputTokens`); absent or `null` when not reported.
   */
  cacheWriteTokens?: number | null;
}

const PROVIDER_PREFIX = 'openai/';
// `-2024-08-06` on current OpenAI models, `-0125` on gpt-3.5/gpt-4 era ones (and Mistral's `-2512`),
// `-20250929` on Anthropic's. Anchored at the end only.
const DATED_SNAPSHOT = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/;
const TOKENS_PER_UNIT = 1_000_000;
const ROUNDING = 1e10;

function lookup(table: PriceTable, id: string): ModelPrice | undefined {
  // hasOwn so that ids like `constructor` never resolve to Object.prototype members.
  return Object.hasOwn(table, id) ? table[id] : undefined;
}

function lookupWithSnapshot(table: PriceTable, id: string): ModelPrice | undefined {
  const exact = lookup(table, id);
  if (exact !== undefined) return exact;
  const base = id.replace(DATED_SNAPSHOT, '');
  return base === id ? undefined : lookup(table, base);
}

/**
 * Finds a model's price by exact id, then without a trailing dated snapshot suffix (`-2024-08-06`,
 * `-20250929`, `-0125`), each also tried without an `openai/` prefix; nothing looser, so an unknown
 * id never borrows a neighbour's price.
 * @param table The price table to search.
 * @param model The model id as sent or as reported by the provider.
 * @returns The price, or `undefined` when the table has no entry for the model.
 * @example
 * findPrice(openaiPrices, 'gpt-4o-2024-08-06'); // the `gpt-4o` entry
 * findPrice(openaiPrices, 'openai/gpt-4.1-mini'); // the `gpt-4.1-mini` entry
 * findPrice(openaiPrices, 'gpt-4o-mini-foo'); // undefined
 */
export function findPrice(table: PriceTable, model: string): ModelPrice | undefined {
  const found = lookupWithSnapshot(table, model);
  if (found !== undefined || !model.startsWith(PROVIDER_PREFIX)) return found;
  return lookupWithSnapshot(table, model.slice(PROVIDER_PREFIX.length));
}

/**
 * Reads a token count: a number from 0 to `Number.MAX_SAFE_INTEGER`. Anything else (negative, not
 * finite, absurdly large such as `1e308`, not a number) is unknown, so it can never price to
 * `Infinity` or a negative amount.
 * @param value What the provider sent.
 * @returns The count, or `null` when unknown.
 * @example
 * tokenCount(12); // 12
 * tokenCount(-3); // null
 * tokenCount(1e308); // null
 */
export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : null;
}

const isCount = (value: number): boolean => tokenCount(value) !== null;

/**
 * Computes one call's cost, per million tokens:
 * `(input - cached - cacheWrite) * input + cached * (cachedInput ?? input)
 *  + cacheWrite * (cacheWrite price ?? input) + output * output`, where reasoning tokens bill at
 * `reasoning` instead of `output` when the model prices them apart. Subsets are clamped to their
 * totals (cache reads first, then cache writes), so an inconsistent report never bills a negative
 * amount; an unreported subset counts as 0, which bills those tokens at the plain input price.
 * @param price The model's price, usually from `findPrice`.
 * @param usage The token counts the provider reported, normalised to OpenAI semantics.
 * @returns The cost in USD rounded to 1e-10, or `null` when the price is unknown, both input and
 *   output counts are unknown, a count is not a valid count ({@link tokenCount}), or the result would
 *   not be finite (an absurd price). Never `0` for unknown, never `Infinity` or `NaN`.
 * @example
 * // gpt-4o: 1,000 input of which 400 cached, 200 output
 * computeCostUsd({ input: 2.5, cachedInput: 1.25, output: 10 },
 *   { inputTokens: 1000, outputTokens: 200, cachedTokens: 400, reasoningTokens: null });
 * // => 0.0015 + 0.0005 + 0.002 = 0.004
 * // claude-sonnet-4-5: 1,100 input = 100 uncached + 800 cache reads + 200 cache writes, 50 output
 * computeCostUsd({ input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
 *   { inputTokens: 1100, outputTokens: 50, cachedTokens: 800, cacheWriteTokens: 200, reasoningTokens: null });
 * // => 0.0003 + 0.00024 + 0.00075 + 0.00075 = 0.00204
 */
export function computeCostUsd(price: ModelPrice | undefined, usage: TokenUsage): number | null {
  if (price === undefined) return null;
  const { inputTokens, outputTokens, cachedTokens, reasoningTokens, cacheWriteTokens } = usage;
  if (inputTokens === null && outputTokens === null) return null;
  const input = inputTokens ?? 0;
  const output = outputTokens ?? 0;
  const cachedReported = cachedTokens ?? 0;
  const writtenReported = cacheWriteTokens ?? 0;
  const reasoningReported = reasoningTokens ?? 0;
  if (!isCount(input) || !isCount(output) || !isCount(cachedReported) || !isCount(writtenReported) || !isCount(reasoningReported)) {
    return null;
  }

  // Clamp subsets to their totals so an inconsistent report cannot produce a negative term.
  const cached = Math.min(cachedReported, input);
  const written = Math.min(writtenReported, input - cached);
  const inputCost =
    (input - cached - written) * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input);

  let outputCost = output * price.output;
  const reasoningPrice = price.reasoning;
  if (reasoningPrice !== undefined && reasoningPrice !== null) {
    const reasoning = Math.min(reasoningReported, output);
    outputCost = (output - reasoning) * price.output + reasoning * reasoningPrice;
  }

  const cost = Math.round(((inputCost + outputCost) / TOKENS_PER_UNIT) * ROUNDING) / ROUNDING;
  return Number.isFinite(cost) && cost >= 0 ? cost : null;
}
