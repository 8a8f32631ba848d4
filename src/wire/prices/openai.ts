/**
 * OpenAI token prices, USD per million tokens, Standard tier. Plain data: nothing runs at import.
 *
 * Checked 2026-11-27. Each entry agrees in at least two of these sources; where a row cites fewer,
 * its comment says why it was kept:
 * - [oai] OpenAI model pages, developers.openai.com/api/docs/models/<id> (GPT-5.6 and GPT-6 rows).
 * - [ltl] BerriAI/litellm `model_prices_and_context_window.json` (stored copy of mid-July 2026: has
 *   GPT-5.6 launch prices, no GPT-6), and LiteLLM's launch posts for GPT-6 / 6.1 / 6.2 models.
 * - [gp]  pydantic/genai-prices `prices/providers/openai.yml` (copy checked to 2025-11-13).
 * - [md]  anomalyco/models.dev `providers/openai/models/*.toml`.
 * - [rel] Dated release notes of price trackers quoting OpenAI's pricing page (PromptFuel,
 *   codexometer, codex-token-meter, agent-telemetry, trick77/toolkit) and reseller pages that state
 *   they bill OpenAI's Standard rates (laozhang, apiyi, apidog guides).
 *
 * - Long context: GPT-5.4, 5.5, 5.6 and GPT-6 re-price the whole request at 272K input tokens and
 *   above (2x input, cached input and cache writes, 1.5x output): the `tiers` of those rows, as
 *   OpenAI's model pages and genai-prices 0.1.8 give them (GPT-6 Sol and Luna: above 272K).
 *   GPT-6.1 and 6.2 have no published long-context rate in either source, so none is modelled.
 *
 * Not represented: Batch/Flex (0.5x), Fast/priority (2x) and regional processing (+10%).
 * - GPT-5.6 and GPT-6 bill cache writes (`cacheWrite`, 1.25x input, 30-minute retention; the
 *   12-hour retention costs more). Earlier models bill no cache writes.
 * - Realtime and audio models list text-token prices only; their audio and image tokens cost more.
 * @module
 */
import type { PriceTable } from '../price.js';

/** OpenAI token prices by model id; see the module comment for sources, date and scope. */
export const openaiPrices = {
  // GPT-6 family. [oai][rel][ltl]
  'gpt-6.2-sol': { input: 2, cachedInput: 0.1, output: 10, cacheWrite: 2.5 },
  'gpt-6.1-sol': { input: 2, cachedInput: 0.1, output: 10, cacheWrite: 2.5 },
  'gpt-6.1-terra': { input: 1, cachedInput: 0.05, output: 5, cacheWrite: 1.25 },
  'gpt-6-astra': { input: 10, cachedInput: 1, output: 50, cacheWrite: 12.5, tiers: [{ above: 271_999, rates: { input: 20, cachedInput: 2, output: 75, cacheWrite: 25 } }] },
  'gpt-6-sol': { input: 2, cachedInput: 0.2, output: 10, cacheWrite: 2.5, tiers: [{ above: 272_000, rates: { input: 4, cachedInput: 0.4, output: 15, cacheWrite: 5 } }] },
  'gpt-6-luna': { input: 0.1, cachedInput: 0.01, output: 0.5, cacheWrite: 0.125, tiers: [{ above: 272_000, rates: { input: 0.2, cachedInput: 0.02, output: 0.75, cacheWrite: 0.25 } }] },

  // GPT-5.6 family. Sol: list price. OpenAI's page shows a $4 / $0.40 / $20 promotion guaranteed
  // only through 2026-11-21, which had passed when checked with no extension found; list price
  // errs toward overstating cost. models.dev's $2 / $10 for 5.6 Sol matches GPT-6 Sol and no
  // other source, so it was not taken. [oai][ltl][rel]
  'gpt-5.6-sol': { input: 5, cachedInput: 0.5, output: 30, cacheWrite: 6.25, tiers: [{ above: 271_999, rates: { input: 10, cachedInput: 1, output: 45, cacheWrite: 12.5 } }] },
  // OpenAI's alias for gpt-5.6-sol. [oai][md]
  'gpt-5.6': { input: 5, cachedInput: 0.5, output: 30, cacheWrite: 6.25, tiers: [{ above: 271_999, rates: { input: 10, cachedInput: 1, output: 45, cacheWrite: 12.5 } }] },
  // Terra and Luna: the 2026-07-30 cut; LiteLLM and models.dev still hold the launch prices. [oai][rel]
  'gpt-5.6-terra': { input: 2, cachedInput: 0.2, output: 12, cacheWrite: 2.5, tiers: [{ above: 271_999, rates: { input: 4, cachedInput: 0.4, output: 18, cacheWrite: 5 } }] },
  'gpt-5.6-luna': { input: 0.2, cachedInput: 0.02, output: 1.2, cacheWrite: 0.25, tiers: [{ above: 271_999, rates: { input: 0.4, cachedInput: 0.04, output: 1.8, cacheWrite: 0.5 } }] },

  // GPT-5.5 and 5.4. One tracker reports gpt-5.5 off OpenAI's pricing page since 2026-08; kept for
  // pinned deployments. [ltl][md][rel]
  'gpt-5.5': { input: 5, cachedInput: 0.5, output: 30, tiers: [{ above: 271_999, rates: { input: 10, cachedInput: 1, output: 45 } }] },
  // Pro models: LiteLLM lists a $3 cached rate; models.dev and the May 2026 reading of OpenAI's
  // page list none, as for every earlier pro model. No discount taken, which never understates.
  'gpt-5.5-pro': { input: 30, cachedInput: null, output: 180, tiers: [{ above: 271_999, rates: { input: 60, cachedInput: null, output: 270 } }] },
  'gpt-5.4': { input: 2.5, cachedInput: 0.25, output: 15, tiers: [{ above: 271_999, rates: { input: 5, cachedInput: 0.5, output: 22.5 } }] },
  'gpt-5.4-pro': { input: 30, cachedInput: null, output: 180, tiers: [{ above: 271_999, rates: { input: 60, cachedInput: null, output: 270 } }] },
  'gpt-5.4-mini': { input: 0.75, cachedInput: 0.075, output: 4.5 },
  'gpt-5.4-nano': { input: 0.2, cachedInput: 0.02, output: 1.25 },

  // GPT-5.3 and 5.2. [ltl][md][rel]
  'gpt-5.3-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  // LiteLLM and one public price table only; same rates as every other 5.2/5.3 chat row.
  'gpt-5.3-chat-latest': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-chat-latest': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-codex': { input: 1.75, cachedInput: 0.175, output: 14 },
  'gpt-5.2-pro': { input: 21, cachedInput: null, output: 168 },

  // GPT-5.1 and 5. [ltl][gp][md]
  'gpt-5.1': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-chat-latest': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-max': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5.1-codex-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-chat-latest': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-5-pro': { input: 15, cachedInput: null, output: 120 },

  // GPT-4.1 and GPT-4o. [ltl][gp][md]
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  // The first gpt-4o snapshot kept its launch price (models.dev: retired 2026-10-23); without this
  // row a pinned call would resolve to gpt-4o and be understated.
  'gpt-4o-2024-05-13': { input: 5, cachedInput: null, output: 15 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  // Some third-party tables give gpt-4o's $2.50 / $10; OpenAI's page and genai-prices give $5 / $15.
  'chatgpt-4o-latest': { input: 5, cachedInput: null, output: 15 },

  // Search previews: OpenAI's page lists no cached rate (genai-prices agrees); LiteLLM's cached
  // rates look copied from the base models and were not taken. [gp][ltl]
  'gpt-4o-search-preview': { input: 2.5, cachedInput: null, output: 10 },
  'gpt-4o-mini-search-preview': { input: 0.15, cachedInput: null, output: 0.6 },

  // Realtime and audio models, text tokens only. [ltl][gp]
  'gpt-realtime': { input: 4, cachedInput: 0.4, output: 16 },
  'gpt-realtime-1.5': { input: 4, cachedInput: 0.4, output: 16 },
  // LiteLLM lists no cached text rate; genai-prices and OpenAI-page transcriptions give $0.06.
  'gpt-realtime-mini': { input: 0.6, cachedInput: 0.06, output: 2.4 },
  'gpt-4o-realtime-preview': { input: 5, cachedInput: 2.5, output: 20 },
  'gpt-4o-mini-realtime-preview': { input: 0.6, cachedInput: 0.3, output: 2.4 },
  'gpt-audio': { input: 2.5, cachedInput: null, output: 10 },
  'gpt-audio-mini': { input: 0.6, cachedInput: null, output: 2.4 },
  'gpt-4o-audio-preview': { input: 2.5, cachedInput: null, output: 10 },
  'gpt-4o-mini-audio-preview': { input: 0.15, cachedInput: null, output: 0.6 },

  // o-series. o3 is the 2025-06-10 price. [ltl][gp][md]
  o1: { input: 15, cachedInput: 7.5, output: 60 },
  'o1-pro': { input: 150, cachedInput: null, output: 600 },
  // Retired 2025-10-27 per models.dev; kept so historical records still price. [gp][md]
  'o1-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o3-pro': { input: 20, cachedInput: null, output: 80 },
  'o3-mini': { input: 1.1, cachedInput: 0.55, output: 4.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'o3-deep-research': { input: 10, cachedInput: 2.5, output: 40 },
  'o4-mini-deep-research': { input: 2, cachedInput: 0.5, output: 8 },

  // Tool models. [gp][rel]
  'codex-mini-latest': { input: 1.5, cachedInput: 0.375, output: 6 },
  'computer-use-preview': { input: 3, cachedInput: null, output: 12 },

  // Legacy chat and completion models. [ltl][gp]
  'gpt-4-turbo': { input: 10, cachedInput: null, output: 30 },
  'gpt-4': { input: 30, cachedInput: null, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, cachedInput: null, output: 1.5 },
  // Priced above the base id, so they need their own rows: the snapshot rule would give them
  // today's gpt-3.5-turbo price (LiteLLM: -1106 deprecated 2026-09-28). [gp]
  'gpt-3.5-turbo-1106': { input: 1, cachedInput: null, output: 2 },
  'gpt-3.5-turbo-0613': { input: 1.5, cachedInput: null, output: 2 },
  'gpt-3.5-turbo-0301': { input: 1.5, cachedInput: null, output: 2 },
  'gpt-3.5-turbo-16k': { input: 3, cachedInput: null, output: 4 },
  'gpt-3.5-turbo-instruct': { input: 1.5, cachedInput: null, output: 2 },

  // Embeddings: input only. [ltl][gp][md]
  'text-embedding-3-small': { input: 0.02, cachedInput: null, output: 0 },
  'text-embedding-3-large': { input: 0.13, cachedInput: null, output: 0 },
  'text-embedding-ada-002': { input: 0.1, cachedInput: null, output: 0 },
} as const satisfies PriceTable;
