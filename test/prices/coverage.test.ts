/**
 * Coverage: every model genai-prices prices for a provider Sluice knows is priced by Sluice's
 * catalog (the curated tables, then the generated genai-prices snapshot), and the snapshot is the
 * one the installed @pydantic/genai-prices produces (`npm run prices:sync` after a bump).
 */
import { findProvider } from '@pydantic/genai-prices';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import { GENAI_TABLES } from '../../src/wire/prices/genai-tables.js';
import { builtinPrices, findProviderPrice } from '../../src/wire/prices/index.js';
import { renderSnapshot } from './snapshot.js';

/** A genai-prices match's exact ids (`equals`), and the base id of a `starts_with`. */
function exactIds(match: unknown, out: string[]): string[] {
  if (typeof match !== 'object' || match === null) return out;
  const m = match as { equals?: string; starts_with?: string; or?: unknown[] };
  if (m.equals !== undefined) out.push(m.equals);
  else if (m.starts_with !== undefined) out.push(m.starts_with);
  else for (const inner of m.or ?? []) exactIds(inner, out);
  return out;
}

describe('the price catalog covers genai-prices', () => {
  it('maps only provider names the catalog has, to providers genai-prices has', () => {
    for (const [name, id] of Object.entries(GENAI_TABLES)) {
      expect(Object.hasOwn(providerCatalog, name), name).toBe(true);
      expect(findProvider({ providerId: id })?.id, id).toBe(id);
    }
  });

  it('prices every token-billed model id genai-prices lists for each mapped provider', () => {
    const unpriced: string[] = [];
    let checked = 0;
    for (const [name, id] of Object.entries(GENAI_TABLES)) {
      for (const model of findProvider({ providerId: id })!.models) {
        const prices = (Array.isArray(model.prices) ? model.prices[0]?.prices : model.prices) as Record<string, unknown> | undefined;
        if (prices?.['input_mtok'] === undefined) continue;
        for (const modelId of new Set([model.id, ...exactIds(model.match, [])])) {
          checked++;
          if (findProviderPrice(builtinPrices, name, modelId) === undefined) unpriced.push(`${name}/${modelId}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(unpriced).toEqual([]);
  });

  it('lets a curated row win over the snapshot', () => {
    // Reviewed in test/prices/allow-list.ts: Sluice bills gpt-5.6-sol at list price, genai-prices at the cut.
    expect(findProviderPrice(builtinPrices, 'openai', 'gpt-5.6-sol')).toBe(builtinPrices['openai']!['gpt-5.6-sol']);
    expect(findProviderPrice(builtinPrices, 'deepseek', 'deepseek-chat')).toBe(builtinPrices['deepseek']!['deepseek-chat']);
  });

  it('ships the snapshot the installed genai-prices produces (run `npm run prices:sync` after a bump)', () => {
    const committed = readFileSync(new URL('../../src/wire/prices/genai-snapshot.ts', import.meta.url), 'utf8');
    expect(committed === renderSnapshot()).toBe(true);
  });
});
