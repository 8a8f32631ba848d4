/**
 * Which genai-prices provider bills each Sluice provider, for the generated snapshot
 * (genai-snapshot.ts) that the catalog consults when a provider's curated table has no row.
 * @module
 */

/** Sluice provider name → genai-prices provider id. Names absent here have no snapshot table. */
export const GENAI_TABLES: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure',
  'azure-openai': 'azure',
  anthropic: 'anthropic',
  'anthropic-openai': 'anthropic',
  gemini: 'google',
  'gemini-openai': 'google',
  vertex: 'google',
  bedrock: 'aws',
  mistral: 'mistral',
  codestral: 'mistral',
  deepseek: 'deepseek',
  'deepseek-anthropic': 'deepseek',
  xai: 'x-ai',
  groq: 'groq',
  together: 'together',
  fireworks: 'fireworks',
  cerebras: 'cerebras',
  perplexity: 'perplexity',
  cohere: 'cohere',
  novita: 'novita',
  openrouter: 'openrouter',
  ovhcloud: 'ovhcloud',
  baseten: 'baseten',
  avian: 'avian',
  minimax: 'minimax',
  'minimax-anthropic': 'minimax',
  zai: 'zai',
  'zai-coding-plan': 'zai',
  zhipu: 'zhipuai',
  'zhipu-coding-plan': 'zhipuai',
};
