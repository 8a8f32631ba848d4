/**
 * xAI Grok token prices (api.x.ai), USD per million tokens, requests of at most 200K input tokens.
 * Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md] anomalyco/models.dev `providers/xai/models/*.toml` (the Grok 4.6 and 4.7 rows cite
 *   docs.x.ai/developers/pricing).
 * - [gp] pydantic/genai-prices `prices/providers/x_ai.yml` (prices checked 2025-07-12 and 2025-11-27).
 *
 * - [gp2] @pydantic/genai-prices 0.1.8 (npm, checked 2026-12-07): the `-latest` aliases
 *   (`grok-latest` is Grok 4.5) and the tier at 200K prompt tokens and above on Grok 4.3, 4.5 and
 *   4.6 (xAI's boundary is inclusive, so the tier is `above: 199_999`). [gp2] lists Grok 4.5's cache
 *   read at $0.30 where [md] has $0.50; the [md] rate is kept.
 *
 * Not represented: the long-context rate of Grok 4.7 and 4.20 (no [gp2] row by these ids), the priority ("fast") service tier, and live-search and tool calls billed per call.
 * xAI bills no cache writes. `grok-4-0709` resolves to `grok-4` through the snapshot rule.
 * @module
 */
import type { PriceTable } from '../price.js';

/** xAI token prices by model id; see the module comment for sources, date and scope. */
export const xaiPrices = {
  // Grok 4.5 to 4.7. [md]
  'grok-4.7': { input: 2, cachedInput: 0.5, output: 6 },
  'grok-4.6': { input: 2, cachedInput: 0.5, output: 6, tiers: [{ above: 199_999, rates: { input: 4, cachedInput: 1, output: 12 } }] },
  'grok-4.6-latest': { input: 2, cachedInput: 0.5, output: 6, tiers: [{ above: 199_999, rates: { input: 4, cachedInput: 1, output: 12 } }] },
  'grok-4.5': { input: 2, cachedInput: 0.5, output: 6, tiers: [{ above: 199_999, rates: { input: 4, cachedInput: 1, output: 12 } }] },
  'grok-4.5-latest': { input: 2, cachedInput: 0.5, output: 6, tiers: [{ above: 199_999, rates: { input: 4, cachedInput: 1, output: 12 } }] },
  'grok-latest': { input: 2, cachedInput: 0.5, output: 6, tiers: [{ above: 199_999, rates: { input: 4, cachedInput: 1, output: 12 } }] },
  // Grok 4.3 and 4.20. [md][gp2]
  'grok-4.3': { input: 1.25, cachedInput: 0.2, output: 2.5, tiers: [{ above: 199_999, rates: { input: 2.5, cachedInput: 0.4, output: 5 } }] },
  'grok-4.3-latest': { input: 1.25, cachedInput: 0.2, output: 2.5, tiers: [{ above: 199_999, rates: { input: 2.5, cachedInput: 0.4, output: 5 } }] },
  'grok-4.20-0309-reasoning': { input: 1.25, cachedInput: 0.2, output: 2.5 },
  // Fast models. [md][gp]
  'grok-4-1-fast': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  'grok-4-fast': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  // The -latest aliases of the fast models. [gp2]
  'grok-4-1-fast-reasoning-latest': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  'grok-4-1-fast-non-reasoning-latest': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  'grok-4-fast-reasoning-latest': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  'grok-4-fast-non-reasoning-latest': { input: 0.2, cachedInput: 0.05, output: 0.5 },
  'grok-code-fast-1': { input: 0.2, cachedInput: 0.02, output: 1.5 },
  // Grok 4 (0709). [md][gp]
  'grok-4': { input: 3, cachedInput: 0.75, output: 15 },
  'grok-4-latest': { input: 3, cachedInput: 0.75, output: 15 },
  // Grok 3, kept so pinned deployments and historical records still price. [gp]
  'grok-3': { input: 3, cachedInput: 0.75, output: 15 },
  'grok-3-latest': { input: 3, cachedInput: 0.75, output: 15 },
  'grok-3-mini': { input: 0.3, cachedInput: 0.075, output: 0.5 },
  'grok-3-mini-latest': { input: 0.3, cachedInput: 0.075, output: 0.5 },
} as const satisfies PriceTable;
