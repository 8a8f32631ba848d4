import { RateLimitError } from 'openai';
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { fromHeliconeConfig, heliconeImportSource, parseHumantime } from '../../src/helicone/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

/** A Helicone AI Gateway config touching every key the import maps (Helicone's docs/ai-gateway/config.mdx). */
function gatewayYaml(origin: string): string {
  return `
providers:
  openai:
    base-url: "${origin}/"
    models:
      - gpt-4o-mini
  anthropic:
    base-url: "${origin}"
    version: "2023-06-01"
    models:
      - claude-3-5-haiku
default-model-mapping:
  gpt-4o: claude-3-5-haiku
cache-store:
  type: in-memory
  max-size: 1048576
rate-limit-store:
  type: in-memory
global:
  cache:
    directive: "max-age=600, max-stale=60"
    buckets: 1
    seed: "tenant-1"
  retries:
    strategy: exponential
    min-delay: 1ms
    max-delay: 2ms
    max-retries: 1
    factor: 2
routers:
  prod:
    load-balance:
      chat:
        strategy: latency
        providers: [openai, anthropic]
    model-mappings:
      gpt-4o-mini: anthropic/claude-3-5-haiku
  canary:
    load-balance:
      chat:
        strategy: model-weighted
        models:
          - model: openai/gpt-4o-mini
            weight: '0.7'
          - model: anthropic/claude-3-5-haiku
            weight: '0.3'
    rate-limit:
      per-api-key:
        capacity: 2
        refill-frequency: 1m
discover:
  monitor:
    health:
      type: error-ratio
      ratio: 0.5
      window: 60s
      grace-period:
        min-requests: 5
dispatcher:
  timeout: 30s
  connection-timeout: 2s
telemetry:
  level: info
helicone:
  features: observability
`;
}

const env = { OPENAI_API_KEY: 'openai-test-key', ANTHROPIC_API_KEY: 'anthropic-test-key' };

describe('fromHeliconeConfig', () => {
  it('maps every key onto Sluice settings and names what has no equivalent', () => {
    const { data, warnings, plugins } = fromHeliconeConfig(gatewayYaml('http://127.0.0.1:9'));
    expect(data.providers).toEqual({
      openai: { baseURL: 'http://127.0.0.1:9/v1' },
      anthropic: { baseURL: 'http://127.0.0.1:9', headers: { 'anthropic-version': '2023-06-01' } },
    });
    expect(data.models).toEqual({
      'prod:claude-3-5-haiku': { strategy: 'latency', targets: ['anthropic/claude-3-5-haiku'] },
      'prod:gpt-4o': { strategy: 'latency', targets: ['anthropic/claude-3-5-haiku'] },
      'prod:gpt-4o-mini': { strategy: 'latency', targets: ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku'] },
      canary: { strategy: 'weighted', targets: [{ target: 'openai/gpt-4o-mini', weight: 0.7 }, { target: 'anthropic/claude-3-5-haiku', weight: 0.3 }] },
    });
    expect(data.rules).toContainEqual({ when: { tag: 'helicone-router:prod', model: ['gpt-4o-mini', 'openai/gpt-4o-mini'] }, use: 'prod:gpt-4o-mini' });
    expect(data.rules).toContainEqual({ when: { tag: 'helicone-router:canary' }, use: 'canary' });
    expect(data.retry).toEqual({ retries: 1, minDelayMs: 1, maxDelayMs: 2 });
    expect(data.health).toEqual({ errorRate: 0.5, minRequests: 5, windowSize: 20 });
    expect(data.timeouts).toEqual({ totalMs: 30_000, connectMs: 2000 });
    expect(data.compat).toEqual({ helicone: true });
    expect(plugins).toEqual([
      { plugin: 'limits', options: { rate: [{ scope: 'tag', match: 'helicone-router:canary', rpm: 2 }] }, store: { type: 'in-memory' } },
      { plugin: 'cache', options: { ttl: '600s', namespace: 'helicone-seed:tenant-1' }, store: { type: 'in-memory', maxBytes: 1_048_576 } },
    ]);
    const keys = warnings.map((warning) => warning.slice(0, warning.indexOf(':')));
    for (const key of ['telemetry', 'helicone', 'global.cache.directive', 'discover.monitor.health.window', 'routers.canary.rate-limit.per-api-key']) expect(keys).toContain(key);
  });

  it('warns about Redis stores it was not given, and unknown keys, by name', () => {
    const { warnings, plugins } = fromHeliconeConfig(`
cache-store: { type: redis, host-url: "redis://cache.internal:6379" }
global:
  cache: { directive: "max-age=60" }
  sparkle: true
routers:
  r1:
    load-balance:
      chat: { strategy: round-robin, providers: [openai] }
`);
    expect(plugins[0]!.store).toEqual({ type: 'redis', hostUrl: 'redis://cache.internal:6379' });
    expect(warnings.some((warning) => warning.startsWith('cache-store.type: redis at cache.internal:6379'))).toBe(true);
    expect(warnings).toContain('global.sparkle: not a key Sluice knows; ignored');
    expect(warnings.some((warning) => warning.startsWith('routers.r1.load-balance.chat.strategy: unknown strategy "round-robin"'))).toBe(true);
  });

  it('keeps router retries and the gateway\'s no-retry default when there are no global retries', () => {
    const { data } = fromHeliconeConfig(`
routers:
  a:
    load-balance: { chat: { strategy: latency, providers: [openai] } }
    retries: { strategy: constant, delay: 50ms, max-retries: 2 }
  b:
    load-balance: { chat: { strategy: latency, providers: [anthropic] } }
    model-mappings: { claude-3-5-haiku: claude-3-5-haiku }
`);
    expect(data.retry).toEqual({ retries: 0, minDelayMs: 50, maxDelayMs: 50 });
    expect(data.models?.['b:claude-3-5-haiku']).toEqual({ strategy: 'latency', targets: ['anthropic/claude-3-5-haiku'] });
    expect(fromHeliconeConfig('telemetry: {}').data.retry).toEqual({ retries: 0 });
  });

  it('parses the gateway\'s durations', () => {
    expect(parseHumantime('500ms')).toBe(500);
    expect(parseHumantime('1m 30s')).toBe(90_000);
    expect(parseHumantime('15m')).toBe(900_000);
    expect(parseHumantime('soon')).toBeNull();
  });

  it('refuses text that is not a YAML mapping', () => {
    expect(() => fromHeliconeConfig('- a\n- b')).toThrow(SyntaxError);
    expect(() => fromHeliconeConfig('a: [')).toThrow(SyntaxError);
  });

  it('prints a createSluice call with its plugins', () => {
    const source = heliconeImportSource(fromHeliconeConfig(gatewayYaml('http://127.0.0.1:9')));
    expect(source).toContain("import { cache, limits } from 'sluice/plugins';");
    expect(source).toContain('"compat": {\n    "helicone": true\n  }');
    expect(source).toContain('cache({ ...{"ttl":"600s","namespace":"helicone-seed:tenant-1"}, store: memoryCacheStore({ maxBytes: 1048576, maxEntries: 100000 }) })');
  });
});

describe('an imported Helicone gateway config on the mock provider, failures injected', () => {
  const setup = () => {
    const { config } = fromHeliconeConfig(gatewayYaml(mock.url));
    return createSluice({ ...config, env });
  };

  it('a call to /router/prod is routed, retried once, then falls back to the other provider', async () => {
    const sluice = setup();
    const client = clientFor(sluice, `${mock.url}/router/prod`);
    mock.script({ kind: 'error', status: 503 }, { kind: 'error', status: 503 }, { kind: 'reply', content: 'from the fallback' });
    const ended = nextRecord(sluice);
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const record = await ended;
    expect(answer.choices[0]!.message.content).toBe('from the fallback');
    expect(record.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
    const providers = record.attempts.map((attempt) => attempt.provider);
    expect(providers[0]).toBe(providers[1]);
    expect(providers[2]).not.toBe(providers[0]);
    expect(new Set(providers)).toEqual(new Set(['openai', 'anthropic']));
    expect(record.tags).toEqual(['helicone-router:prod']);
    await sluice.close();
  });

  it('caches per the global cache settings (seed namespace), the second call never reaching the provider', async () => {
    const sluice = setup();
    const client = clientFor(sluice, `${mock.url}/router/prod`);
    mock.script({ kind: 'reply', content: 'once' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    const ended = nextRecord(sluice);
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe('once');
    expect(response.headers.get('helicone-cache')).toBe('HIT');
    expect((await ended).cache).toMatchObject({ status: 'hit', namespace: 'helicone-seed:tenant-1' });
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });

  it('limits the canary router to its capacity per refill period, and leaves other routers alone', async () => {
    const sluice = setup();
    const canary = clientFor(sluice, `${mock.url}/router/canary`);
    const prod = clientFor(sluice, `${mock.url}/router/prod`);
    mock.script({ kind: 'reply', content: 'a' }, { kind: 'reply', content: 'b' }, { kind: 'reply', content: 'c' });
    // Distinct prompts, so the cache does not answer them.
    await canary.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one' }] });
    await canary.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'two' }] });
    const refused = await rejection(canary.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'three' }] }));
    expect(refused).toBeInstanceOf(RateLimitError);
    await prod.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'four' }] });
    expect(mock.requests).toHaveLength(3);
    await sluice.close();
  });

  it('the unified API (/ai with provider/model) reaches that provider', async () => {
    const sluice = setup();
    const client = clientFor(sluice, `${mock.url}/ai`);
    mock.script({ kind: 'reply', content: 'unified' });
    const answer = await client.chat.completions.create({ model: 'anthropic/claude-3-5-haiku', messages: [{ role: 'user', content: 'unified call' }] });
    expect(answer.choices[0]!.message.content).toBe('unified');
    expect(mock.requests[0]!.path).toBe('/v1/messages');
    await sluice.close();
  });

  /** A canary router whose first pick is openai all but once in a thousand calls. */
  const healthYaml = (origin: string): string => `
providers:
  openai: { base-url: "${origin}" }
  anthropic: { base-url: "${origin}" }
routers:
  canary:
    load-balance:
      chat:
        strategy: model-weighted
        models:
          - { model: openai/gpt-4o-mini, weight: '0.999' }
          - { model: anthropic/claude-3-5-haiku, weight: '0.001' }
discover:
  monitor:
    health: { type: error-ratio, ratio: 0.5, grace-period: { min-requests: 2 } }
dispatcher:
  timeout: 300ms
`;

  it('discover.monitor.health ejects a target whose error ratio passes the configured one', async () => {
    const sluice = createSluice({ ...fromHeliconeConfig(healthYaml(mock.url)).config, env });
    const ejected: string[] = [];
    sluice.on('target:eject', (event) => void ejected.push(`${event.target} ${event.reason}`));
    const client = clientFor(sluice, `${mock.url}/router/canary`);
    const failing = { kind: 'error', status: 500, match: { model: 'gpt-4o-mini' } } as const;
    mock.script(failing, failing, failing);
    for (let call = 0; call < 3 && ejected.length === 0; call++) await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(ejected).toEqual(['openai/gpt-4o-mini error_rate']);
    mock.reset();
    const ended = nextRecord(sluice);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect((await ended).attempts.map((attempt) => attempt.provider)).toEqual(['anthropic']);
    await sluice.close();
  });

  it('dispatcher.timeout ends a hung attempt, and the router falls back', async () => {
    const sluice = createSluice({ ...fromHeliconeConfig(healthYaml(mock.url)).config, env });
    const client = clientFor(sluice, `${mock.url}/router/canary`);
    mock.script({ kind: 'hang', match: { model: 'gpt-4o-mini' } });
    const ended = nextRecord(sluice);
    const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(answer.choices[0]!.message.content).toContain('hello brave new world');
    const record = await ended;
    expect(record.attempts.map((attempt) => [attempt.provider, attempt.errorClass])).toEqual([
      ['openai', 'timeout'],
      ['anthropic', null],
    ]);
    await sluice.close();
  });
});
