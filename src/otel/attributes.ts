/**
 * The OpenTelemetry GenAI semantic conventions as Sluice applies them: attribute names, metric names
 * and buckets, and the mapping of Sluice's providers and operations to the conventions' values.
 * Follows semantic conventions 1.41.0, the last release that held the GenAI conventions before they
 * moved to their own repository (`model/gen-ai/registry.yaml`, `metrics.yaml`, `spans.yaml` there).
 * @module
 */
import type { Attributes } from '@opentelemetry/api';
import type { CallContext } from '../core/context.js';
import { generationParams } from '../wire/generation-params.js';
import { PROVIDER_BY_DIALECT, PROVIDER_BY_HOST, semconvOperation, semconvProvider } from '../wire/semconv.js';

export { DURATION_BUCKETS, SEMCONV_SCHEMA_URL, SEMCONV_VERSION, TOKEN_BUCKETS } from '../wire/semconv.js';

/** Where the call went: `server.address`, `server.port` and `gen_ai.provider.name`. */
export interface Destination {
  readonly provider: string;
  readonly address: string | null;
  readonly port: number | null;
}

/**
 * Where a call went, for its attributes.
 * @param ctx The call (its target, or the SDK's URL).
 * @param destinations A cache of earlier answers (by provider, dialect and origin), kept by the caller.
 * @returns The provider's conventional name and the server's address and port.
 */
export function destinationOf(ctx: CallContext, destinations: Map<string, Destination>): Destination {
  const provider = ctx.target?.provider ?? null;
  const url = provider?.baseURL || ctx.url;
  const origin = originOf(url);
  const key = `${provider?.name ?? ''}|${provider?.kind ?? ''}|${ctx.dialect}|${origin}`;
  let found = destinations.get(key);
  if (found === undefined) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = null;
    }
    const address = parsed?.hostname ?? null;
    const port = parsed === null ? null : parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
    let name: string;
    if (provider !== null) name = semconvProvider(provider.name, provider.kind);
    else name = (address === null ? undefined : PROVIDER_BY_HOST[address]) ?? PROVIDER_BY_DIALECT[ctx.dialect] ?? ctx.dialect;
    found = Object.freeze({ provider: name, address, port });
    // Bounded: destinations are few (providers x dialects); a flood of distinct hosts just starts over.
    if (destinations.size >= 256) destinations.clear();
    destinations.set(key, found);
  }
  return found;
}

/** `scheme://host:port` of a URL, by string search (no URL parse on the call path). */
function originOf(url: string): string {
  const start = url.indexOf('//');
  if (start === -1) return url;
  const end = url.indexOf('/', start + 2);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * `gen_ai.operation.name` for a call.
 * @param ctx The call.
 * @returns `chat`, `generate_content` (Gemini), `embeddings`, or Sluice's operation name otherwise.
 */
export function operationOf(ctx: CallContext): string {
  return semconvOperation(ctx.dialect, ctx.operation);
}

/**
 * The attributes known when a call starts: operation, provider, server, the requested model and the
 * request's generation parameters.
 * @param ctx The call.
 * @param operation Its `gen_ai.operation.name`.
 * @param destination Where it goes.
 * @returns The attributes.
 */
export function requestAttributes(ctx: CallContext, operation: string, destination: Destination): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': destination.provider,
  };
  if (ctx.requestedModel !== null) attributes['gen_ai.request.model'] = ctx.requestedModel;
  if (destination.address !== null) attributes['server.address'] = destination.address;
  if (destination.port !== null) attributes['server.port'] = destination.port;
  if (ctx.isStream) attributes['gen_ai.request.stream'] = true;
  if (ctx.session !== null) attributes['gen_ai.conversation.id'] = ctx.session;
  const params = generationParams(ctx.dialect, ctx.body);
  if (params.maxTokens !== undefined) attributes['gen_ai.request.max_tokens'] = params.maxTokens;
  if (params.temperature !== undefined) attributes['gen_ai.request.temperature'] = params.temperature;
  if (params.topP !== undefined) attributes['gen_ai.request.top_p'] = params.topP;
  if (params.topK !== undefined) attributes['gen_ai.request.top_k'] = params.topK;
  if (params.stopSequences !== undefined) attributes['gen_ai.request.stop_sequences'] = params.stopSequences;
  if (params.frequencyPenalty !== undefined) attributes['gen_ai.request.frequency_penalty'] = params.frequencyPenalty;
  if (params.presencePenalty !== undefined) attributes['gen_ai.request.presence_penalty'] = params.presencePenalty;
  if (params.seed !== undefined) attributes['gen_ai.request.seed'] = params.seed;
  if (params.choiceCount !== undefined && params.choiceCount !== 1) attributes['gen_ai.request.choice.count'] = params.choiceCount;
  return attributes;
}
