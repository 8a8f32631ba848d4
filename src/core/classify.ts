/**
 * Classifies a call from its method and URL alone (never from headers: several SDKs now send the
 * same `authorization: Bearer` header). Unknown traffic returns `null` and passes through untouched.
 * @module
 */
import type { Dialect, Operation } from '../events/record.js';

/** What Sluice understood of a call. */
export interface Classification {
  dialect: Dialect;
  operation: Operation;
  /**
   * The model the URL names: `GET .../models/{id}`, Gemini's `.../models/{model}:generateContent`;
   * otherwise `null` (the body names it).
   */
  modelId: string | null;
  /** Whether the URL asks for a stream (Gemini's `:streamGenerateContent`); body-streamed dialects say `false`. */
  isUrlStream: boolean;
}

const CHAT: Classification = Object.freeze({ dialect: 'openai', operation: 'chat', modelId: null, isUrlStream: false });
const RESPONSES: Classification = Object.freeze({ dialect: 'openai', operation: 'responses', modelId: null, isUrlStream: false });
const EMBEDDINGS: Classification = Object.freeze({ dialect: 'openai', operation: 'embeddings', modelId: null, isUrlStream: false });
const MODELS: Classification = Object.freeze({ dialect: 'openai', operation: 'models', modelId: null, isUrlStream: false });
const MESSAGES: Classification = Object.freeze({ dialect: 'anthropic', operation: 'chat', modelId: null, isUrlStream: false });
const COUNT_TOKENS: Classification = Object.freeze({ dialect: 'anthropic', operation: 'count_tokens', modelId: null, isUrlStream: false });

/** Gemini methods on `models/{model}:<method>` that Sluice models. */
const GEMINI_METHODS: Readonly<Record<string, { operation: Operation; isUrlStream: boolean }>> = {
  generateContent: { operation: 'chat', isUrlStream: false },
  streamGenerateContent: { operation: 'chat', isUrlStream: true },
  countTokens: { operation: 'count_tokens', isUrlStream: false },
};

/**
 * Returns the path of an absolute http(s) URL without its query or fragment, or `null` for other schemes.
 * String operations only: `new URL()` costs more than the rest of classification together.
 */
export function pathOf(url: string): string | null {
  let start: number;
  if (url.startsWith('https://')) start = 8;
  else if (url.startsWith('http://')) start = 7;
  else return null;
  const slash = url.indexOf('/', start);
  if (slash === -1) return '/';
  let end = url.length;
  const query = url.indexOf('?', slash);
  if (query !== -1) end = query;
  const hash = url.indexOf('#', slash);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(slash, end);
}

/** Reads `.../models/{model}:{method}` (Gemini API and Vertex AI publishers paths). */
function classifyGemini(path: string): Classification | null {
  const colon = path.lastIndexOf(':');
  if (colon === -1) return null;
  const method = GEMINI_METHODS[path.slice(colon + 1)];
  if (method === undefined) return null;
  // The model may itself contain '/' (`anthropic/claude-sonnet-4-5`, `tunedModels/x`): keep it whole.
  // The Vercel AI SDK drops the `models/` prefix of an id that has a '/': take what follows the API version.
  let start = path.indexOf('/models/');
  if (start !== -1) start += 8;
  else {
    const version = /^\/(?:v1|v1beta|v1alpha)\//.exec(path);
    if (version === null) return null;
    start = version[0].length;
  }
  if (start >= colon) return null;
  const model = decodeURIComponent(path.slice(start, colon));
  return { dialect: 'gemini', operation: method.operation, modelId: model, isUrlStream: method.isUrlStream };
}

/**
 * Classifies a call by method and URL.
 * @param method Upper-case HTTP method.
 * @param url Absolute URL.
 * @returns The dialect and operation, or `null` for traffic Sluice does not model.
 * @example
 * classify('POST', 'https://api.anthropic.com/v1/messages'); // { dialect: 'anthropic', operation: 'chat', ... }
 * classify('POST', 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
 * // { dialect: 'gemini', operation: 'chat', modelId: 'gemini-2.5-flash', isUrlStream: true }
 */
export function classify(method: string, url: string): Classification | null {
  const path = pathOf(url);
  if (path === null) return null;
  if (method === 'POST') {
    if (path.endsWith('/chat/completions')) return CHAT;
    if (path.endsWith('/responses')) return RESPONSES;
    if (path.endsWith('/embeddings')) return EMBEDDINGS;
    // `/v1/` before it: OpenAI's Assistants API has `/threads/{id}/messages`.
    if (path.endsWith('/v1/messages')) return MESSAGES;
    if (path.endsWith('/v1/messages/count_tokens')) return COUNT_TOKENS;
    return classifyGemini(path);
  }
  if (method === 'GET') {
    if (path.endsWith('/models')) return MODELS;
    const at = path.lastIndexOf('/models/');
    if (at !== -1) {
      const id = path.slice(at + 8);
      // Model ids may contain '/' only when the SDK encoded it; a literal '/' means another resource.
      if (id.length > 0 && !id.includes('/')) return { dialect: 'openai', operation: 'models', modelId: decodeURIComponent(id), isUrlStream: false };
    }
  }
  return null;
}
