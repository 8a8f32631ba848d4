/**
 * The collector demo (`npm run demo:collector`): starts a collector on 127.0.0.1 with SQLite in a
 * temporary directory, sends demo traffic through Sluice against the mock provider (several models and
 * users, sessions, streams, a few provider errors, a cache hit) with `httpExporter` shipping the records,
 * then reads them back through the query API and prints the collector's URL and how to open the
 * dashboard. Exits by itself; with `--keep` it stays up (a call every second, for the live tail) until
 * Ctrl-C. Needs no provider key and no network.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector } from '../src/collector/index.js';
import { httpExporter } from '../src/exporters/http.js';
import { createSluice } from '../src/index.js';
import { cache } from '../src/plugins/index.js';
import { createMockProvider } from '../src/testing/index.js';

const keep = process.argv.includes('--keep');
const directory = mkdtempSync(join(tmpdir(), 'sluice-collector-demo-'));
const ingestKey = `ingest-${randomBytes(16).toString('hex')}`;
const readKey = `read-${randomBytes(16).toString('hex')}`;

const collector = await createCollector({ storage: `sqlite:${join(directory, 'sluice.db')}`, ingestKeys: [ingestKey], readKeys: [readKey], retention: '30d' });
const { url } = await collector.listen({ port: keep ? 4680 : 0, host: '127.0.0.1' });

const mock = await createMockProvider({ latencyMs: 2, chunkDelayMs: 1 });
const sluice = createSluice({
  providers: {
    local: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'sk-local-demo-key' },
    claude: { kind: 'anthropic', baseURL: mock.url, apiKey: 'sk-ant-demo-key' },
  },
  models: { fast: { target: 'local/gpt-4o-mini' }, smart: { target: 'local/gpt-4.1' } },
  use: [cache({ ttl: '10m' })],
  exporters: [{ exporter: httpExporter({ url, apiKey: ingestKey }), queue: { flushIntervalMs: 200 } }],
});
mock.script({ kind: 'error', status: 500, message: 'The server had an error while processing your request.', match: { model: 'gpt-4.1' } }, { kind: 'rate-limit', retryAfterS: 1, match: { model: 'claude-haiku-4-5' } });

const models = ['fast', 'smart', 'local/gpt-4o', 'claude/claude-haiku-4-5'];
const users = ['ada', 'grace', 'linus'];
const prompts = ['Summarise Hamlet in one sentence.', 'Write a haiku about locks and rivers.', 'What is a sluice gate?', 'Name three uses of a middleware pipeline.'];

async function call(index: number): Promise<void> {
  const user = users[index % users.length]!;
  const streamed = index % 3 === 0;
  const response = await sluice.fetch('https://api.openai.com/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-key', 'x-sluice-user': user, 'x-sluice-session': `${user}-${Math.floor(index / 6)}`, 'x-sluice-tags': index % 2 ? 'web' : 'batch' },
    body: JSON.stringify({ model: models[index % models.length], messages: [{ role: 'user', content: prompts[index % prompts.length] }], stream: streamed }),
  });
  await response.text();
}

const CALLS = 48;
for (let index = 0; index < CALLS; index += 8) await Promise.all(Array.from({ length: 8 }, (_, offset) => call(index + offset)));
await sluice.flush();

const headers = { authorization: `Bearer ${readKey}` };
const page = (await (await fetch(`${url}/v1/records?limit=1000`, { headers })).json()) as { records: Array<{ id: string }> };
const now = Date.now();
const stats = (await (await fetch(`${url}/v1/stats?from=${now - 3_600_000}&to=${now + 60_000}&interval=1h&groupBy=model`, { headers })).json()) as {
  rows: Array<{ group: string | null; requests: number; errors: number; costUsd: number; latencyMs: { p50: number | null; p95: number | null } }>;
};
console.log(`\nSluice collector demo: ${CALLS} calls through Sluice, ${page.records.length} records stored by the collector (SQLite in ${directory})\n`);
console.table(stats.rows.map((row) => ({ model: row.group ?? '-', requests: row.requests, errors: row.errors, 'p50 ms': row.latencyMs.p50?.toFixed(1) ?? '-', 'p95 ms': row.latencyMs.p95?.toFixed(1) ?? '-', 'cost USD': row.costUsd.toFixed(6) })));
console.log(`\ncollector: ${url}`);
console.log(`dashboard: open ${url}/ in a browser and paste the read key: ${readKey}`);
console.log(`query API: curl -H 'Authorization: Bearer ${readKey}' '${url}/v1/records?limit=5'`);
console.log(`live tail: curl -N -H 'Authorization: Bearer ${readKey}' ${url}/v1/tail`);

async function shutdown(): Promise<void> {
  await sluice.close();
  await mock.close();
  await collector.close();
  rmSync(directory, { recursive: true, force: true });
}

if (keep) {
  console.log('\n--keep: a call every second feeds the live tail; Ctrl-C to stop.');
  let index = CALLS;
  const timer = setInterval(() => void call(index++), 1000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    void shutdown().then(() => process.exit(0));
  });
} else {
  await shutdown();
  console.log('\n(run `npm run demo:collector -- --keep` to keep it running on port 4680 and watch the dashboard)');
}
