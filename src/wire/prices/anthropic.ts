/**
 * Anthropic token prices (Claude API), USD per million tokens, Standard tier, requests of at most
 * 200K input tokens. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md]  anomalyco/models.dev `providers/anthropic/models/*.toml` (`cost.input`, `output`,
 *   `cache_read`, `cache_write`).
 * - [gp]  pydantic/genai-prices `prices/providers/anthropic.yml` (Claude 2 to Claude 4.0 rows).
 * - [rel] Public price tables quoting anthropic.com/pricing (onlyoneaman/code-usage
 *   `src/pricing/claude.js`, and Claude pricing tables of early 2026 in other repositories).
 *
 * `cacheWrite` is the 5-minute cache write (1.25x input), `cacheWrite1h` the 1-hour one (2x input,
 * every row of [gp] 0.1.8, checked 2026-12-07); `cachedInput` the cache read (0.1x input, 0.05x on
 * Sonnet 5.5). Sonnet 4.5 has its long-context tier above 200K input tokens ([gp]); genai-prices has
 * none for Sonnet 4.0, so none is set there. Not represented:
 * - Batch (0.5x), fast mode (2x on Opus 4.8 and 5.5), data residency surcharges, and the tiers
 *   Sonnet 4.6 and Opus 4.6 had before 2026-03-13 (flat since, per [gp]).
 * - Server tools (web search, code execution) billed per call.
 *
 * Keys are the API's aliases; dated snapshot ids (`claude-sonnet-4-5-20250929`) resolve to them
 * through `findPrice`'s snapshot rule. Aliases whose name differs from the snapshot's base
 * (`claude-sonnet-4-0` for `claude-sonnet-4-20250514`) have both spellings.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Anthropic token prices by model id; see the module comment for sources, date and scope. */
export const anthropicPrices = {
  // Claude 5 family. [md]; Sonnet 5.5's $0.10 cache read is 5% of input, as Anthropic's pricing page
  // states per the models.dev row's cited note.
  'claude-opus-5-5': { input: 4, cachedInput: 0.2, output: 20, cacheWrite: 5 , cacheWrite1h: 8 },
  'claude-sonnet-5-5': { input: 2, cachedInput: 0.1, output: 10, cacheWrite: 2.5 , cacheWrite1h: 4 },
  'claude-opus-5': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 , cacheWrite1h: 10 },
  'claude-sonnet-5': { input: 2, cachedInput: 0.2, output: 10, cacheWrite: 2.5 , cacheWrite1h: 4 },
  'claude-fable-5': { input: 10, cachedInput: 1, output: 50, cacheWrite: 12.5 , cacheWrite1h: 20 },

  // Claude 4.5 to 4.8. [md][rel]
  'claude-opus-4-8': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 , cacheWrite1h: 10 },
  'claude-opus-4-7': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 , cacheWrite1h: 10 },
  'claude-opus-4-6': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 , cacheWrite1h: 10 },
  'claude-sonnet-4-6': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  'claude-opus-4-5': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 , cacheWrite1h: 10 },
  // Above 200K input tokens (the 1M-context beta, retired 2026-04-30: larger requests fail since) the
  // whole request bills at 2x input and 1.5x output. [gp]
  'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, tiers: [{ above: 200_000, rates: { input: 6, cachedInput: 0.6, output: 22.5, cacheWrite: 7.5, cacheWrite1h: 12 } }] },
  'claude-haiku-4-5': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 , cacheWrite1h: 2 },

  // Claude 4.0 and 4.1. [md][gp][rel]
  'claude-opus-4-1': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 , cacheWrite1h: 30 },
  'claude-opus-4-0': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 , cacheWrite1h: 30 },
  // Base of the `claude-opus-4-20250514` snapshot.
  'claude-opus-4': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 , cacheWrite1h: 30 },
  'claude-sonnet-4-0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  // Base of the `claude-sonnet-4-20250514` snapshot.
  'claude-sonnet-4': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },

  // Claude 3.x, kept so pinned deployments and historical records still price. [gp][md]
  'claude-3-7-sonnet-latest': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  'claude-3-7-sonnet': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  'claude-3-5-sonnet-latest': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  'claude-3-5-sonnet': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 , cacheWrite1h: 6 },
  'claude-3-5-haiku-latest': { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 , cacheWrite1h: 1.6 },
  'claude-3-5-haiku': { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 , cacheWrite1h: 1.6 },
  'claude-3-opus-latest': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 , cacheWrite1h: 30 },
  'claude-3-opus': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 , cacheWrite1h: 30 },
  'claude-3-haiku': { input: 0.25, cachedInput: 0.03, output: 1.25, cacheWrite: 0.3 , cacheWrite1h: 0.5 },
} as const satisfies PriceTable;
