/**
 * The terminal of the pipeline: resolves the target, builds the upstream request (URL, credentials,
 * body), calls the underlying fetch, and hands back a response that the SDK cannot tell from the
 * provider's, while reading usage on the way.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { ResolvedProvider } from '../config/types.js';
import type { Dialect } from '../events/record.js';
import type { Authorizer } from '../providers/adapter.js';
import type * as AdapterModule from '../providers/adapter.js';
import { providerCatalog } from '../providers/catalog.js';
import { pivotUsage } from '../wire/chat/usage.js';
import type { ClientCodec, ProviderCodec, WireFormat } from '../wire/codec.js';
import type { Framer } from '../wire/framing.js';
import { summarizeResponse } from '../wire/openai/usage.js';
import { loadRespond } from './respond-loader.js';
import type * as TranslateModule from './translate.js';
import type { KeyPool } from './key-pool.js';
import type * as KeyPoolModule from './key-pool.js';
import type { Deadline } from './deadline.js';
import type * as DeadlineModule from './deadline.js';
import type * as ConnectModule from './connect.js';
import type { CallbackSink } from './callbacks.js';
import type { Attempt } from '../events/record.js';
import type { CallContext, Target } from './context.js';
import { SluiceError } from './errors.js';
import { upstreamHeaders } from './headers.js';
import { observeStream, type StreamEnd, type StreamMode } from './observe.js';
import type * as RedirectModule from './redirect.js';
import type { SecretRegistry } from './secrets.js';
import { resolveTarget } from './route.js';
import { pathOf } from './classify.js';
import type { Next } from './types.js';

/** What the terminal needs from the instance. */
export interface DispatchDeps {
  config: ResolvedConfig;
  /** The instance's callbacks, read per call (their code loads after construction). */
  hub: () => CallbackSink;
  /** Marks the call as ending later, when its stream ends, and returns the function that ends it. */
  deferEnd: (ctx: CallContext) => StreamEnd;
  /** Called when an attempt's outcome is known, after it was appended to `ctx.attempts`. */
  onAttempt?: (ctx: CallContext, attempt: Attempt, index: number) => void;
  /** The fetch that reaches providers, read per call. @default config.fetch, else globalThis.fetch */
  upstreamFetch?: () => typeof fetch;
  /** Registers work for `close()` (connection pools made for `timeouts.connectMs`). */
  onClose?: (hook: () => Promise<void>) => void;
  /** The registry that learns the credentials each upstream request carries, or the promise of it. */
  secrets: () => SecretRegistry | Promise<SecretRegistry>;
}

/** Where sluice/node's transport keeps the hooks the core uses (`close`, `withConnectTimeout`). */
const TRANSPORT = Symbol.for('sluice.transport');

/** Upstream fetch failures, so the outer layer rethrows them as the SDK expects (its connection error). */
const networkFailures = new WeakSet<object>();

/**
 * Tells whether an error came from the upstream fetch itself (connection refused, reset, DNS...).
 * @param error A rejection reason.
 */
export function isNetworkFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && networkFailures.has(error);
}

function originOf(url: string): string {
  const path = pathOf(url);
  const end = path === null ? url.length : url.indexOf('/', url.indexOf('//') + 2);
  return end === -1 ? url : url.slice(0, end);
}

function needsKey(adapter: typeof AdapterModule, provider: ResolvedProvider): boolean {
  return providerCatalog[provider.name]?.apiKeyEnv != null && !adapter.hasCredentials(provider);
}

/** Loads the codecs of other formats on first use, so the core bundle carries only OpenAI's. */
function codecLoaders(): { client(dialect: Dialect): Promise<ClientCodec>; provider(format: WireFormat): Promise<ProviderCodec> } {
  const clients = new Map<Dialect, Promise<ClientCodec>>();
  const providers = new Map<WireFormat, Promise<ProviderCodec>>();
  return {
    client(dialect) {
      let found = clients.get(dialect);
      if (found === undefined) {
        switch (dialect) {
          case 'anthropic':
            found = import('../wire/anthropic/codec.js').then((module) => module.anthropicClient);
            break;
          case 'gemini':
            found = import('../wire/gemini/codec.js').then((module) => module.geminiClient);
            break;
          default:
            found = import('../wire/openai/codec.js').then((module) => module.openaiClient);
        }
        clients.set(dialect, found);
      }
      return found;
    },
    provider(format) {
      let found = providers.get(format);
      if (found === undefined) {
        switch (format) {
          case 'anthropic':
            found = import('../wire/anthropic/codec.js').then((module) => module.anthropicProvider);
            break;
          case 'gemini':
            found = import('../wire/gemini/codec.js').then((module) => module.geminiProvider);
            break;
          case 'bedrock':
            found = import('../wire/bedrock/codec.js').then((module) => module.bedrockProvider);
            break;
          case 'ollama':
            found = import('../wire/ollama/codec.js').then((module) => module.ollamaProvider);
            break;
          default:
            found = import('../wire/openai/codec.js').then((module) => module.openaiProvider);
        }
        providers.set(format, found);
      }
      return found;
    },
  };
}

/** A framer for a translated stream; loaded with translation, so it stays out of the core entry. */
async function createFramer(codec: ProviderCodec, maxEventBytes: number): Promise<Framer> {
  switch (codec.framing) {
    case 'sse':
      return (await import('../wire/framing.js')).createSseFramer({ maxEventBytes });
    case 'ndjson':
      return (await import('../wire/framing.js')).createNdjsonFramer({ maxEventBytes });
    case 'event-stream': {
      const { EventStreamDecoder, toStreamFrame } = await import('../wire/bedrock/event-stream.js');
      const decoder = new EventStreamDecoder({ maxMessageBytes: maxEventBytes });
      return { push: (chunk) => decoder.push(chunk).map(toStreamFrame), end: () => [] };
    }
    default: {
      const unreachable: never = codec.framing;
      throw new Error(`unhandled framing ${String(unreachable)}`);
    }
  }
}

/** Whether a response is a stream the pipeline should observe or translate (not an error answer). */
function isStreamBody(upstream: Response, contentType: string, expectStream: boolean): boolean {
  if (upstream.body === null || !upstream.ok) return false;
  if (contentType.includes('text/event-stream')) return true;
  return expectStream && (contentType.includes('ndjson') || contentType.includes('eventstream'));
}

/** Vertex's Claude takes the model in the URL and its own API version in the body. */
function forVertexClaude(body: Record<string, unknown>, version: string): void {
  delete body['model'];
  body['anthropic_version'] = version;
}

/** Builds the body to send when the formats match, serialising only when something changed. */
function upstreamBody(ctx: CallContext, target: Target, injectUsage: boolean, adapter: typeof AdapterModule | null): BodyInit | null | undefined {
  // Gemini names the model in the URL; Vertex's Claude takes no model in the body but its own version.
  const isVertexClaude = target.provider?.kind === 'vertex' && ctx.dialect === 'anthropic';
  const modelInBody = ctx.dialect !== 'gemini' && ctx.operation !== 'models' && !isVertexClaude;
  const modelChanged = modelInBody && target.model !== null && target.model !== ctx.requestedModel;
  if (!ctx.isBodyChanged && !modelChanged && !injectUsage && !isVertexClaude) return ctx.bodyText ?? ctx.init.body;
  const body = ctx.body;
  if (typeof body !== 'object' || body === null) return ctx.bodyText ?? ctx.init.body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (modelChanged) out['model'] = target.model;
  if (isVertexClaude) forVertexClaude(out, adapter!.VERTEX_ANTHROPIC_VERSION);
  if (injectUsage) {
    const options = out['stream_options'];
    out['stream_options'] = { ...(typeof options === 'object' && options !== null ? options : {}), include_usage: true };
  }
  return JSON.stringify(out);
}

function wantsUsage(body: unknown): boolean {
  const options = (body as { stream_options?: unknown } | null)?.stream_options;
  return typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}

/**
 * Creates the pipeline's terminal step.
 * @param deps The instance's configuration, callbacks and end-of-call hook.
 */
export function createDispatch(deps: DispatchDeps): Next {
  const { config } = deps;
  const codecs = codecLoaders();
  const fetchImpl = deps.upstreamFetch ?? ((): typeof fetch => config.fetch ?? globalThis.fetch);
  // A transport from sluice/node closes its pools with the instance.
  const ownTransport = (config.fetch as { [TRANSPORT]?: { close(): Promise<void> } } | null)?.[TRANSPORT];
  if (ownTransport !== undefined) deps.onClose?.(() => ownTransport.close());
  // Built once per provider, on its first call: a Vertex token cache lives here.
  const authorizers = new Map<ResolvedProvider, Authorizer | null>();
  const authorizerFor = (adapter: typeof AdapterModule, provider: ResolvedProvider): Authorizer | null => {
    let found = authorizers.get(provider);
    if (found === undefined) {
      found = adapter.createAuthorizer(provider, fetchImpl);
      authorizers.set(provider, found);
    }
    return found;
  };

  // Key pools by provider, for providers with several `apiKeys`; the module loads with the first.
  const pools = new Map<ResolvedProvider, KeyPool>();
  let keyPools: Promise<typeof KeyPoolModule> | null = null;
  const poolFor = async (provider: ResolvedProvider): Promise<KeyPool> => {
    let pool = pools.get(provider);
    if (pool === undefined) {
      const { KeyPool } = await (keyPools ??= import('./key-pool.js'));
      pool = new KeyPool(provider.apiKeys);
      pools.set(provider, pool);
    }
    return pool;
  };
  // Translation of answers, loaded with the first call that crosses formats.
  let translation: Promise<typeof TranslateModule> | null = null;
  const translator = (): Promise<typeof TranslateModule> => (translation ??= import('./translate.js'));
  // Connect limits (Node's fetch only), loaded with the first call that has one.
  let connectLimits: Promise<InstanceType<typeof ConnectModule.ConnectLimits>> | null = null;
  let isConnectTimeout: ((error: unknown) => boolean) | null = null;
  const connectDispatcher = async (ms: number): Promise<unknown> => {
    connectLimits ??= import('./connect.js').then((module) => {
      isConnectTimeout = module.isConnectTimeout;
      const made = new module.ConnectLimits();
      deps.onClose?.(() => made.close());
      return made;
    });
    return (await connectLimits).dispatcherFor(ms);
  };
  // Provider adapters (URLs, auth), loaded with the first call to a configured provider: zero-config calls never need them.
  let adapters: Promise<typeof AdapterModule> | null = null;
  // Redirect handling, loaded with the first redirect answered to a request with credentials.
  let redirects: Promise<typeof RedirectModule> | null = null;
  // Time limits, loaded with the first call that has one.
  let deadlines: Promise<typeof DeadlineModule> | null = null;

  return async function dispatch(ctx: CallContext): Promise<Response> {
    const target = (ctx.target ??= resolveTarget(config, ctx));
    const provider = target.provider;
    if (provider !== null && provider.unusable !== null) {
      throw new SluiceError('sluice_provider_unconfigured', provider.unusable, { status: 400 });
    }
    const adapter = provider === null ? null : await (adapters ??= import('../providers/adapter.js'));
    const wire: WireFormat = provider === null ? ctx.dialect : adapter!.providerWire(provider, target.model);
    const translating = wire !== ctx.dialect;
    const sameOrigin = provider === null || (provider.origin === originOf(ctx.url) && !translating);
    if (provider !== null && !sameOrigin && needsKey(adapter!, provider)) {
      const env = providerCatalog[provider.name]?.apiKeyEnv ?? '';
      throw new SluiceError('sluice_missing_api_key', `no API key for provider '${provider.name}': set ${env} or providers.${provider.name}.apiKey`, { status: 401 });
    }
    if (translating && ctx.operation !== 'chat') {
      throw new SluiceError(
        'sluice_unsupported_operation',
        `provider '${provider!.name}' speaks the ${wire} format, which has no equivalent of this ${ctx.dialect} ${ctx.operation} call; route it to a provider of the ${ctx.dialect} format`,
        { status: 400 },
      );
    }

    const clientWantsUsage = ctx.isStream && ctx.operation === 'chat' && ctx.dialect === 'openai' && wantsUsage(ctx.body);
    const injectUsage = config.streamUsage && ctx.isStream && ctx.operation === 'chat' && wire === 'openai' && !translating && !clientWantsUsage;
    let url: string;
    if (provider === null) url = ctx.url;
    else {
      const built = adapter!.upstreamUrl(provider, ctx.operation, target.model, ctx.isStream, ctx.modelId);
      if (built === null) {
        throw new SluiceError('sluice_unsupported_operation', `provider '${provider.name}' (${provider.kind}) has no endpoint for ${ctx.dialect} ${ctx.operation} calls`, { status: 400 });
      }
      url = built;
    }

    let body: BodyInit | null | undefined;
    let client: ClientCodec | null = null;
    let upstreamCodec: ProviderCodec | null = null;
    if (translating) {
      [client, upstreamCodec] = await Promise.all([codecs.client(ctx.dialect), codecs.provider(wire)]);
      const read = client.readRequest(ctx.body, { model: ctx.requestedModel, stream: ctx.isStream });
      if (!read.ok) throw new SluiceError('sluice_invalid_request', read.error.message, { status: read.error.status });
      const written = upstreamCodec.writeRequest({ ...read.value, stream: ctx.isStream }, { model: target.model ?? '', provider: provider!.name, defaultMaxTokens: provider!.maxTokens });
      if (!written.ok) throw new SluiceError('sluice_unsupported_feature', written.error.message, { status: written.error.status });
      const out = written.value as Record<string, unknown>;
      if (provider!.kind === 'vertex' && wire === 'anthropic') forVertexClaude(out, adapter!.VERTEX_ANTHROPIC_VERSION);
      body = JSON.stringify(out);
    } else {
      body = upstreamBody(ctx, target, injectUsage, adapter);
    }
    const bodyChanged = body !== (ctx.bodyText ?? ctx.init.body);
    const authorizer = provider === null ? null : authorizerFor(adapter!, provider);
    let pool: KeyPool | null = null;
    let keyIndex: number | null = null;

    let init: RequestInit;
    if (provider === null && !bodyChanged && !ctx.hasHeaderCopy && !ctx.hasSluiceHeaders) {
      // Zero-config fast path: the SDK's own request goes out as it came.
      init = ctx.init;
    } else {
      const source = ctx.hasHeaderCopy ? ctx.headers : ctx.init.headers;
      const headers = upstreamHeaders(source, sameOrigin);
      if (translating) {
        // The SDK's vendor headers mean nothing (or something wrong) to a provider of another format.
        for (const name of VENDOR_HEADERS) headers.delete(name);
        headers.set('content-type', 'application/json');
      }
      if (provider !== null) {
        // Only a provider with several keys waits for its pool (loaded with the first such call).
        if (provider.apiKeys.length > 1) pool = await poolFor(provider);
        const taken = pool?.take(ctx.now()) ?? null;
        keyIndex = taken?.index ?? null;
        adapter!.applyStaticAuth(provider, headers, taken?.key ?? provider.apiKey);
      }
      if (authorizer !== null) {
        try {
          await authorizer({ method: ctx.method, url, headers, body: typeof body === 'string' ? body : '' }, ctx.startedAt + (ctx.now() - ctx.startMs), ctx.signal);
        } catch (error) {
          if (ctx.signal?.aborted === true) throw error;
          // A token exchange or signing failure: a 502 in the SDK's dialect, which a router falls back on.
          const message = ctx.scrub(`could not authenticate to provider '${provider!.name}': ${error instanceof Error ? error.message : String(error)}`);
          ctx.error = { class: 'sluice_provider_auth_failed', message };
          return (await loadRespond()).errorResponse(ctx.dialect, { status: 502, code: 'sluice_provider_auth_failed', message, requestId: ctx.id });
        }
      }
      // A dispatcher belongs to the SDK's own origin; `duplex` only to a stream body, which is text by now.
      const { dispatcher, duplex: _duplex, ...rest } = ctx.init as RequestInit & { dispatcher?: unknown; duplex?: unknown };
      init = { ...rest, method: ctx.method, headers, body: body ?? null };
      if (sameOrigin && dispatcher !== undefined) (init as { dispatcher?: unknown }).dispatcher = dispatcher;
    }

    const limits = target.timeouts ?? provider?.timeouts ?? config.timeouts;
    const limited = limits.firstByteMs !== null || limits.totalMs !== null;
    const connectMs = limits.connectMs;
    let send = fetchImpl();
    // sluice/node's transport applies the limit on its own pools.
    const transport = (send as { [TRANSPORT]?: { withConnectTimeout(ms: number): typeof fetch } })[TRANSPORT];
    if (connectMs !== null && transport !== undefined) send = transport.withConnectTimeout(connectMs);
    // Only Node's own fetch takes an undici dispatcher; a caller's or user's dispatcher is left alone.
    else if (connectMs !== null && send === globalThis.fetch && (init as { dispatcher?: unknown }).dispatcher === undefined) {
      const dispatcher = await connectDispatcher(connectMs);
      if (dispatcher !== null) init = { ...init, dispatcher } as RequestInit;
    }
    const timing = limited || connectMs !== null ? await (deadlines ??= import('./deadline.js')) : null;
    const deadline = timing === null || !limited ? null : new timing.Deadline(ctx.signal);
    if (deadline !== null) init = { ...init, signal: deadline.signal };

    // A body the SDK streamed goes on as a stream (a new one per attempt: a stream is read once).
    if (ctx.isBodyStream && typeof init.body === 'string') init = { ...init, body: streamOf(init.body), duplex: 'half' } as RequestInit;
    // Pool keys, minted tokens, session tokens and the SDK's own key: known from here on, scrubbed everywhere.
    const hasCredential = (await deps.secrets()).learnFromHeaders(init.headers);
    deps.hub().preApiCall(ctx, url);
    const sentAt = ctx.now();
    // The first request's start: later attempts (retries, fallbacks) count as upstream time, not overhead.
    ctx.upstreamStartMs ??= sentAt;
    let upstream: Response;
    let refusedStatus: number | null = null;
    try {
      if (deadline !== null) {
        if (limits.firstByteMs !== null) deadline.arm('first-byte', limits.firstByteMs);
        else deadline.arm('total', limits.totalMs!);
      }
      // fetch's own `follow` would send `x-api-key` & co. (and a 307's body) to another origin: with a
      // credential on board, redirects are followed by ./redirect.ts, within the origin only.
      const isGuarded = hasCredential && (init.redirect ?? 'follow') === 'follow';
      upstream = await send(url, isGuarded ? { ...init, redirect: 'manual' } : init);
      if (isGuarded && ((upstream.status > 300 && upstream.status < 309) || upstream.type === 'opaqueredirect')) {
        ({ response: upstream, refusedStatus } = await (await (redirects ??= import('./redirect.js'))).followRedirects(send, url, init, upstream, ctx, provider?.name ?? null));
      }
    } catch (error) {
      const failedAt = (ctx.upstreamHeadersMs = ctx.now());
      deps.hub().postApiCall(ctx, url, null);
      const phase = deadline?.disarm() ?? null;
      if (phase !== null) {
        endAttempt(ctx, target, null, 'timeout', failedAt - sentAt);
        return timing!.timeoutResponse(ctx, target, phase, phase === 'first-byte' ? limits.firstByteMs! : limits.totalMs!);
      }
      if (connectMs !== null && (isConnectTimeout?.(error) ?? (error as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_CONNECT_TIMEOUT') && ctx.signal?.aborted !== true) {
        endAttempt(ctx, target, null, 'timeout', failedAt - sentAt);
        return timing!.timeoutResponse(ctx, target, 'connect', connectMs);
      }
      endAttempt(ctx, target, null, ctx.signal?.aborted === true ? 'abort' : 'network_error', failedAt - sentAt);
      throw markNetworkFailure(error);
    }
    if (refusedStatus !== null) {
      // Credentials never follow a redirect to another origin: an error naming the provider and the origin.
      deadline?.disarm();
      const refusedAt = (ctx.upstreamHeadersMs = ctx.now());
      deps.hub().postApiCall(ctx, url, refusedStatus);
      endAttempt(ctx, target, refusedStatus, 'redirect', refusedAt - sentAt);
      return upstream;
    }
    if (deadline !== null) {
      deadline.disarm();
      // The whole-answer limit keeps running while a JSON body is read; streams have the idle limit instead.
      if (limits.totalMs !== null && !ctx.isStream) deadline.arm('total', Math.max(0, limits.totalMs - (ctx.now() - sentAt)));
    }
    const headersAt = (ctx.upstreamHeadersMs = ctx.now());
    ctx.upstreamResponse = url === ctx.url ? upstream : null;
    deps.hub().postApiCall(ctx, url, upstream.status);
    if (upstream.status === 429 && pool !== null && keyIndex !== null) {
      pool.rest(keyIndex, headersAt, (await (keyPools ??= import('./key-pool.js'))).resetAfterMs(upstream.headers, ctx.startedAt + (headersAt - ctx.startMs)));
    }
    ctx.keyId = keyIndex === null ? null : `#${keyIndex}`;

    const contentType = upstream.headers.get('content-type') ?? '';
    // Only a successful stream is observed: an error answer is read whole, so a router can discard it.
    if (isStreamBody(upstream, contentType, ctx.isStream)) {
      endAttempt(ctx, target, upstream.status, null, headersAt - sentAt);
      const onChunk = deps.hub().streamChunkHandler(ctx);
      let stream: ReadableStream<Uint8Array>;
      let headers = upstream.headers;
      if (translating) {
        const [framer, { translateStream, translatedHeaders }] = await Promise.all([createFramer(upstreamCodec!, config.maxEventBytes), translator()]);
        stream = translateStream(ctx, upstream.body!, {
          framer,
          decoder: upstreamCodec!.createDecoder(),
          encoder: client!.createEncoder({
            model: ctx.requestedModel ?? target.model ?? '',
            id: ctx.id,
            created: Math.floor(ctx.startedAt / 1000),
            includeUsage: wantsUsage(ctx.body),
          }),
          provider: provider!.name,
          captureChars: config.bodies ? config.maxBodyChars : 0,
          onChunk,
          onEnd: deps.deferEnd(ctx),
          limits,
        });
        headers = translatedHeaders(upstream.headers, ctx.dialect, ctx.id, 'text/event-stream; charset=utf-8');
      } else {
        const mode: StreamMode =
          ctx.dialect !== 'openai'
            ? { kind: 'decode', decoder: (await codecs.provider(wire)).createDecoder() }
            : ctx.operation === 'chat' && (injectUsage || clientWantsUsage)
              ? { kind: 'chat', hideUsage: injectUsage }
              : ctx.operation === 'responses'
                ? { kind: 'responses' }
                : { kind: 'pass' };
        const dialect = ctx.dialect;
        // The dialect's error event, should the stream fail later (loaded once per process, off the core entry).
        const respond = await loadRespond();
        stream = observeStream(ctx, upstream.body!, {
          mode,
          captureBytes: config.bodies ? config.maxBodyChars : 0,
          onChunk,
          onEnd: deps.deferEnd(ctx),
          limits,
          maxEventBytes: config.maxEventBytes,
          errorEvent: (message, isMidEvent) => respond.streamErrorEvent(dialect, ctx.scrub(`${provider?.name ?? 'the provider'}: ${message}`), isMidEvent),
        });
      }
      // The provider's headers as fetch gave them (`content-encoding` included: fetch keeps it over the
      // body it decoded); only a length Sluice made wrong goes.
      const response = new Response(stream, { status: upstream.status, statusText: upstream.statusText, headers });
      if (injectUsage && !translating) response.headers.delete('content-length');
      ctx.responseWorkMs += ctx.now() - headersAt;
      return response;
    }
    try {
      return await readWhole(ctx, upstream, contentType, target, sentAt, wire, translating ? { client: client!, codec: upstreamCodec! } : null, deadline, limits.totalMs, timing?.timeoutResponse ?? null);
    } finally {
      deadline?.disarm();
    }
  };

  function endAttempt(ctx: CallContext, target: Target, status: number | null, errorClass: string | null, latencyMs: number): void {
    // Every caller measures `latencyMs` up to now: the attempt was sent that long ago.
    const sentAfterMs = Math.max(0, ctx.now() - ctx.startMs - latencyMs);
    const attempt: Attempt = { provider: target.provider?.name ?? null, model: target.model, keyId: ctx.keyId, status, errorClass, latencyMs, sentAfterMs };
    const index = ctx.attempts.push(attempt) - 1;
    deps.onAttempt?.(ctx, attempt, index);
  }

  async function readWhole(
    ctx: CallContext,
    upstream: Response,
    contentType: string,
    target: Target,
    sentAt: number,
    wire: WireFormat,
    translation: { client: ClientCodec; codec: ProviderCodec } | null,
    deadline: Deadline | null,
    totalMs: number | null,
    timeoutResponse: typeof DeadlineModule.timeoutResponse | null,
  ): Promise<Response> {
    const isJson = contentType.includes('json') || contentType === '' || translation !== null;
    let bodyOut: ArrayBuffer | string;
    try {
      // Text for JSON: building the new Response from a string costs far less than from bytes on Node 20.
      bodyOut = isJson ? await upstream.text() : await upstream.arrayBuffer();
    } catch (error) {
      if (deadline?.disarm() === 'total') {
        endAttempt(ctx, target, upstream.status, 'timeout', ctx.now() - sentAt);
        return timeoutResponse!(ctx, target, 'total', totalMs!);
      }
      // The body broke mid-read (reset, abort): a network failure as far as the SDK is concerned.
      endAttempt(ctx, target, upstream.status, ctx.signal?.aborted === true ? 'abort' : 'network_error', ctx.now() - sentAt);
      throw markNetworkFailure(error);
    }
    const readAt = ctx.now();
    endAttempt(ctx, target, upstream.status, upstream.status >= 400 ? 'http_error' : null, readAt - sentAt);
    if (translation !== null) {
      const { translateWhole } = await translator();
      return translateWhole(ctx, upstream, bodyOut as string, target, readAt, translation, config.bodies ? config.maxBodyChars : 0);
    }
    let changed = false;
    if (typeof bodyOut === 'string') {
      const text = bodyOut;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (upstream.ok && json === undefined && target.provider !== null && contentType.includes('json') && text.length > 0) {
        // A configured provider's broken answer: a 502 naming it (retriable, so a router moves on),
        // rather than a body the SDK fails to parse. Zero-config calls keep the provider's bytes.
        const message = `provider '${target.provider.name}' answered HTTP ${upstream.status} with a body that is not valid JSON (${text.length} characters)`;
        ctx.error = { class: 'sluice_bad_upstream_answer', message };
        // Kept whole: the record scrubs it of secrets, then cuts it.
        if (config.bodies) ctx.responseBody = text;
        ctx.responseWorkMs += ctx.now() - readAt;
        return (await loadRespond()).errorResponse(ctx.dialect, { status: 502, code: 'sluice_bad_upstream_answer', message, requestId: ctx.id });
      }
      if (upstream.ok && json === undefined && contentType.includes('json') && text.length > 0) {
        // A zero-config call keeps the provider's bytes, and the SDK fails to parse them: so does the record.
        ctx.isAnswerUnreadable = true;
        ctx.error = { class: 'bad_upstream_answer', message: `the provider answered HTTP ${upstream.status} with a body that is not valid JSON (${text.length} characters)` };
      }
      if (upstream.ok && json !== undefined) {
        ctx.answer = json;
        if (ctx.dialect === 'openai') {
          const summary = summarizeResponse(json, ctx.operation === 'count_tokens' ? 'chat' : ctx.operation);
          if (summary.usage !== null) ctx.usage = { ...summary.usage, cacheWriteTokens: summary.usage.cacheWriteTokens ?? null };
          ctx.responseModel = summary.model;
        } else if (ctx.operation === 'chat') {
          // Same format, not OpenAI's: read usage through the format's codec, the body passes as it came.
          const read = (await codecs.provider(wire)).readResponse(json);
          if (read.ok) {
            if (read.value.usage !== undefined) ctx.usage = pivotUsage(read.value.usage);
            if (read.value.model !== '') ctx.responseModel = read.value.model;
          }
        }
        if (ctx.operation === 'models' && ctx.modelId === null && (config.aliases.size > 0 || config.routers.size > 0)) {
          const listed = withAliases(json, config);
          if (listed !== null) {
            bodyOut = listed;
            changed = true;
          }
        }
      } else if (!upstream.ok) {
        ctx.error = { class: 'http_error', message: errorMessageOf(json, upstream.status) };
      }
      // Kept whole: the record scrubs it of secrets, then cuts it.
      if (config.bodies) ctx.responseBody = text;
    } else if (!upstream.ok) {
      ctx.error = { class: 'http_error', message: `HTTP ${upstream.status}` };
    }
    const response = new Response(upstream.status === 204 || upstream.status === 304 ? null : bodyOut, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: upstream.headers,
    });
    if (changed) response.headers.delete('content-length');
    if (typeof bodyOut === 'string') ctx.knownAnswer = { response, text: bodyOut };
    ctx.responseWorkMs += ctx.now() - readAt;
    return response;
  }

}

/** Vendor headers an SDK sends for its own provider; dropped when the call goes to another format. */
const VENDOR_HEADERS = ['anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access', 'x-goog-api-client', 'x-goog-user-project', 'openai-beta'];

function errorMessageOf(json: unknown, status: number): string {
  if (typeof json === 'object' && json !== null) {
    const error = (json as { error?: unknown }).error;
    if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    if (typeof (json as { message?: unknown }).message === 'string') return (json as { message: string }).message;
  }
  return `HTTP ${status}`;
}

/** Adds configured aliases to a `GET /models` list. */
function withAliases(json: unknown, config: ResolvedConfig): string | null {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return null;
  const known = new Set(data.map((entry: unknown) => (entry as { id?: unknown } | null)?.id));
  const extra = [...config.aliases.keys(), ...config.routers.keys()]
    .filter((alias) => !known.has(alias))
    .map((alias) => ({ id: alias, object: 'model', created: 0, owned_by: 'sluice' }));
  return JSON.stringify({ ...(json as object), data: [...data, ...extra] });
}

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

function markNetworkFailure(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) networkFailures.add(error);
  return error;
}
