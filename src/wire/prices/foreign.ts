/**
 * Price files kept by others, turned into Sluice's price table: pydantic's genai-prices
 * (`data.json`, a list of providers with their models) and LiteLLM's
 * `model_prices_and_context_window.json`. A team can point Sluice at a file it keeps current
 * (`prices: fromGenaiPrices(JSON.parse(text)).prices`) without waiting for a release. Pure: no I/O.
 * @module
 */
import type { ModelPrice, PriceChange, PriceRates, PriceTier, PriceWindow } from '../price.js';

/** A converted price file: the table for `createSluice({ prices })`, and what could not be carried over. */
export interface ForeignPrices {
  /** Prices by `provider/model` (Sluice's provider names), ready for `createSluice({ prices })`. */
  prices: Record<string, ModelPrice>;
  /** One line per model or field skipped, naming it and why. */
  warnings: string[];
}

/** genai-prices provider ids that Sluice names otherwise, and the Sluice providers each one bills. */
const GENAI_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  openai: ['openai', 'azure', 'azure-openai'],
  anthropic: ['anthropic', 'anthropic-openai'],
  google: ['gemini', 'gemini-openai', 'vertex'],
  aws: ['bedrock'],
  'x-ai': ['xai'],
  mistral: ['mistral', 'codestral'],
};

/** LiteLLM's `litellm_provider` values that Sluice names otherwise. */
const LITELLM_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  openai: ['openai', 'azure-openai'],
  azure: ['azure'],
  anthropic: ['anthropic', 'anthropic-openai'],
  gemini: ['gemini', 'gemini-openai'],
  'vertex_ai-language-models': ['vertex'],
  'vertex_ai-anthropic_models': ['vertex'],
  bedrock: ['bedrock'],
  bedrock_converse: ['bedrock'],
  together_ai: ['together'],
  fireworks_ai: ['fireworks'],
  codestral: ['codestral'],
};

type GenaiPrice = number | { base: number; tiers?: ReadonlyArray<{ start: number; price: number }> };

/** The genai-prices fields Sluice bills, by Sluice's rate name. */
const GENAI_FIELDS = {
  input: 'input_mtok',
  output: 'output_mtok',
  cachedInput: 'cache_read_mtok',
  cacheWrite: 'cache_write_mtok',
  cacheWrite1h: 'cache_write_1h_mtok',
} as const;

type RateName = keyof typeof GENAI_FIELDS;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isGenaiPrice(value: unknown): value is GenaiPrice {
  return (typeof value === 'number' && Number.isFinite(value) && value >= 0) || (isRecord(value) && typeof value['base'] === 'number');
}

/** A genai-prices field's price for a prompt of `tokens` input tokens: the last tier whose start it exceeds. */
function priceAt(field: GenaiPrice, tokens: number): number {
  if (typeof field === 'number') return field;
  let price = field.base;
  for (const tier of field.tiers ?? []) if (tokens > tier.start) price = tier.price;
  return price;
}

/**
 * One genai-prices price set as Sluice's rates and prompt-size tiers: genai-prices tiers each field
 * apart; Sluice re-prices the whole call above a size, so every distinct start becomes a tier whose
 * rates are each field's price there (the same bill: both select a tier when the prompt exceeds it).
 */
function genaiRates(prices: Record<string, unknown>, where: string, warnings: string[]): { rates: PriceRates; tiers: PriceTier[] } | null {
  const fields: Partial<Record<RateName, GenaiPrice>> = {};
  for (const [name, key] of Object.entries(GENAI_FIELDS) as Array<[RateName, string]>) {
    const value = prices[key];
    if (value === undefined) continue;
    if (!isGenaiPrice(value)) {
      warnings.push(`${where}: ${key} is not a price; skipped`);
      return null;
    }
    fields[name] = value;
  }
  if (fields.input === undefined) {
    warnings.push(`${where}: no input_mtok (not billed per token); skipped`);
    return null;
  }
  if (typeof prices['requests_kcount'] === 'number' && prices['requests_kcount'] > 0) {
    warnings.push(`${where}: a per-request fee (requests_kcount) is not billed: Sluice prices tokens`);
  }
  const at = (tokens: number): PriceRates => {
    const rates: PriceRates = {
      input: priceAt(fields.input!, tokens),
      output: fields.output === undefined ? 0 : priceAt(fields.output, tokens),
      cachedInput: fields.cachedInput === undefined ? null : priceAt(fields.cachedInput, tokens),
    };
    if (fields.cacheWrite !== undefined) rates.cacheWrite = priceAt(fields.cacheWrite, tokens);
    if (fields.cacheWrite1h !== undefined) rates.cacheWrite1h = priceAt(fields.cacheWrite1h, tokens);
    return rates;
  };
  const starts = new Set<number>();
  for (const field of Object.values(fields)) if (typeof field !== 'number') for (const tier of field.tiers ?? []) starts.add(tier.start);
  const tiers = [...starts].sort((a, b) => a - b).map((start) => ({ above: start, rates: at(start + 1) }));
  return { rates: at(0), tiers };
}

/** `'00:30:00Z'` → `'00:30'`; `null` for anything else. */
function clock(value: unknown): string | null {
  const match = typeof value === 'string' ? /^(\d{2}):(\d{2})(?::\d{2})?Z?$/.exec(value) : null;
  return match === null ? null : `${match[1]}:${match[2]}`;
}

/** One genai-prices model's prices (a price set, or conditional sets by start date and time of day). */
function genaiModelPrice(model: Record<string, unknown>, where: string, warnings: string[]): ModelPrice | null {
  const given = model['prices'];
  const sets = Array.isArray(given) ? given : [{ prices: given }];
  let base: ModelPrice | null = null;
  const changes: PriceChange[] = [];
  const windows: PriceWindow[] = [];
  for (const set of sets) {
    if (!isRecord(set) || !isRecord(set['prices'])) {
      warnings.push(`${where}: a price entry is not an object; skipped`);
      return null;
    }
    const converted = genaiRates(set['prices'], where, warnings);
    if (converted === null) return null;
    const { rates, tiers } = converted;
    const constraint = set['constraint'];
    if (constraint === undefined) {
      base = tiers.length > 0 ? { ...rates, tiers } : { ...rates };
    } else if (isRecord(constraint) && constraint['type'] === 'start_date' && typeof constraint['start_date'] === 'string') {
      changes.push({ from: constraint['start_date'], rates, tiers });
    } else if (isRecord(constraint) && constraint['type'] === 'time_of_date' && clock(constraint['start_time']) !== null && clock(constraint['end_time']) !== null) {
      const from = clock(constraint['start_time'])!;
      const to = clock(constraint['end_time'])!;
      windows.push({ name: `${from}-${to} UTC`, from, to, rates });
    } else {
      warnings.push(`${where}: a price constraint Sluice does not model (${JSON.stringify(constraint)}); that price set skipped`);
    }
  }
  if (base === null) {
    // Only constrained sets: the earliest start date becomes the base.
    const first = changes.sort((a, b) => a.from.localeCompare(b.from)).shift();
    if (first === undefined) {
      warnings.push(`${where}: no unconditional price; skipped`);
      return null;
    }
    base = { ...first.rates };
  }
  if (changes.length > 0) base.changes = changes;
  if (windows.length > 0) base.windows = windows;
  return base;
}

/** The exact ids a genai-prices match names (`equals`, and `starts_with` as the base id); other forms are reported. */
function matchIds(match: unknown, out: Set<string>, skipped: string[]): void {
  if (!isRecord(match)) return;
  if (typeof match['equals'] === 'string') out.add(match['equals']);
  else if (typeof match['starts_with'] === 'string') out.add(match['starts_with']);
  else if (Array.isArray(match['or'])) for (const inner of match['or']) matchIds(inner, out, skipped);
  else skipped.push(JSON.stringify(match));
}

/**
 * Converts pydantic's genai-prices data (`prices/data.json`: an array of providers, each with
 * `models: [{ id, match, prices }]`) to Sluice's price table, keyed `provider/model` with Sluice's
 * provider names (`aws` → `bedrock`, `google` → `gemini` and `vertex`, `x-ai` → `xai`; other ids
 * kept as they are, so a custom provider of that name is priced).
 *
 * Carried over: input, output, cache read, cache write (5 minutes and 1 hour) per million tokens;
 * per-field tiers as whole-call tiers; `start_date` price sets as dated changes; `time_of_date`
 * sets as UTC windows. A model's ids are its `equals` matches and the base id of its `starts_with`
 * matches (Sluice's lookup strips dated snapshot suffixes); `regex`, `contains` and `ends_with`
 * matches are reported in `warnings`. Prices per request, per image or per search are not modelled.
 * @example
 * const { prices, warnings } = fromGenaiPrices(JSON.parse(readFileSync('data.json', 'utf8')));
 * const sluice = createSluice({ prices });
 */
export function fromGenaiPrices(data: unknown): ForeignPrices {
  const prices: Record<string, ModelPrice> = {};
  const warnings: string[] = [];
  const providers = Array.isArray(data) ? data : isRecord(data) && Array.isArray(data['providers']) ? data['providers'] : null;
  if (providers === null) throw new TypeError('fromGenaiPrices: expected genai-prices data (an array of providers)');
  for (const provider of providers) {
    if (!isRecord(provider) || typeof provider['id'] !== 'string' || !Array.isArray(provider['models'])) {
      warnings.push('a provider entry without an id or models; skipped');
      continue;
    }
    const names = GENAI_PROVIDERS[provider['id']] ?? [provider['id']];
    for (const model of provider['models']) {
      if (!isRecord(model) || typeof model['id'] !== 'string') continue;
      const where = `${provider['id']}/${model['id']}`;
      const price = genaiModelPrice(model, where, warnings);
      if (price === null) continue;
      const ids = new Set<string>([model['id']]);
      const skipped: string[] = [];
      matchIds(model['match'], ids, skipped);
      if (skipped.length > 0) warnings.push(`${where}: matches not carried over as ids: ${skipped.join(', ')}`);
      for (const name of names) for (const id of ids) prices[`${name}/${id}`] = price;
    }
  }
  return { prices, warnings };
}

/** LiteLLM's per-token price keys for prompts above a size (`input_cost_per_token_above_200k_tokens`). */
const ABOVE = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

/** Per token → per million, without float noise (`3e-6` → `3`). */
function perMillion(value: number): number {
  return Math.round(value * 1e12) / 1e6;
}

function perToken(entry: Record<string, unknown>, key: string): number | undefined {
  const value = entry[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? perMillion(value) : undefined;
}

/**
 * Converts LiteLLM's `model_prices_and_context_window.json` to Sluice's price table, keyed
 * `provider/model` with Sluice's provider names (`bedrock_converse` → `bedrock`, `together_ai` →
 * `together`, `vertex_ai-*` → `vertex`...). A key that starts with its provider's name
 * (`bedrock/us.anthropic...` under `bedrock_converse`) loses that prefix.
 *
 * Carried over: `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`,
 * `cache_creation_input_token_cost` (and `_above_1hr`), `output_cost_per_reasoning_token`, and the
 * `*_above_<N>k_tokens` tiers. Entries without a per-token input price (images, audio, per-request
 * pricing) and `sample_spec` are reported in `warnings`.
 * @example
 * const { prices } = fromLiteLLMPrices(JSON.parse(readFileSync('model_prices_and_context_window.json', 'utf8')));
 */
export function fromLiteLLMPrices(data: unknown): ForeignPrices {
  if (!isRecord(data)) throw new TypeError('fromLiteLLMPrices: expected an object of model entries');
  const prices: Record<string, ModelPrice> = {};
  const warnings: string[] = [];
  for (const [key, entry] of Object.entries(data)) {
    if (key === 'sample_spec' || !isRecord(entry)) continue;
    const input = perToken(entry, 'input_cost_per_token');
    if (input === undefined) {
      warnings.push(`${key}: no input_cost_per_token; skipped`);
      continue;
    }
    const rates = (suffix: string, fallback?: PriceRates): PriceRates => {
      const rate: PriceRates = {
        input: perToken(entry, `input_cost_per_token${suffix}`) ?? fallback?.input ?? input,
        output: perToken(entry, `output_cost_per_token${suffix}`) ?? fallback?.output ?? 0,
        cachedInput: perToken(entry, `cache_read_input_token_cost${suffix}`) ?? fallback?.cachedInput ?? null,
      };
      const write = perToken(entry, `cache_creation_input_token_cost${suffix}`) ?? fallback?.cacheWrite;
      if (write !== undefined && write !== null) rate.cacheWrite = write;
      return rate;
    };
    const price: ModelPrice = rates('');
    const hour = perToken(entry, 'cache_creation_input_token_cost_above_1hr');
    if (hour !== undefined) price.cacheWrite1h = hour;
    const reasoning = perToken(entry, 'output_cost_per_reasoning_token');
    if (reasoning !== undefined) price.reasoning = reasoning;
    const sizes = new Set<number>();
    for (const field of Object.keys(entry)) {
      const match = ABOVE.exec(field);
      if (match !== null) sizes.add(Number(match[2]) * 1000);
    }
    if (sizes.size > 0) price.tiers = [...sizes].sort((a, b) => a - b).map((above) => ({ above, rates: rates(`_above_${above / 1000}k_tokens`, price) }));
    const provider = typeof entry['litellm_provider'] === 'string' ? entry['litellm_provider'] : null;
    if (provider === null) {
      prices[key] = price;
      continue;
    }
    // `bedrock/…` under `bedrock_converse`, `vertex_ai/…` under `vertex_ai-anthropic_models`: the prefix names the provider.
    const slash = key.indexOf('/');
    const model = slash > 0 && provider.startsWith(key.slice(0, slash)) ? key.slice(slash + 1) : key;
    for (const name of LITELLM_PROVIDERS[provider] ?? [provider]) prices[`${name}/${model}`] = price;
  }
  return { prices, warnings };
}
