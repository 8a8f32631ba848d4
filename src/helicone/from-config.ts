/**
 * Helicone AI Gateway's YAML configuration, read into a Sluice configuration. The keys and their
 * defaults follow the gateway's own config structs (`Helicone/ai-gateway: ai-gateway/src/config/*.rs`)
 * and its reference page (`Helicone/helicone: docs/ai-gateway/config.mdx`); docs/helicone.md has the table.
 * Pure: no network, no clock, no environment. Anything without an equivalent becomes a warning naming its key.
 * @module
 */
import { parse } from 'yaml';
import type { RouterTargetConfig, SluiceConfig } from '../config/types.js';

type RouterTarget = string | RouterTargetConfig;
import type { Middleware } from '../core/types.js';
import { cache, type CacheOptions } from '../plugins/cache/index.js';
import { limits, type LimitsOptions, type RateRule } from '../plugins/limits/index.js';
import { providerCatalog } from '../providers/catalog.js';
import { memoryCacheStore } from '../stores/memory/cache.js';
import type { CacheStore } from '../stores/types.js';
import type { RateLimitStore } from '../stores/limits-types.js';

/** Options of {@link fromHeliconeConfig}. */
export interface FromHeliconeOptions {
  /**
   * Stores for a YAML that asks for Redis (`cache-store: { type: redis }`, `rate-limit-store: { type: redis }`):
   * Sluice never opens a connection itself, so pass `redisCacheStore(client)` and `redisRateLimitStore(client)`
   * from `sluice/stores/redis`. Without them, memory is used and a warning says so.
   */
  stores?: { cache?: CacheStore; rateLimit?: RateLimitStore };
}

/** A plugin the import adds to `use`, as data (for printing) beside the instance in `config.use`. */
export interface HeliconePluginSpec {
  /** The `sluice/plugins` factory. */
  plugin: 'limits' | 'cache';
  /** Its options, without the store (see {@link HeliconePluginSpec.store}). */
  options: Record<string, unknown>;
  /** What the YAML asked to keep its state in. */
  store: { type: 'in-memory'; maxBytes?: number } | { type: 'redis'; hostUrl: string };
}

/** What {@link fromHeliconeConfig} returns. */
export interface HeliconeImport {
  /** A configuration for `createSluice`, plugins included (`compat.helicone` on, for the router URLs). */
  config: SluiceConfig;
  /** One line per YAML key that has no equivalent or is approximated, naming the key. */
  warnings: string[];
  /** The plugins in `config.use`, as data. */
  plugins: HeliconePluginSpec[];
  /** `config` without its plugin instances (JSON-serialisable), for printing. */
  data: Omit<SluiceConfig, 'use'>;
}

type Yaml = Record<string, unknown>;

const isObject = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);

const UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, sec: 1000, secs: 1000, m: 60_000, min: 60_000, mins: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000 };

/**
 * Parses a humantime duration as the gateway writes them (`500ms`, `1s`, `1m 30s`, `15m`).
 * @param value The YAML value.
 * @returns Milliseconds, or `null` when unreadable.
 */
export function parseHumantime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  const parts = value.trim().split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)([a-zµ]+)$/.exec(part);
    const unit = match === null ? undefined : UNITS_MS[match[2]!];
    if (match === null || unit === undefined) return null;
    total += Number(match[1]) * unit;
  }
  return parts.length === 0 ? null : total;
}

/** The provider of a model written without one: by the maker's prefix, as the gateway's model ids read. */
function makerOf(model: string): string | null {
  if (/^(gpt-|o\d|chatgpt-|text-embedding-|dall-e|codex-)/.test(model)) return 'openai';
  if (model.startsWith('claude-')) return 'anthropic';
  if (model.startsWith('gemini-')) return 'gemini';
  return null;
}

/** Splits `provider/model` (the gateway's model id form); a bare model has `provider: null`. */
function splitModel(id: string): { provider: string | null; model: string } {
  const slash = id.indexOf('/');
  return slash <= 0 ? { provider: null, model: id } : { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

/** Keys of Helicone's top-level config the import reads; the rest are warned about by name. */
const KNOWN_TOP = new Set(['providers', 'routers', 'default-model-mapping', 'cache-store', 'rate-limit-store', 'global', 'unified-api', 'discover', 'dispatcher']);
/** Keys that configure the gateway process itself: nothing to carry into an in-process library. */
const PROCESS_KEYS: Readonly<Record<string, string>> = {
  telemetry: 'Sluice emits events and OpenTelemetry spans instead (sluice/otel, otlpExporter)',
  server: 'there is no server: Sluice runs inside the application',
  minio: 'request bodies are kept in records (record.bodies), not in object storage',
  database: 'there is no database: records go to exporters',
  'response-headers': 'routed answers carry x-sluice-provider, x-sluice-model and x-sluice-attempts',
  'deployment-target': 'there is no deployment: Sluice runs inside the application',
  'control-plane': 'there is no control plane: configuration is code',
  helicone: 'use heliconeExporter({ apiKey }) from sluice/exporters to keep logging to Helicone',
};

/**
 * Reads Helicone AI Gateway's YAML configuration into a Sluice configuration.
 *
 * - `providers.<name>` (`base-url`, `models`, `version`) → `providers.<name>` (`baseURL`; Anthropic's
 *   `version` as the `anthropic-version` header); the models decide which router entries exist.
 * - `routers.<id>.load-balance.chat` → one Sluice router per model the router can serve, named
 *   `<id>:<model>` (`latency`/`balanced-latency` → `latency`, `weighted`/`provider-weighted` → `weighted`), or
 *   one router `<id>` for `model-latency` / `model-weighted`; a rule per router picks it for calls made
 *   to `/router/<id>/…` (the compat layer tags them `helicone-router:<id>`). `model-mappings` and
 *   `default-model-mapping` give the model each provider is sent.
 * - `cache` + `cache-store` → `cache()`; `rate-limit` + `rate-limit-store` → `limits()`; `retries` →
 *   `retry` and each router's `retries`; `discover.monitor.health` → `health`; `dispatcher` → `timeouts`.
 * @param yamlText The gateway's `config.yaml`.
 * @param options Stores for Redis, when the YAML asks for it.
 * @returns The configuration, the plugins as data, and warnings naming each key without an equivalent.
 * @throws {SyntaxError} when the text is not YAML, or not a mapping at the top.
 * @example
 * import { readFileSync } from 'node:fs';
 * import { createSluice } from 'sluice';
 * import { fromHeliconeConfig } from 'sluice/helicone';
 *
 * const { config, warnings } = fromHeliconeConfig(readFileSync('ai-gateway-config.yaml', 'utf8'));
 * for (const warning of warnings) console.warn(warning);
 * const sluice = createSluice(config);
 */
export function fromHeliconeConfig(yamlText: string, options: FromHeliconeOptions = {}): HeliconeImport {
  let root: unknown;
  try {
    root = parse(yamlText);
  } catch (error) {
    throw new SyntaxError(`fromHeliconeConfig(): not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (root === null || root === undefined) root = {};
  if (!isObject(root)) throw new SyntaxError('fromHeliconeConfig(): expected a mapping of keys at the top of the file');
  const warnings: string[] = [];
  const warn = (key: string, message: string): void => void warnings.push(`${key}: ${message}`);
  const unknownKeys = (path: string, value: Yaml, known: readonly string[]): void => {
    for (const key of Object.keys(value)) if (!known.includes(key)) warn(`${path}.${key}`, 'not a key Sluice knows; ignored');
  };

  for (const key of Object.keys(root)) {
    if (KNOWN_TOP.has(key)) continue;
    warn(key, PROCESS_KEYS[key] === undefined ? 'not a key of Helicone AI Gateway\'s configuration that Sluice knows; ignored' : `no equivalent: ${PROCESS_KEYS[key]}`);
  }

  // Providers.
  const providers: NonNullable<SluiceConfig['providers']> = {};
  /** Models each provider lists (`providers.<name>.models`). */
  const served = new Map<string, Set<string>>();
  const providerYaml = isObject(root['providers']) ? root['providers'] : {};
  for (const [name, entry] of Object.entries(providerYaml)) {
    const path = `providers.${name}`;
    if (!isObject(entry)) {
      warn(path, 'expected a mapping with base-url and models; ignored');
      continue;
    }
    unknownKeys(path, entry, ['base-url', 'models', 'version']);
    const known = providerCatalog[name];
    const config: NonNullable<SluiceConfig['providers']>[string] = {};
    const base = entry['base-url'];
    if (typeof base === 'string' && URL.canParse(base)) {
      const url = new URL(base);
      // The gateway appends each provider's API path to a bare origin; Sluice's base URLs include it.
      const catalogPath = known === undefined || !URL.canParse(known.baseURL) ? '' : new URL(known.baseURL).pathname.replace(/\/+$/, '');
      config.baseURL = url.pathname === '/' || url.pathname === '' ? `${url.origin}${catalogPath}` : base.replace(/\/+$/, '');
    } else if (base !== undefined) warn(`${path}.base-url`, 'expected a URL; the catalog\'s is used');
    if (known === undefined) {
      config.kind = 'openai';
      if (config.baseURL === undefined) {
        warn(path, 'a provider Sluice does not know needs base-url; ignored');
        continue;
      }
    }
    if (typeof entry['version'] === 'string') {
      if ((known?.kind ?? 'openai') === 'anthropic') config.headers = { 'anthropic-version': entry['version'] };
      else warn(`${path}.version`, 'only Anthropic\'s API version has an equivalent (the anthropic-version header); ignored');
    }
    if (Array.isArray(entry['models'])) served.set(name, new Set(entry['models'].filter((model): model is string => typeof model === 'string')));
    providers[name] = config;
  }
  const useProvider = (name: string): void => {
    if (providers[name] === undefined && providerCatalog[name] !== undefined) providers[name] = {};
  };

  // Model mappings: `source model → [equivalents]`, the router's over the default.
  const readMapping = (value: unknown, path: string): Map<string, string[]> => {
    const mapping = new Map<string, string[]>();
    if (value === undefined) return mapping;
    if (!isObject(value)) {
      warn(path, 'expected a mapping of model → model(s); ignored');
      return mapping;
    }
    for (const [source, targets] of Object.entries(value)) {
      const list = typeof targets === 'string' ? [targets] : Array.isArray(targets) ? targets.filter((item): item is string => typeof item === 'string') : [];
      mapping.set(splitModel(source).model, list);
    }
    return mapping;
  };
  const defaultMapping = readMapping(root['default-model-mapping'], 'default-model-mapping');

  // Middleware settings: global (and unified-api, which applies to the same calls here) then per router.
  const retryOf = (value: unknown, path: string): { retries: number; minDelayMs: number; maxDelayMs: number } | null => {
    if (!isObject(value)) return null;
    const strategy = value['strategy'];
    const retries = typeof value['max-retries'] === 'number' ? value['max-retries'] : 2;
    if (strategy === 'constant') {
      unknownKeys(path, value, ['strategy', 'delay', 'max-retries']);
      const delay = parseHumantime(value['delay'] ?? '1s') ?? 1000;
      warn(`${path}.delay`, 'Sluice adds jitter: each wait is between half the delay and the delay');
      return { retries, minDelayMs: delay, maxDelayMs: delay };
    }
    if (strategy === 'exponential') {
      unknownKeys(path, value, ['strategy', 'min-delay', 'max-delay', 'max-retries', 'factor']);
      const factor = value['factor'] === undefined ? 2 : Number(value['factor']);
      if (factor !== 2) warn(`${path}.factor`, `Sluice's backoff doubles (factor 2); ${factor} is not kept`);
      return { retries, minDelayMs: parseHumantime(value['min-delay'] ?? '1s') ?? 1000, maxDelayMs: parseHumantime(value['max-delay'] ?? '30s') ?? 30_000 };
    }
    warn(`${path}.strategy`, 'expected "exponential" or "constant"; ignored');
    return null;
  };
  const rateOf = (value: unknown, path: string): number | null => {
    if (!isObject(value)) return null;
    unknownKeys(path, value, ['store', 'per-api-key', 'cleanup-interval']);
    if (value['store'] !== undefined) warn(`${path}.store`, 'the store is the top-level rate-limit-store here');
    if (value['cleanup-interval'] !== undefined) warn(`${path}.cleanup-interval`, 'Sluice\'s buckets are bounded and expire on their own; ignored');
    const perKey = isObject(value['per-api-key']) ? value['per-api-key'] : {};
    const capacity = typeof perKey['capacity'] === 'number' && perKey['capacity'] > 0 ? perKey['capacity'] : 500;
    const refillMs = parseHumantime(perKey['refill-frequency'] ?? '1s') ?? 1000;
    warn(`${path}.per-api-key`, 'the application is one caller in-process: the limit counts every call (Helicone counts per API key)');
    // `capacity` requests per `refill-frequency`, as requests per minute.
    return (capacity * 60_000) / refillMs;
  };
  let cacheYaml: { value: Yaml; path: string } | null = null;
  const noteCache = (value: unknown, path: string): void => {
    if (!isObject(value)) return;
    if (cacheYaml === null) cacheYaml = { value, path };
    else warn(path, `Sluice's cache serves every call alike; the settings of ${cacheYaml.path} are used`);
  };
  const rate: RateRule[] = [];
  let retry: { retries: number; minDelayMs: number; maxDelayMs: number } | null = null;
  for (const section of ['global', 'unified-api'] as const) {
    const value = root[section];
    if (value === undefined) continue;
    if (!isObject(value)) {
      warn(section, 'expected a mapping; ignored');
      continue;
    }
    unknownKeys(section, value, ['cache', 'rate-limit', 'retries']);
    if (section === 'unified-api' && Object.keys(value).length > 0) warn(section, 'applies to every call in Sluice, as global does');
    noteCache(value['cache'], `${section}.cache`);
    const rpm = rateOf(value['rate-limit'], `${section}.rate-limit`);
    if (rpm !== null) rate.push({ scope: 'global', rpm });
    retry = retryOf(value['retries'], `${section}.retries`) ?? retry;
  }

  // Routers.
  const models: NonNullable<SluiceConfig['models']> = {};
  const rules: NonNullable<SluiceConfig['rules']> = [];
  const routerYaml = isObject(root['routers']) ? root['routers'] : {};
  for (const [id, router] of Object.entries(routerYaml)) {
    const path = `routers.${id}`;
    if (!isObject(router)) {
      warn(path, 'expected a mapping; ignored');
      continue;
    }
    unknownKeys(path, router, ['load-balance', 'model-mappings', 'cache', 'retries', 'rate-limit', 'providers']);
    const tag = `helicone-router:${id}`;
    noteCache(router['cache'], `${path}.cache`);
    const rpm = rateOf(router['rate-limit'], `${path}.rate-limit`);
    if (rpm !== null) rate.push({ scope: 'tag', match: tag, rpm });
    const routerRetry = retryOf(router['retries'], `${path}.retries`);
    // Without global retries, the first router's delays become the shared backoff (other routers keep 0 retries).
    if (routerRetry !== null && retry === null) retry = { ...routerRetry, retries: 0 };
    else if (routerRetry !== null && retry !== null && (routerRetry.minDelayMs !== retry.minDelayMs || routerRetry.maxDelayMs !== retry.maxDelayMs)) {
      warn(`${path}.retries`, 'Sluice routers share one backoff (the global retries\' delays, else the first router\'s); only max-retries is kept per router');
    }
    if (router['providers'] !== undefined) warn(`${path}.providers`, 'router-specific provider URLs: give each its own provider entry (providers.<name>.baseURL) and target it');
    const mapping = new Map([...defaultMapping, ...readMapping(router['model-mappings'], `${path}.model-mappings`)]);
    const balance = isObject(router['load-balance']) ? router['load-balance'] : {};
    for (const endpoint of Object.keys(balance)) if (endpoint !== 'chat') warn(`${path}.load-balance.${endpoint}`, 'only chat is load-balanced by this import; ignored');
    const chat = balance['chat'];
    if (!isObject(chat)) {
      warn(`${path}.load-balance`, 'no chat load balancing; the router is not imported');
      continue;
    }
    const strategy = chat['strategy'];
    const retries = routerRetry?.retries;
    const named = (targets: RouterTarget[], sluiceStrategy: 'latency' | 'weighted') =>
      ({ strategy: sluiceStrategy, targets, ...(retries === undefined ? {} : { retries }) }) as const;
    if (strategy === 'model-latency' || strategy === 'model-weighted') {
      const list = Array.isArray(chat['models']) ? chat['models'] : [];
      const targets: RouterTarget[] = [];
      for (const item of list) {
        const id = typeof item === 'string' ? item : isObject(item) && typeof item['model'] === 'string' ? item['model'] : null;
        const split = id === null ? null : splitModel(id);
        if (split === null || split.provider === null) {
          warn(`${path}.load-balance.chat.models`, `expected "provider/model", got ${JSON.stringify(item)}; skipped`);
          continue;
        }
        useProvider(split.provider);
        const weight = isObject(item) ? Number(item['weight']) : Number.NaN;
        targets.push(strategy === 'model-weighted' && weight > 0 ? { target: `${split.provider}/${split.model}`, weight } : `${split.provider}/${split.model}`);
      }
      if (targets.length === 0) continue;
      models[id] = named(targets, strategy === 'model-latency' ? 'latency' : 'weighted');
      rules.push({ when: { tag }, use: id });
      continue;
    }
    const isLatency = strategy === 'latency' || strategy === 'balanced-latency';
    const isWeighted = strategy === 'weighted' || strategy === 'provider-weighted';
    if (!isLatency && !isWeighted) {
      warn(`${path}.load-balance.chat.strategy`, `unknown strategy ${JSON.stringify(strategy)}; the router is not imported`);
      continue;
    }
    const members: Array<{ provider: string; weight: number }> = [];
    for (const item of Array.isArray(chat['providers']) ? chat['providers'] : []) {
      if (typeof item === 'string') members.push({ provider: item, weight: 1 });
      else if (isObject(item) && typeof item['provider'] === 'string') members.push({ provider: item['provider'], weight: Number(item['weight']) > 0 ? Number(item['weight']) : 1 });
    }
    for (const { provider } of members) useProvider(provider);
    // Every model the router may be asked for: what its providers list, and what the mappings name.
    const universe = new Set<string>();
    for (const { provider } of members) for (const model of served.get(provider) ?? []) universe.add(model);
    for (const [source, targets] of mapping) {
      universe.add(source);
      for (const target of targets) universe.add(splitModel(target).model);
    }
    if (universe.size === 0) {
      warn(path, 'no models known for this router: list them under providers.<name>.models or model-mappings');
      continue;
    }
    for (const model of [...universe].sort()) {
      const targets: RouterTarget[] = [];
      for (const { provider, weight } of members) {
        let sent: string | null = null;
        if (served.get(provider)?.has(model) === true || (!served.has(provider) && makerOf(model) === provider)) sent = model;
        else {
          for (const equivalent of mapping.get(model) ?? []) {
            const split = splitModel(equivalent);
            const owner = split.provider ?? (served.get(provider)?.has(split.model) === true ? provider : makerOf(split.model));
            if (owner === provider) {
              sent = split.model;
              break;
            }
          }
        }
        if (sent !== null) targets.push(isWeighted ? { target: `${provider}/${sent}`, weight } : `${provider}/${sent}`);
      }
      if (targets.length === 0) continue;
      const name = `${id}:${model}`;
      models[name] = named(targets, isLatency ? 'latency' : 'weighted');
      const maker = makerOf(model);
      rules.push({ when: { tag, model: maker === null ? [model] : [model, `${maker}/${model}`] }, use: name });
    }
  }

  // Health and timeouts.
  let health: SluiceConfig['health'];
  const discover = root['discover'];
  if (isObject(discover)) {
    unknownKeys('discover', discover, ['monitor', 'discover-decay', 'default-rtt']);
    if (discover['discover-decay'] !== undefined) warn('discover.discover-decay', 'Sluice\'s latency estimate (peak EWMA) has its own decay; ignored');
    if (discover['default-rtt'] !== undefined) warn('discover.default-rtt', 'targets without a measurement are tried first; ignored');
    const monitor = isObject(discover['monitor']) ? discover['monitor'] : {};
    const check = monitor['health'];
    if (isObject(check)) {
      if (check['type'] !== undefined && check['type'] !== 'error-ratio') warn('discover.monitor.health.type', `only error-ratio has an equivalent; ${JSON.stringify(check['type'])} ignored`);
      else {
        const ratio = Number(check['ratio'] ?? 0.1);
        const grace = isObject(check['grace-period']) ? check['grace-period'] : {};
        const minRequests = typeof grace['min-requests'] === 'number' && grace['min-requests'] > 0 ? Math.floor(grace['min-requests']) : 20;
        health = { errorRate: ratio > 0 && ratio <= 1 ? ratio : 0.1, minRequests, windowSize: Math.max(20, minRequests) };
        if (check['window'] !== undefined) warn('discover.monitor.health.window', `Sluice's error ratio counts the last ${health.windowSize} calls of a target, not a time window`);
        if (check['buckets'] !== undefined) warn('discover.monitor.health.buckets', 'no buckets: the last calls are counted one by one');
        if (check['interval'] !== undefined) warn('discover.monitor.health.interval', 'health is updated on every call, not on an interval');
      }
    }
  }
  let timeouts: SluiceConfig['timeouts'];
  const dispatcher = root['dispatcher'];
  if (isObject(dispatcher)) {
    unknownKeys('dispatcher', dispatcher, ['timeout', 'connection-timeout']);
    const totalMs = parseHumantime(dispatcher['timeout']);
    const connectMs = parseHumantime(dispatcher['connection-timeout']);
    timeouts = { ...(totalMs !== null && totalMs > 0 ? { totalMs } : {}), ...(connectMs !== null && connectMs > 0 ? { connectMs } : {}) };
  }

  // Stores and plugins.
  const plugins: HeliconePluginSpec[] = [];
  const use: Middleware[] = [];
  const storeSpec = (value: unknown, key: string, given: unknown): HeliconePluginSpec['store'] => {
    if (!isObject(value)) return { type: 'in-memory' };
    if (value['type'] === 'redis') {
      const hostUrl = typeof value['host-url'] === 'string' ? value['host-url'] : 'redis://localhost:6340';
      if (given === undefined) warn(`${key}.type`, `redis at ${new URL(hostUrl).host}: pass options.stores (redisCacheStore / redisRateLimitStore from sluice/stores/redis with your client); memory is used until then`);
      return { type: 'redis', hostUrl };
    }
    return typeof value['max-size'] === 'number' ? { type: 'in-memory', maxBytes: value['max-size'] } : { type: 'in-memory' };
  };
  if (rate.length > 0) {
    const store = storeSpec(root['rate-limit-store'], 'rate-limit-store', options.stores?.rateLimit);
    const limitOptions: LimitsOptions = { rate };
    plugins.push({ plugin: 'limits', options: { ...limitOptions }, store });
    use.push(limits({ ...limitOptions, ...(store.type === 'redis' && options.stores?.rateLimit !== undefined ? { store: options.stores.rateLimit } : {}) }));
  } else if (root['rate-limit-store'] !== undefined) warn('rate-limit-store', 'no rate-limit is configured; ignored');
  const cacheConfig = cacheYaml as { value: Yaml; path: string } | null;
  if (cacheConfig !== null) {
    const { value, path } = cacheConfig;
    unknownKeys(path, value, ['directive', 'buckets', 'seed']);
    const cacheOptions: CacheOptions = {};
    const directive = typeof value['directive'] === 'string' ? value['directive'] : '';
    const maxAge = /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(directive);
    if (maxAge !== null && Number(maxAge[1]) > 0) cacheOptions.ttl = `${Number(maxAge[1])}s`;
    if (/max-stale/i.test(directive)) warn(`${path}.directive`, 'max-stale: Sluice never serves an expired answer; ignored');
    if (typeof value['buckets'] === 'number' && value['buckets'] > 1) cacheOptions.bucketSize = Math.min(1000, Math.floor(value['buckets']));
    if (typeof value['seed'] === 'string' && value['seed'] !== '') cacheOptions.namespace = `helicone-seed:${encodeURIComponent(value['seed'])}`.slice(0, 128);
    const store = storeSpec(root['cache-store'], 'cache-store', options.stores?.cache);
    plugins.push({ plugin: 'cache', options: { ...cacheOptions }, store });
    const instance =
      store.type === 'redis' ? options.stores?.cache : store.maxBytes === undefined ? undefined : memoryCacheStore({ maxBytes: store.maxBytes, maxEntries: 100_000 });
    use.push(cache({ ...cacheOptions, ...(instance === undefined ? {} : { store: instance }) }));
  } else if (root['cache-store'] !== undefined) warn('cache-store', 'no cache is configured (global.cache or routers.<id>.cache); ignored');

  const data: Omit<SluiceConfig, 'use'> = {
    compat: { helicone: true },
    providers,
    ...(Object.keys(models).length > 0 ? { models } : {}),
    ...(rules.length > 0 ? { rules } : {}),
    // The gateway retries only where `retries` is configured; Sluice's default would retry once.
    retry: retry ?? { retries: 0 },
    ...(health === undefined ? {} : { health }),
    ...(timeouts === undefined || Object.keys(timeouts).length === 0 ? {} : { timeouts }),
  };
  return { config: { ...data, ...(use.length > 0 ? { use } : {}) }, warnings, plugins, data };
}

/**
 * Writes an import as TypeScript: the `createSluice` call with its plugins, for `sluice import-helicone`.
 * @param imported What {@link fromHeliconeConfig} returned.
 * @returns The source text.
 */
export function heliconeImportSource(imported: HeliconeImport): string {
  const factories = [...new Set(imported.plugins.map((spec) => spec.plugin))].sort();
  const stores = imported.plugins.filter((spec) => spec.store.type === 'redis');
  const lines = ["import { createSluice } from 'sluice';"];
  if (factories.length > 0) lines.push(`import { ${factories.join(', ')} } from 'sluice/plugins';`);
  if (imported.plugins.some((spec) => spec.store.type === 'in-memory' && spec.store.maxBytes !== undefined)) lines.push("import { memoryCacheStore } from 'sluice/stores';");
  if (stores.length > 0) {
    const names = stores.map((spec) => (spec.plugin === 'cache' ? 'redisCacheStore' : 'redisRateLimitStore'));
    lines.push(`import { ${[...new Set(names)].sort().join(', ')} } from 'sluice/stores/redis';`);
    lines.push("import { Redis } from 'ioredis';", '', `const redis = new Redis(${JSON.stringify(stores[0]!.store.type === 'redis' ? stores[0]!.store.hostUrl : '')});`);
  }
  const use = imported.plugins.map((spec) => {
    const store =
      spec.store.type === 'redis'
        ? spec.plugin === 'cache'
          ? 'redisCacheStore(redis)'
          : 'redisRateLimitStore(redis)'
        : spec.store.maxBytes === undefined
          ? null
          : `memoryCacheStore({ maxBytes: ${spec.store.maxBytes}, maxEntries: 100000 })`;
    const options = JSON.stringify(spec.options);
    return store === null ? `${spec.plugin}(${options})` : `${spec.plugin}({ ...${options}, store: ${store} })`;
  });
  const body = JSON.stringify(imported.data, null, 2).replace(/\n}$/, use.length > 0 ? `,\n  "use": [\n    ${use.join(',\n    ')}\n  ]\n}` : '\n}');
  return [...lines, '', `export const sluice = createSluice(${body});`, ''].join('\n');
}
