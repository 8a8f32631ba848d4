/**
 * The collector's dashboard: one HTML page, a stylesheet, an icon and a script, all held in memory
 * (nothing read from disk, nothing fetched from another origin). The collector's HTTP server calls
 * {@link dashboardAsset} for `GET /` and `GET /assets/…` and serves what it returns under its strict
 * Content-Security-Policy (`DASHBOARD_CSP` in `../http.ts`: no inline script or style).
 * @module
 */
import type { DashboardAsset } from '../options.js';
import { DASHBOARD_JS } from './client-bundle.js';
import { DASHBOARD_HTML, DASHBOARD_ICON } from './html.js';
import { DASHBOARD_CSS } from './styles.js';

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
export type { DashboardAsset } from '../options.js';
