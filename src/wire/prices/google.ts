/**
 * Google Gemini token prices (Gemini API, paid tier), USD per million tokens, Standard tier, text
 * input, prompts of at most 200K tokens. Vertex AI bills the same rates for these ids (models.dev's
 * `google-vertex` rows point at the same base models), so the `vertex` provider falls back here.
 * Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md]  anomalyco/models.dev `providers/google/models/*.toml` (the `[cost]` table, which is the
 *   200K-and-under tier; some rows cite ai.google.dev/gemini-api/docs/pricing) and
 *   `providers/google-vertex/models/gemini-2.5-pro.toml`.
 * - [rel] Public price tables quoting ai.google.dev/gemini-api/docs/pricing.
 *
 * The Pro models' tier above 200K prompt tokens (2.5 Pro: $2.50 / $15 / $0.25; 3 and 3.1 Pro:
 * $4 / $18 / $0.40) re-prices the whole request (`tiers`), and the 3.6 to 3.8 Flash introductory
 * prices end 2026-12-31 (`changes`), both as [gp] pydantic/genai-prices 0.1.8 (npm, provider
 * `google`, checked 2026-12-07) has them. Not represented, so costs are text rates only:
 * - Audio input (dearer on the Flash models), explicit context-cache storage per hour (no per-token
 *   write fee: `cacheWrite` is left unset), grounding with Search, Batch (0.5x) and Flex.
 * - Output includes thinking tokens, billed as output.
 * @module
 */
import type { PriceRates, PriceTable } from '../price.js';

/** Gemini 3 and 3.1 Pro above 200K prompt tokens. [gp] */
const PRO_3_LONG: PriceRates = { input: 4, cachedInput: 0.4, output: 18 };
/** Gemini 3.6 to 3.8 Flash from 2027-01-01, after their introductory prices. [md][gp] */
const FLASH_2027: PriceRates = { input: 1.5, cachedInput: 0.15, output: 7.5 };

/** Gemini token prices by model id; see the module comment for sources, date and scope. */
export const geminiPrices = {
  // Gemini 3.x. [md]
  // Introductory prices through 2026-12-31, $1.50 / $7.50 / $0.15 from 2027-01-01. [md][gp]
  'gemini-3.8-flash': { input: 0.75, cachedInput: 0.075, output: 3.75, changes: [{ from: '2027-01-01', rates: FLASH_2027 }] },
  'gemini-3.7-flash': { input: 0.75, cachedInput: 0.075, output: 3.75, changes: [{ from: '2027-01-01', rates: FLASH_2027 }] },
  'gemini-3.6-flash': { input: 0.75, cachedInput: 0.075, output: 3.75, changes: [{ from: '2027-01-01', rates: FLASH_2027 }] },
  'gemini-3.5-flash': { input: 1.5, cachedInput: 0.15, output: 9 },
  'gemini-3.1-pro-preview': { input: 2, cachedInput: 0.2, output: 12, tiers: [{ above: 200_000, rates: PRO_3_LONG }] },
  'gemini-3.1-flash-lite': { input: 0.25, cachedInput: 0.025, output: 1.5 },
  // The preview id, same price. [gp]
  'gemini-3.1-flash-lite-preview': { input: 0.25, cachedInput: 0.025, output: 1.5 },
  'gemini-3-pro-preview': { input: 2, cachedInput: 0.2, output: 12, tiers: [{ above: 200_000, rates: PRO_3_LONG }] },
  'gemini-3-flash-preview': { input: 0.5, cachedInput: 0.05, output: 3 },

  // Gemini 2.5. Cache reads at 10% of input, Google's 2025 rate. [md][rel]
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.125, output: 10, tiers: [{ above: 200_000, rates: { input: 2.5, cachedInput: 0.25, output: 15 } }] },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.03, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, cachedInput: 0.01, output: 0.4 },

  // Gemini 2.0, retired 2026-06-01 per models.dev; kept so historical records still price. [md][rel]
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  // Pinned version id of gemini-2.0-flash, same price.
  'gemini-2.0-flash-001': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gemini-2.0-flash-lite': { input: 0.075, cachedInput: null, output: 0.3 },
  'gemini-2.0-flash-lite-001': { input: 0.075, cachedInput: null, output: 0.3 },

  // Embeddings: input only. [md]
  'gemini-embedding-001': { input: 0.15, cachedInput: null, output: 0 },
} as const satisfies PriceTable;
