/**
 * Redirects of upstream requests that carry credentials. fetch's `redirect: 'follow'` drops only
 * `Authorization` when a redirect leaves the origin (https://fetch.spec.whatwg.org/#http-redirect-fetch),
 * so `x-api-key`, `x-goog-api-key`, `api-key` or `x-amz-security-token` would reach the other origin,
 * and on 307/308 the prompt with them. Such requests go out with `redirect: 'manual'` (dispatch); when
 * one is answered with a redirect, this module (loaded then) follows it within the origin only.
 * @module
 */
import type { Dialect } from '../events/record.js';
import type { CallContext } from './context.js';
import { errorResponse } from './respond.js';

/** Redirects followed within one origin before the call is answered as an error (fetch allows 20). */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
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

/** What following redirects came to: the final response, or the rendered refusal and the redirect's status. */
export interface Followed {
  response: Response;
  /** The refused redirect's status (0 when hidden), or `null` when the response is the provider's. */
  refusedStatus: number | null;
}

/**
 * Follows a redirect answered to a request with credentials (sent with `redirect: 'manual'`), within
 * its origin only; a refusal is noted on the call (`ctx.error`) and rendered in its dialect.
 * @param fetchImpl The underlying fetch.
 * @param url The upstream URL that answered `first`.
 * @param init The upstream request as built (its body is text or empty by now, so it can be sent again).
 * @param first The response to `init`.
 * @param ctx The call.
 * @param provider The provider entry's name, or `null` for the URL the SDK chose.
 */
export async function followRedirects(fetchImpl: typeof fetch, url: string, init: RequestInit, first: Response, ctx: CallContext, provider: string | null): Promise<Followed> {
  const refuse = (refusal: RedirectRefusal): Followed => {
    const message = refusal.describe(provider, url);
    ctx.error = { class: 'sluice_upstream_redirect', message };
    return { response: refusal.toResponse(ctx.dialect, message, ctx.id), refusedStatus: refusal.status };
  };
  let current = new URL(url);
  let currentInit: RequestInit = { ...init, redirect: 'manual' };
  let response = first;
  for (let hop = 0; ; hop++) {
    // A browser hides a manual redirect's status and target.
    if (response.type === 'opaqueredirect') return refuse(new RedirectRefusal(0, null, 'cross-origin'));
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    let next: URL;
    try {
      if (location === null) return { response, refusedStatus: null };
      next = new URL(location, current);
    } catch {
      // An unparsable Location: fetch would fail; the SDK gets the 3xx as it came.
      return { response, refusedStatus: null };
    }
    await response.body?.cancel().catch(() => undefined);
    if (next.origin !== current.origin) return refuse(new RedirectRefusal(response.status, next.origin, 'cross-origin'));
    if (hop >= MAX_REDIRECTS) return refuse(new RedirectRefusal(response.status, null, 'too-many'));
    const method = (currentInit.method ?? 'GET').toUpperCase();
    if ((response.status === 303 && method !== 'GET' && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      const headers = new Headers(currentInit.headers);
      for (const name of BODY_HEADERS) headers.delete(name);
      currentInit = { ...currentInit, method: 'GET', body: null, headers };
    }
    current = next;
    response = await fetchImpl(current.href, currentInit);
  }
}
