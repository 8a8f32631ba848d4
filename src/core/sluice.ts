/**
 * `createSluice`: the instance whose `fetch` the user hands to an SDK. It classifies each call, runs
 * the pipeline, and ends every modelled call with exactly one record, whatever happened.
 * @module
 */
import { MAX_METADATA_CHARS, parseConfig, resolveSpec, type ResolvedConfig } from '../config/parse.js';
import type { SluiceConfig } from '../config/types.js';
import { SluiceEmitter, type Listener } from '../events/emitter.js';
import type { CallOutcome, CallRecord } from '../events/record.js';
import type { SluiceEventType } from '../events/types.js';
import type { BatchQueue } from '../exporters/batch-queue.js';
import type { computeCostUsd, findPrice, ModelPrice, PriceTable, resolvePrice } from '../wire/price.js';
import type { findProviderPrice } from '../wire/prices/index.js';
import type { CallbackSink } from './callbacks.js';
import { classify, type Classification } from './classify.js';
import { compose } from './compose.js';
import { CallContext } from './context.js';
import { createDispatch, isNetworkFailure } from './dispatch.js';
import { isSluiceError, SluiceError } from './errors.js';
import { mirrorFetchedResponse, readHeader } from './headers.js';
import type { StreamEnd } from './observe.js';
import type { RouterHealth, RouterMiddleware } from './router.js';
import { loadRespond } from './respond-loader.js';
import type { SecretRegistry } from './secrets.js';
import type { Middleware, Next, PluginLifecycle } from './types.js';
import type { HeliconeCall } from '../compat/helicone-headers.js';

/** A Sluice instance. */
export interface Sluice {
  /**
   * A drop-in `fetch`: pass it to an SDK (`new OpenAI({ fetch: sluice.fetch })`). It does not depend
   * on `this`, so it can be passed around detached.
   */
  readonly fetch: typeof globalThis.fetch;
  /** Adds a listener for one event type. Listener errors are reported as `listener:error`, never thrown. */
  on<T extends SluiceEventType>(type: T, listener: Listener<T>): this;
  /** Adds a listener that runs once. */
  once<T extends SluiceEventType>(type: T, listener: Listener<T>): this;
  /** Removes a listener. */
  off<T extends SluiceEventType>(type: T, listener: Listener<T>): this;
  /** Appends a middleware inside those already configured (closest to the provider). */
  use(middleware: Middleware): this;
  /**
   * Resolves when every queued record has been exported (or dropped), every callback has settled, and
   * every plugin has finished the work it started for ended calls (budget charges, cache writes:
   * plugins' `flush()`, see {@link PluginLifecycle}).
   */
  flush(): Promise<void>;
  /**
   * Flushes, then closes the plugins (their `close()`) and the exporters, and undoes every
   * interception made for this instance (`sluice/intercept`); afterwards no Sluice timer or socket
   * keeps the process alive. Calls made after `close()` began are refused: a 503 `sluice_closed` in
   * the SDK's dialect, or a rejected promise for traffic Sluice does not model. A stream still open
   * ends normally, and its record is dropped as `closed`.
   */
  close(): Promise<void>;
  /** Counters for self-observability. */
  readonly stats: SluiceStats;
  /**
   * The health of every router target: healthy, ejected (and for how long) or half-open, recent
   * error rate, latency estimate, calls in flight. Empty before the first routed call.
   */
  health(): RouterHealth[];
}

/** Counters kept by an instance. */
export interface SluiceStats {
  /** Modelled calls started. */
  calls: number;
  /** Calls passed through without modelling. */
  passthrough: number;
  /** Records dropped by exporters (queue full, export failed, closed). */
  exportDropped: number;
  /** Listener calls that threw or rejected. */
  listenerErrors: number;
  /** Callback and hook calls that threw, rejected or timed out. */
  callbackErrors: number;
}

type FetchInput = string | URL | Request;

/** Where other entry points (`sluice/intercept`) reach an instance's internals; `Symbol.for` so copies agree. */
export const INTERNAL: unique symbol = Symbol.for('sluice.internal') as never;

/** What {@link INTERNAL} holds. @internal */
export interface SluiceInternals {
  /** Sets the fetch upstream calls use (`null` restores the configured one). */
  setUpstreamFetch(fetch: typeof globalThis.fetch | null): void;
  /** Registers a hook run first thing in `close()`. */
  onClose(hook: () => void): void;
  /** The fetch upstream calls use now. */
  upstream(): typeof globalThis.fetch;
  /** Hands a finished record (scrubbed by the caller) to listeners, callbacks and exporters, as a modelled call's. */
  publish(record: CallRecord): void;
  /** The secret registry, once loaded: to learn credentials seen at run time and to scrub records. */
  secrets: Promise<SecretRegistry>;
  /** The resolved configuration. */
  config: ResolvedConfig;
}

const EMPTY_INIT: RequestInit = Object.freeze({});

const CLOSED_MESSAGE = 'this Sluice instance was closed (sluice.close()): create a new one to make calls';

/** A call after `close()`: a 503 in the SDK's dialect, or, for traffic Sluice does not model, a rejection as fetch's. */
async function closedAnswer(classification: Classification | null): Promise<Response> {
  if (classification === null) throw new TypeError(CLOSED_MESSAGE);
  return (await loadRespond()).errorResponse(classification.dialect, { status: 503, code: 'sluice_closed', message: CLOSED_MESSAGE, requestId: 'closed' });
}
/** Reads a body given as anything but a string (a stream, a Blob, a Request's): the reader loads on demand. */
const readBodyText = async (body: BodyInit, signal: AbortSignal | null | undefined): Promise<string> => (await import('./body-text.js')).bodyText(body, signal);

/** Records held while the exporters' queue code loads (a few milliseconds after `createSluice`). */
const MAX_QUEUE_BACKLOG = 10_000;
const monotonicNow = (): number => performance.now();

function randomPrefix(): string {
  const bytes = new Uint8Array(5);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return `sl_${out}`;
}

function isRequest(input: FetchInput): input is Request {
  return typeof input === 'object' && !(input instanceof URL);
}

/** The callbacks of an instance without any. */
const NO_CALLBACKS: CallbackSink = {
  wantsRecords: false,
  preApiCall: () => undefined,
  postApiCall: () => undefined,
  streamChunkHandler: () => null,
  ended: () => undefined,
  settle: () => Promise.resolve(),
};

class SluiceInstance implements Sluice {
  readonly fetch: typeof globalThis.fetch;
  readonly #config: ResolvedConfig;
  readonly #emitter = new SluiceEmitter();
  /** The callbacks, once their code has loaded (it is not in the core entry); a no-op without callbacks. */
  #hub: CallbackSink = NO_CALLBACKS;
  /** Loads the callbacks; calls wait for it. `null` without callbacks. */
  readonly #hubReady: Promise<void> | null = null;
  /** The exporters' queues, once their code has loaded (it is not in the core entry). */
  #queues: BatchQueue[] = [];
  /** Records that ended before the queues loaded, pushed to them once they have; `null` after. */
  #queueBacklog: CallRecord[] | null = null;
  readonly #queuesReady: Promise<void> | null = null;
  readonly #middleware: Middleware[];
  readonly #dispatch: Next;
  readonly #deferred = new WeakSet<CallContext>();
  readonly #idPrefix = randomPrefix();
  /** Every secret the instance knows, once loaded; upstream requests teach it the ones minted or seen at run time. */
  #secrets: SecretRegistry | null = null;
  /** Loads the registry; every upstream request and every record waits for it. */
  readonly #secretsReady: Promise<SecretRegistry>;
  readonly #scrub = (text: string): string => this.#secrets?.scrub(text) ?? text;
  #counter = 0;
  /** Replaces `config.fetch` while a global interception is active, so upstream calls skip it. */
  #upstreamFetch: typeof fetch | null;
  /** The router, once loaded (configurations with routing only). */
  #router: RouterMiddleware | null = null;
  readonly #closeHooks: Array<() => void | Promise<void>> = [];
  /** Set by `close()`: calls are refused from then on. */
  #isClosed = false;
  /** `compat.helicone`'s code (loaded on demand): reads a call's Helicone headers and wraps its chain. */
  readonly #helicone: Promise<HeliconeCall> | null = null;
  /** The built-in price catalog, once loaded (with {@link #scrubAndCut}). */
  #prices: PriceCatalog | null = null;

  readonly #pricesReady: Promise<void>;
  /** Ends waiting for the price catalog; `flush()` awaits them. */
  readonly #deferredEnds = new Set<Promise<void>>();
  #chain: Next;
  #stats: SluiceStats = { calls: 0, passthrough: 0, exportDropped: 0, listenerErrors: 0, callbackErrors: 0 };

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#secretsReady = import('./secrets.js').then(({ SecretRegistry }) => (this.#secrets = new SecretRegistry(config.secrets)));
    // Records wait for both the price catalog and the scrubber.
    this.#pricesReady = Promise.all([
      import('../wire/prices/index.js').catch(
        // Without the catalog only the user's prices apply; a cost is never invented.
        (): Promise<PriceCatalog> => import('../wire/price.js').then((rules) => ({ ...rules, builtinPrices: {}, findProviderPrice: () => undefined })),
      ),
      this.#secretsReady,
    ]).then(([prices]) => {
      this.#prices = prices;
    });
    this.#upstreamFetch = config.fetch;
    Object.defineProperty(this, INTERNAL, {
      value: {
        setUpstreamFetch: (fetch: typeof globalThis.fetch | null) => {
          this.#upstreamFetch = fetch ?? config.fetch;
        },
        onClose: (hook: () => void) => this.#closeHooks.push(hook),
        upstream: () => this.#upstreamFetch ?? globalThis.fetch,
        publish: (record: CallRecord) => this.#publish(record),
        secrets: this.#secretsReady,
        config,
      } satisfies SluiceInternals,
    });
    let hooks: Middleware | null = null;
    if (config.callbacks.length > 0 || config.successCallback.length > 0 || config.failureCallback.length > 0) {
      this.#hubReady = import('./callback-hub.js').then(({ CallbackHub }) => {
        const hub = new CallbackHub(
          config,
          (hook, id, error) => {
            this.#stats.callbackErrors++;
            if (this.#emitter.has('callback:error')) this.#emitter.emit({ type: 'callback:error', hook, id, error });
          },
          () => this.#secrets,
        );
        hooks = hub.middleware();
        this.#hub = hub;
      });
    }
    if (config.exporters.length > 0) {
      this.#queueBacklog = [];
      this.#queuesReady = import('../exporters/batch-queue.js').then(({ BatchQueue }) => {
        this.#queues = config.exporters.map(
          ({ exporter, queue }) =>
            new BatchQueue(exporter, {
              ...queue,
              onDrop: (count, reason, totalDropped) => {
                this.#stats.exportDropped += count;
                queue.onDrop?.(count, reason, totalDropped);
                if (this.#emitter.has('export:drop')) this.#emitter.emit({ type: 'export:drop', exporter: exporter.name, count, reason, totalDropped });
              },
            }),
        );
        const backlog = this.#queueBacklog ?? [];
        this.#queueBacklog = null;
        for (const record of backlog) for (const queue of this.#queues) queue.push(record);
      });
    }
    const dispatch = createDispatch({
      config,
      hub: () => this.#hub,
      deferEnd: (ctx) => this.#deferEnd(ctx),
      upstreamFetch: () => this.#upstreamFetch ?? globalThis.fetch,
      onClose: (hook) => this.#closeHooks.push(hook),
      secrets: () => this.#secrets ?? this.#secretsReady,
      onAttempt: (ctx, attempt, index) => {
        if (this.#emitter.has('attempt:end')) this.#emitter.emit({ type: 'attempt:end', id: ctx.id, attempt, index });
      },
    });
    // The router is the innermost layer, fused with dispatch so that `use()` still adds middleware above it.
    // The router is loaded on first use: configurations without routing never load it.
    let route: RouterMiddleware | null = null;
    const loadRouter = !config.routing
      ? null
      : Promise.all([
          import('./router.js'),
          // The cost strategy orders by the price catalog: wait for it before the first routed call.
          [...config.routers.values()].some((router) => router.strategy === 'cost') ? this.#pricesReady : null,
        ]).then(([{ createRouter }]) => {
          route = createRouter({
            routers: config.routers,
            retry: config.retry,
            rules: config.rules,
            resolve: (spec) => resolveSpec(config, spec),
            health: config.health,
            events: this.#emitter,
            config,
            priceOf: (target) => {
              const catalog = this.#prices;
              return (
                catalog?.findPrice(config.prices, target.key) ??
                catalog?.findPrice(config.prices, target.model) ??
                catalog?.findProviderPrice(catalog.builtinPrices, target.provider.name, target.model) ??
                catalog?.findProviderPrice(catalog.builtinPrices, target.provider.kind, target.model)
              );
            },
          });
          this.#router = route;
          return route;
        });
    this.#dispatch = loadRouter === null ? dispatch : async (ctx) => (route ?? (await loadRouter))(ctx, dispatch);
    // Calls wait for the callbacks to load, so the hooks exist before any call runs the chain.
    const hasHooks = config.callbacks.some((callbacks) => callbacks.preCallHook ?? callbacks.postCallSuccessHook ?? callbacks.postCallFailureHook);
    const callbackHooks: Middleware = (ctx, next) => (hooks === null ? next(ctx) : hooks(ctx, next));
    this.#middleware = hasHooks ? [callbackHooks, ...config.use] : [...config.use];
    // Compliance controls (audit trail, zero retention, residency) load on demand, outermost; calls wait for them.
    const compliance = config.compliance && import('../compliance/index.js').then((module) => module.createCompliance(config, this.#emitter));
    if (compliance) {
      this.#middleware.unshift(
        Object.assign((ctx: CallContext, next: Next) => compliance.then((run) => run(ctx, next)), {
          flush: () => compliance.then((run) => run.flush()),
          close: () => compliance.then((run) => run.close()),
        }),
      );
    }
    this.#chain = compose(this.#middleware, this.#dispatch);
    if (config.helicone) this.#helicone = import('../compat/helicone-headers.js').then(({ heliconeCompat }) => heliconeCompat(this));
    this.fetch = (input: FetchInput, init?: RequestInit) => this.#handle(input, init);
  }

  health(): RouterHealth[] {
    return this.#router?.health() ?? [];
  }

  get stats(): SluiceStats {
    return { ...this.#stats, listenerErrors: this.#emitter.listenerErrors };
  }

  on<T extends SluiceEventType>(type: T, listener: Listener<T>): this {
    this.#emitter.on(type, listener);
    return this;
  }

  once<T extends SluiceEventType>(type: T, listener: Listener<T>): this {
    this.#emitter.once(type, listener);
    return this;
  }

  off<T extends SluiceEventType>(type: T, listener: Listener<T>): this {
    this.#emitter.off(type, listener);
    return this;
  }

  use(middleware: Middleware): this {
    if (typeof middleware !== 'function') throw new TypeError('sluice.use(): expected a middleware function (ctx, next) => Promise<Response>');
    const factory = (middleware as unknown as Record<symbol, unknown>)[Symbol.for('sluice.pluginFactory')];
    if (typeof factory === 'string') throw new TypeError(`sluice.use(): this is the plugin factory itself: call it, \`${factory}()\``);
    this.#middleware.push(middleware);
    this.#chain = compose(this.#middleware, this.#dispatch);
    return this;
  }

  async flush(): Promise<void> {
    await Promise.all(this.#deferredEnds);
    await this.#hubReady;
    // Ended calls' plugin work (budget charges, cache writes) lands before the records ship.
    await Promise.all(this.#middleware.map((middleware) => (middleware as Middleware & PluginLifecycle).flush?.()));
    await this.#hub.settle();
    await this.#queuesReady;
    await Promise.all(this.#queues.map((queue) => queue.flush()));
  }

  async close(): Promise<void> {
    // From now on calls are refused: nothing would record them.
    this.#isClosed = true;
    await Promise.all(this.#closeHooks.splice(0).map((hook) => hook()));
    await Promise.all(this.#deferredEnds);
    await this.#hubReady;
    await Promise.all(this.#middleware.map((middleware) => (middleware as Middleware & PluginLifecycle).flush?.()));
    await Promise.all(this.#middleware.map((middleware) => (middleware as Middleware & PluginLifecycle).close?.()));
    await this.#hub.settle();
    await this.#queuesReady;
    await Promise.all(this.#queues.map((queue) => queue.close()));
  }

  #handle(input: FetchInput, init: RequestInit | undefined): Promise<Response> {
    const request = isRequest(input) ? input : null;
    const url = typeof input === 'string' ? input : request === null ? (input as URL).href : request.url;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const classification = classify(method, url);
    if (this.#isClosed) return closedAnswer(classification);
    if (classification === null) return this.#config.mcp?.(this, input, init, method, url) ?? this.#passthrough(input, init, method, url);
    return this.#call(classification, request, init ?? EMPTY_INIT, method, url);
  }

  #passthrough(input: FetchInput, init: RequestInit | undefined, method: string, url: string): Promise<Response> {
    this.#stats.passthrough++;
    const fetchImpl = this.#upstreamFetch ?? globalThis.fetch;
    if (!this.#emitter.has('passthrough:end') || url.startsWith('data:')) return fetchImpl(input, init);
    const started = performance.now();
    const query = url.indexOf('?');
    const cleanUrl = query === -1 ? url : url.slice(0, query);
    const emit = (status: number | null): void =>
      this.#emitter.emit({ type: 'passthrough:end', method, url: cleanUrl, status, latencyMs: performance.now() - started });
    return fetchImpl(input, init).then(
      (response) => {
        emit(response.status);
        return response;
      },
      (error: unknown) => {
        emit(null);
        throw error;
      },
    );
  }

  async #call(classification: Classification, request: Request | null, givenInit: RequestInit, method: string, url: string): Promise<Response> {
    let init = givenInit;
    let text: string | null;
    let isBodyStream = false;
    if (request !== null) {
      // A Request input: normalise to (url, init) once; its body can be read only once.
      const body = init.body ?? request.body;
      text = typeof body === 'string' || body === null ? body : await readBodyText(body, init.signal ?? request.signal);
      init = { method, headers: init.headers ?? request.headers, signal: init.signal ?? request.signal, ...init, body: text };
    } else {
      const body = init.body;
      if (typeof body === 'string') text = body;
      else if (body === undefined || body === null) text = null;
      else if (typeof FormData !== 'undefined' && body instanceof FormData) return this.#passthrough(url, init, method, url);
      else {
        text = await readBodyText(body, init.signal);
        const { duplex: _duplex, ...rest } = init as RequestInit & { duplex?: unknown };
        init = { ...rest, body: text };
        isBodyStream = body instanceof ReadableStream;
      }
    }
    const config = this.#config;
    const ctx = new CallContext({
      id: this.#idPrefix + (this.#counter++).toString(36),
      dialect: classification.dialect,
      operation: classification.operation,
      method,
      url,
      init,
      bodyText: text,
      now: monotonicNow,
      startedAt: Date.now(),
      modelId: classification.modelId,
      events: this.#emitter,
      scrub: this.#scrub,
    });
    ctx.isBodyStream = isBodyStream;
    this.#stats.calls++;
    if (classification.operation === 'models') {
      ctx.requestedModel = classification.modelId;
    } else {
      readCallFields(ctx, classification);
    }
    const headerUser = readHeader(init.headers, 'x-sluice-user');
    const headerSession = readHeader(init.headers, 'x-sluice-session');
    const tags = readHeader(init.headers, 'x-sluice-tags');
    const metadata = readHeader(init.headers, 'x-sluice-metadata');
    ctx.hasSluiceHeaders = headerUser !== null || headerSession !== null || tags !== null || metadata !== null;
    ctx.metadata = metadata === null ? config.metadata : this.#metadata(ctx.id, metadata);
    ctx.user = headerUser ?? ctx.user ?? config.user;
    ctx.session = headerSession ?? config.session;
    ctx.tags = tags === null ? config.tags : [...config.tags, ...tags.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')];
    const chain = this.#helicone === null ? this.#chain : (await this.#helicone)(ctx, this.#chain);

    if (this.#emitter.has('request:start')) {
      this.#emitter.emit({
        type: 'request:start',
        id: ctx.id,
        startedAt: ctx.startedAt,
        dialect: ctx.dialect,
        operation: ctx.operation,
        requestedModel: ctx.requestedModel,
        streamed: ctx.isStream,
      });
    }

    if (this.#hubReady !== null && this.#hub === NO_CALLBACKS) await this.#hubReady;
    let response: Response;
    try {
      response = await chain(ctx);
    } catch (error) {
      return this.#failed(ctx, error);
    }
    ctx.status = response.status;
    if (!this.#deferred.has(ctx)) this.#end(ctx, response.status >= 400 ? 'failed' : ctx.isAnswerUnreadable ? 'errored' : 'completed');
    return mirrorFetchedResponse(response, url, ctx.upstreamResponse);
  }

  /** The config's metadata merged with a header's; a header that is not a JSON object or too long is dropped, with an event. */
  #metadata(id: string, text: string): Readonly<Record<string, unknown>> | null {
    const base = this.#config.metadata;
    let parsed: unknown;
    if (text.length <= MAX_METADATA_CHARS) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Reported below.
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return Object.freeze({ ...base, ...parsed });
    }
    if (this.#emitter.has('metadata:drop')) this.#emitter.emit({ type: 'metadata:drop', id, reason: text.length > MAX_METADATA_CHARS ? 'too_large' : 'invalid', bytes: text.length });
    return base;
  }

  /** Turns a rejection of the chain into what the SDK expects, and ends the call. */
  async #failed(ctx: CallContext, error: unknown): Promise<Response> {
    if (ctx.signal?.aborted === true) {
      ctx.error = { class: 'abort', message: 'the caller aborted the request' };
      this.#end(ctx, 'cancelled');
      throw error;
    }
    if (isNetworkFailure(error)) {
      ctx.error = { class: 'network_error', message: error instanceof Error ? describeNetworkError(error) : String(error) };
      this.#end(ctx, 'errored');
      throw error;
    }
    const refusal = isSluiceError(error)
      ? error
      : new SluiceError('sluice_internal_error', `a middleware failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    const response = (await loadRespond()).refusalResponse(ctx, refusal);
    ctx.status = response.status;
    this.#end(ctx, 'failed');
    return mirrorFetchedResponse(response, ctx.url, null);
  }

  #deferEnd(ctx: CallContext): StreamEnd {
    this.#deferred.add(ctx);
    return (outcome, state, error) => {
      if (state.usage !== null) ctx.usage = { ...state.usage, cacheWriteTokens: state.usage.cacheWriteTokens ?? null };
      ctx.responseModel ??= state.model;
      ctx.usagePartial = outcome !== 'completed';
      if (ctx.usagePartial && state.usage === null) estimatePartialUsage(ctx);
      if (state.error !== null) ctx.error = { class: 'stream_error', message: state.error };
      else if (outcome === 'cancelled') ctx.error = { class: 'abort', message: 'the caller stopped reading the stream' };
      else if (outcome === 'errored') ctx.error = { class: 'stream_error', message: error instanceof Error ? error.message : String(error) };
      this.#end(ctx, outcome);
    };
  }

  #end(ctx: CallContext, outcome: CallOutcome, endedAtMs?: number): void {
    ctx.outcome = outcome;
    const endMs = endedAtMs ?? ctx.now();
    const wantsEnd = this.#emitter.has('request:end');
    const failed = outcome !== 'completed';
    const wantsError = failed && this.#emitter.has('request:error');
    const wantsRecord = wantsEnd || wantsError || this.#hub.wantsRecords || this.#queuesReady !== null;
    // Only records and end listeners (budgets, caches) read the cost: nothing is priced when neither exists.
    if (!wantsRecord && !ctx.hasEndListeners) return;
    const prices = this.#prices;
    if (prices === null) {
      // The price catalog loads beside the first calls (it is not in the core entry): their ends wait
      // for it, in order, and `flush()` waits for them.
      const finishing = this.#pricesReady.then(() => this.#end(ctx, outcome, endMs));
      this.#deferredEnds.add(finishing);
      void finishing.finally(() => this.#deferredEnds.delete(finishing));
      return;
    }
    const config = this.#config;
    const usage = ctx.usage;
    if (usage.inputTokens !== null || usage.outputTokens !== null) {
      // Windows and date changes apply at the call's start time; the rules are resolved once.
      const price = priceOf(config.prices, prices, ctx);
      const resolved = price === undefined ? undefined : prices.resolvePrice(price, usage, ctx.startedAt);
      ctx.costUsd = prices.computeCostUsd(resolved?.rates, usage);
      ctx.pricing = ctx.costUsd === null ? null : (resolved?.pricing ?? null);
    }
    if (ctx.cache?.status === 'hit') {
      // The provider was not called: the answer's price is what the hit saved.
      ctx.cache.savedUsd = ctx.costUsd;
      ctx.costUsd = ctx.costUsd === null ? null : 0;
    }
    ctx.runEndListeners();
    if (!wantsRecord) return;
    this.#publish(this.#record(ctx, endMs));
  }

  #publish(record: CallRecord): void {
    const failed = record.outcome !== 'completed';
    if (this.#emitter.has('request:end')) this.#emitter.emit({ type: 'request:end', record });
    if (failed && this.#emitter.has('request:error')) this.#emitter.emit({ type: 'request:error', record });
    this.#hub.ended(record, failed);
    const backlog = this.#queueBacklog;
    // Only the first calls, within the moment the queue code takes to load, wait in the backlog.
    if (backlog !== null) {
      if (backlog.length < MAX_QUEUE_BACKLOG) backlog.push(record);
      else this.#stats.exportDropped++;
    }
    else for (const queue of this.#queues) queue.push(record);
  }

  #record(ctx: CallContext, endMs: number): CallRecord {
    const config = this.#config;
    const requestMs = (ctx.upstreamStartMs ?? endMs) - ctx.startMs;
    const upstreamMs = ctx.upstreamStartMs === null || ctx.upstreamHeadersMs === null ? null : ctx.upstreamHeadersMs - ctx.upstreamStartMs;
    const responseMs = ctx.responseWorkMs;
    // After middleware: a redacted body is recorded redacted. Bodies are cut after scrubbing, below.
    const sentText = ctx.isBodyChanged ? JSON.stringify(ctx.body) : ctx.bodyText;
    // The scrubber is loaded: records wait for it.
    return this.#secrets!.scrubRecord({
      id: ctx.id,
      startedAt: ctx.startedAt,
      dialect: ctx.dialect,
      operation: ctx.operation,
      requestedModel: ctx.requestedModel,
      provider: ctx.target?.provider?.name ?? null,
      model: ctx.responseModel ?? ctx.target?.model ?? ctx.requestedModel,
      status: ctx.status,
      outcome: ctx.outcome ?? 'completed',
      streamed: ctx.isStream,
      latencyMs: endMs - ctx.startMs,
      ttftMs: ctx.firstChunkMs === null ? null : ctx.firstChunkMs - ctx.startMs,
      overheadMs: requestMs + responseMs,
      phases: { requestMs, upstreamMs, responseMs },
      usage: { ...ctx.usage },
      usagePartial: ctx.usagePartial,
      usageEstimated: ctx.usageEstimated,
      costUsd: ctx.costUsd,
      pricing: ctx.pricing,
      user: ctx.user,
      session: ctx.session,
      tags: [...ctx.tags],
      metadata: ctx.metadata,
      error: ctx.error,
      attempts: ctx.attempts.slice(),
      cache: ctx.cache === null ? null : { ...ctx.cache },
      guard: ctx.guard.slice(),
      region: ctx.target?.region ?? null,
      zeroRetention: config.zeroRetention,
      requestBody: config.bodies ? (sentText ?? null) : null,
      responseBody: config.bodies ? ctx.responseBody : null,
    }, config.maxBodyChars);
  }
}

/**
 * The price of a call's model: the user's table (`provider/model`, then the model id), then the
 * built-in catalog for the provider that served it, then the model makers' own tables; the model
 * the provider reported first, then the one sent.
 */
/** The built-in price catalog module. */
interface PriceCatalog {
  builtinPrices: Readonly<Record<string, PriceTable>>;
  findProviderPrice: typeof findProviderPrice;
  /** The price rules, loaded with the catalog so that they stay out of the core entry. */
  findPrice: typeof findPrice;
  resolvePrice: typeof resolvePrice;
  computeCostUsd: typeof computeCostUsd;
}

function priceOf(userPrices: PriceTable, catalog: PriceCatalog, ctx: CallContext): ModelPrice | undefined {
  const provider = ctx.target?.provider?.name ?? null;
  const kind = ctx.target?.provider?.kind ?? null;
  const sent = ctx.target?.model ?? ctx.requestedModel;
  for (const model of ctx.responseModel === null || ctx.responseModel === sent ? [sent] : [ctx.responseModel, sent]) {
    if (model === null) continue;
    const found =
      (provider === null ? undefined : catalog.findPrice(userPrices, `${provider}/${model}`)) ??
      catalog.findPrice(userPrices, model) ??
      catalog.findProviderPrice(catalog.builtinPrices, provider, model) ??
      // A provider configured under its own name is priced by its kind's table (`bedrock`, `vertex`...).
      (kind === null || kind === provider ? undefined : catalog.findProviderPrice(catalog.builtinPrices, kind, model));
    if (found !== undefined) return found;
  }
  return undefined;
}

const STREAMED_TEXT = /"(?:content|text|thinking|partial_json|arguments|reasoning_content)":"((?:[^"\\]|\\.)*)"/g;

/**
 * A stream that broke before the provider reported usage still cost something: count what was sent
 * and streamed at about four characters per token, and mark the record estimated. The output count
 * comes from the text kept for the record, so it is `null` when `record.bodies` is off.
 */
function estimatePartialUsage(ctx: CallContext): void {
  const input = ctx.bodyText === null ? null : Math.ceil(ctx.bodyText.length / 4);
  let output: number | null = null;
  if (ctx.responseBody !== null) {
    let chars = 0;
    for (const match of ctx.responseBody.matchAll(STREAMED_TEXT)) chars += match[1]!.length;
    output = Math.ceil(chars / 4);
  }
  if (input === null && output === null) return;
  ctx.usage = { inputTokens: input, outputTokens: output, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null };
  ctx.usageEstimated = true;
}

/** Reads the model, streaming and end user from where each dialect puts them. */
function readCallFields(ctx: CallContext, classification: Classification): void {
  const body = ctx.body as { model?: unknown; stream?: unknown; user?: unknown; metadata?: unknown } | undefined;
  if (classification.dialect === 'gemini') {
    // Gemini names the model and streaming in the URL.
    ctx.requestedModel = classification.modelId;
    ctx.isStream = classification.isUrlStream;
    return;
  }
  if (typeof body !== 'object' || body === null) return;
  if (typeof body.model === 'string') ctx.requestedModel = body.model;
  ctx.isStream = body.stream === true;
  if (typeof body.user === 'string') ctx.user = body.user;
  else if (classification.dialect === 'anthropic' && typeof body.metadata === 'object' && body.metadata !== null) {
    const userId = (body.metadata as { user_id?: unknown }).user_id;
    if (typeof userId === 'string') ctx.user = userId;
  }
}

function describeNetworkError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `${error.message} (${code})` : error.message;
}

/**
 * Creates a Sluice instance. The configuration is validated once, here.
 * @param config Providers, model aliases, middleware, callbacks and exporters; all optional.
 * @returns The instance; pass `sluice.fetch` to an SDK.
 * @throws {SluiceConfigError} listing every problem with its path.
 * @example
 * import OpenAI from 'openai';
 * import { createSluice } from 'sluice';
 *
 * const sluice = createSluice();
 * sluice.on('request:end', ({ record }) => console.log(record.model, record.costUsd, record.latencyMs));
 * const openai = new OpenAI({ fetch: sluice.fetch });
 */
export function createSluice(config?: SluiceConfig): Sluice {
  return new SluiceInstance(parseConfig(config));
}
