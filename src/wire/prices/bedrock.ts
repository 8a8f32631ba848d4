/**
 * Amazon Bedrock token prices for Anthropic's Claude models (on-demand), USD per million tokens.
 * Keys are Bedrock model ids (in-region endpoints) and cross-region inference profile ids (`us.`,
 * `eu.`, `apac.`, `jp.`, `au.`, `us-gov.`, `global.`), each row naming its `region`.
 *
 * Checked 2026-12-07. Sources:
 * - [gp] pydantic/genai-prices 0.1.8 (npm), provider `aws`: the `global.*` rows bill Anthropic's own
 *   rates; the `regional.*` rows (bare ids and the geographic profiles) bill 1.1x for Claude 4.5
 *   and later ("Regional endpoint: 10% premium over the global endpoint", citing
 *   aws.amazon.com/bedrock/pricing and platform.claude.com's Bedrock page) and the base rate before.
 * - [md] anomalyco/models.dev `providers/amazon-bedrock/models/*.toml` (the base rates).
 *
 * Which profiles exist follows [gp]'s match lists: every geography for Claude 4.x, no `apac.` or
 * `us-gov.` for Opus 4.8, Opus 5, Opus 5.5 and Fable 5. The rows are built at import from the list
 * below (about 250 small objects, once, when the price chunk loads). Not represented: 1-hour cache
 * writes (billed here at the 5-minute rate, except Opus 5.5 where [gp] lists them), Batch, and
 * provisioned throughput. Ids not listed (other vendors' models on Bedrock) have no price.
 * @module
 */
import type { ModelPrice, PriceRates, PriceTable } from '../price.js';

const ALL = ['us', 'eu', 'apac', 'jp', 'au', 'us-gov'] as const;
const NO_APAC = ['us', 'eu', 'jp', 'au'] as const;
const REGIONAL_UPLIFT = 1.1;

interface Claude {
  /** Model ids without a profile prefix, as Bedrock spells them (several spellings of one model). */
  ids: readonly string[];
  rates: PriceRates;
  /** Claude 4.5 and later: in-region and geographic profiles bill 1.1x. */
  uplift: boolean;
  geographies: readonly string[];
  /** Whether a `global.` profile exists. */
  global: boolean;
}

// Spellings with and without the `-v1` / `-v1:0` version tail, as [gp] matches them.
const versions = (id: string): string[] => [id, `${id}-v1`, `${id}-v1:0`];

const CLAUDE: readonly Claude[] = [
  // Claude 5. [gp]
  { ids: versions('anthropic.claude-opus-5-5'), rates: { input: 4, cachedInput: 0.2, output: 20, cacheWrite: 5, cacheWrite1h: 8 }, uplift: true, geographies: NO_APAC, global: true },
  { ids: versions('anthropic.claude-opus-5'), rates: { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 }, uplift: true, geographies: NO_APAC, global: true },
  { ids: versions('anthropic.claude-sonnet-5'), rates: { input: 2, cachedInput: 0.2, output: 10, cacheWrite: 2.5 }, uplift: true, geographies: ALL, global: true },
  { ids: versions('anthropic.claude-fable-5'), rates: { input: 10, cachedInput: 1, output: 50, cacheWrite: 12.5 }, uplift: true, geographies: NO_APAC, global: true },
  // Claude 4.5 to 4.8. [gp][md]
  { ids: versions('anthropic.claude-opus-4-8'), rates: { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 }, uplift: true, geographies: NO_APAC, global: true },
  { ids: versions('anthropic.claude-opus-4-7'), rates: { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 }, uplift: true, geographies: ALL, global: true },
  { ids: versions('anthropic.claude-opus-4-6'), rates: { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 }, uplift: true, geographies: ALL, global: true },
  { ids: versions('anthropic.claude-sonnet-4-6'), rates: { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 }, uplift: true, geographies: ALL, global: true },
  { ids: ['anthropic.claude-opus-4-5-20251101-v1:0'], rates: { input: 5, cachedInput: 0.5, output: 25, cacheWrite: 6.25 }, uplift: true, geographies: ALL, global: true },
  { ids: ['anthropic.claude-sonnet-4-5-20250929-v1:0'], rates: { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 }, uplift: true, geographies: ALL, global: true },
  { ids: ['anthropic.claude-haiku-4-5-20251001-v1:0'], rates: { input: 1, cachedInput: 0.1, output: 5, cacheWrite: 1.25 }, uplift: true, geographies: ALL, global: true },
  // Claude 4.0 and 4.1: the same rate on every profile. [gp]
  { ids: ['anthropic.claude-opus-4-1-20250805-v1:0'], rates: { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 }, uplift: false, geographies: ALL, global: false },
  { ids: ['anthropic.claude-opus-4-20250514-v1:0'], rates: { input: 15, cachedInput: 1.5, output: 75, cacheWrite: 18.75 }, uplift: false, geographies: ALL, global: false },
  { ids: ['anthropic.claude-sonnet-4-20250514-v1:0'], rates: { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 }, uplift: false, geographies: ALL, global: true },
  // Claude 3.x. [gp]
  { ids: ['anthropic.claude-3-7-sonnet-20250219-v1:0'], rates: { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 }, uplift: false, geographies: ['us'], global: false },
  // The id is the example of the project's provider reference, section 5.
  { ids: ['anthropic.claude-3-5-sonnet-20241022-v2:0'], rates: { input: 3, cachedInput: 0.3, output: 15, cacheWrite: 3.75 }, uplift: false, geographies: [], global: false },
  { ids: ['anthropic.claude-3-5-haiku-20241022-v1:0'], rates: { input: 0.8, cachedInput: 0.08, output: 4, cacheWrite: 1 }, uplift: false, geographies: ['us'], global: false },
];

// Rounded so that 3 x 1.1 is 3.3, not 3.3000000000000003.
const scale = (value: number): number => Math.round(value * REGIONAL_UPLIFT * 1e9) / 1e9;
const scaleOrNull = (value: number | null | undefined): number | null => (typeof value === 'number' ? scale(value) : null);

function uplifted(rates: PriceRates): PriceRates {
  const out: PriceRates = { input: scale(rates.input), output: scale(rates.output), cachedInput: scaleOrNull(rates.cachedInput) };
  if (rates.cacheWrite !== undefined) out.cacheWrite = scaleOrNull(rates.cacheWrite);
  if (rates.cacheWrite1h !== undefined) out.cacheWrite1h = scaleOrNull(rates.cacheWrite1h);
  return out;
}

function build(): PriceTable {
  const table: Record<string, ModelPrice> = {};
  for (const model of CLAUDE) {
    const regional = model.uplift ? uplifted(model.rates) : model.rates;
    for (const id of model.ids) {
      table[id] = { ...regional, region: 'in-region' };
      for (const geography of model.geographies) table[`${geography}.${id}`] = { ...regional, region: geography };
      if (model.global) table[`global.${id}`] = { ...model.rates, region: 'global' };
    }
  }
  return table;
}

/** Bedrock token prices by model id; see the module comment for sources, date and scope. */
export const bedrockPrices: PriceTable = build();
