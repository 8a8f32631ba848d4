/**
 * Providers Sluice knows by name, as plain data: a config entry under one of these names needs no
 * `kind` or `baseURL`, and its key is read from the listed environment variable when not given.
 * Nothing is computed at import. Display names, auth styles and documentation links live in
 * `./catalog-info.ts` (so the core entry carries only what routing needs); `listProviders()` joins them.
 *
 * Base URLs are what the provider's own SDK takes as `baseURL`: for `kind: 'openai'` the prefix
 * before `/chat/completions`, for `anthropic` the prefix before `/v1/messages`. A base URL holding
 * `{placeholders}` (`{resource}`, `{region}`, `{account_id}`...) cannot be used as is: its entry
 * lists them in `baseURLNeeds`, and the user gives the filled-in `baseURL` in config.
 *
 * Checked 2026-11-27. Every entry comes from at least one of these; comments name the source where
 * the entry is not in [ref] or where sources disagree:
 * - [ref] `/work/shared/reference/providers.md` section 8, the project's provider catalogue (entries
 *   marked "?", possibly discontinued, were left out: Lambda, Lepton, Anyscale, Replicate).
 * - [md]  anomalyco/models.dev `providers/<id>/provider.toml` (`api`, `env`, `doc`, `name`).
 * - [ltl] BerriAI/litellm `litellm/llms/openai_like/providers.json`,
 *   `litellm/litellm_core_utils/get_llm_provider_logic.py` and `docs/my-website/docs/providers/*.md`.
 * - [doc] The vendor or project documentation page the entry's `docs` field links to.
 *
 * Where [ref] and [md] name different environment variables, the entry's comment says which was
 * taken. Names follow models.dev for region-specific keys (`DASHSCOPE_CN_API_KEY`), since a key
 * from one region's account is rejected by the other region's endpoint.
 * @module
 */

/**
 * The wire format a provider speaks: `openai` is any OpenAI-compatible server, `ollama` Ollama's
 * native `/api/chat`, `azure` Azure OpenAI (deployments), `vertex` Google Vertex AI, `bedrock` AWS
 * Bedrock Converse, `anthropic` the Messages API, `gemini` the Gemini API.
 * @example
 * const kind: ProviderKind = providerCatalog['groq']?.kind ?? 'openai'; // 'openai'
 */
export type ProviderKind = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'azure' | 'vertex' | 'ollama';

/**
 * A provider Sluice knows by name.
 * @example
 * const groq: CatalogProvider | undefined = providerCatalog['groq'];
 * groq?.baseURL; // 'https://api.groq.com/openai/v1'
 */
export interface CatalogProvider {
  /** The wire format it speaks. */
  kind: ProviderKind;
  /**
   * Default base URL, without a trailing slash (the SDK's `baseURL`). May hold `{placeholders}`,
   * listed in `baseURLNeeds`; such a URL is a template and the user must give `baseURL` in config.
   */
  baseURL: string;
  /** The `{placeholders}` in `baseURL`, without braces; absent when the URL is complete. */
  baseURLNeeds?: readonly string[];
  /**
   * Environment variable holding its API key, or `null` when it has none. With `auth: 'bearer'` and
   * `null` (local servers started with an optional `--api-key`), give `apiKey` in config if you set one.
   */
  apiKeyEnv: string | null;
}

/**
 * Every provider known by name, keyed by a lower-case kebab-case name.
 *
 * Three local servers share `http://localhost:8080/v1` on purpose, because each defaults to port
 * 8080: `llama-cpp`, `tgi` and `localai`. Every other base URL is unique.
 * @example
 * providerCatalog['deepseek']?.apiKeyEnv; // 'DEEPSEEK_API_KEY'
 * providerCatalog['azure']?.baseURLNeeds; // ['resource']: give baseURL in config
 */
export const providerCatalog: Readonly<Record<string, CatalogProvider>> = {
  // Native wire formats. [ref] sections 3-6.
  anthropic: { kind: 'anthropic', baseURL: 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY' },
  // models.dev names GOOGLE_GENERATIVE_AI_API_KEY (the AI SDK's variable); Google's docs and [ref] use GEMINI_API_KEY.
  gemini: { kind: 'gemini', baseURL: 'https://generativelanguage.googleapis.com', apiKeyEnv: 'GEMINI_API_KEY' },
  // Signed with SigV4 from AWS credentials; a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK is sent as a bearer token instead.
  bedrock: { kind: 'bedrock', baseURL: 'https://bedrock-runtime.{region}.amazonaws.com', baseURLNeeds: ['region'], apiKeyEnv: 'AWS_BEARER_TOKEN_BEDROCK' },
  // Dated API: /openai/deployments/{deployment}/... with ?api-version. [md] names AZURE_API_KEY; Azure's docs use AZURE_OPENAI_API_KEY.
  azure: { kind: 'azure', baseURL: 'https://{resource}.openai.azure.com', baseURLNeeds: ['resource'], apiKeyEnv: 'AZURE_OPENAI_API_KEY' },
  // The `global` location uses host aiplatform.googleapis.com; the project goes in the request path.
  vertex: { kind: 'vertex', baseURL: 'https://{location}-aiplatform.googleapis.com', baseURLNeeds: ['location'], apiKeyEnv: null },
  ollama: { kind: 'ollama', baseURL: 'http://localhost:11434', apiKeyEnv: null },
  // Anthropic-compatible Messages endpoints of vendors also listed below with their OpenAI-compatible
  // endpoint. Base URL = the prefix before `/v1/messages` in the path the source documents; the
  // Anthropic SDK sends the vendor's key as x-api-key.
  // [ref] section 8 (MiniMax row).
  'minimax-anthropic': { kind: 'anthropic', baseURL: 'https://api.minimax.io/anthropic', apiKeyEnv: 'MINIMAX_API_KEY' },
  // [md] providers/deepseek: "Anthropic Messages is POST /anthropic/v1/messages".
  'deepseek-anthropic': { kind: 'anthropic', baseURL: 'https://api.deepseek.com/anthropic', apiKeyEnv: 'DEEPSEEK_API_KEY' },
  // [md] providers/xiaomi: "POST https://api.xiaomimimo.com/anthropic/v1/messages".
  'xiaomi-mimo-anthropic': { kind: 'anthropic', baseURL: 'https://api.xiaomimimo.com/anthropic', apiKeyEnv: 'XIAOMI_API_KEY' },
  // [md] providers/alibaba: "Anthropic: POST /apps/anthropic/v1/messages" on the international host.
  'dashscope-anthropic': { kind: 'anthropic', baseURL: 'https://dashscope-intl.aliyuncs.com/apps/anthropic', apiKeyEnv: 'DASHSCOPE_API_KEY' },

  // First-party OpenAI-compatible endpoints. [ref]
  openai: { kind: 'openai', baseURL: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY' },
  'azure-openai': { kind: 'openai', baseURL: 'https://{resource}.openai.azure.com/openai/v1', baseURLNeeds: ['resource'], apiKeyEnv: 'AZURE_OPENAI_API_KEY' },
  'gemini-openai': { kind: 'openai', baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai', apiKeyEnv: 'GEMINI_API_KEY' },
  // Testing-grade compatibility layer per Anthropic; prefer `anthropic`.
  'anthropic-openai': { kind: 'openai', baseURL: 'https://api.anthropic.com/v1', apiKeyEnv: 'ANTHROPIC_API_KEY' },
  mistral: { kind: 'openai', baseURL: 'https://api.mistral.ai/v1', apiKeyEnv: 'MISTRAL_API_KEY' },
  // [ltl] get_llm_provider_logic.py
  codestral: { kind: 'openai', baseURL: 'https://codestral.mistral.ai/v1', apiKeyEnv: 'CODESTRAL_API_KEY' },
  deepseek: { kind: 'openai', baseURL: 'https://api.deepseek.com', apiKeyEnv: 'DEEPSEEK_API_KEY' },
  xai: { kind: 'openai', baseURL: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY' },
  perplexity: { kind: 'openai', baseURL: 'https://api.perplexity.ai', apiKeyEnv: 'PERPLEXITY_API_KEY' },
  ai21: { kind: 'openai', baseURL: 'https://api.ai21.com/studio/v1', apiKeyEnv: 'AI21_API_KEY' },
  // Cohere's OpenAI compatibility API; its native v2 chat is https://api.cohere.com/v2/chat.
  cohere: { kind: 'openai', baseURL: 'https://api.cohere.ai/compatibility/v1', apiKeyEnv: 'COHERE_API_KEY' },
  'meta-llama': { kind: 'openai', baseURL: 'https://api.llama.com/compat/v1', apiKeyEnv: 'LLAMA_API_KEY' },
  // [md] lists https://api.upstage.ai/v1/solar (raw POST /v1/solar/chat/completions); [ref] gives /v1 with /v1/solar as a variant.
  upstage: { kind: 'openai', baseURL: 'https://api.upstage.ai/v1/solar', apiKeyEnv: 'UPSTAGE_API_KEY' },
  inception: { kind: 'openai', baseURL: 'https://api.inceptionlabs.ai/v1', apiKeyEnv: 'INCEPTION_API_KEY' },

  // Chinese model labs. [ref][md]
  moonshot: { kind: 'openai', baseURL: 'https://api.moonshot.ai/v1', apiKeyEnv: 'MOONSHOT_API_KEY' },
  'moonshot-cn': { kind: 'openai', baseURL: 'https://api.moonshot.cn/v1', apiKeyEnv: 'MOONSHOT_API_KEY' },
  // [md] only; the endpoint also serves the Anthropic Messages API.
  'kimi-for-coding': { kind: 'openai', baseURL: 'https://api.kimi.com/coding/v1', apiKeyEnv: 'KIMI_API_KEY' },
  zhipu: { kind: 'openai', baseURL: 'https://open.bigmodel.cn/api/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY' },
  // [md] only.
  'zhipu-coding-plan': { kind: 'openai', baseURL: 'https://open.bigmodel.cn/api/coding/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY' },
  zai: { kind: 'openai', baseURL: 'https://api.z.ai/api/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY' },
  // [md] only.
  'zai-coding-plan': { kind: 'openai', baseURL: 'https://api.z.ai/api/coding/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY' },
  dashscope: { kind: 'openai', baseURL: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_API_KEY' },
  // [ref] gives DASHSCOPE_API_KEY for both regions; [md] DASHSCOPE_CN_API_KEY (taken, see module comment).
  'dashscope-cn': { kind: 'openai', baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_CN_API_KEY' },
  // [ref] and [ltl] give VOLCENGINE_API_KEY; [md] and Volcengine's own docs ARK_API_KEY (taken).
  volcengine: { kind: 'openai', baseURL: 'https://ark.cn-beijing.volces.com/api/v3', apiKeyEnv: 'ARK_API_KEY' },
  minimax: { kind: 'openai', baseURL: 'https://api.minimax.io/v1', apiKeyEnv: 'MINIMAX_API_KEY' },
  stepfun: { kind: 'openai', baseURL: 'https://api.stepfun.com/v1', apiKeyEnv: 'STEPFUN_API_KEY' },
  // [ltl] names XIAOMI_MIMO_API_KEY; [ref] and [md] XIAOMI_API_KEY (taken).
  'xiaomi-mimo': { kind: 'openai', baseURL: 'https://api.xiaomimimo.com/v1', apiKeyEnv: 'XIAOMI_API_KEY' },
  // [md] only.
  modelscope: { kind: 'openai', baseURL: 'https://api-inference.modelscope.cn/v1', apiKeyEnv: 'MODELSCOPE_API_KEY' },
  // [md] only.
  bailing: { kind: 'openai', baseURL: 'https://api.tbox.cn/api/llm/v1', apiKeyEnv: 'BAILING_API_TOKEN' },
  // [md] only.
  qiniu: { kind: 'openai', baseURL: 'https://api.qnaigc.com/v1', apiKeyEnv: 'QINIU_API_KEY' },

  // Inference clouds for open-weight models. [ref][md]
  groq: { kind: 'openai', baseURL: 'https://api.groq.com/openai/v1', apiKeyEnv: 'GROQ_API_KEY' },
  together: { kind: 'openai', baseURL: 'https://api.together.xyz/v1', apiKeyEnv: 'TOGETHER_API_KEY' },
  fireworks: { kind: 'openai', baseURL: 'https://api.fireworks.ai/inference/v1', apiKeyEnv: 'FIREWORKS_API_KEY' },
  cerebras: { kind: 'openai', baseURL: 'https://api.cerebras.ai/v1', apiKeyEnv: 'CEREBRAS_API_KEY' },
  sambanova: { kind: 'openai', baseURL: 'https://api.sambanova.ai/v1', apiKeyEnv: 'SAMBANOVA_API_KEY' },
  deepinfra: { kind: 'openai', baseURL: 'https://api.deepinfra.com/v1/openai', apiKeyEnv: 'DEEPINFRA_API_KEY' },
  nebius: { kind: 'openai', baseURL: 'https://api.tokenfactory.nebius.com/v1', apiKeyEnv: 'NEBIUS_API_KEY' },
  // [ref] confidence "~": older docs use /v3/openai, some clients /openai/v1; [md] agrees on /openai.
  novita: { kind: 'openai', baseURL: 'https://api.novita.ai/openai', apiKeyEnv: 'NOVITA_API_KEY' },
  // [ref][ltl] docs/providers/hyperbolic.md
  hyperbolic: { kind: 'openai', baseURL: 'https://api.hyperbolic.xyz/v1', apiKeyEnv: 'HYPERBOLIC_API_KEY' },
  baseten: { kind: 'openai', baseURL: 'https://inference.baseten.co/v1', apiKeyEnv: 'BASETEN_API_KEY' },
  nvidia: { kind: 'openai', baseURL: 'https://integrate.api.nvidia.com/v1', apiKeyEnv: 'NVIDIA_API_KEY' },
  // [md] names CLOUDFLARE_API_KEY for Workers AI (taken; Cloudflare calls it an API token).
  'cloudflare-workers-ai': { kind: 'openai', baseURL: 'https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1', baseURLNeeds: ['account_id'], apiKeyEnv: 'CLOUDFLARE_API_KEY' },
  'github-models': { kind: 'openai', baseURL: 'https://models.github.ai/inference', apiKeyEnv: 'GITHUB_TOKEN' },
  huggingface: { kind: 'openai', baseURL: 'https://router.huggingface.co/v1', apiKeyEnv: 'HF_TOKEN' },
  featherless: { kind: 'openai', baseURL: 'https://api.featherless.ai/v1', apiKeyEnv: 'FEATHERLESS_API_KEY' },
  nscale: { kind: 'openai', baseURL: 'https://inference.api.nscale.com/v1', apiKeyEnv: 'NSCALE_API_KEY' },
  // [md] names SCALEWAY_API_KEY; [ref], [ltl] and Scaleway's CLI use SCW_SECRET_KEY (taken).
  scaleway: { kind: 'openai', baseURL: 'https://api.scaleway.ai/v1', apiKeyEnv: 'SCW_SECRET_KEY' },
  ovhcloud: { kind: 'openai', baseURL: 'https://oai.endpoints.kepler.ai.cloud.ovh.net/v1', apiKeyEnv: 'OVHCLOUD_API_KEY' },
  // [ltl] names VENICE_AI_API_KEY; [ref] and [md] VENICE_API_KEY (taken).
  venice: { kind: 'openai', baseURL: 'https://api.venice.ai/api/v1', apiKeyEnv: 'VENICE_API_KEY' },
  // [ltl] also reads FRIENDLIAI_API_KEY.
  friendli: { kind: 'openai', baseURL: 'https://api.friendli.ai/serverless/v1', apiKeyEnv: 'FRIENDLI_TOKEN' },
  siliconflow: { kind: 'openai', baseURL: 'https://api.siliconflow.com/v1', apiKeyEnv: 'SILICONFLOW_API_KEY' },
  // [md] SILICONFLOW_CN_API_KEY, see module comment.
  'siliconflow-cn': { kind: 'openai', baseURL: 'https://api.siliconflow.cn/v1', apiKeyEnv: 'SILICONFLOW_CN_API_KEY' },
  chutes: { kind: 'openai', baseURL: 'https://llm.chutes.ai/v1', apiKeyEnv: 'CHUTES_API_KEY' },
  vultr: { kind: 'openai', baseURL: 'https://api.vultrinference.com/v1', apiKeyEnv: 'VULTR_API_KEY' },
  digitalocean: { kind: 'openai', baseURL: 'https://inference.do-ai.run/v1', apiKeyEnv: 'DIGITALOCEAN_ACCESS_TOKEN' },
  wandb: { kind: 'openai', baseURL: 'https://api.inference.wandb.ai/v1', apiKeyEnv: 'WANDB_API_KEY' },
  'ollama-cloud': { kind: 'openai', baseURL: 'https://ollama.com/v1', apiKeyEnv: 'OLLAMA_API_KEY' },
  // [md] only.
  'inference-net': { kind: 'openai', baseURL: 'https://api.inference.net/v1', apiKeyEnv: 'INFERENCE_API_KEY' },
  // [md] only.
  morph: { kind: 'openai', baseURL: 'https://api.morphllm.com/v1', apiKeyEnv: 'MORPH_API_KEY' },
  // [md] only.
  'io-net': { kind: 'openai', baseURL: 'https://api.intelligence.io.solutions/api/v1', apiKeyEnv: 'IOINTELLIGENCE_API_KEY' },
  // [md] only.
  berget: { kind: 'openai', baseURL: 'https://api.berget.ai/v1', apiKeyEnv: 'BERGET_API_KEY' },
  // [md] api.inference.crusoecloud.com (taken); [ltl] providers.json has managed-inference-api-proxy.crusoecloud.com.
  crusoe: { kind: 'openai', baseURL: 'https://api.inference.crusoecloud.com/v1', apiKeyEnv: 'CRUSOE_API_KEY' },
  // [md] only.
  clarifai: { kind: 'openai', baseURL: 'https://api.clarifai.com/v2/ext/openai/v1', apiKeyEnv: 'CLARIFAI_PAT' },
  // [md] only.
  'near-ai': { kind: 'openai', baseURL: 'https://cloud-api.near.ai/v1', apiKeyEnv: 'NEARAI_API_KEY' },
  // [md] only.
  synthetic: { kind: 'openai', baseURL: 'https://api.synthetic.new/openai/v1', apiKeyEnv: 'SYNTHETIC_API_KEY' },
  // [ltl] providers.json and docs/providers/gmi.md
  gmi: { kind: 'openai', baseURL: 'https://api.gmi-serving.com/v1', apiKeyEnv: 'GMI_API_KEY' },
  // [ltl] providers.json and docs/providers/publicai.md
  publicai: { kind: 'openai', baseURL: 'https://api.publicai.co/v1', apiKeyEnv: 'PUBLICAI_API_KEY' },
  // [ltl] providers.json and docs/providers/llamagate.md
  llamagate: { kind: 'openai', baseURL: 'https://api.llamagate.dev/v1', apiKeyEnv: 'LLAMAGATE_API_KEY' },
  // [ltl] providers.json and docs/providers/abliteration.md
  abliteration: { kind: 'openai', baseURL: 'https://api.abliteration.ai/v1', apiKeyEnv: 'ABLITERATION_API_KEY' },
  // [ltl] docs/providers/atlas_cloud.md
  'atlas-cloud': { kind: 'openai', baseURL: 'https://api.atlascloud.ai/v1', apiKeyEnv: 'ATLASCLOUD_API_KEY' },
  // [ltl] docs/providers/avian.md
  avian: { kind: 'openai', baseURL: 'https://api.avian.io/v1', apiKeyEnv: 'AVIAN_API_KEY' },
  // [md] only.
  submodel: { kind: 'openai', baseURL: 'https://llm.submodel.ai/v1', apiKeyEnv: 'SUBMODEL_INSTAGEN_ACCESS_KEY' },
  // [md] only.
  vivgrid: { kind: 'openai', baseURL: 'https://api.vivgrid.com/v1', apiKeyEnv: 'VIVGRID_API_KEY' },

  // European clouds. [md] only.
  stackit: { kind: 'openai', baseURL: 'https://api.openai-compat.model-serving.eu01.onstackit.cloud/v1', apiKeyEnv: 'STACKIT_API_KEY' },
  'cloudferro-sherlock': { kind: 'openai', baseURL: 'https://api-sherlock.cloudferro.com/openai/v1', apiKeyEnv: 'CLOUDFERRO_SHERLOCK_API_KEY' },
  evroc: { kind: 'openai', baseURL: 'https://models.think.evroc.com/v1', apiKeyEnv: 'EVROC_API_KEY' },
  regolo: { kind: 'openai', baseURL: 'https://api.regolo.ai/v1', apiKeyEnv: 'REGOLO_API_KEY' },
  infomaniak: { kind: 'openai', baseURL: 'https://api.infomaniak.com/2/ai/{product_id}/openai/v1', baseURLNeeds: ['product_id'], apiKeyEnv: 'INFOMANIAK_API_KEY' },

  // Data platforms. [ref] confidence "~"; env names from [md].
  databricks: { kind: 'openai', baseURL: 'https://{workspace_host}/serving-endpoints', baseURLNeeds: ['workspace_host'], apiKeyEnv: 'DATABRICKS_TOKEN' },
  snowflake: { kind: 'openai', baseURL: 'https://{account}.snowflakecomputing.com/api/v2/cortex/v1', baseURLNeeds: ['account'], apiKeyEnv: 'SNOWFLAKE_PAT' },

  // Gateways and routers (OpenAI-compatible fronts for many vendors). [ref][md][ltl]
  openrouter: { kind: 'openai', baseURL: 'https://openrouter.ai/api/v1', apiKeyEnv: 'OPENROUTER_API_KEY' },
  requesty: { kind: 'openai', baseURL: 'https://router.requesty.ai/v1', apiKeyEnv: 'REQUESTY_API_KEY' },
  vercel: { kind: 'openai', baseURL: 'https://ai-gateway.vercel.sh/v1', apiKeyEnv: 'AI_GATEWAY_API_KEY' },
  helicone: { kind: 'openai', baseURL: 'https://ai-gateway.helicone.ai/v1', apiKeyEnv: 'HELICONE_API_KEY' },
  poe: { kind: 'openai', baseURL: 'https://api.poe.com/v1', apiKeyEnv: 'POE_API_KEY' },
  // [ltl] names NANOGPT_API_KEY; [md] NANO_GPT_API_KEY (taken).
  'nano-gpt': { kind: 'openai', baseURL: 'https://nano-gpt.com/api/v1', apiKeyEnv: 'NANO_GPT_API_KEY' },
  // Base URL from [ltl] providers.json; [md] gives env and docs.
  aihubmix: { kind: 'openai', baseURL: 'https://aihubmix.com/v1', apiKeyEnv: 'AIHUBMIX_API_KEY' },
  zenmux: { kind: 'openai', baseURL: 'https://zenmux.ai/api/v1', apiKeyEnv: 'ZENMUX_API_KEY' },
  aimlapi: { kind: 'openai', baseURL: 'https://api.aimlapi.com/v1', apiKeyEnv: 'AIMLAPI_API_KEY' },
  fastrouter: { kind: 'openai', baseURL: 'https://go.fastrouter.ai/api/v1', apiKeyEnv: 'FASTROUTER_API_KEY' },
  'llm-gateway': { kind: 'openai', baseURL: 'https://api.llmgateway.io/v1', apiKeyEnv: 'LLMGATEWAY_API_KEY' },
  'opencode-zen': { kind: 'openai', baseURL: 'https://opencode.ai/zen/v1', apiKeyEnv: 'OPENCODE_API_KEY' },
  cortecs: { kind: 'openai', baseURL: 'https://api.cortecs.ai/v1', apiKeyEnv: 'CORTECS_API_KEY' },
  // [ltl] providers.json and docs/providers/apertis.md (formerly Stima API).
  apertis: { kind: 'openai', baseURL: 'https://api.stima.tech/v1', apiKeyEnv: 'STIMA_API_KEY' },

  // Local servers, default ports. [ref]
  'ollama-openai': { kind: 'openai', baseURL: 'http://localhost:11434/v1', apiKeyEnv: null },
  vllm: { kind: 'openai', baseURL: 'http://localhost:8000/v1', apiKeyEnv: null },
  'llama-cpp': { kind: 'openai', baseURL: 'http://localhost:8080/v1', apiKeyEnv: null },
  // [md] lists 127.0.0.1 and LMSTUDIO_API_KEY; LM Studio needs no key by default.
  'lm-studio': { kind: 'openai', baseURL: 'http://localhost:1234/v1', apiKeyEnv: null },
  sglang: { kind: 'openai', baseURL: 'http://localhost:30000/v1', apiKeyEnv: null },
  tgi: { kind: 'openai', baseURL: 'http://localhost:8080/v1', apiKeyEnv: null },
  localai: { kind: 'openai', baseURL: 'http://localhost:8080/v1', apiKeyEnv: null },
  jan: { kind: 'openai', baseURL: 'http://localhost:1337/v1', apiKeyEnv: null },
};
