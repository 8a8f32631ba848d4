/**
 * The per-call context: one object per call, every field assigned in the constructor so V8 keeps one
 * shape. Middleware reads and changes the call through it; the record is built from it at the end.
 * @module
 */
import type { Attempt, CacheOutcome, CallOutcome, Dialect, GuardVerdict, Operation, RecordError, Usage } from '../events/record.js';
import type { SluiceEvent, SluiceEventType } from '../events/types.js';
import type { Pricing } from '../wire/price.js';
import type { ResolvedProvider, ResolvedTimeouts } from '../config/types.js';

/** Where a call goes: a configured provider, or the URL the SDK chose (`provider: null`). */
export interface Target {
  /** The provider entry, or `null` to forward to the SDK's own URL with the SDK's own credentials. */
  provider: ResolvedProvider | null;
  /** The model sent upstream (`null` when the request names none, e.g. `GET /models`). */
  model: string | null;
  /** Time limits for this target (a router's); otherwise the provider's or the global ones apply. */
  timeouts?: ResolvedTimeouts;
  /** The region it serves from (`'eu-west-1'`, `'eu'`), when known; set by routing. */
  region?: string | null;
}

/** Everything needed to build a context; {@link makeContext} in `sluice/testing` fills the defaults. */
export interface CallContextInit {
  id: string;
  dialect: Dialect;
  operation: Operation;
  /** Upper-case HTTP method. */
  method: string;
  /** The absolute URL the SDK called. */
  url: string;
  /** The request init as the SDK passed it (headers, signal, duplex, dispatcher...). */
  init: RequestInit;
  /** The request body as text, or `null` when there is none. */
  bodyText: string | null;
  /** A monotonic clock in milliseconds. */
  now: () => number;
  /** Wall-clock start in milliseconds since the epoch. */
  startedAt: number;
  /** For `GET /models/{id}`, the id. */
  modelId?: string | null;
  user?: string | null;
  session?: string | null;
  tags?: readonly string[];
  /** Free-form metadata for the call. */
  metadata?: Readonly<Record<string, unknown>> | null;
  /** Where middleware events go. @default a sink that drops them */
  events?: EventSink;
  /** Removes every secret the instance knows from a text. @default the text unchanged */
  scrub?: (text: string) => string;
}

/** Where a middleware sends events: the instance's emitter, or a no-op in unit tests. */
export interface EventSink {
  /** Whether anything listens for the type; build a payload only when it does. */
  has(type: SluiceEventType): boolean;
  /** Emits an event; listener errors are isolated by the instance. */
  emit(event: SluiceEvent): void;
}

/** Called when a call ends, after usage and cost are known and before the record is built. */
export type EndListener = (ctx: CallContext) => void;

const EMPTY_TAGS: readonly string[] = Object.freeze([]);
const SILENT: EventSink = Object.freeze({ has: () => false, emit: () => {} });
const KEEP = (text: string): string => text;

/** The typed state of one call, passed to every middleware. */
export class CallContext {
  /** The Sluice call id (also the request id on Sluice-made responses). */
  readonly id: string;
  /** The dialect the SDK speaks. */
  readonly dialect: Dialect;
  /** The operation within the dialect. */
  readonly operation: Operation;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The absolute URL the SDK called. */
  readonly url: string;
  /** The request init as the SDK passed it. Treat as read-only; change the call through the context. */
  readonly init: RequestInit;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | null;
  /** A monotonic clock in milliseconds; plugins read time only through it. */
  readonly now: () => number;
  /** Wall-clock start in milliseconds since the epoch. */
  readonly startedAt: number;
  /** Monotonic start, from {@link now}. */
  readonly startMs: number;
  /** For `GET /models/{id}`, the id asked for. */
  readonly modelId: string | null;

  /** The model the SDK asked for, as it asked (alias or `provider/model`). */
  requestedModel: string | null;
  /** Whether the SDK asked for a stream. */
  isStream: boolean;
  /** Where the call goes; set by routing, readable after `next()` returns. */
  target: Target | null;
  /** End user, from config, the `x-sluice-user` header or the body's `user` field. */
  user: string | null;
  /** Session, from the `x-sluice-session` header. */
  session: string | null;
  /** Tags for the call. */
  tags: readonly string[];
  /**
   * Free-form metadata: the config's `metadata` merged with the `x-sluice-metadata` header; `null` when
   * neither is given. Frozen: to change it, assign a new object (`ctx.metadata = { ...ctx.metadata, k: v }`).
   */
  metadata: Readonly<Record<string, unknown>> | null;
  /** Token counts, filled from the provider's usage. */
  usage: Usage;
  /** Whether `usage` covers only part of the answer. */
  usagePartial: boolean;
  /** Whether `usage` was estimated by Sluice (about four characters per token) because the provider reported none. */
  usageEstimated: boolean;
  /** Cost in USD, or `null` when unknown. */
  costUsd: number | null;
  /** Which price rules applied to `costUsd`, or `null` when unpriced. */
  pricing: Pricing | null;
  /** The HTTP status the SDK received. */
  status: number | null;
  /** How the call ended; `null` while it runs. */
  outcome: CallOutcome | null;
  /** What went wrong. */
  error: RecordError | null;
  /** Every upstream request made for the call, in order; dispatch appends one per request. */
  readonly attempts: Attempt[];
  /** Model the provider reported in its answer. */
  responseModel: string | null;
  /** Which key of the provider's pool the current attempt uses (`#0`...), or `null`. */
  keyId: string | null;
  /** The model name routing uses when a rule chose another than the SDK asked for; `null` uses `requestedModel`. */
  routeName: string | null;
  /** When the first upstream request was sent (monotonic), or `null` before. */
  upstreamStartMs: number | null;
  /** When the last upstream response headers arrived (monotonic). */
  upstreamHeadersMs: number | null;
  /**
   * The last upstream response, when it answered the very URL the SDK asked for (a zero-config or
   * same-origin call): its final `url` (after redirects) and `redirected` are the SDK's to see.
   */
  upstreamResponse: Response | null;
  /** When the first stream chunk arrived (monotonic). */
  firstChunkMs: number | null;
  /** Milliseconds Sluice spent on the response side. */
  responseWorkMs: number;
  /** The response body text kept for the record (possibly truncated). */
  responseBody: string | null;
  /**
   * The whole text of the JSON answer in `response`, when whoever built that `Response` knew it (Sluice's
   * dispatch does), so middleware reading the answer need not read and copy it again: use `text` when
   * `response` is the very object `next()` returned; set it for a `Response` you build from text.
   */
  knownAnswer: { response: Response; text: string } | null;
  /** Whether the SDK sent `x-sluice-*` control headers (they are removed before the request goes upstream). */
  hasSluiceHeaders: boolean;
  /**
   * Whether the provider's 2xx answer cannot be read as what it claims to be (a JSON body that does not
   * parse, passed to the SDK as it came): the call ends `errored` though its status is 2xx.
   */
  isAnswerUnreadable: boolean;
  /** Whether the SDK sent the request body as a stream (`duplex: 'half'`): it goes upstream as one too. */
  isBodyStream: boolean;
  /**
   * The provider's JSON answer as Sluice parsed it (a 2xx in the SDK's own format, before any plugin
   * changed what the SDK reads), for telemetry; `undefined` for streams, translated calls and errors.
   */
  answer: unknown;
  /** Where middleware sends events (`cache:hit`, `limit:reject`...). */
  readonly events: EventSink;
  /**
   * Removes every secret the instance knows (configured keys, tokens minted or seen at run time) from a
   * text: use it on provider text a plugin emits (an event, an error message).
   */
  readonly scrub: (text: string) => string;
  /** How the cache took part; set by the cache plugin. */
  cache: CacheOutcome | null;
  /** Guard verdicts; a guard plugin appends one per matching rule. */
  readonly guard: GuardVerdict[];

  #endListeners: EndListener[] | null;

  #bodyText: string | null;
  #body: unknown;
  #parsed: boolean;
  #bodyChanged: boolean;
  #headers: Headers | null;

  constructor(init: CallContextInit) {
    this.id = init.id;
    this.dialect = init.dialect;
    this.operation = init.operation;
    this.method = init.method;
    this.url = init.url;
    this.init = init.init;
    this.signal = init.init.signal ?? null;
    this.now = init.now;
    this.startedAt = init.startedAt;
    this.startMs = init.now();
    this.modelId = init.modelId ?? null;
    this.requestedModel = null;
    this.isStream = false;
    this.target = null;
    this.user = init.user ?? null;
    this.session = init.session ?? null;
    this.tags = init.tags ?? EMPTY_TAGS;
    this.metadata = init.metadata ?? null;
    this.usage = { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null };
    this.usagePartial = false;
    this.usageEstimated = false;
    this.costUsd = null;
    this.pricing = null;
    this.status = null;
    this.outcome = null;
    this.error = null;
    this.attempts = [];
    this.responseModel = null;
    this.keyId = null;
    this.routeName = null;
    this.upstreamStartMs = null;
    this.upstreamHeadersMs = null;
    this.upstreamResponse = null;
    this.firstChunkMs = null;
    this.responseWorkMs = 0;
    this.responseBody = null;
    this.knownAnswer = null;
    this.hasSluiceHeaders = false;
    this.isAnswerUnreadable = false;
    this.isBodyStream = false;
    this.answer = undefined;
    this.events = init.events ?? SILENT;
    this.scrub = init.scrub ?? KEEP;
    this.cache = null;
    this.guard = [];
    this.#endListeners = null;
    this.#bodyText = init.bodyText;
    this.#body = undefined;
    this.#parsed = false;
    this.#bodyChanged = false;
    this.#headers = null;
  }

  /**
   * Runs `listener` when the call ends (a stream's end included), once usage, cost and outcome are
   * known and before the record is built: budgets charge here, caches store here. A listener that
   * throws is ignored (the call is over).
   * @param listener Called once with this context.
   */
  onEnd(listener: EndListener): void {
    (this.#endListeners ??= []).push(listener);
  }

  /** Whether something waits for the end of the call (so cost must be computed). */
  get hasEndListeners(): boolean {
    return this.#endListeners !== null;
  }

  /** Runs the end listeners once; the instance calls it. @internal */
  runEndListeners(): void {
    const listeners = this.#endListeners;
    if (listeners === null) return;
    this.#endListeners = null;
    for (const listener of listeners) {
      try {
        listener(this);
      } catch {
        // The call is over; a failing listener must not change what the SDK already has.
      }
    }
  }

  /** The request body text as the SDK sent it (before any change through {@link setBody}). */
  get bodyText(): string | null {
    return this.#bodyText;
  }

  /**
   * The request body parsed as JSON, once and only when first read. `undefined` when there is no
   * body or it is not JSON. Mutating the returned object does not change the request: call {@link setBody}.
   */
  get body(): unknown {
    if (!this.#parsed) {
      this.#parsed = true;
      if (this.#bodyText !== null) {
        try {
          this.#body = JSON.parse(this.#bodyText);
        } catch {
          this.#body = undefined;
        }
      }
    }
    return this.#body;
  }

  /** Whether the body was replaced through {@link setBody} and must be serialised again. */
  get isBodyChanged(): boolean {
    return this.#bodyChanged;
  }

  /**
   * Replaces the request body; it is serialised once, when the request is sent.
   * @param body The new JSON body.
   */
  setBody(body: unknown): void {
    this.#body = body;
    this.#parsed = true;
    this.#bodyChanged = true;
  }

  /** The request headers, copied on first access so the SDK's object is never mutated. */
  get headers(): Headers {
    return (this.#headers ??= new Headers(this.init.headers));
  }

  /** Whether {@link headers} was accessed (and so may differ from `init.headers`). */
  get hasHeaderCopy(): boolean {
    return this.#headers !== null;
  }
}
