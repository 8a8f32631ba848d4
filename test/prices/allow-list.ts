/**
 * Rows where Sluice's built-in price deliberately differs from genai-prices 0.1.8, each with the
 * reason and the source that decided it. The drift test fails on any other difference, and on an
 * entry here that no longer differs (so the list never outlives its reason).
 */
export interface AllowedDrift {
  /** `table/model`, as in `builtinPrices`. */
  row: string;
  /** Why Sluice's price is kept, and on what source. */
  reason: string;
}

const DEEPSEEK =
  "genai-prices 0.1.8 keeps DeepSeek's pre-V3.2 prices for these aliases (0.27/1.10 and 0.55/2.19, with the old off-peak window); Sluice bills them at the V3.2 prices (0.28, 0.028 cached, 0.42) that models.dev last recorded for them (src/wire/prices/deepseek.ts)";
const PERPLEXITY = "genai-prices adds Perplexity's per-request search fee (requests_kcount); Sluice prices tokens only (docs/costs.md, 'Not modelled')";
const GROK =
  "Grok 4.5's cache read: genai-prices 0.1.8 has $0.30 (0.60 above 200K), models.dev $0.50 (1.00); Sluice keeps models.dev's, which never understates (src/wire/prices/xai.ts)";

/** The reviewed differences. */
export const ALLOWED_DRIFT: readonly AllowedDrift[] = [
  {
    row: 'openai/gpt-5.6-sol',
    reason:
      "genai-prices 0.1.8 bills the $4/$0.40/$20 rates from 2026-08-21 on as permanent; OpenAI's page showed them as a promotion guaranteed only through 2026-11-21, with no extension found when checked, so Sluice keeps the list price (src/wire/prices/openai.ts)",
  },
  { row: 'openai/gpt-5.6', reason: 'the alias of gpt-5.6-sol: same reason as openai/gpt-5.6-sol' },
  {
    row: 'openai/gpt-4o-mini-search-preview',
    reason: "genai-prices groups it with gpt-4o-mini and its $0.075 cached rate; OpenAI's pricing page lists no cached-input rate for the search-preview models",
  },
  {
    row: 'anthropic/claude-sonnet-5-5',
    reason: "genai-prices 0.1.8 has no Sonnet 5.5 row: its claude-sonnet-5 prefix match prices it as Sonnet 5 ($0.20 cache read); Anthropic's page lists Sonnet 5.5's at $0.10",
  },
  {
    row: 'vertex/claude-opus-4-6@default',
    reason:
      "genai-prices' google table keeps a >200K tier for Opus 4.6 that its anthropic table ends; Anthropic bills Opus 4.6 flat across its 1M window, on Vertex as on its own API",
  },
  {
    row: 'mistral/mistral-large-latest',
    reason: "the alias moved to Mistral Large 3 (2512, $0.50/$1.50); genai-prices still resolves it to Mistral Large 2 ($2/$6)",
  },
  {
    row: 'mistral/codestral-latest',
    reason: "Codestral 25.08's $0.03 cache read is from models.dev (citing docs.mistral.ai); genai-prices 0.1.8 lists none",
  },
  { row: 'mistral/mistral-embed', reason: 'an embedding model: no output tokens are ever billed; genai-prices lists an output price that never applies' },
  { row: 'deepseek/deepseek-chat', reason: DEEPSEEK },
  { row: 'deepseek/deepseek-reasoner', reason: DEEPSEEK },
  { row: 'deepseek/deepseek-v3.2', reason: "genai-prices' deepseek-v3.2 row carries a discounted third-party rate (0.2288, no cache discount); DeepSeek's own API bills 0.28/0.028/0.42" },
  { row: 'xai/grok-4.5', reason: GROK },
  { row: 'xai/grok-4.5-latest', reason: GROK },
  { row: 'xai/grok-latest', reason: `the alias of grok-4.5: ${GROK}` },
  { row: 'perplexity/sonar', reason: PERPLEXITY },
  { row: 'perplexity/sonar-pro', reason: PERPLEXITY },
  { row: 'perplexity/sonar-reasoning', reason: PERPLEXITY },
  { row: 'perplexity/sonar-reasoning-pro', reason: PERPLEXITY },
];
