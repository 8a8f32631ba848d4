/**
 * `sluice/litellm`: a LiteLLM proxy `config.yaml` imported as it is. Web-platform only (the YAML
 * parser is pure JavaScript); the `sluice import-litellm` command prints the same import as code.
 * @module
 */
import type { SluiceConfig } from '../config/types.js';
import { budget } from '../plugins/budget/index.js';
import { cache } from '../plugins/cache/index.js';
import { limits } from '../plugins/limits/index.js';
import { planLiteLLMConfig, type LiteLLMImportOptions, type LiteLLMImportPlan, type PlannedPlugin } from './config.js';

export { planLiteLLMConfig, type LiteLLMImportOptions, type LiteLLMImportPlan, type PlannedPlugin } from './config.js';

/** An imported LiteLLM config: the Sluice configuration, and what could not be carried over. */
export interface LiteLLMImport {
  /** Ready for `createSluice(config)`; merge your own options over it. */
  config: SluiceConfig;
  /** One line per key or value without a Sluice equivalent, naming it and why. */
  warnings: string[];
}

/**
 * Turns a LiteLLM proxy `config.yaml` into a Sluice configuration:
 * - `model_list`: each `model_name` becomes a router over its deployments (`litellm_params.model`
 *   with its provider prefix, `api_base`, `api_key` with `os.environ/NAME`, `api_version`, AWS and
 *   Vertex settings, `weight`, `order`, `rpm`/`tpm` as `limits()` rules per deployment);
 * - `router_settings`: `routing_strategy`, `num_retries`, `fallbacks`, `context_window_fallbacks`,
 *   `allowed_fails`, `cooldown_time`, `timeout`;
 * - `litellm_settings`: `cache` (+ `cache_params.ttl`), `max_budget` with `budget_duration`,
 *   `num_retries`, `request_timeout`; `success_callback` and the rest are named in `warnings`.
 * @param yamlText The config file's text.
 * @throws {TypeError} When the text is not YAML or not a mapping.
 * @example
 * const { config, warnings } = fromLiteLLMConfig(readFileSync('config.yaml', 'utf8'));
 * warnings.forEach((line) => console.warn(line));
 * const sluice = createSluice(config);
 * const openai = new OpenAI({ fetch: sluice.fetch }); // `model: 'gpt-4o'` now uses LiteLLM's model group
 */
export function fromLiteLLMConfig(yamlText: string, options?: LiteLLMImportOptions): LiteLLMImport {
  const plan = planLiteLLMConfig(yamlText, options);
  const use = plan.plugins.map((planned: PlannedPlugin) =>
    planned.plugin === 'limits' ? limits(planned.options) : planned.plugin === 'budget' ? budget(planned.options) : cache(planned.options),
  );
  return { config: use.length > 0 ? { ...plan.config, use } : { ...plan.config }, warnings: plan.warnings };
}

/**
 * The import as a TypeScript module to paste into an application: keys read from the environment
 * variables the LiteLLM config named (never printed), plugins as factory calls, warnings as comments.
 */
export function liteLLMPlanToSource(plan: LiteLLMImportPlan): string {
  const providers = plan.config.providers ?? {};
  const keyed: Record<string, unknown> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const envName = plan.keyEnv[name];
    keyed[name] = envName === undefined ? provider : { ...provider, apiKey: `@@env:${envName}@@` };
  }
  const config: Record<string, unknown> = { ...plan.config, ...(plan.config.providers === undefined ? {} : { providers: keyed }) };
  const factories = [...new Set(plan.plugins.map((planned) => planned.plugin))];
  const use = plan.plugins.map((planned) => `${planned.plugin}(${JSON.stringify(planned.options, null, 2).replace(/\n/g, '\n  ')})`);
  let body = JSON.stringify(config, null, 2).replace(/"@@env:(\w+)@@"/g, 'process.env.$1');
  if (use.length > 0) body = `${body.slice(0, -2)},\n  "use": [\n  ${use.join(',\n  ')}\n  ]\n}`;
  const lines = [
    '// Imported from a LiteLLM config by `sluice import-litellm`.',
    ...plan.warnings.map((warning) => `// warning: ${warning}`),
    "import { createSluice } from 'sluice';",
    ...(factories.length > 0 ? [`import { ${factories.join(', ')} } from 'sluice/plugins';`] : []),
    '',
    `export const sluice = createSluice(${body});`,
    '',
  ];
  return lines.join('\n');
}
