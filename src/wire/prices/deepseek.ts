/**
 * DeepSeek token prices (api.deepseek.com), USD per million tokens. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Source: [md] anomalyco/models.dev `providers/deepseek/models/*.toml`, whose
 * V4 rows quote api-docs.deepseek.com/quick_start/pricing (accessed 2026-08-17 and 2026-09-01).
 *
 * Also [gp] pydantic/genai-prices 0.1.8 (npm), provider `deepseek` (checked 2026-12-07): the same
 * V4 rates and windows.
 *
 * DeepSeek bills V4 (since 2026-08-17) at a peak rate 01:00-04:00 and 06:00-10:00 UTC and half that
 * off-peak, the rest of the day. The base rates are the peak (list) rates, so a call priced without
 * its start time is never understated; `windows` carries both. Not represented, as in [gp]: the
 * all-day off-peak rate at weekends (Beijing time, since 2026-08-23), so weekend peak-hour calls are
 * overstated, and the flat rate that applied before 2026-08-17. Reasoning tokens bill as output.
 * DeepSeek bills no cache writes; cache hits (`prompt_cache_hit_tokens`) bill at `cachedInput`.
 * @module
 */
import type { PriceRates, PriceTable, PriceWindow } from '../price.js';

/** V4's daily UTC windows: peak 01:00-04:00 and 06:00-10:00, off-peak the rest. */
const windows = (peak: PriceRates, offPeak: PriceRates): readonly PriceWindow[] => [
  { name: 'peak', from: '01:00', to: '04:00', rates: peak },
  { name: 'peak', from: '06:00', to: '10:00', rates: peak },
  { name: 'off-peak', from: '10:00', to: '01:00', rates: offPeak },
  { name: 'off-peak', from: '04:00', to: '06:00', rates: offPeak },
];

/** DeepSeek token prices by model id; see the module comment for sources, date and scope. */
export const deepseekPrices = {
  // DeepSeek V4: peak rates, and the off-peak windows at half. [md][gp]
  'deepseek-v4-pro': { input: 1.32, cachedInput: 0.044, output: 3.96, windows: windows({ input: 1.32, cachedInput: 0.044, output: 3.96 }, { input: 0.66, cachedInput: 0.022, output: 1.98 }) },
  'deepseek-v4-flash': { input: 0.44, cachedInput: 0.014, output: 1.32, windows: windows({ input: 0.44, cachedInput: 0.014, output: 1.32 }, { input: 0.22, cachedInput: 0.007, output: 0.66 }) },
  // The long-standing aliases, at the V3.2 prices models.dev last recorded for them (2026-02-11);
  // DeepSeek may have moved these aliases to V4 since.
  'deepseek-chat': { input: 0.28, cachedInput: 0.028, output: 0.42 },
  'deepseek-reasoner': { input: 0.28, cachedInput: 0.028, output: 0.42 },
  // V3.2 by its own id, at the same models.dev price ([gp] 0.1.8 lists $0.2288 / $0.3432 with no
  // cache rate, which no DeepSeek price page shows; left out).
  'deepseek-v3.2': { input: 0.28, cachedInput: 0.028, output: 0.42 },
} as const satisfies PriceTable;
