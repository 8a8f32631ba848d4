/**
 * A LiteLLM proxy `config.yaml` read as it is: `model_list`, `router_settings` and
 * `litellm_settings` become a Sluice configuration (providers, routers with fallbacks, retries,
 * health, time limits, cache, limits and budget), and everything without an equivalent is named in
 * `warnings`. The plan is plain data first, so the same import can be printed as TypeScript
 * (`npx sluice import-litellm config.yaml`) or built into a live config.
 * @module
 */
import { parse as parseYaml } from 'yaml';
import type { ProviderConfig, RouterConfig, RouterStrategy, RouterTargetConfig, SluiceConfig } from '../config/types.js';
import { providerCatalog } from '../providers/catalog.js';
import type { BudgetOptions } from '../plugins/budget/options.js';
import type { CacheOptions } from '../plugins/cache/options.js';
import type { LimitsOptions, RateRule } from '../plugins/limits/options.js';

/** A plugin the import needs, by factory name and options (plain data, printable). */
export type PlannedPlugin =
  | { plugin: 'limits'; options: LimitsOptions }
  | { plugin: 'cache'; options: CacheOptions }
  | { plugin: 'budget'; options: BudgetOptions };

/**
 * An imported configuration as plain data: the Sluice options that are data, the plugins by name
 * and options, and the environment variables the keys come from (so printing never shows a key).
 */
export interface LiteLLMImportPlan {
  /** The data part of the Sluice configuration (`use` is {@link plugins}). */
  config: Omit<SluiceConfig, 'use'>;
  /** Plugins in the recommended order (limits, budget, cache). */
  plugins: PlannedPlugin[];
  /** `providers.<name>.apiKey` → the environment variable it was read from (`os.environ/NAME`). */
  keyEnv: Record<string, string>;
  /** What could not be carried over, one line each, naming the key and why. */
  warnings: string[];
}

/** Options of {@link planLiteLLMConfig} and `fromLiteLLMConfig`. */
export interface LiteLLMImportOptions {
  /** Where `os.environ/NAME` values are read. @default `process.env` where it exists, else `{}` */
  env?: Record<string, string | undefined>;
}

/** LiteLLM provider prefixes (`litellm_params.model: "<prefix>/<model>"`) → Sluice catalog names. */
const PREFIXES: Readonly<Record<string, string>> = {
  openai: 'openai',
  text_completion_openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  bedrock: 'bedrock',
  bedrock_converse: 'bedrock',
  vertex_ai: 'vertex',
  vertex_ai_beta: 'vertex',
  gemini: 'gemini',
  groq: 'groq',
  mistral: 'mistral',
  codestral: 'codestral',
  deepseek: 'deepseek',
  xai: 'xai',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  cerebras: 'cerebras',
  perplexity: 'perplexity',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  openrouter: 'openrouter',
  ollama: 'ollama',
  ollama_chat: 'ollama',
  hosted_vllm: 'vllm',
  vllm: 'vllm',
  lm_studio: 'lm-studio',
  deepinfra: 'deepinfra',
  nvidia_nim: 'nvidia',
  sambanova: 'sambanova',
  huggingface: 'huggingface',
  cloudflare: 'cloudflare-workers-ai',
  databricks: 'databricks',
  github: 'github-models',
  novita: 'novita',
  nebius: 'nebius',
  hyperbolic: 'hyperbolic',
  moonshot: 'moonshot',
  dashscope: 'dashscope',
  volcengine: 'volcengine',
  ai21: 'ai21',
  friendliai: 'friendli',
  featherless_ai: 'featherless',
  nscale: 'nscale',
  baseten: 'baseten',
  snowflake: 'snowflake',
  ovhcloud: 'ovhcloud',
  zai: 'zai',
  minimax: 'minimax',
};

/** LiteLLM `routing_strategy` → Sluice router strategy. */
const STRATEGIES: Readonly<Record<string, RouterStrategy>> = {
  'simple-shuffle': 'weighted',
  'least-busy': 'least-busy',
  'latency-based-routing': 'latency',
  'cost-based-routing': 'cost',
  'usage-based-routing': 'least-busy',
  'usage-based-routing-v2': 'least-busy',
};

/** `litellm_params` keys read by the import; any other is named in a warning. */
const DEPLOYMENT_KEYS = new Set([
  'model',
  'api_base',
  'base_url',
  'api_key',
  'api_version',
  'rpm',
  'tpm',
  'weight',
  'order',
  'timeout',
  'stream_timeout',
  'max_retries',
  'aws_region_name',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'vertex_project',
  'vertex_location',
  'extra_headers',
  'headers',
]);

const ROUTER_KEYS = new Set(['routing_strategy', 'num_retries', 'fallbacks', 'context_window_fallbacks', 'allowed_fails', 'cooldown_time', 'timeout', 'retry_after', 'model_group_alias']);
const SETTINGS_KEYS = new Set(['cache', 'cache_params', 'success_callback', 'failure_callback', 'callbacks', 'max_budget', 'budget_duration', 'num_retries', 'request_timeout', 'fallbacks', 'context_window_fallbacks', 'drop_params', 'set_verbose']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finitePositive(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined;
}

/** LiteLLM durations: seconds as a number, or `30s`, `10m`, `24h`, `30d`, `1mo`. */
function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|mo)?\s*$/.exec(value);
  if (match === null) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, mo: 30 * 86_400_000 }[match[2] ?? 's'] ?? 1_000;
  return Number(match[1]) * unit;
}

/** Turns a name into a provider-name fragment: lowercase letters, digits and dashes. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'model';
}

interface Deployment {
  /** The router target: `provider/model`. */
  target: string;
  weight: number | undefined;
  order: number | undefined;
  rpm: number | undefined;
  tpm: number | undefined;
}

/**
 * Reads a LiteLLM proxy config into a {@link LiteLLMImportPlan}: plain data, printable, with the
 * environment variables behind each key. `fromLiteLLMConfig` builds it into a live config.
 * @param yamlText The `config.yaml` text (YAML or JSON).
 * @throws {TypeError} When the text is not YAML, or not a mapping at the top.
 */
export function planLiteLLMConfig(yamlText: string, options: LiteLLMImportOptions = {}): LiteLLMImportPlan {
  let document: unknown;
  try {
    document = parseYaml(yamlText, { maxAliasCount: 100 });
  } catch (error) {
    throw new TypeError(`fromLiteLLMConfig: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(document)) throw new TypeError('fromLiteLLMConfig: expected a LiteLLM config (a mapping with model_list, router_settings, litellm_settings)');
  const env = options.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const warnings: string[] = [];
  const providers: Record<string, ProviderConfig> = {};
  const keyEnv: Record<string, string> = {};
  const rate: RateRule[] = [];
  const groups = new Map<string, Deployment[]>();
  const names = new Set<string>();

  /** `os.environ/NAME` → the value (and the name, for printing); a literal is kept with a warning. */
  const secret = (value: unknown, where: string): { value: string; env: string | null } | undefined => {
    if (typeof value !== 'string' || value === '') return undefined;
    const match = /^os\.environ\/(\w+)$/.exec(value);
    if (match === null) {
      warnings.push(`${where}: a literal secret in the config; it is carried over, but keep it in the environment (os.environ/NAME)`);
      return { value, env: null };
    }
    const found = env[match[1]!];
    if (found === undefined || found === '') warnings.push(`${where}: ${match[1]} is not set in the environment`);
    return { value: found ?? '', env: match[1]! };
  };

  const list = document['model_list'];
  if (list !== undefined && !Array.isArray(list)) warnings.push('model_list: expected a list; ignored');
  (Array.isArray(list) ? list : []).forEach((entry: unknown, index: number) => {
    const where = `model_list[${index}]`;
    if (!isRecord(entry) || typeof entry['model_name'] !== 'string' || !isRecord(entry['litellm_params'])) {
      warnings.push(`${where}: expected model_name and litellm_params; skipped`);
      return;
    }
    const modelName = entry['model_name'];
    const params = entry['litellm_params'];
    const model = typeof params['model'] === 'string' ? params['model'] : null;
    if (model === null) {
      warnings.push(`${where}.litellm_params.model: missing; skipped`);
      return;
    }
    for (const key of Object.keys(params)) if (!DEPLOYMENT_KEYS.has(key)) warnings.push(`${where}.litellm_params.${key}: no Sluice equivalent; ignored`);
    for (const key of Object.keys(entry)) if (key !== 'model_name' && key !== 'litellm_params' && key !== 'model_info') warnings.push(`${where}.${key}: no Sluice equivalent; ignored`);
    const slash = model.indexOf('/');
    const prefix = slash > 0 ? model.slice(0, slash) : null;
    const prefixed = prefix !== null && Object.hasOwn(PREFIXES, prefix) ? PREFIXES[prefix]! : null;
    // LiteLLM infers the provider of a bare model name from the name itself.
    const inferred = /^(gpt-|o\d|chatgpt-|text-embedding-|dall-e|whisper|tts-)/.test(model) ? 'openai' : /^claude-/.test(model) ? 'anthropic' : null;
    const catalogName = prefixed ?? inferred;
    const upstreamModel = prefixed === null ? model : model.slice(slash + 1);
    if (catalogName === null) {
      warnings.push(`${where}.litellm_params.model: '${model}' names no provider Sluice knows (${prefix === null ? 'no provider prefix' : `prefix '${prefix}'`}); skipped`);
      return;
    }
    const known = providerCatalog[catalogName];

    const custom: ProviderConfig = {};
    const baseURL = typeof params['api_base'] === 'string' ? params['api_base'] : typeof params['base_url'] === 'string' ? params['base_url'] : undefined;
    if (baseURL !== undefined) custom.baseURL = baseURL;
    const key = secret(params['api_key'], `${where}.litellm_params.api_key`);
    if (typeof params['api_version'] === 'string') custom.apiVersion = params['api_version'];
    if (typeof params['aws_region_name'] === 'string') custom.region = params['aws_region_name'];
    const accessKeyId = secret(params['aws_access_key_id'], `${where}.litellm_params.aws_access_key_id`);
    const secretAccessKey = secret(params['aws_secret_access_key'], `${where}.litellm_params.aws_secret_access_key`);
    const sessionToken = secret(params['aws_session_token'], `${where}.litellm_params.aws_session_token`);
    if (accessKeyId !== undefined && secretAccessKey !== undefined) {
      custom.aws = { accessKeyId: accessKeyId.value, secretAccessKey: secretAccessKey.value, ...(sessionToken === undefined ? {} : { sessionToken: sessionToken.value }) };
    }
    if (typeof params['vertex_project'] === 'string') custom.project = params['vertex_project'];
    if (typeof params['vertex_location'] === 'string') custom.location = params['vertex_location'];
    const headers = params['extra_headers'] ?? params['headers'];
    if (isRecord(headers)) custom.headers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
    const timeoutMs = durationMs(params['timeout']);
    if (timeoutMs !== undefined) custom.timeouts = { totalMs: timeoutMs };
    const rpm = finitePositive(params['rpm']);
    const tpm = finitePositive(params['tpm']);

    // A deployment with its own URL, key, version, region, headers, time limit or rates is its own provider.
    let providerName = catalogName;
    if (Object.keys(custom).length > 0 || key !== undefined || rpm !== undefined || tpm !== undefined) {
      const base = `${catalogName}-${slug(modelName)}`;
      providerName = base;
      for (let n = 2; names.has(providerName); n++) providerName = `${base}-${n}`;
      names.add(providerName);
      const entryConfig: ProviderConfig = { kind: known?.kind ?? 'openai', ...custom };
      // Bedrock's and Vertex's URLs are filled from the region and location: their templates are kept.
      if (entryConfig.baseURL === undefined && known !== undefined && (!known.baseURL.includes('{') || known.kind === 'bedrock' || known.kind === 'vertex')) entryConfig.baseURL = known.baseURL;
      if (entryConfig.baseURL === undefined) {
        warnings.push(`${where}: provider '${catalogName}' needs api_base (${known?.baseURLNeeds?.join(', ') ?? 'its base URL'})`);
      }
      const apiKey = key?.value ?? (known?.apiKeyEnv ? env[known.apiKeyEnv] : undefined);
      if (apiKey !== undefined && apiKey !== '') entryConfig.apiKey = apiKey;
      const keyName = key === undefined ? (known?.apiKeyEnv ?? null) : key.env;
      if (keyName !== null && (key !== undefined || apiKey !== undefined)) keyEnv[providerName] = keyName;
      providers[providerName] = entryConfig;
    }
    const deployments = groups.get(modelName) ?? [];
    deployments.push({ target: `${providerName}/${upstreamModel}`, weight: finitePositive(params['weight']) ?? rpm ?? tpm, order: finitePositive(params['order']), rpm, tpm });
    groups.set(modelName, deployments);
  });

  const routerSettings = isRecord(document['router_settings']) ? document['router_settings'] : {};
  const settings = isRecord(document['litellm_settings']) ? document['litellm_settings'] : {};
  for (const key of Object.keys(routerSettings)) if (!ROUTER_KEYS.has(key)) warnings.push(`router_settings.${key}: no Sluice equivalent; ignored`);
  for (const key of Object.keys(settings)) if (!SETTINGS_KEYS.has(key)) warnings.push(`litellm_settings.${key}: no Sluice equivalent; ignored`);
  for (const key of Object.keys(document)) {
    if (key === 'general_settings' || key === 'environment_variables') warnings.push(`${key}: proxy-server settings (master key, database, UI); an in-process gateway has no server to configure`);
    else if (key !== 'model_list' && key !== 'router_settings' && key !== 'litellm_settings') warnings.push(`${key}: not a LiteLLM config section Sluice reads; ignored`);
  }

  const strategyName = routerSettings['routing_strategy'];
  let strategy: RouterStrategy | undefined;
  if (typeof strategyName === 'string') {
    strategy = STRATEGIES[strategyName];
    if (strategy === undefined) warnings.push(`router_settings.routing_strategy: '${strategyName}' has no Sluice equivalent; priority order used`);
    else if (strategyName.startsWith('usage-based')) warnings.push(`router_settings.routing_strategy: '${strategyName}' becomes 'least-busy' (Sluice balances by calls in flight, and enforces rpm/tpm with limits())`);
  }

  /** `[{ "gpt-4o": ["claude"] }]` → model name → its fallbacks. */
  const fallbackMap = (value: unknown, where: string): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    if (value === undefined) return map;
    if (!Array.isArray(value)) {
      warnings.push(`${where}: expected a list of { model: [fallbacks] }; ignored`);
      return map;
    }
    for (const item of value) {
      if (!isRecord(item)) continue;
      for (const [name, targets] of Object.entries(item)) {
        const list = (Array.isArray(targets) ? targets : [targets]).filter((target): target is string => typeof target === 'string');
        map.set(name, [...(map.get(name) ?? []), ...list]);
      }
    }
    return map;
  };
  const fallbacks = fallbackMap(routerSettings['fallbacks'] ?? settings['fallbacks'], 'router_settings.fallbacks');
  const contextFallbacks = fallbackMap(routerSettings['context_window_fallbacks'] ?? settings['context_window_fallbacks'], 'router_settings.context_window_fallbacks');
  if (contextFallbacks.size > 0) {
    warnings.push('router_settings.context_window_fallbacks: merged into each router\'s fallbacks; Sluice moves to a later target on a context-length error as on any retriable failure');
  }

  const models: Record<string, RouterConfig> = {};
  for (const [name, deployments] of groups) {
    // Sluice's limits apply before routing, to the model the SDK asked for: a group's rpm/tpm is the
    // sum of its deployments' (LiteLLM also routes around a saturated deployment; Sluice does not).
    const groupRate: RateRule = { scope: 'model', match: name };
    for (const unit of ['rpm', 'tpm'] as const) {
      const given = deployments.filter((deployment) => deployment[unit] !== undefined);
      if (given.length === 0) continue;
      if (given.length < deployments.length) {
        warnings.push(`model_list: '${name}' has ${unit} on some deployments only; no ${unit} limit is set for the group`);
        continue;
      }
      groupRate[unit] = given.reduce((sum, deployment) => sum + deployment[unit]!, 0);
    }
    if (groupRate.rpm !== undefined || groupRate.tpm !== undefined) {
      rate.push(groupRate);
      if (deployments.length > 1) warnings.push(`model_list: the rpm/tpm of '${name}''s deployments are enforced on the group as a whole (their sum), before routing`);
    }
    const ordered = deployments.some((deployment) => deployment.order !== undefined)
      ? [...deployments].sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity))
      : deployments;
    const targets: Array<string | RouterTargetConfig> = ordered.map(({ target, weight }) => (weight === undefined ? target : { target, weight }));
    for (const fallback of [...(fallbacks.get(name) ?? []), ...(contextFallbacks.get(name) ?? [])]) {
      if (!groups.has(fallback)) {
        warnings.push(`fallbacks: '${name}' falls back to '${fallback}', which model_list does not define; skipped`);
        continue;
      }
      if (fallback !== name && !targets.includes(fallback)) targets.push(fallback);
    }
    const hasOrder = deployments.some((deployment) => deployment.order !== undefined);
    const router: RouterConfig = { targets };
    const chosen = hasOrder ? 'priority' : strategy;
    if (chosen !== undefined && chosen !== 'priority') router.strategy = chosen;
    models[name] = router;
  }
  for (const name of fallbacks.keys()) if (!groups.has(name)) warnings.push(`fallbacks: '${name}' is not a model_name of model_list; skipped`);

  const config: Omit<SluiceConfig, 'use'> = {};
  if (Object.keys(providers).length > 0) config.providers = providers;
  if (Object.keys(models).length > 0) config.models = models;
  const retries = routerSettings['num_retries'] ?? settings['num_retries'];
  if (retries !== undefined) {
    const count = typeof retries === 'number' && Number.isInteger(retries) && retries >= 0 ? retries : undefined;
    if (count === undefined) warnings.push('num_retries: expected a whole number; ignored');
    else config.retry = { retries: count };
  }
  const allowedFails = finitePositive(routerSettings['allowed_fails']);
  const cooldownMs = durationMs(routerSettings['cooldown_time']);
  if (allowedFails !== undefined || cooldownMs !== undefined) {
    config.health = {
      ...(allowedFails === undefined ? {} : { consecutiveFailures: Math.ceil(allowedFails) }),
      ...(cooldownMs === undefined ? {} : { baseEjectionMs: cooldownMs, maxEjectionMs: Math.max(cooldownMs, 300_000) }),
    };
  }
  const timeoutMs = durationMs(routerSettings['timeout'] ?? settings['request_timeout']);
  if (timeoutMs !== undefined) config.timeouts = { totalMs: timeoutMs };
  if (routerSettings['retry_after'] !== undefined) warnings.push("router_settings.retry_after: Sluice waits for the provider's retry-after, and backs off from retry.minDelayMs");

  const plugins: PlannedPlugin[] = [];
  if (rate.length > 0) plugins.push({ plugin: 'limits', options: { rate } });
  const maxBudget = finitePositive(settings['max_budget']);
  if (maxBudget !== undefined) {
    const duration = settings['budget_duration'];
    const everyMs = durationMs(duration);
    const period = duration === undefined ? 'month' : everyMs === 86_400_000 ? 'day' : everyMs === undefined ? 'month' : { everyMs };
    if (duration === undefined) warnings.push('litellm_settings.max_budget: no budget_duration; a monthly budget is used (LiteLLM never resets one without a duration)');
    else if (everyMs === undefined) warnings.push(`litellm_settings.budget_duration: '${String(duration)}' is not a duration; a monthly budget is used`);
    plugins.push({ plugin: 'budget', options: { budgets: [{ scope: 'global', limitUsd: maxBudget, period }] } });
  }
  if (settings['cache'] === true) {
    const params = isRecord(settings['cache_params']) ? settings['cache_params'] : {};
    const ttlSeconds = finitePositive(params['ttl']);
    const type = params['type'];
    if (type !== undefined && type !== 'local' && type !== 'in-memory') {
      warnings.push(`litellm_settings.cache_params.type: '${String(type)}' becomes the in-memory cache; for Redis pass cache({ store: redisCacheStore(client) }) from sluice/stores/redis`);
    }
    for (const key of Object.keys(params)) if (key !== 'type' && key !== 'ttl') warnings.push(`litellm_settings.cache_params.${key}: no Sluice equivalent; ignored`);
    plugins.push({ plugin: 'cache', options: ttlSeconds === undefined ? {} : { ttl: `${ttlSeconds}s` } });
  }
  for (const key of ['success_callback', 'failure_callback', 'callbacks'] as const) {
    const names = settings[key];
    if (Array.isArray(names) && names.length > 0) {
      warnings.push(`litellm_settings.${key}: LiteLLM's integrations (${names.map(String).join(', ')}) are not built in: use Sluice's exporters (otlpExporter for OpenTelemetry backends) or callbacks`);
    }
  }
  return { config, plugins, keyEnv, warnings };
}
