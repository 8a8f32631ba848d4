/**
 * Header helpers for building upstream requests and re-wrapped responses.
 * @module
 */

/** Hop-by-hop and length headers never forwarded upstream (undici rejects several of them). */
const REQUEST_DROP = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'host', 'proxy-connection'];
/** Credentials and vendor headers that must not reach a provider the SDK did not point at. */
const CREDENTIALS = ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key', 'proxy-authorization', 'cookie', 'openai-organization', 'openai-project'];
/** Sluice's own per-call control headers read by the core; every `x-sluice-*` header is removed before a request goes upstream. */
export const CONTROL_HEADERS = ['x-sluice-user', 'x-sluice-session', 'x-sluice-tags', 'x-sluice-metadata', 'x-sluice-targets', 'x-sluice-fallbacks'];

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
 * Gives a response Sluice built the `url`, `redirected` and `type` that fetch would have given the
 * SDK: the upstream response's when it answered the SDK's own URL, else the SDK's URL (a cache hit, a
 * refusal, or a call routed elsewhere, whose provider URL is not the SDK's business). A constructed
 * Response cannot take these in its init, so they are set as own properties of this instance.
 * @param response The response about to go to the SDK.
 * @param requestUrl The URL the SDK fetched.
 * @param upstream The upstream response that answered `requestUrl` itself, if any.
 * @returns The same response.
 */
export function mirrorFetchedResponse(response: Response, requestUrl: string, upstream: Response | null): Response {
  if (response.url !== '') return response;
  const url = upstream?.url || requestUrl;
  Object.defineProperties(response, {
    url: { value: url, enumerable: true },
    redirected: { value: upstream?.redirected ?? false, enumerable: true },
    type: { value: upstream?.type ?? 'basic', enumerable: true },
  });
  return response;
}
