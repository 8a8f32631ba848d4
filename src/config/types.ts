/**
 * The configuration types: what users write, and what `createSluice` resolves it to.
 * @module
 */
import type { Middleware } from '../core/types.js';
import type { CallRecord } from '../events/record.js';
import type { Exporter } from '../exporters/types.js';
import type { BatchQueueOptions } from '../exporters/batch-queue.js';
import type { ProviderKind } from '../providers/catalog.js';
import type { ModelPrice } from '../wire/price.js';
import type { SluiceCallbacks } from '../core/callbacks.js';

/** A provider entry. Under a catalog name (`openai`, `groq`, ...) every field is optional. */
export interface ProviderConfig {
  /** The wire format it speaks. Required for names not in the catalog. */
  kind?: ProviderKind;
  /** Base URL, as you would give the provider's SDK (e.g. `http://127.0.0.1:9000/v1`). */
  baseURL?: string;
  /** API key. Defaults to the catalog's environment variable (`OPENAI_API_KEY`, ...). */
  apiKey?: string;
  /** Extra headers sent to this provider on every call. */
  headers?: Record<string, string>;
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
  | 'least-busy';

/** A router target with a weight (used by the `'weighted'` strategy, ignored by the others). */
export interface RouterTargetConfig {
  /** `provider/model`, as for an alias. */
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
  /** At least one target, `provider/model` or `{ target, weight }`. */
  targets: Array<string | RouterTargetConfig>;
  /** Retries on the same target before falling back to the next one. @default `retry.retries` (1) */
  retries?: number;
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
   * The longest `retry-after-ms` / `retry-after` Sluice waits for on the same target; when a provider
   * asks for longer, Sluice moves to the next target at once instead. @default 60000
   */
  maxRetryAfterMs?: number;
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
   * What to do with a model that is neither an alias nor `provider/model` of a known provider:
   * `'forward'` sends it unchanged to the URL the SDK chose; `'reject'` answers 404 naming what is configured.
   * @default 'forward' when neither `providers` nor `models` is given, otherwise 'reject'
   */
  unknownModel?: 'forward' | 'reject';
  /** Middleware, outermost first. */
  use?: Middleware[];
  /** LiteLLM-style callback objects. */
  callbacks?: SluiceCallbacks[];
  /** Plain functions called with the record of every successful call (LiteLLM's `success_callback`). */
  successCallback?: Array<(record: CallRecord) => unknown>;
  /** Plain functions called with the record of every failed call (LiteLLM's `failure_callback`). */
  failureCallback?: Array<(record: CallRecord) => unknown>;
  /** How long an async callback or hook may run before it is abandoned, in ms. @default 5000 */
  callbackTimeoutMs?: number;
  /** Exporters, each behind its own bounded batch queue. */
  exporters?: Array<Exporter | ExporterEntry>;
  /** The fetch used to reach providers. @default globalThis.fetch, read at call time */
  fetch?: typeof fetch;
  /** What records contain. */
  record?: {
    /** Include request and response bodies. @default true */
    bodies?: boolean;
    /** Keep at most this many characters of each body; longer ones are cut and marked. @default 65536 */
    maxBodyChars?: number;
  };
  /** Ask OpenAI-format streams for usage (`stream_options.include_usage`) and hide the extra chunk. @default true */
  streamUsage?: boolean;
  /** Prices in USD per million tokens, by model id; they override the built-in catalog. */
  prices?: Record<string, ModelPrice>;
  /** Defaults for every call's user, session and tags. */
  user?: string;
  session?: string;
  tags?: string[];
  /** Where provider keys are read from. @default process.env where the runtime has it */
  env?: Record<string, string | undefined>;
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
  /** The key, or `null` when none was configured or found in the environment. */
  apiKey: string | null;
  /** Extra headers for every call. */
  headers: Readonly<Record<string, string>>;
}
