/**
 * Cerebras token prices (api.cerebras.ai, Developer tier), USD per million tokens. Plain data:
 * nothing runs at import.
 *
 * Checked 2026-11-27. Source: [gp] pydantic/genai-prices `prices/providers/cerebras.yml` (prices
 * checked 2025-11-06 and 2025-11-07 against cerebras.ai/pricing).
 * @module
 */
import type { PriceTable } from '../price.js';

/** Cerebras token prices by model id; see the module comment for sources, date and scope. */
export const cerebrasPrices = {
  'gpt-oss-120b': { input: 0.35, cachedInput: null, output: 0.75 },
  'llama-3.3-70b': { input: 0.85, cachedInput: null, output: 1.2 },
  'llama3.1-8b': { input: 0.1, cachedInput: null, output: 0.1 },
  'qwen-3-32b': { input: 0.4, cachedInput: null, output: 0.8 },
} as const satisfies PriceTable;
