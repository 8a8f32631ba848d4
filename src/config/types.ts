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
  /** Model aliases by name. */
  models?: Record<string, ModelConfig>;
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
