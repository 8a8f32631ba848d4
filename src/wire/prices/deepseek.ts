/**
 * DeepSeek token prices (api.deepseek.com), USD per million tokens. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Source: [md] anomalyco/models.dev `providers/deepseek/models/*.toml`, whose
 * V4 rows quote api-docs.deepseek.com/quick_start/pricing (accessed 2026-08-17 and 2026-09-01).
 *
 * DeepSeek bills V4 at a peak rate (01:00-04:00 and 06:00-10:00 UTC on weekdays) and half that
 * off-peak. Price tables have no time of day, so the rows below carry the peak (list) rate and
 * overstate off-peak calls by 2x; the models.dev Flash row holds the off-peak rate, doubled here as
 * its note states ("Peak ... is exactly double"). Reasoning tokens bill as output. DeepSeek bills
 * no cache writes; cache hits (`prompt_cache_hit_tokens`) bill at `cachedInput`.
 * @module
 */
import type { PriceTable } from '../price.js';

/** DeepSeek token prices by model id; see the module comment for sources, date and scope. */
export const deepseekPrices = {
  // DeepSeek V4, peak rates. [md]
  'deepseek-v4-pro': { input: 1.32, cachedInput: 0.044, output: 3.96 },
  'deepseek-v4-flash': { input: 0.44, cachedInput: 0.014, output: 1.32 },
  // The long-standing aliases, at the V3.2 prices models.dev last recorded for them (2026-02-11);
  // DeepSeek may have moved these aliases to V4 since.
  'deepseek-chat': { input: 0.28, cachedInput: 0.028, output: 0.42 },
  'deepseek-reasoner': { input: 0.28, cachedInput: 0.028, output: 0.42 },
} as const satisfies PriceTable;
