/**
 * The configuration types: what users write, and what `createSluice` resolves it to.
 * @module
 */
import type { McpHook, Middleware } from '../core/types.js';
import type { CallRecord } from '../events/record.js';
import type { Exporter } from '../exporters/types.js';
import type { BatchQueueOptions } from '../exporters/batch-queue.js';
import type { ProviderKind } from '../providers/catalog.js';
import type { ModelPrice } from '../wire/price.js';
import type { SluiceCallbacks } from '../core/callbacks.js';

/** AWS credentials for SigV4 signing (Bedrock). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS, SSO, instance roles). */
  sessionToken?: string;
}

/** The fields of a Google Cloud service-account key file that Sluice uses (Vertex AI). */
export interface ServiceAccountKey {
  client_email: string;
  /** PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`). */
  private_key: string;
  /** @default 'https://oauth2.googleapis.com/token' */
  token_uri?: string;
  private_key_id?: string;
}

/** A provider entry. Under a catalog name (`openai`, `anthropic`, `groq`, ...) every field is optional. */
export interface ProviderConfig {
  /** The wire format it speaks. Required for names not in the catalog. */
  kind?: ProviderKind;
  /**
   * Base URL, as you would give the provider's SDK: `http://127.0.0.1:9000/v1` for OpenAI-compatible
   * servers, `https://api.anthropic.com` for Anthropic, `https://generativelanguage.googleapis.com`
   * for Gemini, `https://{resource}.openai.azure.com` for Azure, `http://localhost:11434` for Ollama.
   * Bedrock and Vertex default to their regional endpoints.
   */
  baseURL?: string;
  /**
   * API key. Defaults to the catalog's environment variable (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`...).
   * Bedrock: a Bedrock API key (sent as a bearer token) instead of AWS credentials. Vertex: an OAuth
   * access token instead of a service account.
   */
  apiKey?: string;
  /**
   * Several API keys, used in turn; a key that gets a 429 rests until the provider's reset time while
   * the others carry on. Records name keys by position (`#0`, `#1`), never by value.
   */
  apiKeys?: string[];
  /** Extra headers sent to this provider on every call. */
  headers?: Record<string, string>;
  /**
   * Azure: the `api-version` of deployment URLs (`/openai/deployments/{model}/chat/completions`), where
   * the model you address is the deployment name. Without it the v1 API (`/openai/v1/...`) is used.
   */
  apiVersion?: string;
  /**
   * Bedrock: the AWS region (@default AWS_REGION or AWS_DEFAULT_REGION from the environment). Any
   * other provider: the region it serves from, for data residency (`'eu'`, `'us'`, `'westeurope'`...),
   * when the catalog cannot tell it from the endpoint.
   */
  region?: string;
  /** Bedrock: AWS credentials. @default AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the environment */
  aws?: AwsCredentials;
  /** Vertex: the Google Cloud project. @default GOOGLE_CLOUD_PROJECT from the environment */
  project?: string;
  /** Vertex: the region (`us-central1`, `europe-west4`, `global`...). @default GOOGLE_CLOUD_LOCATION, else 'us-central1' */
  location?: string;
  /** Vertex: a service-account key (the JSON file's text or its parsed object), exchanged for access tokens. */
  serviceAccount?: string | ServiceAccountKey;
  /** Time limits for this provider's calls, over the global `timeouts`. */
  timeouts?: TimeoutConfig;
  /**
   * `max_tokens` sent to providers that require it (Anthropic, and Claude on Vertex) when the caller
   * gave none, as happens when the OpenAI or Gemini SDK calls them; Bedrock uses it only to leave room
   * for reasoning. @default 4096
   */
  maxTokens?: number;
}

/**
 * Time limits on upstream requests, in milliseconds. A limit hit before the response headers answers
 * 504 in the SDK's dialect (a router then falls back to its next target); an idle stream ends with
 * the dialect's error event. The SDKs stop timing once headers arrive, so `idleMs` is what frees a
 * stuck stream.
 */
export interface TimeoutConfig {
  /**
   * Establishing the connection (TCP and TLS), so an unreachable host fails fast while `firstByteMs`
   * can stay long. Applied through Node's built-in `fetch` (undici); on other runtimes, or with your own
   * `fetch`, connecting counts under `firstByteMs` only. @default undici's own (10 s)
   */
  connectMs?: number;
  /** From sending the request to the response headers (connection time included). @default none */
  firstByteMs?: number;
  /**
   * Between two chunks of a stream, counting only time spent waiting on the provider; chunks that hold
   * only SSE comments (`: keep-alive`) do not restart it unless `keepAliveResetsIdle` is set, so a
   * stalled provider that only pings is still ended. @default 600000 (10 minutes)
   */
  idleMs?: number;
  /** For a non-streaming call, from sending the request to the end of the answer. @default none */
  totalMs?: number;
  /**
   * For a stream, from its response headers to its last byte: a stream still going after it ends with
   * the dialect's error event, like an idle one. @default none
   */
  streamTotalMs?: number;
  /** Whether a chunk of SSE comments alone (a provider's keep-alive) restarts `idleMs`. @default false */
  keepAliveResetsIdle?: boolean;
}

/** A model alias: calls asking for the alias go to `target` (`provider/model`). */
export interface ModelConfig {
  /** `provider/model`, where `provider` is a key of `providers` or a catalog name. */
  target: string;
}

/** How a router orders its targets for each call. */
export type RouterStrategy =
  /** In the order listed: the first target serves, the others are fallbacks. */
  | 'priority'
  /** A weighted random first pick, then the remaining targets by weight (heaviest first). */
  | 'weighted'
  /** The target with the fewest calls in flight first (ties keep the listed order). */
  | 'least-busy'
  /**
   * Power of two choices over a peak-EWMA of observed latency (time to the response headers for
   * streams, to the whole answer otherwise) times calls in flight: two targets drawn at random, the
   * cheaper first, the rest by the same cost.
   */
  | 'latency'
  /** The cheapest by the price catalog for the call's expected tokens first; unpriced targets last. */
  | 'cost';

/** A router target with a weight (used by the `'weighted'` strategy, ignored by the others). */
export interface RouterTargetConfig {
  /** `provider/model`, an alias, or the name of another router (its strategy then picks among its own targets). */
  target: string;
  /** Relative share of first picks under `'weighted'`; any finite number > 0. @default 1 */
  weight?: number;
}

/**
 * A router: calls asking for its name go to one of several targets, falling back to the next on a
 * retriable failure (network error, 408, 409, 429, 500, 502, 503, 504, 529).
 */
export interface RouterConfig {
  /** How targets are ordered for each call. @default 'priority' */
  strategy?: RouterStrategy;
  /** At least one target: `provider/model`, an alias, another router's name, or `{ target, weight }`. */
  targets: Array<string | RouterTargetConfig>;
  /** Retries on the same target before falling back to the next one. @default `retry.retries` (1) */
  retries?: number;
  /** Time limits for this router's calls, over each provider's and the global ones. */
  timeouts?: TimeoutConfig;
}

/** Retry settings shared by every router. */
export interface RetryConfig {
  /** Retries on the same target before falling back, for routers without their own `retries`. @default 1 */
  retries?: number;
  /** The first backoff delay in ms; it doubles per retry, with jitter (half fixed, half random). @default 250 */
  minDelayMs?: number;
  /** The largest backoff delay in ms. @default 8000 */
  maxDelayMs?: number;
  /**
   * A retry budget shared by every call, so an outage is not multiplied: retries may add about
   * `ratio` of the calls made in the last 10 s, plus `minPerSecond` retries per second always.
   * @default { ratio: 0.2, minPerSecond: 10 }
   */
  budget?: { ratio?: number; minPerSecond?: number };
  /**
   * The longest `retry-after-ms` / `retry-after` Sluice waits for on the same target; when a provider
   * asks for longer, Sluice moves to the next target at once instead. @default 60000
   */
  maxRetryAfterMs?: number;
}

/**
 * A routing rule: calls matching `when` go to `use` instead of the model they asked for. Rules are
 * tried in order; the first match wins.
 * @example
 * { when: { header: { 'x-tier': 'free' } }, use: 'cheap' }
 * { when: { modelPrefix: 'gpt-', user: ['alice', 'bob'] }, use: 'resilient' }
 */
export interface RouteRule {
  /** Conditions that must all hold; `{}` always matches. */
  when: {
    /** Request headers that must have these exact values (names case-insensitive). */
    header?: Record<string, string>;
    /** The call's user (from config, `x-sluice-user` or the body's `user`). */
    user?: string | string[];
    /** A tag the call carries. */
    tag?: string;
    /** The model the SDK asked for, exactly. */
    model?: string | string[];
    /** A prefix of the model the SDK asked for. */
    modelPrefix?: string;
  };
  /** A router, an alias or `provider/model`. */
  use: string;
}

/** Passive health-check settings; see {@link SluiceConfig.health}. */
export interface HealthConfig {
  /** @default 5 */
  consecutiveFailures?: number;
  /** @default 0.5 */
  errorRate?: number;
  /** @default 20 */
  windowSize?: number;
  /** @default 10 */
  minRequests?: number;
  /** @default 30000 */
  baseEjectionMs?: number;
  /** @default 300000 */
  maxEjectionMs?: number;
  /**
   * Outcomes count in the order calls started; an outcome waits at most this long for calls started
   * before it that are still running. @default 30000
   */
  orderWindowMs?: number;
}

/** An exporter with its own queue settings. */
export interface ExporterEntry {
  exporter: Exporter;
  /** Batch queue settings for this exporter. */
  queue?: BatchQueueOptions;
}

/** What `createSluice` accepts. Every field is optional: `createSluice()` changes nothing the SDK sees. */
export interface SluiceConfig {
  /** Providers by name. */
  providers?: Record<string, ProviderConfig>;
  /** Model aliases (`{ target }`) and routers (`{ strategy, targets, retries }`) by name. */
  models?: Record<string, ModelConfig | RouterConfig>;
  /** Backoff and retry settings for routers. */
  retry?: RetryConfig;
  /**
   * Passive health checks of router targets: a target that fails `consecutiveFailures` times in a
   * row, or `errorRate` of its last `windowSize` calls (with at least `minRequests`), is ejected for
   * `baseEjectionMs`, doubled on each repeat up to `maxEjectionMs`; then one probe call decides.
   * @default { consecutiveFailures: 5, errorRate: 0.5, windowSize: 20, minRequests: 10, baseEjectionMs: 30000, maxEjectionMs: 300000 }
   */
  health?: HealthConfig;
  /** Routing rules that pick a router from the call's headers, user, tags or model; first match wins. */
  rules?: RouteRule[];
  /** Time limits for every upstream request; providers and routers may set their own. */
  timeouts?: TimeoutConfig;
  /**
   * What to do with a model that is neither an alias nor `provider/model` of a known provider:
   * `'forward'` sends it unchanged to the URL the SDK chose; `'reject'` answers 404 naming what is configured.
   * @default 'forward' when neither `providers` nor `models` is given, otherwise 'reject'
   */
  unknownModel?: 'forward' | 'reject';
  /** Middleware, outermost first. */
  use?: Middleware[];
  /**
   * LiteLLM-style callback objects (methods in camelCase or with LiteLLM's names). Plain objects may hold
   * only callback methods and `failOpen`; an unknown key is a configuration error.
   */
  callbacks?: SluiceCallbacks[];
  /** Plain functions called with the record of every successful call (LiteLLM's `success_callback`). */
  successCallback?: Array<(record: CallRecord) => unknown>;
  /** Plain functions called with the record of every failed call (LiteLLM's `failure_callback`). */
  failureCallback?: Array<(record: CallRecord) => unknown>;
  /** LiteLLM's spelling of {@link successCallback}; both lists run, this one after. */
  success_callback?: Array<(record: CallRecord) => unknown>;
  /** LiteLLM's spelling of {@link failureCallback}; both lists run, this one after. */
  failure_callback?: Array<(record: CallRecord) => unknown>;
  /**
   * Free-form metadata for every call (LiteLLM's `metadata`), a JSON object of at most 8 KB serialised.
   * A call's `x-sluice-metadata` header (a JSON object, at most 8 KB) is merged over it, key by key.
   * It reaches every callback and hook (`ctx.metadata`) and the record (`record.metadata`).
   */
  metadata?: Record<string, unknown>;
  /** How long an async callback or hook may run before it is abandoned, in ms. @default 5000 */
  callbackTimeoutMs?: number;
  /** Exporters, each behind its own bounded batch queue. */
  exporters?: Array<Exporter | ExporterEntry>;
  /** The fetch used to reach providers. @default globalThis.fetch, read at call time */
  fetch?: typeof fetch;
  /**
   * MCP traffic through the same records and policy: the handler `mcp({ servers })` from `sluice/mcp`
   * returns (its options are checked there). Calls to a configured server's URL (Streamable HTTP) are
   * recognised and governed; without it MCP traffic passes through untouched ([docs/mcp.md](../../docs/mcp.md)).
   */
  mcp?: McpHook;
  /** What records contain. */
  record?: {
    /** Include request and response bodies. @default true */
    bodies?: boolean;
    /** Keep at most this many characters of each body; longer ones are cut and marked. @default 65536 */
    maxBodyChars?: number;
  };
  /** Ask OpenAI-format streams for usage (`stream_options.include_usage`) and hide the extra chunk. @default true */
  streamUsage?: boolean;
  /** Limits on streamed answers. */
  stream?: StreamConfig;
  /** Prices in USD per million tokens, by model id; they override the built-in catalog. */
  prices?: Record<string, ModelPrice>;
  /** Defaults for every call's user, session and tags. */
  user?: string;
  session?: string;
  tags?: string[];
  /** Where provider keys are read from. @default process.env where the runtime has it */
  env?: Record<string, string | undefined>;
  /** Compatibility with other gateways' per-call headers; see {@link CompatConfig}. */
  compat?: CompatConfig;
  /**
   * A tamper-evident audit trail of every policy decision, hash-chained and optionally HMAC-signed,
   * shipped through its own exporters; verify it with `verifyAuditTrail` from `sluice/audit` or
   * `npx sluice audit verify <file>` ([docs/compliance.md](../../docs/compliance.md)).
   */
  audit?: AuditConfig;
  /**
   * `'none'`: zero data retention. No prompt or answer text leaves the process or persists: record
   * bodies are off, callbacks receive no text, plugins that would keep text (shared or unapproved
   * caches, OpenTelemetry content capture) are refused, OpenAI calls go out with `store: false` and
   * `previous_response_id` is refused. Records say `zeroRetention: true`. @default 'default'
   */
  retention?: 'none' | 'default';
  /**
   * Data residency: the regions calls may go to (`'eu'`, `'us'`, or a cloud region such as
   * `'eu-west-1'`), globally and per user, tag, header or model. A target outside them is never sent
   * the call; when none is left the SDK gets a 403 naming the policy.
   */
  residency?: ResidencyConfig;
}

/** The audit trail's settings; see {@link SluiceConfig.audit}. */
export interface AuditConfig {
  /** Where audit events go, each exporter behind its own bounded batch queue (like `exporters`). */
  exporters: Array<Exporter | ExporterEntry>;
  /** Signs every event with HMAC-SHA-256 under this key (`hmac` field); verification then needs it. */
  hmacKey?: string;
  /**
   * The last `hash` of the trail this instance continues (after a restart): the new chain's first
   * event names it as `prevHash`, so removing the old chain's tail is detected. Without it a new chain
   * starts from a genesis `prevHash` of `null`.
   */
  previousHash?: string;
}

/** Data-residency policy; see {@link SluiceConfig.residency}. */
export interface ResidencyConfig {
  /** Regions every call may go to. Absent: no global restriction (rules may still restrict). */
  allow?: string[];
  /**
   * Further restrictions for matching calls (the same `when` as routing rules): every matching
   * rule's `allow` applies on top of the global one, so a call goes only where all of them allow.
   */
  rules?: Array<{ when: RouteRule['when']; allow: string[] }>;
}

/** Compatibility layers, each off unless set; see docs/helicone.md. */
export interface CompatConfig {
  /**
   * Read Helicone's request headers (`Helicone-User-Id`, `Helicone-Session-*`, `Helicone-Property-*`,
   * cache, retry, rate-limit, omit and request-id headers) and remove every `helicone-*` header before
   * the call goes upstream; answer with `helicone-id` and `helicone-cache`. Its code loads on demand.
   * @default false
   */
  helicone?: boolean;
}

/** Limits on streamed answers; see {@link SluiceConfig.stream}. */
export interface StreamConfig {
  /**
   * The largest single stream event Sluice holds while it frames a stream (an SSE event, an NDJSON
   * line, a Bedrock message), in bytes. A provider that sends a larger one, or an event that never
   * ends, gets its stream ended with the dialect's error event (the SDK raises it), upstream cancelled
   * and the record `errored`, instead of Sluice buffering it without bound. Bedrock's own limit is
   * 16 MiB. Streams Sluice passes through unframed (OpenAI Chat Completions when it reads no usage)
   * are not held, so not limited.
   * @default 67108864 (64 MiB: a Responses `response.completed` event repeats the whole answer, images included)
   */
  maxEventBytes?: number;
}

/** Time limits after merging; `null` means none. */
export interface ResolvedTimeouts {
  connectMs: number | null;
  firstByteMs: number | null;
  idleMs: number | null;
  totalMs: number | null;
  streamTotalMs: number | null;
  keepAliveResetsIdle: boolean;
}

/** A provider entry after defaults are filled in. */
export interface ResolvedProvider {
  /** The name it is configured under. */
  name: string;
  kind: ProviderKind;
  /** Base URL without a trailing slash. */
  baseURL: string;
  /** `scheme://host[:port]` of the base URL, to recognise the provider the SDK itself points at. */
  origin: string;
  /** The key, or `null` when none was configured or found in the environment (the first of `apiKeys`). */
  apiKey: string | null;
  /** Every key when several were configured (`apiKeys`), otherwise empty. */
  apiKeys: readonly string[];
  /** Extra headers for every call. */
  headers: Readonly<Record<string, string>>;
  /** Azure: the deployment API version, or `null` for the v1 API. */
  apiVersion: string | null;
  /** Bedrock: region and credentials (`null` credentials: `apiKey` is a Bedrock API key). */
  aws: { region: string; credentials: AwsCredentials | null } | null;
  /** Vertex: project, location and the service account (`null`: `apiKey` is an access token). */
  vertex: { project: string; location: string; serviceAccount: ServiceAccountKey | null } | null;
  /** `max_tokens` for providers that require it when the caller gave none. */
  maxTokens: number;
  /** Time limits, the global ones merged under the provider's. */
  timeouts: ResolvedTimeouts;
  /** Why the provider cannot be called as configured (a catalog entry needing a `baseURL`...), or `null`. */
  unusable: string | null;
}
