/**
 * Fireworks AI token prices (serverless), USD per million tokens. Keys are Fireworks' full model
 * paths (`accounts/fireworks/models/...`). Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Source: [gp] pydantic/genai-prices `prices/providers/fireworks.yml` (prices
 * checked 2025-07-13 against fireworks.ai/pricing). Where Fireworks lists one price per model,
 * genai-prices takes it for input and output alike, and so does this table.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Fireworks token prices by model path; see the module comment for sources, date and scope. */
export const fireworksPrices = {
  'accounts/fireworks/models/deepseek-r1-0528': { input: 3, cachedInput: null, output: 8 },
  'accounts/fireworks/models/deepseek-v3-0324': { input: 0.9, cachedInput: null, output: 0.9 },
  'accounts/fireworks/models/qwen3-235b-a22b': { input: 0.22, cachedInput: null, output: 0.88 },
  'accounts/fireworks/models/llama4-maverick-instruct-basic': { input: 0.22, cachedInput: null, output: 0.88 },
  'accounts/fireworks/models/llama-v3p1-8b-instruct': { input: 0.2, cachedInput: null, output: 0.2 },
  'accounts/fireworks/models/qwen2p5-vl-72b-instruct': { input: 0.9, cachedInput: null, output: 0.9 },
  'accounts/fireworks/models/gemma-3-27b-it': { input: 0.1, cachedInput: null, output: 0.1 },
} as const satisfies PriceTable;
