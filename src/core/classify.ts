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
  /** For `models`, the model id in `GET .../models/{id}`; otherwise `null`. */
  modelId: string | null;
}

const CHAT: Classification = Object.freeze({ dialect: 'openai', operation: 'chat', modelId: null });
const RESPONSES: Classification = Object.freeze({ dialect: 'openai', operation: 'responses', modelId: null });
const EMBEDDINGS: Classification = Object.freeze({ dialect: 'openai', operation: 'embeddings', modelId: null });
const MODELS: Classification = Object.freeze({ dialect: 'openai', operation: 'models', modelId: null });

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

/**
 * Classifies a call by method and URL.
 * @param method Upper-case HTTP method.
 * @param url Absolute URL.
 * @returns The dialect and operation, or `null` for traffic Sluice does not model.
 */
export function classify(method: string, url: string): Classification | null {
  const path = pathOf(url);
  if (path === null) return null;
  if (method === 'POST') {
    if (path.endsWith('/chat/completions')) return CHAT;
    if (path.endsWith('/responses')) return RESPONSES;
    if (path.endsWith('/embeddings')) return EMBEDDINGS;
    return null;
  }
  if (method === 'GET') {
    if (path.endsWith('/models')) return MODELS;
    const at = path.lastIndexOf('/models/');
    if (at !== -1) {
      const id = path.slice(at + 8);
      // Model ids may contain '/' only when the SDK encoded it; a literal '/' means another resource.
      if (id.length > 0 && !id.includes('/')) return { dialect: 'openai', operation: 'models', modelId: decodeURIComponent(id) };
    }
  }
  return null;
}
