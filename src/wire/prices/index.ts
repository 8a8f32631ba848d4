/**
 * Every built-in price table, keyed by the catalog name of the provider that bills it, and the
 * lookup that picks a model's price from them. Pure: no I/O, no globals; the tables are plain data
 * from the files beside this one, each with its sources and the date they were checked.
 * @module
 */
import { findPrice, type ModelPrice, type PriceTable } from '../price.js';

// The price rules travel with the catalog: the core loads both on demand (src/core/sluice.ts).
export { computeCostUsd, findPrice, resolvePrice } from '../price.js';
import { anthropicPrices } from './anthropic.js';
import { bedrockPrices } from './bedrock.js';
import { cerebrasPrices } from './cerebras.js';
import { deepseekPrices } from './deepseek.js';
import { fireworksPrices } from './fireworks.js';
import { genaiSnapshot } from './genai-snapshot.js';
import { GENAI_TABLES } from './genai-tables.js';
import { geminiPrices } from './google.js';
import { groqPrices } from './groq.js';
import { mistralPrices } from './mistral.js';
import { openaiPrices } from './openai.js';
import { perplexityPrices } from './perplexity.js';
import { togetherPrices } from './together.js';
import { vertexPrices } from './vertex.js';
import { xaiPrices } from './xai.js';

/**
 * Built-in price tables by provider name (the keys of `providerCatalog`). Providers that resell a
 * first-party API at its list price share its table: `azure` and `azure-openai` bill OpenAI's,
 * `gemini-openai` Gemini's, `anthropic-openai` Anthropic's, `codestral` Mistral's. Providers with
 * no table here are priced only through the first-party fallback of {@link findProviderPrice}.
 * @example
 * builtinPrices['groq']?.['openai/gpt-oss-120b']; // { input: 0.15, cachedInput: 0.075, output: 0.6 }
 */
export const builtinPrices: Readonly<Record<string, PriceTable>> = {
  openai: openaiPrices,
  azure: openaiPrices,
  'azure-openai': openaiPrices,
  anthropic: anthropicPrices,
  'anthropic-openai': anthropicPrices,
  gemini: geminiPrices,
  'gemini-openai': geminiPrices,
  vertex: vertexPrices,
  bedrock: bedrockPrices,
  mistral: mistralPrices,
  codestral: mistralPrices,
  deepseek: deepseekPrices,
  xai: xaiPrices,
  groq: groqPrices,
  together: togetherPrices,
  fireworks: fireworksPrices,
  cerebras: cerebrasPrices,
  perplexity: perplexityPrices,
};

/**
 * The first-party model creators whose tables price a model that the serving provider's table does
 * not list, in lookup order, each with the `prefix/` spellings that name it in a model id.
 */
const CREATORS: ReadonlyArray<readonly [table: string, prefixes: readonly string[]]> = [
  ['openai', ['openai/']],
  ['anthropic', ['anthropic/']],
  ['gemini', ['gemini/', 'google/']],
];

function tableOf(tables: Readonly<Record<string, PriceTable>>, name: string): PriceTable | undefined {
  // hasOwn so that a provider named `constructor` never resolves to Object.prototype members.
  return Object.hasOwn(tables, name) ? tables[name] : undefined;
}

/**
 * Finds the price of `model` as served by `provider`. Lookup order:
 * 1. the provider's own table, by exact id, then without a dated snapshot suffix (`-2025-08-07`,
 *    `-20250929`, `-0125`), as {@link findPrice} does;
 * 2. then, by the same rule, genai-prices' table for that provider (a generated snapshot of
 *    pydantic's genai-prices, `genai-snapshot.ts`; the curated tables win over it);
 * 3. when `provider` is `null`, or neither table lists the model: the tables of the first-party
 *    creators `openai`, `anthropic`, `gemini`, in that order, each by the same rule, first with the
 *    model id as given, then without a leading `prefix/` that names that creator
 *    (`anthropic/claude-sonnet-4-5`, `google/gemini-2.5-pro`; `gemini/` also counts for Gemini);
 *    the curated creators' tables first, then their snapshot tables.
 *
 * A prefix naming anyone else (`meta-llama/...`) is never stripped, so a reseller's id never
 * borrows a first-party price by accident. Pure: reads only its arguments.
 * @param tables Price tables by provider name, usually {@link builtinPrices} or a deployment's own
 *   tables merged over it.
 * @param provider The catalog name of the provider that served the call, or `null` when unknown.
 * @param model The model id as sent or as reported by the provider.
 * @param snapshot The generated genai-prices tables, by genai-prices provider id; pass `{}` to use
 *   `tables` alone.
 * @returns The price, or `undefined` when no table lists the model.
 * @example
 * findProviderPrice(builtinPrices, 'groq', 'openai/gpt-oss-120b'); // Groq's price
 * findProviderPrice(builtinPrices, 'openrouter', 'anthropic/claude-sonnet-4-5'); // Anthropic's price
 * findProviderPrice(builtinPrices, null, 'gpt-4o-2024-08-06'); // OpenAI's gpt-4o price
 * findProviderPrice(builtinPrices, 'groq', 'meta-llama/unknown'); // undefined
 */
export function findProviderPrice(
  tables: Readonly<Record<string, PriceTable>>,
  provider: string | null,
  model: string,
  snapshot: Readonly<Record<string, PriceTable>> = genaiSnapshot,
): ModelPrice | undefined {
  if (provider !== null) {
    const found = inTable(tableOf(tables, provider), model) ?? inTable(snapshotOf(snapshot, provider), model);
    if (found !== undefined) return found;
  }
  for (const layer of [tables, null] as const) {
    for (const [name, prefixes] of CREATORS) {
      const table = layer === null ? snapshotOf(snapshot, name) : tableOf(layer, name);
      if (table === undefined) continue;
      const found = findPrice(table, model);
      if (found !== undefined) return found;
      for (const prefix of prefixes) {
        if (!model.startsWith(prefix)) continue;
        const unprefixed = findPrice(table, model.slice(prefix.length));
        if (unprefixed !== undefined) return unprefixed;
      }
    }
  }
  return undefined;
}

function inTable(table: PriceTable | undefined, model: string): ModelPrice | undefined {
  return table === undefined ? undefined : findPrice(table, model);
}

/** The generated genai-prices table that bills a Sluice provider, if any. */
function snapshotOf(snapshot: Readonly<Record<string, PriceTable>>, provider: string): PriceTable | undefined {
  const id = Object.hasOwn(GENAI_TABLES, provider) ? GENAI_TABLES[provider]! : null;
  return id === null ? undefined : tableOf(snapshot, id);
}
