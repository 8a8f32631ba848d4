/**
 * The terminal of the pipeline: resolves the target, builds the upstream request (URL, credentials,
 * body), calls the underlying fetch, and hands back a response that the SDK cannot tell from the
 * provider's, while reading usage on the way.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { ResolvedProvider } from '../config/types.js';
import { providerCatalog } from '../providers/catalog.js';
import { summarizeResponse } from '../wire/openai/usage.js';
import type { CallbackHub } from './callback-hub.js';
import type { Attempt } from '../events/record.js';
import type { CallContext, Target } from './context.js';
import { SluiceError } from './errors.js';
import { rewrapHeaders, upstreamHeaders } from './headers.js';
import { observeStream, type StreamEnd, type StreamMode } from './observe.js';
import { resolveTarget } from './route.js';
import { pathOf } from './classify.js';
import type { Next } from './types.js';

/** What the terminal needs from the instance. */
export interface DispatchDeps {
  config: ResolvedConfig;
  hub: CallbackHub;
  /** Marks the call as ending later, when its stream ends, and returns the function that ends it. */
  deferEnd: (ctx: CallContext) => StreamEnd;
  /** Called when an attempt's outcome is known, after it was appended to `ctx.attempts`. */
  onAttempt?: (ctx: CallContext, attempt: Attempt, index: number) => void;
}

/** Upstream fetch failures, so the outer layer rethrows them as the SDK expects (its connection error). */
const networkFailures = new WeakSet<object>();

/**
 * Tells whether an error came from the upstream fetch itself (connection refused, reset, DNS...).
 * @param error A rejection reason.
 */
export function isNetworkFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && networkFailures.has(error);
}

const OPERATION_PATHS = { chat: '/chat/completions', responses: '/responses', embeddings: '/embeddings', models: '/models' } as const;

function upstreamUrl(ctx: CallContext, provider: ResolvedProvider, model: string | null): string {
  if (ctx.operation === 'models' && ctx.modelId !== null && model !== null) {
    return `${provider.baseURL}/models/${encodeURIComponent(model)}`;
  }
  return provider.baseURL + OPERATION_PATHS[ctx.operation];
}

function originOf(url: string): string {
  const path = pathOf(url);
  const end = path === null ? url.length : url.indexOf('/', url.indexOf('//') + 2);
  return end === -1 ? url : url.slice(0, end);
}

function needsKey(provider: ResolvedProvider): boolean {
  return providerCatalog[provider.name]?.apiKeyEnv != null && provider.apiKey === null;
}

/** Builds the body to send, serialising only when something changed. */
function upstreamBody(ctx: CallContext, target: Target, injectUsage: boolean): BodyInit | null | undefined {
  const modelChanged = target.model !== null && target.model !== ctx.requestedModel && ctx.operation !== 'models';
  if (!ctx.isBodyChanged && !modelChanged && !injectUsage) return ctx.bodyText ?? ctx.init.body;
  const body = ctx.body;
  if (typeof body !== 'object' || body === null) return ctx.bodyText ?? ctx.init.body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (modelChanged) out['model'] = target.model;
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
  const { config, hub } = deps;
  return async function dispatch(ctx: CallContext): Promise<Response> {
    const target = (ctx.target ??= resolveTarget(config, ctx));
    const provider = target.provider;
    const sameOrigin = provider === null || provider.origin === originOf(ctx.url);
    if (provider !== null && !sameOrigin && needsKey(provider)) {
      const env = providerCatalog[provider.name]?.apiKeyEnv ?? '';
      throw new SluiceError('sluice_missing_api_key', `no API key for provider '${provider.name}': set ${env} or providers.${provider.name}.apiKey`, { status: 401 });
    }

    const clientWantsUsage = ctx.isStream && ctx.operation === 'chat' && wantsUsage(ctx.body);
    const injectUsage = config.streamUsage && ctx.isStream && ctx.operation === 'chat' && !clientWantsUsage;
    const url = provider === null ? ctx.url : upstreamUrl(ctx, provider, target.model);
    const body = upstreamBody(ctx, target, injectUsage);
    const bodyChanged = body !== (ctx.bodyText ?? ctx.init.body);

    let init: RequestInit;
    if (provider === null && !bodyChanged && !ctx.hasHeaderCopy && !ctx.hasSluiceHeaders) {
      // Zero-config fast path: the SDK's own request goes out as it came.
      init = ctx.init;
    } else {
      const source = ctx.hasHeaderCopy ? ctx.headers : ctx.init.headers;
      const headers = upstreamHeaders(source, sameOrigin);
      if (provider !== null) {
        if (provider.apiKey !== null) headers.set('authorization', `Bearer ${provider.apiKey}`);
        for (const name in provider.headers) headers.set(name, provider.headers[name]!);
      }
      // A dispatcher belongs to the SDK's own origin; `duplex` only to a stream body, which is text by now.
      const { dispatcher, duplex: _duplex, ...rest } = ctx.init as RequestInit & { dispatcher?: unknown; duplex?: unknown };
      init = { ...rest, method: ctx.method, headers, body: body ?? null };
      if (sameOrigin && dispatcher !== undefined) (init as { dispatcher?: unknown }).dispatcher = dispatcher;
    }

    hub.preApiCall(ctx, url);
    const fetchImpl = config.fetch ?? globalThis.fetch;
    const sentAt = ctx.now();
    // The first request's start: later attempts (retries, fallbacks) count as upstream time, not overhead.
    ctx.upstreamStartMs ??= sentAt;
    let upstream: Response;
    try {
      upstream = await fetchImpl(url, init);
    } catch (error) {
      const failedAt = (ctx.upstreamHeadersMs = ctx.now());
      hub.postApiCall(ctx, url, null);
      endAttempt(ctx, target, null, ctx.signal?.aborted === true ? 'abort' : 'network_error', failedAt - sentAt);
      throw markNetworkFailure(error);
    }
    const headersAt = (ctx.upstreamHeadersMs = ctx.now());
    hub.postApiCall(ctx, url, upstream.status);

    const contentType = upstream.headers.get('content-type') ?? '';
    // Only a successful stream is observed: an error answer is read whole, so a router can discard it.
    if (upstream.body !== null && upstream.ok && contentType.includes('text/event-stream')) {
      endAttempt(ctx, target, upstream.status, null, headersAt - sentAt);
      const mode: StreamMode =
        ctx.operation === 'chat' && (injectUsage || clientWantsUsage)
          ? { kind: 'chat', hideUsage: injectUsage }
          : ctx.operation === 'responses'
            ? { kind: 'responses' }
            : { kind: 'pass' };
      const stream = observeStream(ctx, upstream.body, {
        mode,
        captureBytes: config.bodies ? config.maxBodyChars : 0,
        onChunk: hub.streamChunkHandler(ctx),
        onEnd: deps.deferEnd(ctx),
      });
      const response = rewrapHeaders(new Response(stream, { status: upstream.status, statusText: upstream.statusText, headers: upstream.headers }));
      ctx.responseWorkMs += ctx.now() - headersAt;
      return response;
    }
    return readWhole(ctx, upstream, contentType, target, sentAt);
  };

  function endAttempt(ctx: CallContext, target: Target, status: number | null, errorClass: string | null, latencyMs: number): void {
    const attempt: Attempt = { provider: target.provider?.name ?? null, model: target.model, status, errorClass, latencyMs };
    const index = ctx.attempts.push(attempt) - 1;
    deps.onAttempt?.(ctx, attempt, index);
  }

  async function readWhole(ctx: CallContext, upstream: Response, contentType: string, target: Target, sentAt: number): Promise<Response> {
    const isJson = contentType.includes('json') || contentType === '';
    let bodyOut: ArrayBuffer | string;
    try {
      // Text for JSON: building the new Response from a string costs far less than from bytes on Node 20.
      bodyOut = isJson ? await upstream.text() : await upstream.arrayBuffer();
    } catch (error) {
      // The body broke mid-read (reset, abort): a network failure as far as the SDK is concerned.
      endAttempt(ctx, target, upstream.status, ctx.signal?.aborted === true ? 'abort' : 'network_error', ctx.now() - sentAt);
      throw markNetworkFailure(error);
    }
    const readAt = ctx.now();
    endAttempt(ctx, target, upstream.status, upstream.status >= 400 ? 'http_error' : null, readAt - sentAt);
    let changed = false;
    if (typeof bodyOut === 'string') {
      const text = bodyOut;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (upstream.ok && json !== undefined) {
        const summary = summarizeResponse(json, ctx.operation);
        if (summary.usage !== null) ctx.usage = summary.usage;
        ctx.responseModel = summary.model;
        if (ctx.operation === 'models' && ctx.modelId === null && (config.aliases.size > 0 || config.routers.size > 0)) {
          const listed = withAliases(json, config);
          if (listed !== null) {
            bodyOut = listed;
            changed = true;
          }
        }
      } else if (!upstream.ok) {
        const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
        ctx.error = { class: 'http_error', message: typeof message === 'string' ? message : `HTTP ${upstream.status}` };
      }
      if (config.bodies) ctx.responseBody = text.length > config.maxBodyChars ? text.slice(0, config.maxBodyChars) : text;
    } else if (!upstream.ok) {
      ctx.error = { class: 'http_error', message: `HTTP ${upstream.status}` };
    }
    const response = rewrapHeaders(
      new Response(upstream.status === 204 || upstream.status === 304 ? null : bodyOut, {
        status: upstream.status,
        statusText: upstream.statusText,
        headers: upstream.headers,
      }),
    );
    if (changed) response.headers.delete('content-length');
    ctx.responseWorkMs += ctx.now() - readAt;
    return response;
  }
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

function markNetworkFailure(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) networkFailures.add(error);
  return error;
}
