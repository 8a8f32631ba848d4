/**
 * A LiteLLM proxy config imported as it is: every key of the documented schema mapped or named in a
 * warning, and the imported router, fallbacks, retries and limits behaving on the mock provider.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { createSluice } from '../../src/core/sluice.js';
import { fromLiteLLMConfig, liteLLMPlanToSource, planLiteLLMConfig } from '../../src/litellm/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

let mock: MockProvider;
useMock((created) => (mock = created));

// Every key the importer reads, in LiteLLM's documented shape (docs.litellm.ai/docs/proxy/configs).
const FULL = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: azure/gpt-4o-eu
      api_base: https://example-eu.openai.azure.com
      api_key: os.environ/AZURE_API_KEY
      api_version: "2024-10-21"
      rpm: 600
      tpm: 100000
      timeout: 30
    model_info:
      id: eu-deployment
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      weight: 3
  - model_name: claude
    litellm_params:
      model: anthropic/claude-sonnet-4-5
  - model_name: claude-bedrock
    litellm_params:
      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
      aws_region_name: us-west-2
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
  - model_name: gemini-vertex
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
      vertex_project: my-project
      vertex_location: europe-west4
  - model_name: local
    litellm_params:
      model: hosted_vllm/meta-llama/Llama-3.1-8B-Instruct
      api_base: http://localhost:8000/v1
      order: 1
  - model_name: unknown
    litellm_params:
      model: watsonx/granite
      drop_params: true
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 2
  fallbacks: [{ "gpt-4o": ["claude"] }]
  context_window_fallbacks: [{ "gpt-4o": ["local"] }]
  allowed_fails: 3
  cooldown_time: 30
  timeout: 600
litellm_settings:
  cache: true
  cache_params: { type: redis, host: localhost, port: 6379, ttl: 600 }
  success_callback: ["langfuse"]
  max_budget: 100
  budget_duration: 30d
general_settings:
  master_key: sk-1234
`;

const ENV = { AZURE_API_KEY: 'azure-secret-1', AWS_ACCESS_KEY_ID: 'AKIA123', AWS_SECRET_ACCESS_KEY: 'aws-secret' };

describe('fromLiteLLMConfig: the documented schema', () => {
  const plan = planLiteLLMConfig(FULL, { env: ENV });

  it('turns each model_name into a router over its deployments, with weights and fallbacks', () => {
    expect(plan.config.models).toEqual({
      'gpt-4o': { strategy: 'weighted', targets: [{ target: 'azure-gpt-4o/gpt-4o-eu', weight: 600 }, { target: 'openai/gpt-4o', weight: 3 }, 'claude', 'local'] },
      claude: { strategy: 'weighted', targets: ['anthropic/claude-sonnet-4-5'] },
      'claude-bedrock': { strategy: 'weighted', targets: ['bedrock-claude-bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0'] },
      'gemini-vertex': { strategy: 'weighted', targets: ['vertex-gemini-vertex/gemini-2.5-pro'] },
      local: { targets: ['vllm-local/meta-llama/Llama-3.1-8B-Instruct'] },
    });
  });

  it('makes a provider of each deployment with its own URL, key, version, region or limits; keys from the environment', () => {
    expect(plan.config.providers).toEqual({
      'azure-gpt-4o': { kind: 'azure', baseURL: 'https://example-eu.openai.azure.com', apiKey: 'azure-secret-1', apiVersion: '2024-10-21', timeouts: { totalMs: 30_000 } },
      // The catalog's URL templates, filled from the region and location when the config is parsed.
      'bedrock-claude-bedrock': { kind: 'bedrock', baseURL: 'https://bedrock-runtime.{region}.amazonaws.com', region: 'us-west-2', aws: { accessKeyId: 'AKIA123', secretAccessKey: 'aws-secret' } },
      'vertex-gemini-vertex': { kind: 'vertex', baseURL: 'https://{location}-aiplatform.googleapis.com', project: 'my-project', location: 'europe-west4' },
      'vllm-local': { kind: 'openai', baseURL: 'http://localhost:8000/v1' },
    });
    expect(plan.keyEnv).toEqual({ 'azure-gpt-4o': 'AZURE_API_KEY' });
  });

  it('maps router and litellm settings to retries, health, time limits and plugins', () => {
    expect(plan.config.retry).toEqual({ retries: 2 });
    expect(plan.config.health).toEqual({ consecutiveFailures: 3, baseEjectionMs: 30_000, maxEjectionMs: 300_000 });
    expect(plan.config.timeouts).toEqual({ totalMs: 600_000 });
    // rpm/tpm on one deployment of two: no group limit (a warning says so; the mock test below has one).
    expect(plan.plugins).toEqual([
      { plugin: 'budget', options: { budgets: [{ scope: 'global', limitUsd: 100, period: { everyMs: 30 * 86_400_000 } }] } },
      { plugin: 'cache', options: { ttl: '600s' } },
    ]);
  });

  it('names everything it could not carry over', () => {
    const text = plan.warnings.join('\n');
    expect(text).toContain("model_list[6].litellm_params.model: 'watsonx/granite' names no provider Sluice knows (prefix 'watsonx'); skipped");
    expect(text).toContain('model_list[6].litellm_params.drop_params: no Sluice equivalent');
    expect(text).toContain('litellm_settings.cache_params.type: \'redis\' becomes the in-memory cache');
    expect(text).toContain('litellm_settings.cache_params.host: no Sluice equivalent');
    expect(text).toContain("litellm_settings.success_callback: LiteLLM's integrations (langfuse)");
    expect(text).toContain('general_settings: proxy-server settings');
    expect(text).toContain('context_window_fallbacks: merged');
    expect(text).toContain("model_list: 'gpt-4o' has rpm on some deployments only; no rpm limit is set for the group");
    expect(text).not.toContain('sk-1234');
    expect(text).not.toContain('azure-secret-1');
  });

  it('builds live plugins and a config createSluice accepts', async () => {
    const { config, warnings } = fromLiteLLMConfig(FULL, { env: ENV });
    expect(config.use).toHaveLength(2);
    expect(warnings).toEqual(plan.warnings);
    const sluice = createSluice(config);
    await sluice.close();
  });

  it('prints the import as TypeScript with keys as environment variables, never their values', () => {
    const source = liteLLMPlanToSource(plan);
    expect(source).toContain('"apiKey": process.env.AZURE_API_KEY');
    expect(source).not.toContain('azure-secret-1');
    expect(source).toContain("import { budget, cache } from 'sluice/plugins';");
    expect(source).toMatch(/"use": \[\n {2}budget\(/);
    expect(source).toContain('// warning: general_settings');
  });

  it('refuses text that is not a LiteLLM config, and reads an empty one as nothing', () => {
    expect(() => planLiteLLMConfig('model_list: [unclosed')).toThrow(/not valid YAML/);
    expect(() => planLiteLLMConfig('- just\n- a list')).toThrow(/expected a LiteLLM config/);
    expect(planLiteLLMConfig('{}', { env: {} })).toEqual({ config: {}, plugins: [], keyEnv: {}, warnings: [] });
  });

  it('warns on a key named in os.environ that is unset, and on a literal key', () => {
    const { warnings } = planLiteLLMConfig(
      'model_list:\n  - model_name: a\n    litellm_params: { model: openai/x, api_key: os.environ/NOPE }\n  - model_name: b\n    litellm_params: { model: openai/y, api_key: sk-literal }\n',
      { env: {} },
    );
    expect(warnings).toEqual([
      'model_list[0].litellm_params.api_key: NOPE is not set in the environment',
      'model_list[1].litellm_params.api_key: a literal secret in the config; it is carried over, but keep it in the environment (os.environ/NAME)',
    ]);
  });
});

describe('fromLiteLLMConfig: the imported router on the mock provider', () => {
  const config = (baseURL: string): string => `
model_list:
  - model_name: smart
    litellm_params: { model: openai/primary, api_base: ${baseURL}, api_key: os.environ/K, order: 1 }
  - model_name: smart
    litellm_params: { model: openai/secondary, api_base: ${baseURL}, api_key: os.environ/K, order: 2 }
  - model_name: backup
    litellm_params: { model: openai/backup, api_base: ${baseURL}, api_key: os.environ/K, rpm: 1 }
router_settings:
  num_retries: 0
  fallbacks: [{ smart: [backup] }]
`;

  it("tries the deployments in LiteLLM's order, then the fallback model group", async () => {
    const { config: imported } = fromLiteLLMConfig(config(mock.baseURL), { env: { K: 'k-123456789' } });
    const sluice = createSluice(imported);
    mock.script({ kind: 'error', status: 503, match: { model: 'primary' } });
    mock.script({ kind: 'error', status: 500, match: { model: 'secondary' } });
    const recorded = nextRecord(sluice);
    const answer = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'smart', messages });
    expect(answer.choices[0]?.message.content).toBeTruthy();
    expect(mock.requests.map((request) => (request.body as { model: string }).model)).toEqual(['primary', 'secondary', 'backup']);
    expect(mock.requests.every((request) => request.headers['authorization'] === 'Bearer k-123456789')).toBe(true);
    expect((await recorded).attempts.map((attempt) => attempt.model)).toEqual(['primary', 'secondary', 'backup']);
    await sluice.close();
  });

  it("enforces a model group's rpm as a limits() rule", async () => {
    const { config: imported } = fromLiteLLMConfig(config(mock.baseURL), { env: { K: 'k-123456789' } });
    const sluice = createSluice(imported);
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'backup', messages });
    const error = await rejection(client.chat.completions.create({ model: 'backup', messages }));
    expect(error).toMatchObject({ status: 429 });
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });
});

describe('sluice import-litellm', () => {
  it('prints the config as TypeScript, warnings as comments, and no key value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-litellm-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, FULL);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await main(['import-litellm', file])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const text = out.join('');
    expect(text).toContain('createSluice(');
    expect(text).toContain('process.env.AZURE_API_KEY');
    expect(text).not.toContain('is not set in the environment');
  });
});
