/**
 * Together AI token prices (serverless), USD per million tokens. Keys are Together's model ids.
 * Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [gp] pydantic/genai-prices `prices/providers/together.yml` (rows checked 2025-07-03).
 * - [md] anomalyco/models.dev `providers/togetherai/models/**`.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Together AI token prices by model id; see the module comment for sources, date and scope. */
export const togetherPrices = {
  // [gp][md]
  'meta-llama/Llama-3.3-70B-Instruct-Turbo': { input: 0.88, cachedInput: null, output: 0.88 },
  // [gp]
  'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8': { input: 0.27, cachedInput: null, output: 0.85 },
  'meta-llama/Llama-4-Scout-17B-16E-Instruct': { input: 0.18, cachedInput: null, output: 0.59 },
  'meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo': { input: 3.5, cachedInput: null, output: 3.5 },
  'meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo': { input: 0.88, cachedInput: null, output: 0.88 },
  'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo': { input: 0.18, cachedInput: null, output: 0.18 },
  // [md]
  'deepseek-ai/DeepSeek-V3': { input: 1.25, cachedInput: null, output: 1.25 },
} as const satisfies PriceTable;
