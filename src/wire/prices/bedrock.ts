/**
 * Amazon Bedrock token prices for Anthropic's Claude models (on-demand), USD per million tokens,
 * requests of at most 200K input tokens. Keys are Bedrock model ids and cross-region inference
 * profile ids (`us.`, `global.`). Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md] anomalyco/models.dev `providers/amazon-bedrock/models/*.toml`: Bedrock bills Claude at
 *   Anthropic's own rates, the `us.` and `global.` profiles included.
 * - [an] Rows for ids models.dev was not read for carry Anthropic's price for the same model
 *   (`./anthropic.ts`), as every Bedrock Claude row read in models.dev does.
 *
 * Not represented: regional-endpoint or data-residency surcharges, if AWS applies them to a profile,
 * 1-hour cache writes, Batch, and provisioned throughput. Ids not listed here (other vendors' models
 * on Bedrock) have no price; `findProviderPrice` does not map Bedrock ids onto Anthropic's table.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Bedrock token prices by model id; see the module comment for sources, date and scope. */
export const bedrockPrices = {
  // Claude 4.5 and 4.6. [md]
  'anthropic.claude-opus-4-6-v1': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'anthropic.claude-opus-4-5-20251101-v1:0': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'anthropic.claude-sonnet-4-5-20250929-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },
  // Cross-region profiles of the rows above. [an]
  'us.anthropic.claude-opus-4-6-v1': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'global.anthropic.claude-opus-4-6-v1': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'us.anthropic.claude-opus-4-5-20251101-v1:0': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'global.anthropic.claude-opus-4-5-20251101-v1:0': { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 },
  'us.anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },
  'global.anthropic.claude-haiku-4-5-20251001-v1:0': { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 },

  // Claude 4.0 and 4.1. [an]
  'anthropic.claude-opus-4-1-20250805-v1:0': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
  'us.anthropic.claude-opus-4-1-20250805-v1:0': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
  'anthropic.claude-opus-4-20250514-v1:0': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
  'us.anthropic.claude-opus-4-20250514-v1:0': { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 },
  'anthropic.claude-sonnet-4-20250514-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'us.anthropic.claude-sonnet-4-20250514-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },

  // Claude 3.x. [an]
  'anthropic.claude-3-7-sonnet-20250219-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'us.anthropic.claude-3-7-sonnet-20250219-v1:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  // The id is the example of the project's provider reference, section 5.
  'anthropic.claude-3-5-sonnet-20241022-v2:0': { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 },
  'anthropic.claude-3-5-haiku-20241022-v1:0': { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 },
} as const satisfies PriceTable;
