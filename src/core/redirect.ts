/**
 * Redirects of upstream requests that carry credentials. fetch's `redirect: 'follow'` drops only
 * `Authorization` when a redirect leaves the origin (https://fetch.spec.whatwg.org/#http-redirect-fetch),
 * so `x-api-key`, `x-goog-api-key`, `api-key` or `x-amz-security-token` would reach the other origin,
 * and on 307/308 the prompt with them. Such requests go out with `redirect: 'manual'`: redirects within
 * the origin are followed here, a redirect to another origin is never followed.
 * @module
 */
import type { Dialect } from '../events/record.js';
import { errorResponse } from './respond.js';

/** Redirects followed within one origin before the call is answered as an error (fetch allows 20). */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry a credential: a request with one of them never follows a redirect elsewhere. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'x-amz-security-token', 'cookie']);
/** Headers that describe a body, dropped when a redirect turns the request into a GET (fetch spec, step 12). */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/** A redirect Sluice refused to follow: to another origin, or one too many within the origin. */
export class RedirectRefusal {
  /**
   * @param status The redirect's HTTP status (0 when the platform hid it: an opaque redirect).
   * @param origin The origin it pointed to (never its path or query); `null` when unknown or the same.
   * @param reason `cross-origin`, or `too-many` after {@link MAX_REDIRECTS} within the origin.
   */
  constructor(
    readonly status: number,
    readonly origin: string | null,
    readonly reason: 'cross-origin' | 'too-many',
  ) {}

  /**
   * The message naming the provider and the redirect.
   * @param provider The provider entry's name, or `null` for the URL the SDK chose.
   * @param url The URL that was called.
   */
  describe(provider: string | null, url: string): string {
    const who = provider === null ? `the provider at ${originOf(url)}` : `provider '${provider}'`;
    const status = this.status === 0 ? 'a redirect' : `HTTP ${this.status}`;
    if (this.reason === 'too-many') return `${who} answered more than ${MAX_REDIRECTS} redirects within its origin; not followed further`;
    const target = this.origin === null ? 'another origin' : this.origin;
    return `${who} answered ${status}, a redirect to ${target}; Sluice does not follow a redirect to another origin with credentials (fix the provider's baseURL)`;
  }

  /**
   * The refusal as the SDK's error: a 502 in its dialect, not retried by the SDK.
   * @param dialect The caller's dialect.
   * @param message From {@link describe}.
   * @param requestId The Sluice call id.
   */
  toResponse(dialect: Dialect, message: string, requestId: string): Response {
    return errorResponse(dialect, { status: 502, code: 'sluice_upstream_redirect', message, requestId, shouldRetry: false });
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an unknown origin';
  }
}

/**
 * Tells whether request headers carry a credential (a key, a token, a cookie).
 * @param headers Any `HeadersInit`.
 */
export function hasCredentialHeader(headers: HeadersInit | undefined): boolean {
  if (headers === undefined) return false;
  if (headers instanceof Headers) {
    for (const name of CREDENTIAL_HEADERS) if (headers.has(name)) return true;
    return false;
  }
  if (Array.isArray(headers)) return headers.some(([name]) => CREDENTIAL_HEADERS.has(name.toLowerCase()));
  for (const name in headers as Record<string, string>) if (CREDENTIAL_HEADERS.has(name.toLowerCase())) return true;
  return false;
}

/**
 * Calls fetch; when the request carries a credential, follows redirects only within its origin.
 * A request whose `redirect` the caller set to `manual` or `error`, or one without credentials, goes
 * out unchanged.
 * @param fetchImpl The underlying fetch.
 * @param url The upstream URL.
 * @param init The upstream request (its body is text or empty by now, so it can be sent again).
 * @returns The final response, or a {@link RedirectRefusal} (whose 3xx body was cancelled).
 */
export async function fetchUpstream(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response | RedirectRefusal> {
  if ((init.redirect !== undefined && init.redirect !== 'follow') || !hasCredentialHeader(init.headers)) return fetchImpl(url, init);
  let current = new URL(url);
  let currentInit: RequestInit = { ...init, redirect: 'manual' };
  for (let hop = 0; ; hop++) {
    const response = await fetchImpl(current.href, currentInit);
    // A browser hides a manual redirect's status and target.
    if (response.type === 'opaqueredirect') return new RedirectRefusal(0, null, 'cross-origin');
    if (!REDIRECT_STATUSES.has(response.status)) return response;
    const location = response.headers.get('location');
    let next: URL;
    try {
      if (location === null) return response;
      next = new URL(location, current);
    } catch {
      // An unparsable Location: fetch would fail; the SDK gets the 3xx as it came.
      return response;
    }
    await response.body?.cancel().catch(() => undefined);
    if (next.origin !== current.origin) return new RedirectRefusal(response.status, next.origin, 'cross-origin');
    if (hop >= MAX_REDIRECTS) return new RedirectRefusal(response.status, null, 'too-many');
    const method = (currentInit.method ?? 'GET').toUpperCase();
    if ((response.status === 303 && method !== 'GET' && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      const headers = new Headers(currentInit.headers);
      for (const name of BODY_HEADERS) headers.delete(name);
      currentInit = { ...currentInit, method: 'GET', body: null, headers };
    }
    current = next;
  }
}
