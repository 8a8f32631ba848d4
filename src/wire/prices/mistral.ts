/**
 * Mistral AI token prices (La Plateforme), USD per million tokens. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Sources, cited per row:
 * - [md] anomalyco/models.dev `providers/mistral/models/*.toml` (several rows cite
 *   docs.mistral.ai/inference/pricing, accessed 2026-08-27).
 * - [gp] pydantic/genai-prices `prices/providers/mistral.yml` (prices checked 2025-07-04).
 *
 * Cache reads (10% of input) on Mistral Large 3, Medium 3 to 3.5 and Devstral 2 are from
 * genai-prices 0.1.8 (npm; its rows cite Mistral's own platform-docs model schemas), checked
 * 2026-12-08 by the drift test (test/prices). Other models bill no cached-input discount (`cachedInput: null`). Keys are API ids;
 * `-latest` aliases move to new versions, so each row says which version its price belongs to.
 * `findPrice` strips a four-digit version suffix (`mistral-large-2512` -> `mistral-large`), but no
 * key here is a bare family name, so an unlisted version never borrows another version's price.
 * Left out: Mistral Large 4 (public preview at a 50% discount, list price not yet billed), OCR,
 * audio and moderation models, which are not billed per token.
 * @module
 */
import type { PriceTable } from '../price.js';

/** Mistral token prices by model id; see the module comment for sources, date and scope. */
export const mistralPrices = {
  // Mistral Large 3 (2512); the -latest alias pointed at it when checked. [md]
  'mistral-large-latest': { input: 0.5, cachedInput: null, output: 1.5 },
  'mistral-large-2512': { input: 0.5, cachedInput: 0.05, output: 1.5 },
  // Mistral Large 2.1 kept its launch price. [gp]
  'mistral-large-2411': { input: 2, cachedInput: null, output: 6 },

  // Mistral Medium 3.5 (2604) is the current -latest; 3.1 (2508) and 3 (2505) kept their price. [md][gp]
  'mistral-medium-latest': { input: 1.5, cachedInput: 0.15, output: 7.5 },
  'mistral-medium-2604': { input: 1.5, cachedInput: null, output: 7.5 },
  'mistral-medium-2508': { input: 0.4, cachedInput: 0.04, output: 2 },
  'mistral-medium-2505': { input: 0.4, cachedInput: 0.04, output: 2 },

  // Mistral Small 3.2 (2506). [md][gp]
  'mistral-small-latest': { input: 0.1, cachedInput: null, output: 0.3 },
  'mistral-small-2506': { input: 0.1, cachedInput: null, output: 0.3 },

  // Ministral 3 (2512). [md]
  'ministral-14b-2512': { input: 0.2, cachedInput: 0.02, output: 0.2 },
  'ministral-8b-2512': { input: 0.15, cachedInput: 0.015, output: 0.15 },

  // Reasoning models (models.dev marks Magistral Medium deprecated). [md][gp]
  'magistral-medium-latest': { input: 2, cachedInput: null, output: 5 },
  'magistral-medium-2506': { input: 2, cachedInput: null, output: 5 },
  // [gp] only.
  'magistral-small-2506': { input: 0.5, cachedInput: null, output: 1.5 },

  // Code models. Codestral 25.08: codestral-latest resolves to it. [md][gp]
  'codestral-latest': { input: 0.3, cachedInput: 0.03, output: 0.9 },
  'codestral-2508': { input: 0.3, cachedInput: 0.03, output: 0.9 },
  // Devstral 2 (models.dev: retiring 2026-07-31, kept for historical records). [md]
  'devstral-2512': { input: 0.4, cachedInput: 0.04, output: 2 },

  // Open models. [gp]
  'open-mistral-nemo': { input: 0.15, cachedInput: null, output: 0.15 },

  // Embeddings: input only (genai-prices lists an output price, which embeddings never bill). [gp]
  'mistral-embed': { input: 0.1, cachedInput: null, output: 0 },
} as const satisfies PriceTable;
