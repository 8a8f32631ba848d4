import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse.js';
import type { SluiceConfig } from '../../src/config/types.js';
import { isSluiceError, SluiceConfigError } from '../../src/core/errors.js';

function configError(config: unknown): SluiceConfigError {
  try {
    parseConfig(config as SluiceConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(SluiceConfigError);
    expect(isSluiceError(error)).toBe(true);
    return error as SluiceConfigError;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig errors', () => {
  it('lists every problem of a bad config, each with its path, in one error', () => {
    const error = configError({
      providers: {
        local: { kind: 'openai', baseURL: 'not a url' },
        inferbox: { baseURL: 'http://127.0.0.1:8000/v1' },
      },
      models: { fast: { target: 'opneai/gpt-4o-mini' } },
      callbackTimeoutMs: -1,
      streamUsag: true,
    });
    expect(error.code).toBe('sluice_invalid_config');
    expect(error.message).toContain('providers.local.baseURL: Invalid url');
    expect(error.message).toContain('streamUsag: unknown key; did you mean "streamUsage"?');
    expect(error.message).toContain('callbackTimeoutMs: expected a value > 0');
    expect(error.message).toContain('models.fast.target: unknown provider "opneai"; did you mean "openai"?');
    expect(error.message).toContain('providers.inferbox.kind: required for a provider not in the catalog');
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(
      ['callbackTimeoutMs', 'models.fast.target', 'providers.local.baseURL', 'providers.inferbox.kind', 'streamUsag'].sort(),
    );
  });

  it('suggests the right name for unknown nested keys and common renames', () => {
    const error = configError({ providers: { local: { kind: 'openai', baseUrl: 'http://x/v1', apikey: 'k' } }, record: { bodys: true } });
    expect(error.message).toContain('providers.local.baseUrl: unknown key; did you mean "baseURL"?');
    expect(error.message).toContain('providers.local.apikey: unknown key; did you mean "apiKey"?');
    expect(error.message).toContain('record.bodys: unknown key; did you mean "bodies"?');
  });

  it('rejects a provider outside the catalog without a kind or a baseURL', () => {
    const error = configError({ providers: { inferbox: {} } });
    expect(error.message).toContain('providers.inferbox.kind: required for a provider not in the catalog');
    expect(error.message).toContain('providers.inferbox.baseURL: required for a provider not in the catalog');
  });

  it('rejects an alias target that is not provider/model', () => {
    expect(configError({ models: { fast: { target: 'gpt-4o-mini' } } }).message).toContain(
      'models.fast.target: expected "provider/model", received "gpt-4o-mini"',
    );
  });

  it('reports malformed sections instead of crashing on them', () => {
    expect(configError('providers').issues).toEqual([{ path: '', message: 'expected object, received string' }]);
    const error = configError({ providers: { local: null, bad: { kind: 'openai', baseURL: 42 } }, models: { fast: { target: 'local/m' }, slow: 7 } });
    expect(error.issues.map((issue) => issue.path)).toEqual(['providers.local', 'providers.bad.baseURL', 'models.slow']);
  });

  it('rejects values of the wrong type, naming what was expected', () => {
    const error = configError({ unknownModel: 'drop', use: ['not a function'], tags: 'a,b' });
    expect(error.message).toContain('unknownModel: expected one of "forward", "reject"');
    expect(error.message).toContain('use[0]: expected a function');
    expect(error.message).toContain('tags: expected array, received string');
  });
});

describe('parseConfig defaults', () => {
  it('accepts no config and changes nothing', () => {
    const config = parseConfig(undefined);
    expect(config.routing).toBe(false);
    expect(config.unknownModel).toBe('forward');
    expect(config.streamUsage).toBe(true);
    expect(config.aliases.size).toBe(0);
    expect(config.callbackTimeoutMs).toBe(5000);
  });

  it('reads catalog keys from the env option, never from a key it was not asked for', () => {
    const config = parseConfig({ env: { OPENAI_API_KEY: 'sk-from-env-123', GROQ_API_KEY: '' } });
    expect(config.providers.get('openai')?.apiKey).toBe('sk-from-env-123');
    expect(config.providers.get('groq')?.apiKey).toBeNull();
    expect(config.providers.get('ollama')?.apiKey).toBeNull();
    expect(config.secrets).toContain('sk-from-env-123');
  });

  it('prefers a configured key to the env option and strips trailing slashes from baseURL', () => {
    const config = parseConfig({
      env: { OPENAI_API_KEY: 'sk-from-env-123' },
      providers: { openai: { apiKey: 'sk-configured-456' }, local: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1//' } },
    });
    expect(config.providers.get('openai')?.apiKey).toBe('sk-configured-456');
    expect(config.providers.get('local')).toMatchObject({ baseURL: 'http://127.0.0.1:9/v1', origin: 'http://127.0.0.1:9', apiKey: null });
  });

  it('forwards unknown models by default without routing, and rejects them once providers or models are configured', () => {
    expect(parseConfig({}).unknownModel).toBe('forward');
    expect(parseConfig({ providers: { local: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1' } } }).unknownModel).toBe('reject');
    expect(parseConfig({ models: { fast: { target: 'openai/gpt-4o-mini' } } }).unknownModel).toBe('reject');
    expect(parseConfig({ models: { fast: { target: 'openai/gpt-4o-mini' } }, unknownModel: 'forward' }).unknownModel).toBe('forward');
    expect(parseConfig({ unknownModel: 'reject' }).unknownModel).toBe('reject');
  });

  it('resolves aliases to their provider and model', () => {
    const config = parseConfig({
      providers: { local: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'local-key-1' } },
      models: { fast: { target: 'local/gpt-4o-mini' }, big: { target: 'openai/gpt-4.1' } },
    });
    expect(config.aliases.get('fast')).toMatchObject({ provider: { name: 'local' }, model: 'gpt-4o-mini' });
    expect(config.aliases.get('big')).toMatchObject({ provider: { name: 'openai' }, model: 'gpt-4.1' });
    expect(config.routing).toBe(true);
  });

  it('accepts an exporter alone or with queue options', () => {
    const exporter = { name: 'mem', export: async () => {} };
    const config = parseConfig({ exporters: [exporter, { exporter, queue: { maxBatchSize: 5 } }] });
    expect(config.exporters).toEqual([
      { exporter, queue: {} },
      { exporter, queue: { maxBatchSize: 5 } },
    ]);
  });
});
