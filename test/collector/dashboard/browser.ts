/**
 * Debian's chromium driven by playwright-core, for the dashboard's browser tests: a fresh profile per
 * launch, nothing fetched from the network, and every page's script errors, dialogs and CSP reports kept.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots are kept here (gitignored with `.tmp/`). */
export const SCREENSHOTS = join(import.meta.dirname, '../../../.tmp/screenshots');

/** A launched browser and what to remove when it closes. */
export interface TestBrowser {
  context: BrowserContext;
  /** Opens a page (a tab of its own: its own sessionStorage) that records problems into `problems`. */
  open(options?: { colorScheme?: 'light' | 'dark' }): Promise<{ page: Page; problems: string[] }>;
  close(): Promise<void>;
}

/** Launches chromium headless with a throw-away profile (playwright passes it as `--user-data-dir`). */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const profile = await mkdtemp(join(tmpdir(), 'sluice-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
  });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    context,
    async open(options = {}) {
      const page = await context.newPage();
      await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('dialog', (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      page.on('console', (message) => {
        if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
      });
      // Nothing leaves the machine: any request to another host fails the test.
      await page.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
        problems.push(`request to another origin: ${route.request().url()}`);
        return route.abort();
      });
      return { page, problems };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-page screenshot under `.tmp/screenshots/`.
 * @param page The page.
 * @param name The file's name, without extension.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
