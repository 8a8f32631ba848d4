/**
 * The collector's dashboard: one HTML page, a stylesheet, an icon and a script, all held in memory
 * (nothing read from disk, nothing fetched from another origin). The collector's HTTP server calls
 * {@link dashboardAsset} for `GET /` and `GET /assets/…` and serves what it returns with
 * {@link DASHBOARD_CSP}.
 * @module
 */
import { DASHBOARD_JS } from './client-bundle.js';
import { DASHBOARD_HTML, DASHBOARD_ICON } from './html.js';
import { DASHBOARD_CSS } from './styles.js';

/** A file of the dashboard. */
export interface DashboardAsset {
  /** The file's content. */
  body: string | Uint8Array;
  /** Its `content-type`. */
  contentType: string;
}

/**
 * The Content-Security-Policy to serve the dashboard with: everything from the collector's own origin,
 * no inline script or style, no framing. The dashboard works under it (tested in a browser).
 */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ASSETS: Readonly<Record<string, DashboardAsset>> = {
  '/': { body: DASHBOARD_HTML, contentType: 'text/html; charset=utf-8' },
  '/index.html': { body: DASHBOARD_HTML, contentType: 'text/html; charset=utf-8' },
  '/assets/dashboard.js': { body: DASHBOARD_JS, contentType: 'text/javascript; charset=utf-8' },
  '/assets/dashboard.css': { body: DASHBOARD_CSS, contentType: 'text/css; charset=utf-8' },
  '/assets/icon.svg': { body: DASHBOARD_ICON, contentType: 'image/svg+xml' },
  '/favicon.ico': { body: DASHBOARD_ICON, contentType: 'image/svg+xml' },
};

/**
 * A file of the dashboard by URL path.
 * @param path The request's path (a query string is ignored), e.g. `/` or `/assets/dashboard.js`.
 * @returns The file, or `null` when the path is not the dashboard's.
 * @example
 * ```ts
 * const asset = dashboardAsset(new URL(request.url, 'http://x').pathname);
 * if (asset) response.writeHead(200, { 'content-type': asset.contentType, 'content-security-policy': DASHBOARD_CSP }).end(asset.body);
 * ```
 */
export function dashboardAsset(path: string): DashboardAsset | null {
  const question = path.indexOf('?');
  const pathname = question === -1 ? path : path.slice(0, question);
  return Object.hasOwn(ASSETS, pathname) ? ASSETS[pathname]! : null;
}
