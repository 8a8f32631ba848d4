/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the real collector
 * (`createCollector` over SQLite `:memory:`, serving the dashboard under its CSP): the overview's figures equal the seeded totals, the log filters and pages,
 * a record opens with its attempts, findings and bodies, the live tail updates as records arrive, the
 * key prompt refuses a wrong key, and prompt text carrying markup is shown as text and runs nothing.
 * Screenshots land in `.tmp/screenshots/`.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createCollector, type Collector } from '../../../src/collector/server.js';
import { sqliteStore } from '../../../src/collector/store/sqlite.js';
import { createSluice } from '../../../src/core/sluice.js';
import type { CallRecord } from '../../../src/events/record.js';
import { httpExporter } from '../../../src/exporters/http.js';
import { createMockProvider, type MockProvider } from '../../../src/testing/index.js';
import { makeRecord } from '../../helpers/record.js';
import { launchBrowser, screenshot, type TestBrowser } from './browser.js';

const INGEST_KEY = 'ingest-key-0123456789abcdef';
const READ_KEY = 'read-key-0123456789abcdef';

/** A collector on 127.0.0.1:0 over SQLite in memory, serving the dashboard. */
async function startCollector(options: { open: boolean; records?: readonly CallRecord[] }): Promise<{ collector: Collector; url: string; ingest: (records: readonly CallRecord[]) => Promise<void> }> {
  const collector = await createCollector({ storage: sqliteStore(':memory:'), ingestKeys: [INGEST_KEY], ...(options.open ? { open: true } : { readKeys: [READ_KEY] }) });
  if (options.records) await collector.store.insert(options.records);
  const { url } = await collector.listen({ port: 0, host: '127.0.0.1' });
  const ingest = async (records: readonly CallRecord[]): Promise<void> => {
    const response = await fetch(`${url}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` }, body: JSON.stringify({ records }) });
    if (!response.ok) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  };
  return { collector, url: `${url}/`, ingest };
}

const MINUTE = 60_000;
const XSS = `<script>window.__pwned = 'script'</script><img src=x onerror="window.__pwned = 'img'; alert(1)">`;

/** 24 calls, 55 minutes apart from 20 minutes ago: two models, two users, errors, a cache hit, a fallback. */
function seed(now: number): CallRecord[] {
  const records: CallRecord[] = [];
  for (let index = 0; index < 24; index++) {
    const isClaude = index % 3 === 0;
    const failed = index % 8 === 5;
    records.push(
      makeRecord({
        id: `seed_${String(index).padStart(2, '0')}`,
        startedAt: now - (index * 55 + 20) * MINUTE,
        provider: isClaude ? 'anthropic' : 'openai',
        model: isClaude ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
        requestedModel: isClaude ? 'claude-sonnet-4-5' : 'gpt-4o-mini',
        dialect: isClaude ? 'anthropic' : 'openai',
        status: failed ? 502 : 200,
        outcome: failed ? 'failed' : 'completed',
        error: failed ? { class: 'http_error', message: 'upstream answered 502' } : null,
        latencyMs: 200 + index * 25,
        usage: { inputTokens: 100 + index, outputTokens: 50, cachedTokens: 0, reasoningTokens: 0, cacheWriteTokens: null },
        costUsd: isClaude ? 0.5 : 0.125,
        user: index % 2 === 0 ? 'alice' : 'bob',
        session: index < 4 ? 'sess-1' : null,
        tags: index % 4 === 0 ? ['batch'] : [],
        cache: index === 2 ? { status: 'hit', namespace: 'default', savedUsd: 0.25 } : index === 4 ? { status: 'miss', namespace: 'default', savedUsd: null } : null,
        attempts:
          index === 1
            ? [
                { provider: 'anthropic', model: 'claude-sonnet-4-5', keyId: null, status: 529, errorClass: 'http_error', latencyMs: 120, sentAfterMs: 2 },
                { provider: 'openai', model: 'gpt-4o-mini', keyId: '#1', status: 200, errorClass: null, latencyMs: 300, sentAfterMs: 130 },
              ]
            : [{ provider: isClaude ? 'anthropic' : 'openai', model: isClaude ? 'claude-sonnet-4-5' : 'gpt-4o-mini', keyId: null, status: failed ? 502 : 200, errorClass: failed ? 'http_error' : null, latencyMs: 190 + index * 25, sentAfterMs: 2 }],
        guard: index === 1 ? [{ rule: 'email', action: 'redact', count: 2 }] : [],
        requestBody: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Question ${index}: my email is [EMAIL]` }] }),
        responseBody: JSON.stringify({ choices: [{ message: { role: 'assistant', content: `Answer ${index}.` } }] }),
      }),
    );
  }
  return records;
}

async function noPwn(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

describe('dashboard in a browser', () => {
  let browser: TestBrowser;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let seeded: CallRecord[];
  let mock: MockProvider;

  beforeAll(async () => {
    browser = await launchBrowser();
    seeded = seed(Date.now());
    // --open: reads need no key (allowed on loopback only), so the dashboard asks for none.
    collector = await startCollector({ open: true, records: seeded });
    mock = await createMockProvider();
  }, 30_000);

  afterAll(async () => {
    await collector?.collector.close();
    await mock?.close();
    await browser?.close();
  });

  it('shows the seeded totals on the overview, with charts, top lists and hover values', async () => {
    const { page, problems } = await browser.open();
    await page.goto(collector.url);
    const kpi = (name: string) => page.locator(`[data-kpi="${name}"]`).first();
    await expect.poll(() => kpi('requests').textContent()).toBe('24');
    // 8 Claude calls at $0.50 and 16 GPT calls at $0.125: $6.00; 3 failures; tokens 100..123 in, 50 out each.
    expect(await kpi('cost').textContent()).toBe('$6.00');
    expect(await kpi('errors').textContent()).toBe('3');
    expect(await kpi('input-tokens').textContent()).toBe('2,676');
    expect(await kpi('output-tokens').textContent()).toBe('1,200');
    expect(await kpi('tokens').textContent()).toBe('3,876');
    expect(await kpi('saved').textContent()).toBe('$0.25');
    expect(await kpi('hit-rate').textContent()).toBe('50%');
    expect(await kpi('latency-p50').textContent()).toMatch(/^\d+ ms$/);

    const charts = page.locator('svg.chart[role="img"]');
    expect(await charts.count()).toBe(4);
    expect(await page.locator('svg.chart title').first().textContent()).toBe('Requests and errors');
    const topModels = page.locator('figure', { has: page.locator('h3', { hasText: 'Top models by cost' }) });
    expect(await topModels.locator('.bar-label').allTextContents()).toEqual(['claude-sonnet-4-5', 'gpt-4o-mini']);
    expect(await topModels.locator('.bar-value').allTextContents()).toEqual(['$4.00 · 8 req', '$2.00 · 16 req']);

    const requests = page.locator('figure', { has: page.locator('h3', { hasText: 'Requests and errors' }) });
    const box = (await requests.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.97, box.y + box.height * 0.5);
    const readout = requests.locator('.readout');
    await expect.poll(() => readout.isVisible()).toBe(true);
    expect(await readout.textContent()).toMatch(/Requests\s*\d/);
    await screenshot(page, 'overview-light');

    // The table behind the chart: one row per 30-minute bucket of the 24 hours, adding up to the seeded calls.
    await requests.locator('details.as-table summary').click();
    const cells = requests.locator('table.data tbody tr td:nth-of-type(1)');
    expect(await cells.count()).toBe(48);
    expect((await cells.allTextContents()).reduce((sum, text) => sum + Number(text.replace(/,/g, '')), 0)).toBe(24);

    // The range picker: 1h holds the calls of the last hour only.
    await page.click('nav.segmented a:has-text("1h")');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/overview?range=1h');
    // The hash changes at once; the page redraws when its answers arrive.
    await expect.poll(() => page.locator('nav.segmented a[aria-current]').textContent()).toBe('1h');
    // Calls are 55 minutes apart from 20 minutes ago: the last hour (plus the current 2-minute bucket) holds one.
    await expect.poll(() => kpi('requests').textContent()).toBe('1');
    expect(problems).toEqual([]);
  });

  it('draws the overview in the dark scheme', async () => {
    const { page, problems } = await browser.open({ colorScheme: 'dark' });
    await page.goto(`${collector.url}#/?range=6h`);
    await page.locator('[data-kpi="requests"]').waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(13, 17, 23)');
    await screenshot(page, 'overview-dark');
    expect(problems).toEqual([]);
  });

  it('filters the request log and pages through it with the cursor', async () => {
    const { page, problems } = await browser.open();
    await page.goto(`${collector.url}#/log`);
    const rows = page.locator('table.records tbody tr');
    await expect.poll(() => rows.count()).toBe(24);
    await page.fill('#filter-model', 'claude-sonnet-4-5');
    await page.selectOption('#filter-outcome', 'completed');
    await page.click('form.filters button[type="submit"]');
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/log?model=claude-sonnet-4-5&outcome=completed');
    await expect.poll(() => rows.count()).toBe(seeded.filter((record) => record.model === 'claude-sonnet-4-5' && record.outcome === 'completed').length);
    for (const text of await rows.locator('td.model').allTextContents()) expect(text).toBe('claude-sonnet-4-5');
    await screenshot(page, 'log-filtered');

    // 60 more calls: the first page holds 50, "Older" follows the cursor to the rest.
    const base = Date.now() - 2 * 86_400_000;
    await collector.ingest(Array.from({ length: 60 }, (_, index) => makeRecord({ id: `page_${String(index).padStart(2, '0')}`, startedAt: base + index * 1000, user: 'carol' })));
    await page.goto(`${collector.url}#/log?user=carol`);
    await expect.poll(() => rows.count()).toBe(50);
    expect(await rows.first().getAttribute('data-id')).toBe('page_59');
    await page.click('a[rel="next"]');
    await expect.poll(() => rows.count()).toBe(10);
    expect(await rows.first().getAttribute('data-id')).toBe('page_09');
    expect(await page.locator('a[rel="next"]').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('opens a record with its attempt chain, findings and bodies', async () => {
    const { page, problems } = await browser.open();
    await page.goto(`${collector.url}#/log?user=bob`);
    await page.locator('tr[data-id="seed_01"] a').first().click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/records/seed_01');
    await page.locator('table.attempts').waitFor();
    const attempts = page.locator('table.attempts tbody tr');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(1).textContent()).toContain('fallback');
    expect(await attempts.nth(1).textContent()).toContain('#1');
    expect(await page.locator('table.findings tbody tr').first().textContent()).toBe('emailredact2');
    expect(await page.locator('.messages .message.role-user .text').first().textContent()).toBe('Question 1: my email is [EMAIL]');
    expect(await page.locator('.messages .message.role-assistant .text').first().textContent()).toBe('Answer 1.');
    await screenshot(page, 'record');
    await page.click('a[href="#/sessions/sess-1"]');
    const sessionRows = page.locator('table.records tbody tr');
    await expect.poll(() => sessionRows.count()).toBe(4);
    expect(await sessionRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')))).toEqual(['seed_03', 'seed_02', 'seed_01', 'seed_00']);
    await screenshot(page, 'session');
    await page.goto(`${collector.url}#/sessions/nobody`);
    await page.locator('p.empty', { hasText: 'No calls in this session.' }).waitFor();
    expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
  });

  it('shows markup in prompts and fields as text and runs none of it', async () => {
    await collector.ingest([
      makeRecord({
        id: 'xss_1',
        startedAt: Date.now() - MINUTE,
        user: XSS,
        tags: [XSS],
        model: `gpt<img src=x onerror="window.__pwned='model'">`,
        error: { class: 'http_error', message: XSS },
        guard: [{ rule: XSS, action: 'log', count: 1 }],
        metadata: { note: XSS },
        requestBody: JSON.stringify({ messages: [{ role: 'user', content: XSS }] }),
        responseBody: XSS,
      }),
    ]);
    const { page, problems } = await browser.open();
    await page.goto(`${collector.url}#/log?user=${encodeURIComponent(XSS)}`);
    const row = page.locator('tr[data-id="xss_1"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(XSS);
    await row.locator('a').first().click();
    await page.locator('.messages').waitFor();
    expect(await page.locator('.messages .text').first().textContent()).toBe(XSS);
    expect(await page.locator('pre.raw').last().textContent()).toBe(XSS);
    expect(await page.locator('main').textContent()).toContain(`gpt<img src=x onerror="window.__pwned='model'">`);
    expect(await page.locator('main script, main img, main iframe').count()).toBe(0);
    expect(await noPwn(page)).toBeUndefined();
    await screenshot(page, 'record-markup-as-text');
    expect(problems).toEqual([]);
  });

  it('updates the live tail while calls run through a Sluice instance exporting to the collector', async () => {
    const sluice = createSluice({
      providers: { mock: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'provider-key-123456' } },
      user: 'dave',
      exporters: [{ exporter: httpExporter({ url: collector.url.replace(/\/$/, ''), apiKey: INGEST_KEY }), queue: { flushIntervalMs: 60_000 } }],
    });
    const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'client-key', maxRetries: 0, fetch: sluice.fetch });
    const { page, problems } = await browser.open();
    await page.goto(`${collector.url}#/tail`);
    await expect.poll(() => page.locator('.pill').getAttribute('data-state')).toBe('live');
    const rows = page.locator('table.tail tbody tr');
    expect(await rows.count()).toBe(0);
    const ids: string[] = [];
    sluice.on('request:end', ({ record }) => void ids.push(record.id));
    for (let index = 1; index <= 3; index++) {
      await client.chat.completions.create({ model: 'mock/gpt-4o-mini', messages: [{ role: 'user', content: `live call ${index}` }] });
      await sluice.flush();
      await expect.poll(() => rows.count()).toBe(index);
      expect(await rows.first().getAttribute('data-id')).toBe(ids.at(-1));
    }
    expect(await rows.first().locator('td').nth(7).textContent()).toBe('dave');
    expect(await page.locator('[data-count]').getAttribute('data-count')).toBe('3');
    await screenshot(page, 'tail');

    // Paused, the tail holds what arrives and shows it on resuming.
    await page.click('button:has-text("Pause")');
    await client.chat.completions.create({ model: 'mock/gpt-4o-mini', messages: [{ role: 'user', content: 'while paused' }] });
    await sluice.flush();
    await expect.poll(() => page.locator('[data-count]').getAttribute('data-count')).toBe('4');
    expect(await rows.count()).toBe(3);
    expect(await page.locator('[data-count]').textContent()).toContain('1 held while paused');
    await page.click('button:has-text("Resume")');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.first().getAttribute('data-id')).toBe(ids.at(-1));
    await page.goto(`${collector.url}#/`);
    await page.locator('[data-kpi="requests"]').waitFor();
    await sluice.close();
    expect(problems).toEqual([]);
  });
});

describe('dashboard read key', () => {
  let browser: TestBrowser;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    browser = await launchBrowser();
    collector = await startCollector({ open: false, records: seed(Date.now()) });
  }, 30_000);

  afterAll(async () => {
    await collector?.collector.close();
    await browser?.close();
  });

  it('asks for the key, refuses a wrong one with an error, and sends the right one only in a header', async () => {
    const { page, problems } = await browser.open();
    const urls: string[] = [];
    const authorizations = new Set<string>();
    page.on('request', (request) => {
      urls.push(request.url());
      const header = request.headers().authorization;
      if (header) authorizations.add(header);
    });
    await page.goto(collector.url);
    await page.locator('#read-key').waitFor();
    expect(await page.locator('.key-prompt [role="alert"]').count()).toBe(0);
    await page.fill('#read-key', 'wrong-key');
    await page.click('.key-prompt button[type="submit"]');
    await expect.poll(() => page.locator('.key-prompt [role="alert"]').textContent()).toContain('refused this key (401)');
    await screenshot(page, 'key-refused');
    await page.fill('#read-key', READ_KEY);
    await page.click('.key-prompt button[type="submit"]');
    await expect.poll(() => page.locator('[data-kpi="requests"]').textContent()).toBe('24');
    expect(await page.evaluate(() => sessionStorage.getItem('sluice.readKey'))).toBe(READ_KEY);
    expect(authorizations).toContain(`Bearer ${READ_KEY}`);
    expect(urls.filter((url) => url.includes(READ_KEY) || url.includes('wrong-key'))).toEqual([]);
    // The 401 answers show as console errors of the failed fetches; nothing else may.
    expect(problems.filter((problem) => !problem.includes('401'))).toEqual([]);

    await page.click('#forget-key');
    await page.locator('#read-key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('sluice.readKey'))).toBeNull();
  });
});
