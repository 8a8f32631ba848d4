/**
 * Provider adapters: for a resolved provider, the wire format it speaks for a model, the upstream URL
 * of an operation, and its credentials. Static credentials are headers; SigV4 (Bedrock) and
 * service-account tokens (Vertex) are asynchronous and their code is loaded only when a provider
 * that needs it is called, so neither enters the core bundle.
 * @module
 */
import type { ResolvedProvider } from '../config/types.js';
import type { Operation } from '../events/record.js';
import type { WireFormat } from '../wire/codec.js';

/** The Anthropic API version sent when the caller did not send its own. */
export const ANTHROPIC_VERSION = '2023-06-01';
/** The Anthropic API version Vertex AI expects in the body. */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const OPENAI_PATHS: Readonly<Partial<Record<Operation, string>>> = {
  chat: '/chat/completions',
  responses: '/responses',
  embeddings: '/embeddings',
  models: '/models',
};

/**
 * The wire format a provider speaks for a model (Vertex serves Claude in Anthropic's format and
 * Gemini in Gemini's).
 * @param provider The provider.
 * @param model The provider's model id.
 */
export function providerWire(provider: ResolvedProvider, model: string | null): WireFormat {
  switch (provider.kind) {
    case 'openai':
    case 'azure':
      return 'openai';
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'gemini';
    case 'bedrock':
      return 'bedrock';
    case 'ollama':
      return 'ollama';
    case 'vertex':
      return model !== null && model.startsWith('claude') ? 'anthropic' : 'gemini';
    default: {
      const unreachable: never = provider.kind;
      throw new Error(`unhandled provider kind ${String(unreachable)}`);
    }
  }
}

/**
 * The upstream URL for an operation on a provider.
 * @param provider The provider.
 * @param operation The operation, in the provider's own terms (`chat` is Messages, generateContent, Converse...).
 * @param model The provider's model id (`null` for model-less calls such as `GET /models`).
 * @param isStream Whether a stream is wanted (Gemini, Vertex and Bedrock choose the URL by it).
 * @param modelId For `models` calls, the id asked for in `GET /models/{id}`.
 * @returns The URL, or `null` when the provider has no such endpoint.
 * @example
 * upstreamUrl(gemini, 'chat', 'gemini-2.5-flash', true);
 * // 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
 */
export function upstreamUrl(provider: ResolvedProvider, operation: Operation, model: string | null, isStream: boolean, modelId: string | null = null): string | null {
  const base = provider.baseURL;
  switch (provider.kind) {
    case 'openai': {
      if (operation === 'models' && modelId !== null && model !== null) return `${base}/models/${encodeURIComponent(model)}`;
      const path = OPENAI_PATHS[operation];
      return path === undefined ? null : base + path;
    }
    case 'azure': {
      const path = OPENAI_PATHS[operation];
      if (path === undefined || operation === 'models') return null;
      if (provider.apiVersion === null) return `${base}/openai/v1${path}`;
      if (model === null) return null;
      return `${base}/openai/deployments/${encodeURIComponent(model)}${path}?api-version=${encodeURIComponent(provider.apiVersion)}`;
    }
    case 'anthropic':
      if (operation === 'chat') return `${base}/v1/messages`;
      if (operation === 'count_tokens') return `${base}/v1/messages/count_tokens`;
      if (operation === 'models') return modelId !== null && model !== null ? `${base}/v1/models/${encodeURIComponent(model)}` : `${base}/v1/models`;
      return null;
    case 'gemini':
      if (model === null) return null;
      if (operation === 'chat') return `${base}/v1beta/models/${model}:${isStream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
      if (operation === 'count_tokens') return `${base}/v1beta/models/${model}:countTokens`;
      return null;
    case 'vertex': {
      const vertex = provider.vertex;
      if (vertex === null || model === null) return null;
      const prefix = `${base}/v1/projects/${vertex.project}/locations/${vertex.location}/publishers`;
      if (providerWire(provider, model) === 'anthropic') {
        if (operation === 'chat') return `${prefix}/anthropic/models/${model}:${isStream ? 'streamRawPredict' : 'rawPredict'}`;
        return null;
      }
      if (operation === 'chat') return `${prefix}/google/models/${model}:${isStream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
      if (operation === 'count_tokens') return `${prefix}/google/models/${model}:countTokens`;
      return null;
    }
    case 'bedrock':
      if (operation !== 'chat' || model === null) return null;
      return `${base}/model/${encodeURIComponent(model)}/${isStream ? 'converse-stream' : 'converse'}`;
    case 'ollama':
      return operation === 'chat' ? `${base}/api/chat` : null;
    default: {
      const unreachable: never = provider.kind;
      throw new Error(`unhandled provider kind ${String(unreachable)}`);
    }
  }
}

/**
 * Whether the provider has what it needs to authenticate (a key, AWS credentials, a service account).
 * @param provider The provider.
 */
export function hasCredentials(provider: ResolvedProvider): boolean {
  if (provider.apiKey !== null) return true;
  if (provider.kind === 'bedrock') return provider.aws?.credentials != null;
  if (provider.kind === 'vertex') return provider.vertex?.serviceAccount != null;
  return false;
}

/**
 * Sets a provider's static credentials and version headers on an upstream request.
 * @param provider The provider.
 * @param headers The upstream headers, changed in place.
 * @param key The key to send (one of a pool), @default provider.apiKey
 */
export function applyStaticAuth(provider: ResolvedProvider, headers: Headers, key: string | null = provider.apiKey): void {
  switch (provider.kind) {
    case 'anthropic':
      if (key !== null) {
        headers.delete('authorization');
        headers.set('x-api-key', key);
      }
      if (!headers.has('anthropic-version')) headers.set('anthropic-version', ANTHROPIC_VERSION);
      break;
    case 'gemini':
      if (key !== null) headers.set('x-goog-api-key', key);
      break;
    case 'azure':
      if (key !== null) {
        headers.delete('authorization');
        headers.set('api-key', key);
      }
      break;
    case 'openai':
    case 'ollama':
    case 'bedrock':
    case 'vertex':
      // Bedrock API keys and Vertex access tokens are bearer tokens too; without them, `authorize` signs.
      if (key !== null) headers.set('authorization', `Bearer ${key}`);
      break;
    default: {
      const unreachable: never = provider.kind;
      throw new Error(`unhandled provider kind ${String(unreachable)}`);
    }
  }
  for (const name in provider.headers) headers.set(name, provider.headers[name]!);
}

/** An upstream request about to be sent, for asynchronous authorisation. */
export interface OutgoingRequest {
  method: string;
  url: string;
  /** Changed in place: the signature or token is added. */
  headers: Headers;
  /** The final body: SigV4 signs it, so nothing may change it afterwards. */
  body: string;
}

/** Adds credentials that need work per request (SigV4) or a token exchange (Vertex). */
export type Authorizer = (request: OutgoingRequest, nowEpochMs: number, signal: AbortSignal | null) => Promise<void>;

/**
 * Creates the asynchronous authoriser a provider needs, or `null` when static headers suffice.
 * The signer and token client are imported on the first call, so a Bedrock or Vertex configuration
 * is the only thing that loads them.
 * @param provider The provider.
 * @param fetchImpl The fetch used for token exchanges (the instance's upstream fetch).
 */
export function createAuthorizer(provider: ResolvedProvider, fetchImpl: () => typeof fetch): Authorizer | null {
  if (provider.apiKey !== null) return null;
  if (provider.kind === 'bedrock' && provider.aws?.credentials != null) {
    const { region, credentials } = provider.aws;
    return async (request, nowEpochMs) => {
      const { signRequest } = await import('./bedrock/sigv4.js');
      const signed = await signRequest(request, credentials, { region, service: 'bedrock', date: new Date(nowEpochMs) });
      for (const [name, value] of signed) request.headers.set(name, value);
    };
  }
  if (provider.kind === 'vertex' && provider.vertex?.serviceAccount != null) {
    const serviceAccount = provider.vertex.serviceAccount;
    let source: Promise<{ getToken(signal?: AbortSignal): Promise<string> }> | null = null;
    return async (request, _nowEpochMs, signal) => {
      source ??= import('./vertex/auth.js').then(({ createVertexTokenSource }) =>
        createVertexTokenSource({ credentials: serviceAccount, fetch: (input, init) => fetchImpl()(input, init), now: () => Date.now() }),
      );
      const token = await (await source).getToken(signal ?? undefined);
      request.headers.set('authorization', `Bearer ${token}`);
    };
  }
  return null;
}
