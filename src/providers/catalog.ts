/**
 * Providers Sluice knows by name, as plain data: a config entry under one of these names needs no
 * `kind` or `baseURL`, and its key is read from the listed environment variable when not given.
 * @module
 */

/** The wire format a provider speaks. */
export type ProviderKind = 'openai';

/** A provider Sluice knows by name. */
export interface CatalogProvider {
  /** The wire format it speaks. */
  kind: ProviderKind;
  /** Default base URL, without a trailing slash (the SDK's `baseURL`). */
  baseURL: string;
  /** Environment variable holding its API key, when it has one. */
  apiKeyEnv: string | null;
  /** Its API documentation. */
  docs: string;
}

/** Every provider known by name. */
export const providerCatalog: Readonly<Record<string, CatalogProvider>> = {
  openai: { kind: 'openai', baseURL: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', docs: 'https://platform.openai.com/docs/api-reference' },
  groq: { kind: 'openai', baseURL: 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY', docs: 'https://console.groq.com/docs/openai' },
  together: { kind: 'openai', baseURL: 'https://api.together.xyz/v1', apiKeyEnv: 'TOGETHER_API_KEY', docs: 'https://docs.together.ai/docs/openai-api-compatibility' },
  fireworks: { kind: 'openai', baseURL: 'https://api.fireworks.ai/inference/v1', apiKeyEnv: 'FIREWORKS_API_KEY', docs: 'https://docs.fireworks.ai/tools-sdks/openai-compatibility' },
  deepseek: { kind: 'openai', baseURL: 'https://api.deepseek.com', apiKeyEnv: 'DEEPSEEK_API_KEY', docs: 'https://api-docs.deepseek.com' },
  xai: { kind: 'openai', baseURL: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY', docs: 'https://docs.x.ai/docs/api-reference' },
  mistral: { kind: 'openai', baseURL: 'https://api.mistral.ai/v1', apiKeyEnv: 'MISTRAL_API_KEY', docs: 'https://docs.mistral.ai/api' },
  openrouter: { kind: 'openai', baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY', docs: 'https://openrouter.ai/docs/api-reference/overview' },
  cerebras: { kind: 'openai', baseURL: 'https://api.cerebras.ai/v1', apiKeyEnv: 'CEREBRAS_API_KEY', docs: 'https://inference-docs.cerebras.ai/api-reference' },
  perplexity: { kind: 'openai', baseURL: 'https://api.perplexity.ai', apiKeyEnv: 'PERPLEXITY_API_KEY', docs: 'https://docs.perplexity.ai/api-reference' },
  deepinfra: { kind: 'openai', baseURL: 'https://api.deepinfra.com/v1/openai', apiKeyEnv: 'DEEPINFRA_API_KEY', docs: 'https://deepinfra.com/docs/openai_api' },
  ollama: { kind: 'openai', baseURL: 'http://localhost:11434/v1', apiKeyEnv: null, docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md' },
};
