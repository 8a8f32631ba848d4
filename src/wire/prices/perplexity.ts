/**
 * Perplexity token prices (Sonar API), USD per million tokens. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Source: [gp] pydantic/genai-prices `prices/providers/perplexity.yml` (prices
 * checked 2025-07-03 against docs.perplexity.ai/guides/pricing).
 *
 * Token prices only: Perplexity also bills a fee per 1,000 requests (genai-prices records $12 for
 * `sonar` and `sonar-reasoning`, $14 for `sonar-pro` and `sonar-reasoning-pro`), which a token
 * table cannot hold, so costs computed from this table are a lower bound for these models.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Perplexity token prices by model id; see the module comment for sources, date and scope. */
export const perplexityPrices = {
  sonar: { input: 1, cachedInput: null, output: 1 },
  'sonar-pro': { input: 3, cachedInput: null, output: 15 },
  'sonar-reasoning': { input: 1, cachedInput: null, output: 5 },
  'sonar-reasoning-pro': { input: 2, cachedInput: null, output: 8 },
  'sonar-deep-research': { input: 2, cachedInput: null, output: 8 },
} as const satisfies PriceTable;
