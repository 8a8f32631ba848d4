/**
 * Header helpers for building upstream requests and re-wrapped responses.
 * @module
 */

/** Hop-by-hop and length headers never forwarded upstream (undici rejects several of them). */
const REQUEST_DROP = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'host', 'proxy-connection'];
/** Credentials and vendor headers that must not reach a provider the SDK did not point at. */
const CREDENTIALS = ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key', 'proxy-authorization', 'cookie', 'openai-organization', 'openai-project'];
/** Sluice's own per-call control headers read by the core; every `x-sluice-*` header is removed before a request goes upstream. */
export const CONTROL_HEADERS = ['x-sluice-user', 'x-sluice-session', 'x-sluice-tags', 'x-sluice-targets', 'x-sluice-fallbacks'];

/**
 * Reads one header from any `HeadersInit` without copying it.
 * @param headers What the SDK passed.
 * @param name Lower-case header name.
 */
export function readHeader(headers: HeadersInit | undefined, name: string): string | null {
  if (headers === undefined) return null;
  if (headers instanceof Headers) return headers.get(name);
  if (Array.isArray(headers)) {
    for (const [key, value] of headers) if (key.toLowerCase() === name) return value;
    return null;
  }
  const record = headers as Record<string, string>;
  const direct = record[name];
  if (direct !== undefined) return direct;
  for (const key in record) if (key.toLowerCase() === name) return record[key] ?? null;
  return null;
}

/**
 * Builds the upstream request headers.
 * @param source The SDK's headers.
 * @param keepCredentials Whether the SDK's own credential headers may go (same provider as the SDK's URL).
 */
export function upstreamHeaders(source: HeadersInit | undefined, keepCredentials: boolean): Headers {
  const headers = new Headers(source);
  for (const name of REQUEST_DROP) headers.delete(name);
  // Plugins read their own control headers (`x-sluice-cache`...) through `ctx.headers`, which sends
  // the call down this path: none of them reaches a provider.
  const control: string[] = [];
  for (const name of headers.keys()) if (name.startsWith('x-sluice-')) control.push(name);
  for (const name of control) headers.delete(name);
  if (!keepCredentials) for (const name of CREDENTIALS) headers.delete(name);
  return headers;
}

/**
 * Fixes the headers of a response built around a fetched body. fetch has already decoded a compressed
 * body, so `content-encoding` and `content-length` would describe bytes that no longer exist; hop-by-hop
 * headers describe the upstream connection, not this response.
 * @param response A newly constructed response (its headers are mutable).
 * @returns The same response.
 */
export function rewrapHeaders(response: Response): Response {
  const headers = response.headers;
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  headers.delete('transfer-encoding');
  headers.delete('connection');
  headers.delete('keep-alive');
  return response;
}
