/**
 * What the catalog says about each provider beyond routing: its display name, how its key is sent,
 * and its documentation. Kept apart from `./catalog.ts` so the core entry carries only endpoints;
 * `sluice/providers` exports both and {@link listProviders} joins them. Same sources and date as
 * `./catalog.ts`.
 * @module
 */
import { providerCatalog, type CatalogProvider } from './catalog.js';

/**
 * How the API key is sent: `bearer` (`Authorization: Bearer`), `x-api-key` (Anthropic),
 * `x-goog-api-key` (Gemini), `api-key` (Azure), `sigv4` (AWS request signing), `google-oauth` (an
 * OAuth2 access token from a service account), `none` (no key).
 * @example
 * const auth: CatalogAuth = providerInfo['anthropic']?.auth ?? 'bearer'; // 'x-api-key'
 */
export type CatalogAuth = 'bearer' | 'x-api-key' | 'x-goog-api-key' | 'api-key' | 'sigv4' | 'google-oauth' | 'none';

/** What the catalog says about a provider beyond its endpoint. */
export interface ProviderInfo {
  /** Display name. */
  label: string;
  /** How the key is sent. */
  auth: CatalogAuth;
  /** Its API documentation. */
  docs: string;
}

/**
 * Display name, auth style and documentation of every catalog provider, by the same names as `providerCatalog`.
 * @example
 * providerInfo['anthropic']?.auth; // 'x-api-key'
 */
export const providerInfo: Readonly<Record<string, ProviderInfo>> = {
  anthropic: { label: 'Anthropic', auth: 'x-api-key', docs: 'https://docs.anthropic.com/en/docs/about-claude/models' },
  gemini: { label: 'Google Gemini API', auth: 'x-goog-api-key', docs: 'https://ai.google.dev/gemini-api/docs' },
  bedrock: { label: 'Amazon Bedrock', auth: 'sigv4', docs: 'https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html' },
  azure: { label: 'Azure OpenAI', auth: 'api-key', docs: 'https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/models' },
  vertex: { label: 'Google Vertex AI', auth: 'google-oauth', docs: 'https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/overview' },
  ollama: { label: 'Ollama', auth: 'none', docs: 'https://github.com/ollama/ollama/blob/main/docs/api.md' },
  'minimax-anthropic': { label: 'MiniMax (Anthropic-compatible)', auth: 'x-api-key', docs: 'https://platform.minimax.io/docs/api-reference/anthropic-api-compatible-cache' },
  'deepseek-anthropic': { label: 'DeepSeek (Anthropic-compatible)', auth: 'x-api-key', docs: 'https://api-docs.deepseek.com/guides/anthropic_api' },
  'xiaomi-mimo-anthropic': { label: 'Xiaomi MiMo (Anthropic-compatible)', auth: 'x-api-key', docs: 'https://platform.xiaomimimo.com/#/docs' },
  'dashscope-anthropic': { label: 'Alibaba Cloud Model Studio (Anthropic-compatible)', auth: 'x-api-key', docs: 'https://www.alibabacloud.com/help/en/model-studio/anthropic-api-messages' },
  openai: { label: 'OpenAI', auth: 'bearer', docs: 'https://platform.openai.com/docs/api-reference' },
  'azure-openai': { label: 'Azure OpenAI (v1 API)', auth: 'bearer', docs: 'https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/models' },
  'gemini-openai': { label: 'Google Gemini (OpenAI-compatible)', auth: 'bearer', docs: 'https://ai.google.dev/gemini-api/docs/openai' },
  'anthropic-openai': { label: 'Anthropic (OpenAI SDK compatibility)', auth: 'bearer', docs: 'https://docs.anthropic.com/en/api/openai-sdk' },
  mistral: { label: 'Mistral AI', auth: 'bearer', docs: 'https://docs.mistral.ai/api' },
  codestral: { label: 'Mistral Codestral', auth: 'bearer', docs: 'https://docs.mistral.ai/models/codestral-25-08' },
  deepseek: { label: 'DeepSeek', auth: 'bearer', docs: 'https://api-docs.deepseek.com' },
  xai: { label: 'xAI', auth: 'bearer', docs: 'https://docs.x.ai/docs/api-reference' },
  perplexity: { label: 'Perplexity', auth: 'bearer', docs: 'https://docs.perplexity.ai/api-reference' },
  ai21: { label: 'AI21 Labs', auth: 'bearer', docs: 'https://docs.ai21.com/docs/jamba-foundation-models' },
  cohere: { label: 'Cohere (compatibility API)', auth: 'bearer', docs: 'https://docs.cohere.com/docs/compatibility-api' },
  'meta-llama': { label: 'Meta Llama API', auth: 'bearer', docs: 'https://llama.developer.meta.com/docs/models' },
  upstage: { label: 'Upstage', auth: 'bearer', docs: 'https://developers.upstage.ai/docs/apis/chat' },
  inception: { label: 'Inception Labs', auth: 'bearer', docs: 'https://docs.inceptionlabs.ai/get-started/models' },
  moonshot: { label: 'Moonshot AI (Kimi)', auth: 'bearer', docs: 'https://platform.moonshot.ai/docs/api/chat' },
  'moonshot-cn': { label: 'Moonshot AI (China)', auth: 'bearer', docs: 'https://platform.moonshot.cn/docs/api/chat' },
  'kimi-for-coding': { label: 'Kimi For Coding', auth: 'bearer', docs: 'https://www.kimi.com/code/docs/en/kimi-code/models.html' },
  zhipu: { label: 'Zhipu AI (GLM)', auth: 'bearer', docs: 'https://open.bigmodel.cn/pricing' },
  'zhipu-coding-plan': { label: 'Zhipu AI Coding Plan', auth: 'bearer', docs: 'https://docs.bigmodel.cn/cn/coding-plan/overview' },
  zai: { label: 'Z.AI (GLM)', auth: 'bearer', docs: 'https://docs.z.ai/guides/overview/pricing' },
  'zai-coding-plan': { label: 'Z.AI Coding Plan', auth: 'bearer', docs: 'https://docs.z.ai/devpack/overview' },
  dashscope: { label: 'Alibaba Cloud Model Studio (Qwen)', auth: 'bearer', docs: 'https://www.alibabacloud.com/help/en/model-studio/models' },
  'dashscope-cn': { label: 'Alibaba Cloud Model Studio (China)', auth: 'bearer', docs: 'https://www.alibabacloud.com/help/en/model-studio/models' },
  volcengine: { label: 'Volcengine Ark (ByteDance)', auth: 'bearer', docs: 'https://www.volcengine.com/docs/82379/1330310' },
  minimax: { label: 'MiniMax', auth: 'bearer', docs: 'https://platform.minimax.io/docs/guides/quickstart' },
  stepfun: { label: 'StepFun', auth: 'bearer', docs: 'https://platform.stepfun.com/docs/zh/overview/concept' },
  'xiaomi-mimo': { label: 'Xiaomi MiMo', auth: 'bearer', docs: 'https://platform.xiaomimimo.com/#/docs' },
  modelscope: { label: 'ModelScope', auth: 'bearer', docs: 'https://modelscope.cn/docs/model-service/API-Inference/intro' },
  bailing: { label: 'Bailing (Ant Group Ling)', auth: 'bearer', docs: 'https://alipaytbox.yuque.com/sxs0ba/ling/intro' },
  qiniu: { label: 'Qiniu AI', auth: 'bearer', docs: 'https://developer.qiniu.com/aitokenapi' },
  groq: { label: 'Groq', auth: 'bearer', docs: 'https://console.groq.com/docs/openai' },
  together: { label: 'Together AI', auth: 'bearer', docs: 'https://docs.together.ai/docs/openai-api-compatibility' },
  fireworks: { label: 'Fireworks AI', auth: 'bearer', docs: 'https://docs.fireworks.ai/tools-sdks/openai-compatibility' },
  cerebras: { label: 'Cerebras', auth: 'bearer', docs: 'https://inference-docs.cerebras.ai/api-reference' },
  sambanova: { label: 'SambaNova', auth: 'bearer', docs: 'https://docs.sambanova.ai/docs' },
  deepinfra: { label: 'DeepInfra', auth: 'bearer', docs: 'https://deepinfra.com/docs/openai_api' },
  nebius: { label: 'Nebius Token Factory', auth: 'bearer', docs: 'https://docs.tokenfactory.nebius.com/' },
  novita: { label: 'Novita AI', auth: 'bearer', docs: 'https://novita.ai/docs/guides/introduction' },
  hyperbolic: { label: 'Hyperbolic', auth: 'bearer', docs: 'https://docs.hyperbolic.xyz' },
  baseten: { label: 'Baseten (Model APIs)', auth: 'bearer', docs: 'https://docs.baseten.co/inference/model-apis/overview' },
  nvidia: { label: 'NVIDIA NIM (API catalog)', auth: 'bearer', docs: 'https://docs.api.nvidia.com/nim/' },
  'cloudflare-workers-ai': { label: 'Cloudflare Workers AI', auth: 'bearer', docs: 'https://developers.cloudflare.com/workers-ai/models/' },
  'github-models': { label: 'GitHub Models', auth: 'bearer', docs: 'https://docs.github.com/en/github-models' },
  huggingface: { label: 'Hugging Face Inference Providers', auth: 'bearer', docs: 'https://huggingface.co/docs/inference-providers' },
  featherless: { label: 'Featherless', auth: 'bearer', docs: 'https://featherless.ai/docs' },
  nscale: { label: 'Nscale', auth: 'bearer', docs: 'https://docs.nscale.com/docs/ai-services/models' },
  scaleway: { label: 'Scaleway Generative APIs', auth: 'bearer', docs: 'https://www.scaleway.com/en/docs/generative-apis/' },
  ovhcloud: { label: 'OVHcloud AI Endpoints', auth: 'bearer', docs: 'https://www.ovhcloud.com/en/public-cloud/ai-endpoints/catalog/' },
  venice: { label: 'Venice AI', auth: 'bearer', docs: 'https://docs.venice.ai' },
  friendli: { label: 'FriendliAI', auth: 'bearer', docs: 'https://friendli.ai/docs/guides/serverless_endpoints/introduction' },
  siliconflow: { label: 'SiliconFlow', auth: 'bearer', docs: 'https://cloud.siliconflow.com/models' },
  'siliconflow-cn': { label: 'SiliconFlow (China)', auth: 'bearer', docs: 'https://cloud.siliconflow.com/models' },
  chutes: { label: 'Chutes', auth: 'bearer', docs: 'https://llm.chutes.ai/v1/models' },
  vultr: { label: 'Vultr Serverless Inference', auth: 'bearer', docs: 'https://api.vultrinference.com/' },
  digitalocean: { label: 'DigitalOcean Gradient', auth: 'bearer', docs: 'https://docs.digitalocean.com/products/gradient-ai-platform/details/models/' },
  wandb: { label: 'Weights & Biases Inference', auth: 'bearer', docs: 'https://docs.wandb.ai/guides/integrations/inference/' },
  'ollama-cloud': { label: 'Ollama Cloud', auth: 'bearer', docs: 'https://docs.ollama.com/cloud' },
  'inference-net': { label: 'Inference.net', auth: 'bearer', docs: 'https://inference.net/models' },
  morph: { label: 'Morph', auth: 'bearer', docs: 'https://docs.morphllm.com/api-reference/introduction' },
  'io-net': { label: 'IO Intelligence (io.net)', auth: 'bearer', docs: 'https://io.net/docs/guides/intelligence/io-intelligence' },
  berget: { label: 'Berget AI', auth: 'bearer', docs: 'https://docs.berget.ai' },
  crusoe: { label: 'Crusoe Managed Inference', auth: 'bearer', docs: 'https://docs.crusoecloud.com/managed-inference/overview' },
  clarifai: { label: 'Clarifai', auth: 'bearer', docs: 'https://docs.clarifai.com/compute/inference/' },
  'near-ai': { label: 'NEAR AI Cloud', auth: 'bearer', docs: 'https://docs.near.ai/' },
  synthetic: { label: 'Synthetic', auth: 'bearer', docs: 'https://synthetic.new/pricing' },
  gmi: { label: 'GMI Cloud', auth: 'bearer', docs: 'https://docs.gmicloud.ai' },
  publicai: { label: 'PublicAI', auth: 'bearer', docs: 'https://platform.publicai.co/' },
  llamagate: { label: 'LlamaGate', auth: 'bearer', docs: 'https://llamagate.dev/docs' },
  abliteration: { label: 'Abliteration', auth: 'bearer', docs: 'https://abliteration.ai' },
  'atlas-cloud': { label: 'Atlas Cloud', auth: 'bearer', docs: 'https://www.atlascloud.ai/docs' },
  avian: { label: 'Avian', auth: 'bearer', docs: 'https://avian.io' },
  submodel: { label: 'SubModel InstaGen', auth: 'bearer', docs: 'https://submodel.gitbook.io' },
  vivgrid: { label: 'Vivgrid', auth: 'bearer', docs: 'https://docs.vivgrid.com/models' },
  stackit: { label: 'STACKIT AI Model Serving', auth: 'bearer', docs: 'https://docs.stackit.cloud/products/data-and-ai/ai-model-serving/basics/available-shared-models' },
  'cloudferro-sherlock': { label: 'CloudFerro Sherlock', auth: 'bearer', docs: 'https://docs.sherlock.cloudferro.com/' },
  evroc: { label: 'evroc Think', auth: 'bearer', docs: 'https://docs.evroc.com/products/think/overview.html' },
  regolo: { label: 'Regolo AI', auth: 'bearer', docs: 'https://docs.regolo.ai/' },
  infomaniak: { label: 'Infomaniak AI Tools', auth: 'bearer', docs: 'https://www.infomaniak.com/en/hosting/ai-services/open-source-models' },
  databricks: { label: 'Databricks Model Serving', auth: 'bearer', docs: 'https://docs.databricks.com/en/machine-learning/foundation-models/api-reference.html' },
  snowflake: { label: 'Snowflake Cortex', auth: 'bearer', docs: 'https://docs.snowflake.com/en/user-guide/snowflake-cortex/cortex-rest-api' },
  openrouter: { label: 'OpenRouter', auth: 'bearer', docs: 'https://openrouter.ai/docs/api-reference/overview' },
  requesty: { label: 'Requesty', auth: 'bearer', docs: 'https://requesty.ai/solution/llm-routing/models' },
  vercel: { label: 'Vercel AI Gateway', auth: 'bearer', docs: 'https://vercel.com/docs/ai-gateway' },
  helicone: { label: 'Helicone AI Gateway', auth: 'bearer', docs: 'https://docs.helicone.ai' },
  poe: { label: 'Poe', auth: 'bearer', docs: 'https://creator.poe.com/docs/external-applications/openai-compatible-api' },
  'nano-gpt': { label: 'NanoGPT', auth: 'bearer', docs: 'https://docs.nano-gpt.com' },
  aihubmix: { label: 'AIHubMix', auth: 'bearer', docs: 'https://docs.aihubmix.com' },
  zenmux: { label: 'ZenMux', auth: 'bearer', docs: 'https://docs.zenmux.ai' },
  aimlapi: { label: 'AI/ML API', auth: 'bearer', docs: 'https://docs.aimlapi.com' },
  fastrouter: { label: 'FastRouter', auth: 'bearer', docs: 'https://fastrouter.ai/models' },
  'llm-gateway': { label: 'LLM Gateway', auth: 'bearer', docs: 'https://llmgateway.io/docs' },
  'opencode-zen': { label: 'OpenCode Zen', auth: 'bearer', docs: 'https://opencode.ai/docs/zen' },
  cortecs: { label: 'Cortecs', auth: 'bearer', docs: 'https://docs.cortecs.ai/routing/prompt-caching' },
  apertis: { label: 'Apertis AI', auth: 'bearer', docs: 'https://api.stima.tech' },
  'ollama-openai': { label: 'Ollama (OpenAI-compatible)', auth: 'none', docs: 'https://github.com/ollama/ollama/blob/main/docs/openai.md' },
  vllm: { label: 'vLLM', auth: 'bearer', docs: 'https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html' },
  'llama-cpp': { label: 'llama.cpp llama-server', auth: 'bearer', docs: 'https://github.com/ggml-org/llama.cpp' },
  'lm-studio': { label: 'LM Studio', auth: 'none', docs: 'https://lmstudio.ai/docs/developer/openai-compat/chat-completions' },
  sglang: { label: 'SGLang', auth: 'none', docs: 'https://github.com/sgl-project/sglang' },
  tgi: { label: 'Hugging Face TGI (Messages API)', auth: 'none', docs: 'https://github.com/huggingface/text-generation-inference' },
  localai: { label: 'LocalAI', auth: 'none', docs: 'https://github.com/mudler/LocalAI' },
  jan: { label: 'Jan', auth: 'none', docs: 'https://github.com/janhq/jan' },
};

/** One catalog provider, everything known about it. */
export type ListedProvider = { name: string } & CatalogProvider & ProviderInfo;

/**
 * Lists the catalog, sorted by name: what a CLI or dashboard shows as the providers Sluice knows.
 * Builds a new array on each call; the catalog itself is not copied.
 * @returns One object per provider: its name and its catalog fields.
 * @example
 * for (const { name, label, baseURLNeeds } of listProviders()) {
 *   console.log(name, label, baseURLNeeds ? `needs ${baseURLNeeds.join(', ')}` : '');
 * }
 */
export function listProviders(): ListedProvider[] {
  return Object.entries(providerCatalog)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, provider]) => ({ name, ...provider, ...providerInfo[name]! }));
}
