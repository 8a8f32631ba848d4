/**
 * Parses a `SluiceConfig` once, at `createSluice`: validates it with zod (built lazily, on first use),
 * reports every problem with its path, fills defaults and reads documented environment variables.
 * After this, the call path never checks configuration again.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../core/errors.js';
import { nearest, readableIssues, schemaKeys } from './issues.js';
import type { McpHook, Middleware, PluginLifecycle } from '../core/types.js';
import type { ResolvedCallbacks } from '../core/callbacks.js';
import { resolveCallbacks } from './callback-names.js';
import type { CallRecord } from '../events/record.js';
import type { Exporter } from '../exporters/types.js';
import { resolveQueueOptions, type BatchQueueOptions } from '../exporters/queue-options.js';
import { providerCatalog } from '../providers/catalog.js';
import type { ModelPrice, PriceTable } from '../wire/price.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../wire/sse.js';
import type { ExporterEntry, HealthConfig, ProviderConfig, ResolvedProvider, ResolvedTimeouts, RouterStrategy, ServiceAccountKey, SluiceConfig, TimeoutConfig } from './types.js';
import type { ProviderKind } from '../providers/catalog.js';
import { HEALTH_DEFAULTS } from '../core/health-defaults.js';

/** A model alias after resolution. */
export interface ResolvedAlias {
  provider: ResolvedProvider;
  model: string;
}

/** One target of a router after resolution. */
export interface ResolvedRouterTarget {
  provider: ResolvedProvider;
  /** The model sent upstream. */
  model: string;
  /** `provider/model`, as written in the config; names the target in messages and in-flight counts. */
  key: string;
  /** Relative weight (> 0); 1 unless configured. */
  weight: number;
  /** Time limits: the router's over the provider's (which include the global ones). */
  timeouts: ResolvedTimeouts;
  /** For a target naming another router: that router, whose strategy picks among its own targets (`provider` and `model` are then unused). */
  router: ResolvedRouter | null;
}

/** A router after resolution. */
export interface ResolvedRouter {
  /** The name the SDK asks for. */
  name: string;
  strategy: RouterStrategy;
  /** At least one target, in the configured order. */
  targets: readonly ResolvedRouterTarget[];
  /** Retries on the same target before falling back. */
  retries: number;
}

/** A routing rule after resolution: header names lower-cased, lists as sets. */
export interface ResolvedRule {
  headers: ReadonlyArray<readonly [name: string, value: string]>;
  users: ReadonlySet<string> | null;
  tag: string | null;
  models: ReadonlySet<string> | null;
  modelPrefix: string | null;
  /** A router, an alias or `provider/model`, checked at parse time. */
  use: string;
}

/** Retry settings with defaults filled in. */
export interface ResolvedRetry {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  /** The shared retry budget: `ratio` of recent calls plus `minPerSecond`. */
  budget: { ratio: number; minPerSecond: number };
}

/** The configuration with every default filled in: nothing optional is left. */
export interface ResolvedConfig {
  /** Every addressable provider: configured entries plus the catalog. */
  providers: ReadonlyMap<string, ResolvedProvider>;
  /** Whether the user configured routing (`providers` or `models`). */
  routing: boolean;
  aliases: ReadonlyMap<string, ResolvedAlias>;
  /** Model entries with `targets`, by name. */
  routers: ReadonlyMap<string, ResolvedRouter>;
  /** Backoff settings for routers. */
  retry: ResolvedRetry;
  /** The global time limits (each provider's `timeouts` already include them). */
  timeouts: ResolvedTimeouts;
  /** Routing rules, in order. */
  rules: readonly ResolvedRule[];
  /** Passive health-check settings as given (the tracker fills defaults). */
  health: HealthConfig;
  unknownModel: 'forward' | 'reject';
  use: readonly Middleware[];
  /** Callback objects with their methods under Sluice's names. */
  callbacks: readonly ResolvedCallbacks[];
  successCallback: ReadonlyArray<(record: CallRecord) => unknown>;
  failureCallback: ReadonlyArray<(record: CallRecord) => unknown>;
  callbackTimeoutMs: number;
  exporters: ReadonlyArray<{ exporter: Exporter; queue: BatchQueueOptions }>;
  /** The audit trail's exporters (`audit.exporters`), like {@link exporters}; empty without `audit`. */
  auditExporters: ReadonlyArray<{ exporter: Exporter; queue: BatchQueueOptions }>;
  /**
   * The configuration as the user gave it, when a compliance control is set (`audit`,
   * `retention: 'none'`, `residency`): their code, loaded on demand, reads it. `null` otherwise.
   */
  compliance: SluiceConfig | null;
  /** `retention: 'none'`: no prompt or answer text leaves the process (docs/compliance.md). */
  zeroRetention: boolean;
  fetch: typeof fetch | null;
  /** The MCP handler (`sluice/mcp`), when configured. */
  mcp: McpHook | undefined;
  bodies: boolean;
  maxBodyChars: number;
  streamUsage: boolean;
  /** The largest stream event Sluice holds while framing, in bytes (`stream.maxEventBytes`). */
  maxEventBytes: number;
  /** The user's prices (by model id or `provider/model`); the built-in catalog is consulted after them. */
  prices: PriceTable;
  user: string | null;
  session: string | null;
  tags: readonly string[];
  /** The default metadata (frozen), or `null`. */
  metadata: Readonly<Record<string, unknown>> | null;
  /** Every configured or environment key, to scrub from records. */
  secrets: readonly string[];
  /** `compat.helicone`: Helicone's headers are read (its code loads on demand). */
  helicone?: boolean | undefined;
}

const PROVIDER_KINDS = ['openai', 'anthropic', 'gemini', 'bedrock', 'azure', 'vertex', 'ollama'] as const;
/** `max_tokens` for providers that require it when the caller gave none (Anthropic's examples use 1024; 4096 fits every current Claude). */
const DEFAULT_MAX_TOKENS = 4096;
const ROUTER_STRATEGIES = ['priority', 'weighted', 'least-busy', 'latency', 'cost'] as const;

/** Retry defaults: one retry per target, then fall back; backoff 250 ms doubling to 8 s; wait at most 60 s for `retry-after`. */
const RETRY_DEFAULTS: ResolvedRetry = Object.freeze({ retries: 1, minDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60_000, budget: Object.freeze({ ratio: 0.2, minPerSecond: 10 }) });

const isFunction = (value: unknown): boolean => typeof value === 'function';
const fn = <T>() => z.custom<T>(isFunction, { error: 'expected a function' });
const httpUrl = () =>
  z.string().check(
    z.refine((value) => /^https?:\/\/[^/\s?#]+/i.test(value) && URL.canParse(value), { error: 'Invalid url (expected http:// or https://)' }),
  );
const nonNegative = () => z.number().check(z.refine((value) => Number.isFinite(value) && value >= 0, { error: 'expected a finite number >= 0' }));

let schema: z.ZodMiniType | undefined;

function configSchema(): z.ZodMiniType {
  const positiveMs = () => z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: 'expected a number of milliseconds > 0' }));
  const timeouts = z.strictObject({
    connectMs: z.optional(positiveMs()),
    firstByteMs: z.optional(positiveMs()),
    idleMs: z.optional(positiveMs()),
    totalMs: z.optional(positiveMs()),
    streamTotalMs: z.optional(positiveMs()),
    keepAliveResetsIdle: z.optional(z.boolean()),
  });
  const provider = z.strictObject({
    kind: z.optional(z.enum(PROVIDER_KINDS)),
    baseURL: z.optional(httpUrl()),
    apiKey: z.optional(z.string()),
    apiKeys: z.optional(z.array(z.string()).check(z.minLength(1))),
    headers: z.optional(z.record(z.string(), z.string())),
    apiVersion: z.optional(z.string()),
    region: z.optional(z.string()),
    aws: z.optional(
      z.strictObject({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.optional(z.string()) }),
    ),
    project: z.optional(z.string()),
    location: z.optional(z.string()),
    serviceAccount: z.optional(
      z.union([
        z.string(),
        z.looseObject({ client_email: z.string(), private_key: z.string(), token_uri: z.optional(z.string()), private_key_id: z.optional(z.string()) }),
      ]),
    ),
    maxTokens: z.optional(z.int().check(z.positive())),
    timeouts: z.optional(timeouts),
  });
  const rateFields = {
    input: nonNegative(),
    output: nonNegative(),
    cachedInput: z.nullable(nonNegative()),
    cacheWrite: z.optional(z.nullable(nonNegative())),
    cacheWrite1h: z.optional(z.nullable(nonNegative())),
    reasoning: z.optional(z.nullable(nonNegative())),
  };
  const rates = z.strictObject(rateFields);
  const tiers = z.optional(z.array(z.strictObject({ above: nonNegative(), rates })));
  // Window times ('HH:MM') and change dates ('YYYY-MM-DD') are checked as strings only: format
  // checks cost the core entry ~30 bytes it does not have (.ci/check-bundle.mjs, 25 KB). A malformed
  // one never matches, so the base rates apply (docs/costs.md).
  const price = z.strictObject({
    ...rateFields,
    tiers,
    windows: z.optional(z.array(z.strictObject({ name: z.string(), from: z.string(), to: z.string(), rates }))),
    changes: z.optional(z.array(z.strictObject({ from: z.string(), rates, tiers }))),
    region: z.optional(z.string()),
  });
  // Keys are checked by hand (callback-names.ts): LiteLLM's names, class instances, did-you-mean.
  const callbacks = z.custom<object>((value) => typeof value === 'object' && value !== null, { error: 'expected an object with callback methods' });
  const exporter = z.custom<Exporter | { exporter: Exporter }>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      (isFunction((value as { export?: unknown }).export) ||
        (typeof (value as { exporter?: unknown }).exporter === 'object' &&
          isFunction(((value as { exporter: { export?: unknown } }).exporter ?? {}).export))),
    { error: 'expected an exporter (an object with an export() method) or { exporter, queue }' },
  );
  const when = z.strictObject({
    header: z.optional(z.record(z.string(), z.string())),
    user: z.optional(z.union([z.string(), z.array(z.string())])),
    tag: z.optional(z.string()),
    model: z.optional(z.union([z.string(), z.array(z.string())])),
    modelPrefix: z.optional(z.string()),
  });
  const regions = z.array(z.string());
  return z.strictObject({
    providers: z.optional(z.record(z.string(), provider)),
    // Compliance controls (docs/compliance.md): their code loads on demand, with the first use.
    audit: z.optional(z.strictObject({ exporters: z.array(exporter), hmacKey: z.optional(z.string()), previousHash: z.optional(z.string()) })),
    retention: z.optional(z.enum(['none', 'default'])),
    residency: z.optional(z.strictObject({ allow: z.optional(regions), rules: z.optional(z.array(z.strictObject({ when, allow: regions }))) })),
    // Target lists are checked by hand below, for messages that name the target and the fix.
    models: z.optional(
      z.record(
        z.string(),
        z.strictObject({
          target: z.optional(z.string()),
          strategy: z.optional(z.enum(ROUTER_STRATEGIES)),
          targets: z.optional(z.array(z.unknown())),
          retries: z.optional(z.int().check(z.nonnegative())),
          timeouts: z.optional(timeouts),
        }),
      ),
    ),
    timeouts: z.optional(timeouts),
    rules: z.optional(z.array(z.strictObject({ when, use: z.string() }))),
    retry: z.optional(
      z.strictObject({
        retries: z.optional(z.int().check(z.nonnegative())),
        minDelayMs: z.optional(nonNegative()),
        maxDelayMs: z.optional(nonNegative()),
        maxRetryAfterMs: z.optional(nonNegative()),
        budget: z.optional(z.strictObject({ ratio: z.optional(nonNegative()), minPerSecond: z.optional(nonNegative()) })),
      }),
    ),
    health: z.optional(
      z.strictObject({
        consecutiveFailures: z.optional(z.int().check(z.positive())),
        errorRate: z.optional(z.number().check(z.refine((value) => value > 0 && value <= 1, { error: 'expected a number in (0, 1]' }))),
        windowSize: z.optional(z.int().check(z.positive())),
        minRequests: z.optional(z.int().check(z.positive())),
        baseEjectionMs: z.optional(positiveMs()),
        maxEjectionMs: z.optional(positiveMs()),
        orderWindowMs: z.optional(positiveMs()),
      }),
    ),
    unknownModel: z.optional(z.enum(['forward', 'reject'])),
    use: z.optional(z.array(fn<Middleware>())),
    callbacks: z.optional(z.array(callbacks)),
    successCallback: z.optional(z.array(fn<(record: CallRecord) => unknown>())),
    failureCallback: z.optional(z.array(fn<(record: CallRecord) => unknown>())),
    success_callback: z.optional(z.array(fn<(record: CallRecord) => unknown>())),
    failure_callback: z.optional(z.array(fn<(record: CallRecord) => unknown>())),
    metadata: z.optional(z.record(z.string(), z.unknown())),
    callbackTimeoutMs: z.optional(z.number().check(z.positive())),
    exporters: z.optional(z.array(exporter)),
    fetch: z.optional(fn<typeof fetch>()),
    mcp: z.optional(z.custom<McpHook>(isFunction, { error: "expected mcp({ servers }) from 'sluice/mcp'" })),
    record: z.optional(
      z.strictObject({ bodies: z.optional(z.boolean()), maxBodyChars: z.optional(z.int().check(z.nonnegative())) }),
    ),
    streamUsage: z.optional(z.boolean()),
    stream: z.optional(z.strictObject({ maxEventBytes: z.optional(z.int().check(z.positive())) })),
    prices: z.optional(z.record(z.string(), price)),
    user: z.optional(z.string()),
    session: z.optional(z.string()),
    tags: z.optional(z.array(z.string())),
    env: z.optional(z.record(z.string(), z.optional(z.string()))),
    compat: z.optional(z.strictObject({ helicone: z.optional(z.boolean()) })),
  });
}

/** The largest metadata (config default, or one call's header), in characters of JSON. */
export const MAX_METADATA_CHARS = 8192;

/** Keys of a router target object, checked by hand (targets are `z.unknown()` in the schema). */
const ROUTER_TARGET_KEYS = ['target', 'weight'];
/** Options renamed or commonly mistaken, pointing to the right name. */
const RENAMED: Readonly<Record<string, string>> = { baseUrl: 'baseURL', api_key: 'apiKey', apikey: 'apiKey', middleware: 'use' };

/** The keys valid at a path of the config, read from the schema itself (for "did you mean"). */
function keysFor(path: readonly PropertyKey[]): readonly string[] {
  return schema === undefined ? [] : schemaKeys(schema, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readEnv(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env ?? {};
}

function originOf(baseURL: string): string {
  if (!URL.canParse(baseURL)) return '';
  const url = new URL(baseURL);
  return `${url.protocol}//${url.host}`;
}

/** A provider entry as the schema accepted it. */
type ProviderEntry = Omit<ProviderConfig, 'kind'> & { kind?: ProviderKind };

function parseServiceAccount(value: string | ServiceAccountKey | undefined, path: string, issues: ConfigIssue[]): ServiceAccountKey | null {
  if (value === undefined) return null;
  let key: unknown = value;
  if (typeof value === 'string') {
    try {
      key = JSON.parse(value);
    } catch {
      issues.push({ path, message: 'expected the service-account key file\'s JSON text or its parsed object' });
      return null;
    }
  }
  const record = isObject(key) ? key : {};
  if (typeof record['client_email'] !== 'string' || typeof record['private_key'] !== 'string' || !record['private_key'].includes('PRIVATE KEY')) {
    issues.push({ path, message: 'expected a service-account key with "client_email" and a PEM "private_key"' });
    return null;
  }
  return Object.freeze({ ...(record as unknown as ServiceAccountKey) });
}

const NO_TIMEOUTS: ResolvedTimeouts = Object.freeze({ connectMs: null, firstByteMs: null, idleMs: null, totalMs: null, streamTotalMs: null, keepAliveResetsIdle: false });

/** A stream that sends nothing (keep-alive comments aside) for this long is ended: nothing waits forever. */
export const DEFAULT_IDLE_MS = 600_000;
const DEFAULT_TIMEOUTS: ResolvedTimeouts = Object.freeze({ ...NO_TIMEOUTS, idleMs: DEFAULT_IDLE_MS });

/** The provider of a nested-router target, never called: the router expands such targets first. */
const PLACEHOLDER_PROVIDER: ResolvedProvider = Object.freeze({
  name: '(router)',
  kind: 'openai',
  baseURL: '',
  origin: '',
  apiKey: null,
  apiKeys: [],
  headers: {},
  apiVersion: null,
  aws: null,
  vertex: null,
  maxTokens: 0,
  timeouts: NO_TIMEOUTS,
  unusable: 'a router placeholder',
});

/** Merges time limits, `over` winning where it sets one. */
function mergeTimeouts(under: ResolvedTimeouts, over: TimeoutConfig | undefined): ResolvedTimeouts {
  if (over === undefined || over === null || typeof over !== 'object') return under;
  return Object.freeze({
    connectMs: over.connectMs ?? under.connectMs,
    firstByteMs: over.firstByteMs ?? under.firstByteMs,
    idleMs: over.idleMs ?? under.idleMs,
    totalMs: over.totalMs ?? under.totalMs,
    streamTotalMs: over.streamTotalMs ?? under.streamTotalMs,
    keepAliveResetsIdle: over.keepAliveResetsIdle ?? under.keepAliveResetsIdle,
  });
}

function resolveProvider(
  name: string,
  entry: ProviderEntry,
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
  isConfigured: boolean,
  globalTimeouts: ResolvedTimeouts,
): ResolvedProvider {
  const known = providerCatalog[name];
  const kind = entry.kind ?? known?.kind ?? 'openai';
  const envKey = known?.apiKeyEnv ? env[known.apiKeyEnv] : undefined;
  const apiKeys = Object.freeze([...(entry.apiKeys ?? [])]);
  const apiKey = entry.apiKey ?? apiKeys[0] ?? (envKey === undefined || envKey === '' ? null : envKey);
  let aws: ResolvedProvider['aws'] = null;
  let vertex: ResolvedProvider['vertex'] = null;
  const fill: Record<string, string | undefined> = {};
  if (kind === 'bedrock') {
    const region = entry.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const fromEnv =
      accessKeyId !== undefined && accessKeyId !== '' && secretAccessKey !== undefined && secretAccessKey !== ''
        ? { accessKeyId, secretAccessKey, ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken }) }
        : null;
    fill['region'] = region;
    if (region !== undefined) aws = { region, credentials: entry.aws ?? fromEnv };
  } else if (kind === 'vertex') {
    const project = entry.project ?? env['GOOGLE_CLOUD_PROJECT'];
    const location = entry.location ?? env['GOOGLE_CLOUD_LOCATION'] ?? 'us-central1';
    fill['location'] = location;
    const serviceAccount = parseServiceAccount(entry.serviceAccount, `providers.${name}.serviceAccount`, issues);
    if (project !== undefined) vertex = { project, location, serviceAccount };
    else if (isConfigured) issues.push({ path: `providers.${name}.project`, message: 'required for Vertex AI (or set GOOGLE_CLOUD_PROJECT)' });
  }
  let baseURL = (entry.baseURL ?? known?.baseURL ?? '').replace(/\/+$/, '');
  // Vertex's global endpoint has no region prefix.
  if (kind === 'vertex' && entry.baseURL === undefined && fill['location'] === 'global') baseURL = 'https://aiplatform.googleapis.com';
  // Catalog URLs name what they need: `https://bedrock-runtime.{region}.amazonaws.com`.
  baseURL = baseURL.replace(/\{(\w+)\}/g, (match, key: string) => fill[key] ?? match);
  const missing = /\{(\w+)\}/.exec(baseURL);
  let unusable: string | null = null;
  if (kind === 'vertex' && vertex === null) unusable = `provider '${name}' needs providers.${name}.project (or GOOGLE_CLOUD_PROJECT)`;
  if (missing !== null) {
    const what = missing[1] === 'region' ? `providers.${name}.region (or AWS_REGION)` : `providers.${name}.baseURL`;
    unusable = `provider '${name}' needs ${what}`;
    if (isConfigured) issues.push({ path: `providers.${name}.${missing[1] === 'region' ? 'region' : 'baseURL'}`, message: `required: ${unusable}` });
  }
  return Object.freeze({
    name,
    kind,
    baseURL,
    origin: originOf(baseURL),
    apiKey,
    apiKeys: apiKeys.length > 1 ? apiKeys : Object.freeze([]),
    headers: Object.freeze({ ...entry.headers }),
    apiVersion: entry.apiVersion ?? null,
    aws,
    vertex,
    maxTokens: entry.maxTokens ?? DEFAULT_MAX_TOKENS,
    timeouts: mergeTimeouts(globalTimeouts, entry.timeouts),
    unusable,
  });
}

/** Checks and resolves a router entry; every problem goes to `issues`. */
function resolveRouter(
  name: string,
  entry: Record<string, unknown>,
  retry: ResolvedRetry,
  resolveModelTarget: (path: string, target: string) => ResolvedAlias | undefined,
  issues: ConfigIssue[],
  routerNames: ReadonlySet<string>,
  nestedLinks: Array<{ target: ResolvedRouterTarget; name: string }>,
): ResolvedRouter | undefined {
  const list = entry['targets'];
  if (!Array.isArray(list)) return undefined;
  if (list.length === 0) {
    issues.push({ path: `models.${name}.targets`, message: 'expected at least one "provider/model" target' });
    return undefined;
  }
  const targets: ResolvedRouterTarget[] = [];
  let valid = true;
  list.forEach((item: unknown, index) => {
    const path = `models.${name}.targets[${index}]`;
    let target: string;
    let weight = 1;
    if (typeof item === 'string') {
      target = item;
    } else if (isObject(item) && typeof item['target'] === 'string') {
      target = item['target'];
      for (const key of Object.keys(item)) {
        if (key === 'target' || key === 'weight') continue;
        const suggestion = nearest(key, ROUTER_TARGET_KEYS);
        issues.push({ path: `${path}.${key}`, message: `unknown key${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` });
        valid = false;
      }
      const given = item['weight'];
      if (given !== undefined) {
        if (typeof given !== 'number' || !Number.isFinite(given) || given <= 0) {
          issues.push({ path: `${path}.weight`, message: 'expected a finite number > 0' });
          valid = false;
        } else {
          weight = given;
        }
      }
    } else {
      issues.push({ path, message: 'expected "provider/model" or { target: "provider/model", weight?: number }' });
      valid = false;
      return;
    }
    if (routerNames.has(target)) {
      if (target === name) {
        issues.push({ path, message: `a router cannot list itself` });
        valid = false;
        return;
      }
      // Linked once every router exists; provider and model stay unused placeholders until then.
      const nested = { provider: PLACEHOLDER_PROVIDER, model: '', key: target, weight, timeouts: NO_TIMEOUTS, router: null };
      nestedLinks.push({ target: nested, name: target });
      targets.push(nested);
      return;
    }
    const resolved = resolveModelTarget(path, target);
    if (resolved === undefined) valid = false;
    else {
      const timeouts = mergeTimeouts(resolved.provider.timeouts, isObject(entry['timeouts']) ? (entry['timeouts'] as TimeoutConfig) : undefined);
      targets.push(Object.freeze({ provider: resolved.provider, model: resolved.model, key: target, weight, timeouts, router: null }));
    }
  });
  if (!valid) return undefined;
  const strategy = typeof entry['strategy'] === 'string' ? (entry['strategy'] as RouterStrategy) : 'priority';
  const retries = typeof entry['retries'] === 'number' ? entry['retries'] : retry.retries;
  return Object.freeze({ name, strategy, targets: Object.freeze(targets), retries });
}

/**
 * Resolves an alias or `provider/model` at call time (for per-call chains and rules).
 * @param config The resolved configuration.
 * @param spec An alias or `provider/model`.
 * @returns The target, or `undefined` when neither resolves.
 */
export function resolveSpec(config: Pick<ResolvedConfig, 'aliases' | 'providers'>, spec: string): ResolvedRouterTarget | undefined {
  const alias = config.aliases.get(spec);
  if (alias !== undefined) return { provider: alias.provider, model: alias.model, key: spec, weight: 1, timeouts: alias.provider.timeouts, router: null };
  const slash = spec.indexOf('/');
  if (slash <= 0 || slash === spec.length - 1) return undefined;
  const provider = config.providers.get(spec.slice(0, slash));
  return provider === undefined ? undefined : { provider, model: spec.slice(slash + 1), key: spec, weight: 1, timeouts: provider.timeouts, router: null };
}

/**
 * Validates and resolves a configuration.
 * @param input What the user passed to `createSluice`.
 * @returns The resolved configuration.
 * @throws {SluiceConfigError} listing every problem with its path.
 */
/** Marks a plugin factory (`pii`, `cache`...): passed uncalled in `use`, it is refused with its name. */
const PLUGIN_FACTORY = Symbol.for('sluice.pluginFactory');

/** Rules across fields, against the defaults, and mistakes the schema's types cannot see. */
function checkCrossFields(config: SluiceConfig, issues: ConfigIssue[]): void {
  const health = isObject(config.health) ? config.health : {};
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  const windowSize = number(health.windowSize, HEALTH_DEFAULTS.windowSize);
  const minRequests = number(health.minRequests, HEALTH_DEFAULTS.minRequests);
  if (minRequests > windowSize) {
    issues.push({ path: health.minRequests === undefined ? 'health.windowSize' : 'health.minRequests', message: `minRequests (${minRequests}) must not exceed windowSize (${windowSize})` });
  }
  const baseEjectionMs = number(health.baseEjectionMs, HEALTH_DEFAULTS.baseEjectionMs);
  const maxEjectionMs = number(health.maxEjectionMs, HEALTH_DEFAULTS.maxEjectionMs);
  if (maxEjectionMs < baseEjectionMs) {
    issues.push({ path: health.maxEjectionMs === undefined ? 'health.baseEjectionMs' : 'health.maxEjectionMs', message: `maxEjectionMs (${maxEjectionMs}) must be >= baseEjectionMs (${baseEjectionMs})` });
  }
  (Array.isArray(config.use) ? config.use : []).forEach((entry: unknown, index) => {
    const factory = isFunction(entry) ? (entry as unknown as Record<symbol, unknown>)[PLUGIN_FACTORY] : undefined;
    if (typeof factory === 'string') issues.push({ path: `use[${index}]`, message: `this is the plugin factory itself: call it, \`${factory}()\`` });
    // A plugin that would keep prompts or answers is refused under zero retention (PluginLifecycle.retains).
    const kept = config.retention === 'none' && (entry as PluginLifecycle | undefined)?.retains?.();
    if (kept) issues.push({ path: `use[${index}]`, message: kept });
  });
}

/** Exporter entries as `{ exporter, queue }`; the queue loads on demand, so its options are checked now. */
function exporterEntries(list: ReadonlyArray<Exporter | ExporterEntry> = []): ResolvedConfig['exporters'] {
  return list.map((entry) => {
    const resolved = 'exporter' in entry ? { exporter: entry.exporter, queue: entry.queue ?? {} } : { exporter: entry, queue: {} };
    resolveQueueOptions(resolved.queue);
    return resolved;
  });
}

export function parseConfig(input: SluiceConfig | undefined): ResolvedConfig {
  const raw: unknown = input ?? {};
  schema ??= configSchema();
  const result = schema.safeParse(raw);
  // Keep going after a schema failure so the error lists every problem, the cross-references included;
  // the checks below skip whatever the schema already rejected.
  const issues: ConfigIssue[] = result.success ? [] : readableIssues(result.error, { root: '', input: raw, knownKeys: keysFor, renamed: RENAMED });
  const config = (isObject(raw) ? raw : {}) as SluiceConfig;
  const env = isObject(config.env) ? config.env : readEnv();

  checkCrossFields(config, issues);
  const globalTimeouts = mergeTimeouts(DEFAULT_TIMEOUTS, isObject(config.timeouts) ? config.timeouts : undefined);
  const providers = new Map<string, ResolvedProvider>();
  /** Providers the schema rejected: aliases naming them are not "unknown". */
  const invalid = new Set<string>();
  const entries = isObject(config.providers) ? config.providers : {};
  for (const [name, known] of Object.entries(providerCatalog)) {
    if (entries[name] === undefined) providers.set(name, resolveProvider(name, { kind: known.kind }, env, issues, false, globalTimeouts));
  }
  for (const [name, entry] of Object.entries(entries)) {
    const known = providerCatalog[name];
    if (!isObject(entry)) {
      invalid.add(name);
      continue;
    }
    if (known === undefined && entry.kind === undefined) {
      issues.push({ path: `providers.${name}.kind`, message: `required for a provider not in the catalog (expected one of ${PROVIDER_KINDS.map((kind) => `"${kind}"`).join(', ')})` });
    }
    if (known === undefined && entry.baseURL === undefined) {
      issues.push({ path: `providers.${name}.baseURL`, message: 'required for a provider not in the catalog' });
      continue;
    }
    if (name.includes('/')) issues.push({ path: `providers.${name}`, message: 'a provider name cannot contain "/"' });
    const baseURL = entry.baseURL ?? known?.baseURL;
    if (typeof baseURL !== 'string' || (entry.baseURL !== undefined && !URL.canParse(baseURL))) {
      invalid.add(name);
      continue;
    }
    providers.set(name, resolveProvider(name, entry as ProviderEntry, env, issues, true, globalTimeouts));
  }

  /** Resolves `provider/model`, or records an issue at `path` and returns `undefined`. */
  const resolveModelTarget = (path: string, target: string): ResolvedAlias | undefined => {
    const slash = target.indexOf('/');
    const providerName = slash === -1 ? '' : target.slice(0, slash);
    const model = slash === -1 ? '' : target.slice(slash + 1);
    const provider = providers.get(providerName);
    if (slash === -1 || model === '') {
      issues.push({ path, message: `expected "provider/model", received "${target}"` });
    } else if (provider === undefined && !invalid.has(providerName)) {
      const suggestion = nearest(providerName, providers.keys());
      issues.push({ path, message: `unknown provider "${providerName}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` });
    } else if (provider !== undefined) {
      return { provider, model };
    }
    return undefined;
  };

  const retryEntry: Record<string, unknown> = isObject(config.retry) ? config.retry : {};
  const retryNumber = (key: Exclude<keyof ResolvedRetry, 'budget'>): number => {
    const value = retryEntry[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : RETRY_DEFAULTS[key];
  };
  const budgetEntry: Record<string, unknown> = isObject(retryEntry['budget']) ? retryEntry['budget'] : {};
  const budgetNumber = (key: 'ratio' | 'minPerSecond'): number => {
    const value = budgetEntry[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : RETRY_DEFAULTS.budget[key];
  };
  const retry: ResolvedRetry = Object.freeze({
    retries: retryNumber('retries'),
    minDelayMs: retryNumber('minDelayMs'),
    maxDelayMs: retryNumber('maxDelayMs'),
    maxRetryAfterMs: retryNumber('maxRetryAfterMs'),
    budget: Object.freeze({ ratio: budgetNumber('ratio'), minPerSecond: budgetNumber('minPerSecond') }),
  });
  if (retry.maxDelayMs < retry.minDelayMs) {
    issues.push({ path: 'retry.maxDelayMs', message: `must be >= retry.minDelayMs (${retry.minDelayMs})` });
  }

  const aliases = new Map<string, ResolvedAlias>();
  const routers = new Map<string, ResolvedRouter>();
  const modelEntries = Object.entries(isObject(config.models) ? config.models : {}).filter(([, entry]) => isObject(entry)) as unknown as Array<[string, Record<string, unknown>]>;
  const routerNames = new Set(modelEntries.filter(([, entry]) => entry['targets'] !== undefined && entry['target'] === undefined).map(([name]) => name));
  const routerEntries: Array<[string, Record<string, unknown>]> = [];
  for (const [alias, entry] of modelEntries) {
    const hasTarget = entry['target'] !== undefined;
    const hasTargets = entry['targets'] !== undefined;
    if (hasTarget && hasTargets) {
      issues.push({ path: `models.${alias}`, message: 'give either "target" (an alias) or "targets" (a router), not both' });
      continue;
    }
    if (!hasTarget && !hasTargets) {
      issues.push({ path: `models.${alias}`, message: 'expected "target": "provider/model" or "targets": [...]' });
      continue;
    }
    if (hasTarget) {
      if (typeof entry['target'] !== 'string') continue;
      for (const key of ['strategy', 'retries', 'timeouts']) {
        if (entry[key] !== undefined) issues.push({ path: `models.${alias}.${key}`, message: 'applies only to a router; use "targets": [...] instead of "target"' });
      }
      const resolved = resolveModelTarget(`models.${alias}.target`, entry['target']);
      if (resolved !== undefined) aliases.set(alias, resolved);
      continue;
    }
    routerEntries.push([alias, entry]);
  }
  // Router targets may name an alias or another router (nested), besides `provider/model`.
  const nestedLinks: Array<{ target: ResolvedRouterTarget; name: string }> = [];
  const resolveRouterTarget = (path: string, target: string): ResolvedAlias | undefined => {
    const alias = aliases.get(target);
    if (alias !== undefined) return alias;
    return resolveModelTarget(path, target);
  };
  for (const [name, entry] of routerEntries) {
    const router = resolveRouter(name, entry, retry, resolveRouterTarget, issues, routerNames, nestedLinks);
    if (router !== undefined) routers.set(name, router);
  }
  for (const { target, name } of nestedLinks) (target as { router: ResolvedRouter | null }).router = routers.get(name) ?? null;
  // A router may not contain itself, directly or through others.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const findCycle = (router: ResolvedRouter, trail: string[]): string[] | null => {
    if (visiting.has(router.name)) return [...trail, router.name];
    if (done.has(router.name)) return null;
    visiting.add(router.name);
    for (const target of router.targets) {
      if (target.router === null) continue;
      const cycle = findCycle(target.router, [...trail, router.name]);
      if (cycle !== null) return cycle;
    }
    visiting.delete(router.name);
    done.add(router.name);
    return null;
  };
  for (const router of routers.values()) {
    const cycle = findCycle(router, []);
    if (cycle !== null) {
      issues.push({ path: `models.${router.name}.targets`, message: `routers form a loop: ${cycle.slice(cycle.indexOf(cycle[cycle.length - 1]!)).join(' -> ')}` });
      break;
    }
  }
  const rules: ResolvedRule[] = [];
  (Array.isArray(config.rules) ? config.rules : []).forEach((rule, index) => {
    if (!isObject(rule) || typeof rule.use !== 'string' || !isObject(rule.when)) return;
    const use = rule.use;
    if (!routers.has(use) && !aliases.has(use)) resolveModelTarget(`rules[${index}].use`, use);
    const when = rule.when;
    const list = (value: string | string[] | undefined): ReadonlySet<string> | null =>
      value === undefined ? null : new Set(typeof value === 'string' ? [value] : value);
    rules.push(
      Object.freeze({
        headers: Object.entries(when.header ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const),
        users: list(when.user),
        tag: when.tag ?? null,
        models: list(when.model),
        modelPrefix: when.modelPrefix ?? null,
        use,
      }),
    );
  });
  const callbackList: ResolvedCallbacks[] = [];
  (Array.isArray(config.callbacks) ? config.callbacks : []).forEach((entry, index) => {
    const resolved = typeof entry === 'object' && entry !== null ? resolveCallbacks(entry, `callbacks[${index}]`, issues) : undefined;
    if (resolved !== undefined) callbackList.push(resolved);
  });
  let metadata: Readonly<Record<string, unknown>> | null = null;
  if (isObject(config.metadata)) {
    let size = Infinity;
    try {
      size = JSON.stringify(config.metadata).length;
    } catch {
      issues.push({ path: 'metadata', message: 'expected a JSON-serialisable object' });
    }
    if (size > MAX_METADATA_CHARS && size !== Infinity) issues.push({ path: 'metadata', message: `is ${size} characters serialised; at most 8 KB (${MAX_METADATA_CHARS})` });
    metadata = Object.freeze({ ...config.metadata });
  }
  if (issues.length > 0) throw new SluiceConfigError(issues);

  const zeroRetention = config.retention === 'none';
  const routing = config.providers !== undefined || config.models !== undefined || rules.length > 0;
  const prices: Record<string, ModelPrice> = { ...config.prices };
  // Keys, AWS credentials (session token included), Vertex service-account keys. Credentials in a
  // provider's `headers`, and tokens minted at run time, are learned from the requests that carry them.
  const secrets = [...providers.values()].flatMap((provider): unknown[] => [
    provider.apiKey,
    ...provider.apiKeys,
    ...Object.values(provider.aws?.credentials ?? {}),
    provider.vertex?.serviceAccount?.private_key,
  ]);
  return {
    providers,
    routing,
    aliases,
    routers,
    retry,
    timeouts: globalTimeouts,
    rules,
    health: isObject(config.health) ? { ...config.health } : {},
    unknownModel: config.unknownModel ?? (routing ? 'reject' : 'forward'),
    use: [...(config.use ?? [])],
    callbacks: callbackList,
    successCallback: [...(config.successCallback ?? []), ...(config.success_callback ?? [])],
    failureCallback: [...(config.failureCallback ?? []), ...(config.failure_callback ?? [])],
    callbackTimeoutMs: config.callbackTimeoutMs ?? 5000,
    exporters: exporterEntries(config.exporters),
    auditExporters: exporterEntries(config.audit?.exporters),
    compliance: config.audit || zeroRetention || config.residency ? config : null,
    zeroRetention,
    fetch: config.fetch ?? null,
    mcp: config.mcp,
    bodies: !zeroRetention && (config.record?.bodies ?? true),
    maxBodyChars: config.record?.maxBodyChars ?? 65_536,
    streamUsage: config.streamUsage ?? true,
    maxEventBytes: config.stream?.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
    prices,
    user: config.user ?? null,
    session: config.session ?? null,
    tags: Object.freeze([...(config.tags ?? [])]),
    metadata,
    secrets: secrets.filter((secret): secret is string => typeof secret === 'string' && secret.length >= 8),
    helicone: config.compat?.helicone,
  };
}
