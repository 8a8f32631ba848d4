/**
 * Compares every built-in price row with pydantic's genai-prices (a price database no one here
 * writes, pinned as a devDependency): the same usage priced by both, profile by profile. Used by the
 * drift test (test/prices/drift.test.ts) and by `npm run prices:diff`.
 */
import { calcPrice, type Usage as GenaiUsage } from '@pydantic/genai-prices';
import { computeCostUsd, type TokenUsage } from '../../src/wire/price.js';
import { GENAI_TABLES } from '../../src/wire/prices/genai-tables.js';
import { builtinPrices } from '../../src/wire/prices/index.js';

/**
 * Our curated table name → genai-prices provider id (GENAI_TABLES), each table once: tables that only
 * alias another (azure → openai's) are compared under the first name that holds them.
 */
export const GENAI_PROVIDER: Readonly<Record<string, string>> = (() => {
  const seen = new Set<object>();
  const out: Record<string, string> = {};
  for (const [table, prices] of Object.entries(builtinPrices)) {
    const id = GENAI_TABLES[table];
    if (id === undefined || seen.has(prices)) continue;
    seen.add(prices);
    out[table] = id;
  }
  return out;
})();

/** A usage both sides price; token counts in Sluice's semantics (input includes cache reads and writes). */
export interface Profile {
  name: string;
  usage: TokenUsage;
}

/** The profiles every row is priced at: each isolates one rate (input, output, cache read, cache write) or a tier. */
export const PROFILES: readonly Profile[] = [
  { name: 'input', usage: { inputTokens: 1_000_000, outputTokens: 0, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null } },
  { name: 'output', usage: { inputTokens: 0, outputTokens: 1_000_000, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null } },
  { name: 'cache-read', usage: { inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 1_000_000, reasoningTokens: null, cacheWriteTokens: null } },
  { name: 'cache-write', usage: { inputTokens: 1_000_000, outputTokens: 0, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: 1_000_000 } },
  { name: 'cache-read-small', usage: { inputTokens: 150_000, outputTokens: 0, cachedTokens: 100_000, reasoningTokens: null, cacheWriteTokens: null } },
  { name: 'cache-write-small', usage: { inputTokens: 150_000, outputTokens: 0, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: 100_000 } },
  { name: 'long-prompt', usage: { inputTokens: 300_000, outputTokens: 10_000, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null } },
];

/** The instant both sides price at (a weekday noon UTC: peak where a model has windows). */
export const AT = new Date(Date.UTC(2026, 11, 8, 12, 0, 0));

function toGenai(usage: TokenUsage): GenaiUsage {
  return {
    input_tokens: usage.inputTokens ?? 0,
    output_tokens: usage.outputTokens ?? 0,
    ...(usage.cachedTokens ? { cache_read_tokens: usage.cachedTokens } : {}),
    ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
  };
}

/** One row priced by both sides. */
export interface RowComparison {
  table: string;
  model: string;
  /** `null` when genai-prices does not price this id for the provider. */
  theirs: Record<string, number> | null;
  ours: Record<string, number>;
  /** Profiles whose prices differ (relative difference above 1e-6). */
  differs: string[];
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 + 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

/** Prices every row of every compared table with both databases. */
export function compareAll(): RowComparison[] {
  const rows: RowComparison[] = [];
  for (const [table, providerId] of Object.entries(GENAI_PROVIDER)) {
    const prices = builtinPrices[table] ?? {};
    for (const [model, price] of Object.entries(prices)) {
      const ours: Record<string, number> = {};
      let theirs: Record<string, number> | null = {};
      const differs: string[] = [];
      for (const profile of PROFILES) {
        ours[profile.name] = computeCostUsd(price, profile.usage, AT.getTime()) ?? Number.NaN;
        const result = calcPrice(toGenai(profile.usage), model, { providerId, timestamp: AT });
        if (result === null) {
          theirs = null;
          break;
        }
        theirs[profile.name] = result.total_price;
        if (!close(ours[profile.name]!, result.total_price)) differs.push(profile.name);
      }
      rows.push({ table, model, theirs, ours, differs: theirs === null ? [] : differs });
    }
  }
  return rows;
}
