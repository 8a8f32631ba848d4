import { describe, expect, it } from 'vitest';
import { dashboardAsset } from '../../../src/collector/dashboard/index.js';
import { DASHBOARD_CSP } from '../../../src/collector/http.js';
import { isBundleCurrent } from '../../../src/collector/dashboard/build.js';

describe('dashboard assets', () => {
  it('serves the page at / and its script, stylesheet and icon, ignoring query strings', () => {
    expect(dashboardAsset('/')?.contentType).toBe('text/html; charset=utf-8');
    expect(String(dashboardAsset('/?x=1')?.body)).toContain('<main id="main"');
    expect(dashboardAsset('/assets/dashboard.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(String(dashboardAsset('/assets/dashboard.js')?.body).length).toBeGreaterThan(10_000);
    expect(dashboardAsset('/assets/dashboard.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(dashboardAsset('/assets/icon.svg')?.contentType).toBe('image/svg+xml');
  });

  it('answers null for anything else, prototype names included', () => {
    for (const path of ['/v1/records', '/assets/', '/assets/../index.html', '/constructor', '/__proto__', '/assets/dashboard.js/x']) expect(dashboardAsset(path)).toBeNull();
  });

  it('has no inline script, style or handler, and loads nothing from another origin', () => {
    const html = String(dashboardAsset('/')?.body);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("style-src 'self'");
  });

  it('never parses HTML from data in the script', () => {
    const script = String(dashboardAsset('/assets/dashboard.js')?.body);
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });

  it('ships the script bundled from the current client code (npm run build:dashboard)', async () => {
    expect(await isBundleCurrent()).toBe(true);
  });
});
