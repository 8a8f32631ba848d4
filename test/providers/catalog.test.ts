import { describe, expect, it } from 'vitest';
import { providerCatalog } from '../../src/providers/catalog.js';
import { listProviders, providerInfo } from '../../src/providers/catalog-info.js';

const entries = Object.entries(providerCatalog);
const LOCAL = /^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d+)?(?:\/|$)/;
const PLACEHOLDER = /\{([a-z_]+)\}/g;

describe('providerCatalog', () => {
  it('knows more than 110 providers', () => {
    expect(entries.length).toBeGreaterThan(110);
  });

  it('keeps the names core code and users already rely on', () => {
    for (const name of ['openai', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'mistral', 'openrouter', 'cerebras', 'perplexity', 'deepinfra', 'ollama']) {
      expect(providerCatalog[name], name).toBeDefined();
    }
  });

  it('has the native wire formats under their own names', () => {
    expect(providerCatalog['anthropic']).toMatchObject({ kind: 'anthropic', baseURL: 'https://api.anthropic.com', apiKeyEnv: 'ANTHROPIC_API_KEY' });
    expect(providerInfo['anthropic']?.auth).toBe('x-api-key');
    expect(providerCatalog['gemini']).toMatchObject({ kind: 'gemini', baseURL: 'https://generativelanguage.googleapis.com', apiKeyEnv: 'GEMINI_API_KEY' });
    expect(providerInfo['gemini']?.auth).toBe('x-goog-api-key');
    expect(providerCatalog['bedrock']).toMatchObject({ kind: 'bedrock', apiKeyEnv: 'AWS_BEARER_TOKEN_BEDROCK', baseURLNeeds: ['region'] });
    expect(providerInfo['bedrock']?.auth).toBe('sigv4');
    expect(providerCatalog['azure']).toMatchObject({ kind: 'azure', apiKeyEnv: 'AZURE_OPENAI_API_KEY', baseURLNeeds: ['resource'] });
    expect(providerInfo['azure']?.auth).toBe('api-key');
    expect(providerCatalog['vertex']).toMatchObject({ kind: 'vertex', apiKeyEnv: null, baseURLNeeds: ['location'] });
    expect(providerInfo['vertex']?.auth).toBe('google-oauth');
    expect(providerCatalog['ollama']).toMatchObject({ kind: 'ollama', baseURL: 'http://localhost:11434', apiKeyEnv: null });
    expect(providerInfo['ollama']?.auth).toBe('none');
    expect(providerCatalog['ollama-openai']).toMatchObject({ kind: 'openai', baseURL: 'http://localhost:11434/v1' });
  });

  it('uses kebab-case keys', () => {
    for (const [name] of entries) expect(name, name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it('uses https everywhere except for local servers', () => {
    for (const [name, provider] of entries) {
      if (provider.baseURL.startsWith('http://')) expect(provider.baseURL, name).toMatch(LOCAL);
      else expect(provider.baseURL, name).toMatch(/^https:\/\/[^/\s]+/);
    }
  });

  it('has no trailing slash and no whitespace in base URLs', () => {
    for (const [name, provider] of entries) {
      expect(provider.baseURL.endsWith('/'), name).toBe(false);
      expect(provider.baseURL, name).not.toMatch(/\s/);
    }
  });

  it('lists exactly the placeholders of each base URL in baseURLNeeds', () => {
    for (const [name, provider] of entries) {
      const found = [...provider.baseURL.matchAll(PLACEHOLDER)].map((match) => match[1]);
      expect([...(provider.baseURLNeeds ?? [])].sort(), name).toEqual(found.sort());
      // No stray braces outside well-formed placeholders.
      expect(provider.baseURL.replace(PLACEHOLDER, ''), name).not.toMatch(/[{}]/);
      if (provider.baseURLNeeds !== undefined) expect(provider.baseURLNeeds.length, name).toBeGreaterThan(0);
    }
  });

  it('parses every base URL once its placeholders are filled in', () => {
    for (const [name, provider] of entries) {
      const filled = provider.baseURL.replace(PLACEHOLDER, 'x');
      expect(URL.canParse(filled), name).toBe(true);
    }
  });

  it('names environment variables in upper snake case', () => {
    for (const [name, provider] of entries) {
      if (provider.apiKeyEnv !== null) expect(provider.apiKeyEnv, name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('describes exactly the catalog providers', () => {
    expect(Object.keys(providerInfo).sort()).toEqual(Object.keys(providerCatalog).sort());
  });

  it('sends no key to providers that take none', () => {
    for (const [name, provider] of entries) {
      if (providerInfo[name]!.auth === 'none') expect(provider.apiKeyEnv, name).toBeNull();
    }
  });

  it('links https documentation and gives every entry a label', () => {
    for (const [name, info] of Object.entries(providerInfo)) {
      expect(info.docs, name).toMatch(/^https:\/\/\S+$/);
      expect(URL.canParse(info.docs), name).toBe(true);
      expect(info.label.trim().length, name).toBeGreaterThan(0);
    }
  });

  it('gives each provider its own base URL, except the documented local servers on port 8080', () => {
    // Documented in the providerCatalog TSDoc: llama.cpp, TGI and LocalAI all default to port 8080.
    const sharedOnPurpose = new Map([['http://localhost:8080/v1', ['llama-cpp', 'localai', 'tgi']]]);
    const byURL = new Map<string, string[]>();
    for (const [name, provider] of entries) byURL.set(provider.baseURL, [...(byURL.get(provider.baseURL) ?? []), name]);
    for (const [url, names] of byURL) {
      if (names.length === 1) continue;
      expect(names.sort(), url).toEqual(sharedOnPurpose.get(url));
    }
  });
});

describe('listProviders', () => {
  it('lists every provider once, sorted by name, with its fields', () => {
    const list = listProviders();
    expect(list.map((provider) => provider.name)).toEqual(Object.keys(providerCatalog).sort());
    expect(list.find((provider) => provider.name === 'groq')).toEqual({ name: 'groq', ...providerCatalog['groq'], ...providerInfo['groq'] });
  });

  it('returns a new array each call and leaves the catalog untouched', () => {
    const first = listProviders();
    first.pop();
    expect(listProviders()).toHaveLength(entries.length);
  });
});
