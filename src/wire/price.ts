/**
 * Model prices and the cost of one call. Pure: no I/O, no clock, no globals. Price tables are plain
 * data, one file per provider under `./prices/`, gathered by provider name in `./prices/index.ts`
 * (`builtinPrices`, `findProviderPrice`); deployments may pass their own tables with the same shape.
 * @module
 */
import { tokenCount } from './token-count.js';

export { tokenCount };

/** Per-token rates of one model, in USD per million tokens. */
export interface PriceRates {
  /** Uncached input (prompt) tokens. */
  input: number;
  /** Output (completion) tokens, reasoning included unless `reasoning` is set. */
  output: number;
  /** Input tokens read from the prompt cache; `null` when the model has no cache discount. */
  cachedInput: number | null;
  /** Input tokens written to the prompt cache (5-minute writes), where billed apart; absent or `null` when not. */
  cacheWrite?: number | null;
  /** Input tokens written to the 1-hour prompt cache; absent or `null`: they bill at `cacheWrite`. */
  cacheWrite1h?: number | null;
  /** Reasoning tokens, where billed apart from other output; absent or `null` when they bill as output. */
  reasoning?: number | null;
}

/** Rates for prompts of more than `above` input tokens, cache reads and writes included. */
export interface PriceTier {
  above: number;
  rates: PriceRates;
}

/** Rates inside a daily UTC window `from`-`to` (`'HH:MM'`, `to` exclusive, wrapping past midnight when `from > to`). */
export interface PriceWindow {
  /** Shown in `record.pricing.window` (`peak`, `off-peak`). */
  name: string;
  from: string;
  to: string;
  rates: PriceRates;
}

/** Rates from a UTC date on (`'2027-01-01'`). */
export interface PriceChange {
  from: string;
  rates: PriceRates;
  /**
   * The prompt-size tiers from this date on, replacing the model's `tiers` (`[]`: none any more);
   * absent: the model's `tiers` still apply.
   */
  tiers?: readonly PriceTier[];
}

/**
 * Prices of one model, in USD per million tokens: the Standard-tier rates, and optionally how they
 * change with the prompt's size, the time of day, the date and the region. Later rules win: a date
 * change (`changes`) replaces the base rates, a time-of-day `windows` entry replaces those, and a
 * prompt-size tier (`tiers`) replaces those in turn.
 */
export interface ModelPrice extends PriceRates {
  /**
   * Rates for prompts of more than `above` input tokens (cache reads and writes included), which
   * re-price the whole call (Gemini 2.5 Pro above 200K); the highest tier that applies wins.
   */
  tiers?: readonly PriceTier[];
  /**
   * Rates inside a daily UTC window `from`-`to` (`'HH:MM'`, `to` exclusive; `from` later than `to`
   * wraps past midnight), named for the record (`peak`, `off-peak`); the first that applies wins.
   */
  windows?: readonly PriceWindow[];
  /** Rates from a UTC date on (`'2027-01-01'`); the latest one started wins (introductory prices). */
  changes?: readonly PriceChange[];
  /** The region or profile these rates are for (`us`, `eu`, `global`), when it changes the price. */
  region?: string;
}

/** Which price rules applied to a call, as the record shows them (`record.pricing`). */
export interface Pricing {
  /** The prompt-size tier (`'>200k'`), or `null` for the base rates. */
  tier: string | null;
  /** The time-of-day window by name (`'off-peak'`), or `null` when the model has none or none applied. */
  window: string | null;
  /** The region or profile of the price row (`'us'`), or `null` when the price has none. */
  region: string | null;
  /** The date the rates in force started (`'2027-01-01'`), or `null` for the first rates. */
  since: string | null;
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
  /**
   * The part of `cacheWriteTokens` written to the 1-hour cache (Anthropic's
   * `cache_creation.ephemeral_1h_input_tokens`); absent or `null` when not reported.
   */
  cacheWrite1hTokens?: number | null;
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

const isCount = (value: number): boolean => tokenCount(value) !== null;

// `'HH:MM'` as minutes since midnight; the string compares as the number it spells.
const minuteOfDay = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

/**
 * Picks the rates that apply to one call: the date change in force at `atMs`, then the time-of-day
 * window `atMs` falls in, then the prompt-size tier of `usage.inputTokens` (see {@link ModelPrice}).
 * @param price The model's price.
 * @param usage The call's token counts (only `inputTokens` is read, for the tier).
 * @param atMs When the call started, in ms since the epoch (`record.startedAt`); without it, dates
 *   and windows are not applied (the base rates).
 * @returns The rates and which rules chose them.
 * @example
 * resolvePrice({ input: 1.25, output: 10, cachedInput: 0.125, tiers: [{ above: 200_000, rates: { input: 2.5, output: 15, cachedInput: 0.25 } }] },
 *   { inputTokens: 250_000, outputTokens: 0, cachedTokens: null, reasoningTokens: null }).pricing.tier; // '>200k'
 */
export function resolvePrice(price: ModelPrice, usage: TokenUsage, atMs?: number): { rates: PriceRates; pricing: Pricing } {
  let rates: PriceRates = price;
  let tiers = price.tiers;
  const pricing: Pricing = { tier: null, window: null, region: price.region ?? null, since: null };
  if (atMs !== undefined && Number.isFinite(atMs)) {
    let latest = -Infinity;
    for (const change of price.changes ?? []) {
      const from = Date.parse(change.from);
      // `!(from <= atMs)` also skips a date that does not parse (NaN).
      if (!(from <= atMs) || from < latest) continue;
      latest = from;
      rates = change.rates;
      tiers = change.tiers ?? price.tiers;
      pricing.since = change.from;
    }
    // Calls before 1970 would give a negative minute and match no window: the base rates apply.
    const minute = Math.floor(atMs / MS_PER_MINUTE) % MINUTES_PER_DAY;
    for (const window of price.windows ?? []) {
      const from = minuteOfDay(window.from);
      const to = minuteOfDay(window.to);
      // A time that does not parse (NaN) fails both comparisons: the window never applies.
      if (from <= to ? minute >= from && minute < to : from > to && (minute >= from || minute < to)) {
        rates = window.rates;
        pricing.window = window.name;
        break;
      }
    }
  }
  const input = usage.inputTokens ?? 0;
  for (const tier of tiers ?? []) {
    if (input <= tier.above) continue;
    rates = tier.rates;
    pricing.tier = `>${Math.round(tier.above / 1000)}k`;
  }
  return { rates, pricing };
}

/**
 * Computes one call's cost, per million tokens:
 * `(input - cached - cacheWrite) * input + cached * (cachedInput ?? input)
 *  + cacheWrite5m * (cacheWrite price ?? input) + cacheWrite1h * (cacheWrite1h ?? cacheWrite ?? input)
 *  + output * output`, where reasoning tokens bill at `reasoning` instead of `output` when the model
 * prices them apart, at the rates {@link resolvePrice} picks (prompt-size tier, time-of-day window,
 * date change). Subsets are clamped to their totals (cache reads first, then cache writes), so an
 * inconsistent report never bills a negative amount; an unreported subset counts as 0, which bills
 * those tokens at the plain input price.
 * @param price The model's price, usually from `findPrice`.
 * @param usage The token counts the provider reported, normalised to OpenAI semantics.
 * @param atMs When the call started (ms since the epoch, `record.startedAt`), for windows and date
 *   changes; without it the base rates apply.
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
export function computeCostUsd(price: ModelPrice | undefined, usage: TokenUsage, atMs?: number): number | null {
  if (price === undefined) return null;
  const { inputTokens, outputTokens, cachedTokens, reasoningTokens, cacheWriteTokens, cacheWrite1hTokens } = usage;
  if (inputTokens === null && outputTokens === null) return null;
  const input = inputTokens ?? 0;
  const output = outputTokens ?? 0;
  const cachedReported = cachedTokens ?? 0;
  const writtenReported = cacheWriteTokens ?? 0;
  const hourReported = cacheWrite1hTokens ?? 0;
  const reasoningReported = reasoningTokens ?? 0;
  if (
    !isCount(input) || !isCount(output) || !isCount(cachedReported) || !isCount(writtenReported) ||
    !isCount(hourReported) || !isCount(reasoningReported)
  ) {
    return null;
  }
  const rates = price.tiers === undefined && price.windows === undefined && price.changes === undefined
    ? price
    : resolvePrice(price, usage, atMs).rates;

  // Clamp subsets to their totals so an inconsistent report cannot produce a negative term.
  const cached = Math.min(cachedReported, input);
  const written = Math.min(writtenReported, input - cached);
  const hour = Math.min(hourReported, written);
  const writePrice = rates.cacheWrite ?? rates.input;
  const inputCost =
    (input - cached - written) * rates.input +
    cached * (rates.cachedInput ?? rates.input) +
    (written - hour) * writePrice +
    hour * (rates.cacheWrite1h ?? writePrice);

  let outputCost = output * rates.output;
  const reasoningPrice = rates.reasoning;
  if (reasoningPrice !== undefined && reasoningPrice !== null) {
    const reasoning = Math.min(reasoningReported, output);
    outputCost = (output - reasoning) * rates.output + reasoning * reasoningPrice;
  }

  const cost = Math.round(((inputCost + outputCost) / TOKENS_PER_UNIT) * ROUNDING) / ROUNDING;
  return Number.isFinite(cost) && cost >= 0 ? cost : null;
}
