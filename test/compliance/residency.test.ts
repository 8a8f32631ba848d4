import Anthropic from '@anthropic-ai/sdk';
import { PermissionDeniedError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { ResidencyConfig, SluiceConfig } from '../../src/config/types.js';
import { parseConfig } from '../../src/config/parse.js';
import { geographyOf, regionMatches } from '../../src/wire/regions.js';
import { regionOf } from '../../src/core/residency.js';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { regionExporter } from '../../src/exporters/region.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { makeRecord } from '../helpers/record.js';
import { clientFor, collect, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

/**
 * Four targets on the mock, told apart by the model each sends: two in the EU, one in the US, one in
 * an AWS EU region given by name. The US target is listed first, so only the policy keeps calls from it.
 */
function regional(residency: ResidencyConfig, extra: Partial<SluiceConfig> = {}): Sluice {
  return createSluice({
    providers: {
      us: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-us-123456', region: 'us' },
      eu1: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-eu1-123456', region: 'eu' },
      eu2: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-eu2-123456', region: 'eu-central-1' },
      nowhere: { kind: 'openai', baseURL: 'https://llm.example.com/v1', apiKey: 'key-nowhere-123456' },
    },
    models: {
      spread: { strategy: 'priority', targets: ['us/us-model', 'eu1/eu-model-1', 'nowhere/unknown-model', 'eu2/eu-model-2'], retries: 0 },
      american: { target: 'us/us-model' },
    },
    residency,
    ...extra,
  });
}

const sentModels = (): string[] => mock.requests.map((request) => (JSON.parse(request.bodyText) as { model: string }).model);

describe('data residency', () => {
  it('never sends a call outside the allowed regions: skipped targets, fallbacks inside', async () => {
    const sluice = regional({ allow: ['eu'] });
    const skips = collect(sluice, 'route:skip');
    mock.script({ kind: 'error', status: 503 });
    const recorded = nextRecord(sluice);
    const answer = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'spread', messages });
    expect(answer.model).toBe('eu-model-2');
    expect(sentModels()).toEqual(['eu-model-1', 'eu-model-2']);
    expect(await recorded).toMatchObject({ provider: 'eu2', region: 'eu-central-1', status: 200 });
    expect(skips.map(({ target, reason, region }) => [target, reason, region])).toEqual([
      ['us/us-model', 'residency', 'us'],
      ['nowhere/unknown-model', 'residency', null],
    ]);
    expect(skips[0]!.policy).toBe('residency.allow [eu]');
    await sluice.close();
  });

  it('when every allowed target fails, the SDK gets a 403 naming the policy; the disallowed one is never tried', async () => {
    const sluice = regional({ allow: ['eu'] });
    mock.script({ kind: 'error', status: 503 }, { kind: 'error', status: 503 });
    const recorded = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'spread', messages }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).message).toMatch(/data residency policy \(residency\.allow \[eu\]\)/);
    expect((error as PermissionDeniedError).message).toContain('us/us-model (us)');
    expect(sentModels()).toEqual(['eu-model-1', 'eu-model-2']);
    expect(await recorded).toMatchObject({ status: 403, error: { class: 'sluice_residency_denied' } });
    await sluice.close();
  });

  it('refuses an alias outside the policy with a 403 in the caller’s dialect, without calling it', async () => {
    const sluice = regional({ allow: ['eu'] });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', fetch: sluice.fetch, maxRetries: 0, logLevel: 'off' });
    const error = await rejection(anthropic.messages.create({ model: 'american', max_tokens: 10, messages }));
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(String(error)).toContain('us/us-model serves from us');
    expect(mock.requests).toHaveLength(0);
    await sluice.close();
  });

  it('applies per user, tag and header rules on top of the global list', async () => {
    const sluice = regional({
      rules: [
        { when: { user: 'alice' }, allow: ['eu'] },
        { when: { tag: 'health' }, allow: ['eu-central-1'] },
        { when: { header: { 'x-tenant': 'acme' } }, allow: ['eu'] },
      ],
    });
    const openai = clientFor(sluice, mock.baseURL);
    // Nobody restricted: the first target, in the US, serves.
    await openai.chat.completions.create({ model: 'spread', messages });
    await openai.chat.completions.create({ model: 'spread', messages, user: 'alice' });
    await openai.chat.completions.create({ model: 'spread', messages }, { headers: { 'x-sluice-tags': 'health' } });
    await openai.chat.completions.create({ model: 'spread', messages }, { headers: { 'x-tenant': 'acme' } });
    expect(sentModels()).toEqual(['us-model', 'eu-model-1', 'eu-model-2', 'eu-model-1']);
    // Alice with the health tag: both lists apply, only eu-central-1 is in both.
    mock.reset();
    await openai.chat.completions.create({ model: 'spread', messages, user: 'alice' }, { headers: { 'x-sluice-tags': 'health' } });
    expect(sentModels()).toEqual(['eu-model-2']);
    await sluice.close();
  });

  it('without routing, a restricted call to the SDK’s own URL is refused: its region is unknown', async () => {
    const sluice = createSluice({ residency: { allow: ['eu'] } });
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(mock.requests).toHaveLength(0);
    await sluice.close();
  });

  it('checks the policy shape at createSluice', () => {
    expect(() => createSluice({ residency: { allow: 'eu' } as unknown as ResidencyConfig })).toThrow(/residency\.allow/);
    expect(() => createSluice({ residency: { rules: [{ when: { user: 'a' } }] } as unknown as ResidencyConfig })).toThrow(/residency\.rules\[0\]\.allow/);
    expect(() => createSluice({ residency: { alow: ['eu'] } as unknown as ResidencyConfig })).toThrow(/residency\.alow/);
  });
});

describe('regions', () => {
  const providerOf = (config: SluiceConfig, name: string) => parseConfig(config).providers.get(name)!;

  it('come from the config, Bedrock and Vertex regions, inference profiles and regional endpoints', () => {
    const config: SluiceConfig = {
      env: {},
      providers: {
        bedrock: { region: 'eu-west-1', aws: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret-example-123' } },
        vertex: { project: 'p', location: 'europe-west4', apiKey: 'token-example-123' },
        azure: { baseURL: 'https://res.openai.azure.com', apiKey: 'azure-key-123456', region: 'swedencentral' },
        openaiEu: { kind: 'openai', baseURL: 'https://eu.api.openai.com/v1', apiKey: 'k-123456789' },
      },
    };
    expect(regionOf(providerOf(config, 'bedrock'), 'anthropic.claude-sonnet-4-5-20250929-v1:0', config)).toBe('eu-west-1');
    expect(regionOf(providerOf(config, 'bedrock'), 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0', config)).toBe('eu');
    expect(regionOf(providerOf(config, 'bedrock'), 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', config)).toBe('global');
    expect(regionOf(providerOf(config, 'vertex'), 'gemini-2.5-flash', config)).toBe('europe-west4');
    expect(regionOf(providerOf(config, 'azure'), 'gpt-4o', config)).toBe('swedencentral');
    expect(regionOf(providerOf(config, 'openaiEu'), 'gpt-4o', config)).toBe('eu');
    expect(regionOf(providerOf(config, 'openai'), 'gpt-4o', config)).toBeNull();
    expect(regionOf(providerOf(config, 'dashscope-cn'), 'qwen-max', config)).toBe('cn-beijing');
    expect(regionOf(providerOf(config, 'ollama'), 'llama3', config)).toBe('local');
  });

  it('match by name or geography', () => {
    expect(['eu-west-1', 'europe-west4', 'westeurope', 'swedencentral', 'eu'].map(geographyOf)).toEqual(['eu', 'eu', 'eu', 'eu', 'eu']);
    expect(['us-east-1', 'us-central1', 'eastus2'].map(geographyOf)).toEqual(['us', 'us', 'us']);
    expect(regionMatches('eu-west-1', ['eu'])).toBe(true);
    expect(regionMatches('eu-west-1', ['eu-central-1'])).toBe(false);
    expect(regionMatches('global', ['eu', 'us'])).toBe(false);
  });
});

describe('regionExporter', () => {
  it('passes only the records served in its regions', async () => {
    const got: CallRecord[] = [];
    const exporter = regionExporter({ regions: ['eu'], exporter: { name: 'eu-sink', export: async (records) => void got.push(...records) } });
    expect(exporter.name).toBe('eu-sink@eu');
    const records = [makeRecord({ region: 'eu-west-1' }), makeRecord({ region: 'us' }), makeRecord({ region: null }), makeRecord({ region: 'eu' })];
    await exporter.export(records, new AbortController().signal);
    expect(got.map((record) => record.region)).toEqual(['eu-west-1', 'eu']);
    expect(() => regionExporter({ regions: [], exporter: { name: 'x', export: async () => {} } })).toThrow(/regions/);
  });

  it('sends each call’s record to the exporter of the region that served it', async () => {
    const eu: CallRecord[] = [];
    const us: CallRecord[] = [];
    const sluice = regional({}, {
      exporters: [
        regionExporter({ regions: ['eu'], exporter: { name: 'eu', export: async (records) => void eu.push(...records) } }),
        regionExporter({ regions: ['us'], exporter: { name: 'us', export: async (records) => void us.push(...records) } }),
      ],
    });
    const openai = clientFor(sluice, mock.baseURL);
    await openai.chat.completions.create({ model: 'spread', messages });
    mock.script({ kind: 'error', status: 503 });
    await openai.chat.completions.create({ model: 'spread', messages });
    await sluice.close();
    expect(us.map((record) => record.provider)).toEqual(['us']);
    expect(eu.map((record) => record.provider)).toEqual(['eu1']);
  });
});
