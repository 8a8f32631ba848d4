/**
 * Groq token prices (api.groq.com), USD per million tokens. Keys are Groq's model ids, some with an
 * owner prefix (`openai/gpt-oss-120b`). Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md]  anomalyco/models.dev `providers/groq/models/**` (rows updated 2025-07 to 2026-05).
 * - [rel] Public price tables quoting groq.com/pricing (several repositories list the same rates).
 * - [gp]  @pydantic/genai-prices 0.1.8 (npm, provider `groq`, checked 2026-12-07): Llama 4.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Groq token prices by model id; see the module comment for sources, date and scope. */
export const groqPrices = {
  // [md]
  'openai/gpt-oss-120b': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'openai/gpt-oss-20b': { input: 0.075, cachedInput: 0.0375, output: 0.3 },
  'qwen/qwen3-32b': { input: 0.29, cachedInput: null, output: 0.59 },
  // Cache reads at half price: genai-prices 0.1.8 (npm), checked 2026-12-08.
  'moonshotai/kimi-k2-instruct': { input: 1, cachedInput: 0.5, output: 3 },
  // [gp]
  'meta-llama/llama-4-maverick-17b-128e-instruct': { input: 0.2, cachedInput: null, output: 0.6 },
  'meta-llama/llama-4-scout-17b-16e-instruct': { input: 0.11, cachedInput: null, output: 0.34 },
  // [rel]
  'llama-3.3-70b-versatile': { input: 0.59, cachedInput: null, output: 0.79 },
  'llama-3.1-8b-instant': { input: 0.05, cachedInput: null, output: 0.08 },
} as const satisfies PriceTable;
