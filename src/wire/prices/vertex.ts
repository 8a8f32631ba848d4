/**
 * Google Vertex AI token prices for Anthropic's Claude models, USD per million tokens, requests of
 * at most 200K input tokens. Keys are Vertex model ids (`claude-sonnet-4-5@20250929`; `@default`
 * for models without a dated version). Gemini ids on Vertex bill as on the Gemini API, so they are
 * not repeated here: `findProviderPrice` falls back to the `gemini` table. Plain data: nothing runs
 * at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md] anomalyco/models.dev `providers/google-vertex-anthropic/models/*.toml`: Vertex bills Claude
 *   at Anthropic's own rates.
 * - [an] Rows for ids models.dev was not read for carry Anthropic's price for the same model
 *   (`./anthropic.ts`), as every Vertex Claude row read in models.dev does.
 *
 * - [gp] @pydantic/genai-prices 0.1.8 (npm, provider `google`, checked 2026-12-07): the Claude 5
 *   rows (global endpoint) and Sonnet 4.5's tier above 200K input tokens; it matches any `@` version.
 *
 * Not represented: the 10% surcharge of regional and multi-region endpoints (the endpoint is not in
 * the model id), the rate of Opus 4.6 above 200K before 2026-03-13, 1-hour cache writes and Batch.
 * @module
 */
import type { PriceTable, PriceTier } from '../price.js';

/** Sonnet 4.5 above 200K input tokens. [gp] */
const SONNET_4_5_LONG: readonly PriceTier[] = [{ above: 200_000, rates: { input: 6, cachedInput: 0.6, output: 22.5, cacheWrite: 7.5 } }];

/** Vertex AI Claude token prices by model id; see the module comment for sources, date and scope. */
export const vertexPrices = {
  // [md]
  'claude-opus-4-6@default': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-opus-4-5@20251101': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-sonnet-4-5@20250929': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75, tiers: SONNET_4_5_LONG },
  // `@default` spellings. [gp]
  'claude-fable-5@default': { input: 10, cachedInput: 1, output: 50, cacheWrite: 12.5 },
  'claude-opus-5-5@default': { input: 4, cachedInput: 0.2, output: 20, cacheWrite: 5 },
  'claude-opus-5@default': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-sonnet-4-5@default': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75, tiers: SONNET_4_5_LONG },
  // `@default` spellings of models [gp] has no Vertex row for, at Anthropic's price. [an]
  'claude-sonnet-5@default': { input: 2, cachedInput: 0.2, output: 10, cacheWrite: 2.5 },
  'claude-opus-4-5@default': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-haiku-4-5@default': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },
  'claude-haiku-4-5@20251001': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },
  // [an]
  'claude-opus-4-8@default': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-opus-4-7@default': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'claude-sonnet-4-6@default': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-opus-4@20250514': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
  'claude-sonnet-4@20250514': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-3-7-sonnet@20250219': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-3-5-sonnet@20241022': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'claude-3-5-haiku@20241022': { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 },
} as const satisfies PriceTable;
