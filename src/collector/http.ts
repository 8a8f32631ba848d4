/**
 * Small helpers of the collector's HTTP layer: JSON answers, error answers, headers every answer
 * carries, CORS from an allow-list, and the dashboard's Content-Security-Policy.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answer's body: `{ error: { code, message } }` plus route-specific fields. */
export interface ErrorBody {
  error: { code: string; message: string; param?: string };
  [key: string]: unknown;
}

/**
 * The dashboard's policy: only its own scripts, styles, images and API; no inline script, no framing,
 * no form posts, no plugins.
 */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers on every answer. */
function baseHeaders(response: ServerResponse): void {
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('referrer-policy', 'no-referrer');
}

/**
 * Answers with JSON.
 * @param response The answer.
 * @param status The HTTP status.
 * @param body Any JSON-serialisable value.
 * @param headers Extra headers.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const text = JSON.stringify(body);
  baseHeaders(response);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * Answers with an error body.
 * @param response The answer.
 * @param status The HTTP status.
 * @param code A stable code (`unauthorized`, `payload_too_large`…).
 * @param message What is wrong and how to fix it; never a key, a body or a header value.
 * @param extra More fields beside `error` (an ingest answer's `rejected`), or headers under `headers`.
 */
export function sendError(response: ServerResponse, status: number, code: string, message: string, extra: { body?: Record<string, unknown>; headers?: Record<string, string>; param?: string } = {}): void {
  const error: ErrorBody['error'] = { code, message };
  if (extra.param !== undefined) error.param = extra.param;
  sendJson(response, status, { error, ...extra.body }, extra.headers);
}

/**
 * Answers with a static asset of the dashboard, under {@link DASHBOARD_CSP}.
 * @param response The answer.
 * @param asset The body and its content type.
 * @param isHead Whether the request was HEAD (headers only).
 */
export function sendAsset(response: ServerResponse, asset: { body: string | Uint8Array; contentType: string }, isHead: boolean): void {
  baseHeaders(response);
  const body = typeof asset.body === 'string' ? Buffer.from(asset.body, 'utf8') : asset.body;
  response.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': body.byteLength,
    'content-security-policy': DASHBOARD_CSP,
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-cache',
  });
  response.end(isHead ? undefined : body);
}

/** Whether an `Origin` names the host the request was sent to: the dashboard's own calls (browsers send `Origin` on a same-origin POST or DELETE). */
function isSameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** CORS from an allow-list of exact origins; closed (no CORS header at all) when the list is empty. */
export class Cors {
  readonly #origins: ReadonlySet<string>;

  /** @param origins Exact origins (`https://ops.example.com`), no wildcard. */
  constructor(origins: readonly string[]) {
    for (const origin of origins) {
      if (origin === '*' || !/^https?:\/\/[^/\s]+$/.test(origin)) throw new TypeError(`createCollector(): cors origin '${origin}' must be an exact origin like https://ops.example.com (no path, no wildcard)`);
    }
    this.#origins = new Set(origins);
  }

  /**
   * Adds the CORS headers an allowed origin gets to an answer.
   * @returns Whether the request's origin is allowed (`true` when it sent none).
   */
  apply(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    if (origin === undefined || isSameHost(origin, request.headers.host)) return true;
    response.setHeader('vary', 'origin');
    if (!this.#origins.has(origin)) return false;
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-expose-headers', 'retry-after');
    return true;
  }

  /** Answers a preflight: 204 with the allowed methods and headers, or 403 for an origin not on the list. */
  preflight(request: IncomingMessage, response: ServerResponse): void {
    const origin = request.headers.origin;
    if (origin === undefined || isSameHost(origin, request.headers.host) || !this.apply(request, response)) {
      sendError(response, 403, 'cors_refused', 'this origin is not allowed; add it to the collector\'s cors origins');
      return;
    }
    baseHeaders(response);
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, DELETE',
      'access-control-allow-headers': 'authorization, content-type, content-encoding',
      'access-control-max-age': '600',
    });
    response.end();
  }
}
