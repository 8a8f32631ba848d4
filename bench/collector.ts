/**
 * `npm run bench:collector`: the collector's storage against issue 12's targets, for each engine that is
 * available: ingest at batch 100 (SQLite ≥ 20,000 records/s, PostgreSQL ≥ 10,000/s), `stats` over
 * 1,000,000 stored records (≤ 250 ms p50), the record list (≤ 50 ms p50), the process's RSS with
 * 1,000,000 records (≤ 200 MB) and the time to open a store that holds them. Prints the figures; it
 * writes nothing (copy them into RESULTS.md's collector section by hand).
 *
 * Flags: `--records=N` (default 1,000,000), `--engines=sqlite,postgres`, `--driver=node:sqlite|better-sqlite3`
 * (SQLite; default: what the runtime picks). PostgreSQL is 127.0.0.1:5432, user postgres, database `test`
 * (`SLUICE_BENCH_POSTGRES_URL` overrides), in a fresh schema dropped at the end; skipped with a message when down.
 * The store code is imported from `src/` (the collector has no built entry of its own yet).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '../src/events/record.js';
import { openStore } from '../src/collector/store/index.js';
import { dropPostgresSchema } from '../src/collector/store/postgres.js';
import type { SqliteDriverName } from '../src/collector/store/sqlite-driver.js';
import type { CollectorStore, ListQuery, StatsQuery } from '../src/collector/store/types.js';

const argument = (name: string): string | undefined => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const RECORDS = Number(argument('records') ?? 1_000_000);
const ENGINES = (argument('engines') ?? 'sqlite,postgres').split(',');
const DRIVER = (argument('driver') ?? 'auto') as SqliteDriverName;
const POSTGRES_URL = process.env.SLUICE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 100;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const QUERY_RUNS = 21;

const MODELS = [
  ['openai', 'gpt-4.1', 'smart'],
  ['openai', 'gpt-4.1-mini', 'fast'],
  ['anthropic', 'claude-sonnet-4-5', 'smart'],
  ['anthropic', 'claude-haiku-4-5', 'fast'],
  ['google', 'gemini-2.5-flash', 'gemini-2.5-flash'],
] as const;
const TAGS = [['prod'], ['prod', 'checkout'], ['prod', 'search'], ['staging'], []];

/** A deterministic pseudo-random stream (mulberry32), so every run stores the same records. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Record `index` of `total`, spread evenly over the 24 hours before `end`. */
function makeBenchRecord(index: number, total: number, end: number, next: () => number): CallRecord {
  const [provider, model, requestedModel] = MODELS[Math.floor(next() * MODELS.length)] ?? MODELS[0];
  const failed = next() < 0.03;
  const cached = next() < 0.1;
  const streamed = next() < 0.5;
  const latencyMs = Math.exp(5.5 + next() * 2.5);
  const fallback = next() < 0.02;
  const attempt = { provider, model, keyId: null, status: 200, errorClass: null, latencyMs: latencyMs * 0.95, sentAfterMs: 1 };
  return {
    id: `bench_${index.toString(36).padStart(8, '0')}`,
    startedAt: Math.floor(end - DAY + (index * DAY) / total),
    dialect: 'openai',
    operation: 'chat',
    requestedModel,
    provider,
    model,
    status: failed ? 429 : 200,
    outcome: failed ? 'failed' : 'completed',
    streamed,
    latencyMs,
    ttftMs: streamed ? latencyMs * 0.2 : null,
    overheadMs: 0.2,
    phases: { requestMs: 0.1, upstreamMs: latencyMs, responseMs: 0.1 },
    usage: { inputTokens: 200 + Math.floor(next() * 2000), outputTokens: 20 + Math.floor(next() * 500), cachedTokens: 0, reasoningTokens: 0, cacheWriteTokens: null },
    usagePartial: false,
    usageEstimated: false,
    costUsd: cached ? 0 : next() * 0.01,
    pricing: { tier: null, window: null, region: null, since: null },
    user: `user-${Math.floor(next() * 1000)}`,
    session: `session-${Math.floor(index / 20)}`,
    tags: TAGS[Math.floor(next() * TAGS.length)] ?? [],
    metadata: null,
    error: failed ? { class: 'http_error', message: 'rate limited' } : null,
    attempts: fallback ? [{ ...attempt, status: 503, errorClass: 'http_error' }, attempt] : [attempt],
    cache: { status: cached ? 'hit' : 'miss', namespace: 'default', savedUsd: cached ? next() * 0.01 : null },
    guard: [],
    requestBody: `{"model":"${requestedModel}","messages":[{"role":"user","content":"Summarise ticket #${index} for the support queue in two sentences."}]}`,
    responseBody: `{"id":"chatcmpl-${index}","choices":[{"message":{"role":"assistant","content":"The customer reports a billing error; refund issued."}}]}`,
    region: null,
    zeroRetention: false,
  };
}

/** Median and p95 of timed runs of `work`, in ms. */
async function time(work: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await work();
  const samples: number[] = [];
  for (let run = 0; run < QUERY_RUNS; run++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  samples.sort((left, right) => left - right);
  return { p50: samples[Math.floor(samples.length / 2)] ?? NaN, p95: samples[Math.floor(samples.length * 0.95)] ?? NaN };
}

const fixed = (value: number, digits = 1): string => value.toFixed(digits);
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;

async function benchEngine(label: string, open: () => Promise<CollectorStore>, cleanup: () => Promise<void>): Promise<void> {
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 7_000;
  const next = random(12);
  let store = await open();
  try {
    console.log(`\n## ${label}: ${RECORDS.toLocaleString('en')} records over 24 h, batches of ${BATCH}`);
    const started = performance.now();
    let firstTenth = 0;
    let cpu = process.cpuUsage();
    for (let index = 0; index < RECORDS; index += BATCH) {
      const batch: CallRecord[] = [];
      for (let offset = index; offset < Math.min(RECORDS, index + BATCH); offset++) batch.push(makeBenchRecord(offset, RECORDS, end, next));
      const result = await store.insert(batch);
      if (result.inserted !== batch.length) throw new Error(`inserted ${result.inserted} of ${batch.length}`);
      if (index + BATCH >= RECORDS / 10 && firstTenth === 0) firstTenth = performance.now() - started;
    }
    const seconds = (performance.now() - started) / 1000;
    cpu = process.cpuUsage(cpu);
    console.log(`ingest: ${fixed(RECORDS / seconds, 0)} records/s over all ${RECORDS.toLocaleString('en')} (${fixed(seconds)} s; first tenth ${fixed(RECORDS / 10 / (firstTenth / 1000), 0)}/s); this process's CPU ${fixed((cpu.user + cpu.system) / 1e6)} s`);
    console.log(`count: ${await store.count()}`);

    const now = end + 7_000;
    const day: StatsQuery = { from: now - DAY, to: now, intervalMs: HOUR };
    const statsCases: [string, StatsQuery][] = [
      ['stats, 24 h by hour (unaligned range)', day],
      ['stats, 24 h by hour, groupBy model', { ...day, groupBy: 'model' }],
      ['stats, 24 h by hour, groupBy user (1,000 users: 24,000 rows)', { ...day, groupBy: 'user' }],
      ['stats, 24 h in one bucket, groupBy user (top users)', { ...day, intervalMs: DAY, groupBy: 'user' }],
      ['stats, 24 h by hour, groupBy tag', { ...day, groupBy: 'tag' }],
      ['stats, last hour by minute, provider filter', { from: now - HOUR, to: now, intervalMs: 60_000, provider: 'openai' }],
      ['stats, 24 h by day, aligned', { from: Math.floor((now - DAY) / HOUR) * HOUR, to: Math.floor(now / HOUR) * HOUR, intervalMs: DAY }],
      ['stats, last hour, outcome filter (from records)', { from: now - HOUR, to: now, intervalMs: 60_000, outcome: 'failed' }],
    ];
    for (const [name, query] of statsCases) {
      const figures = await time(() => store.stats(query));
      console.log(`${name}: p50 ${fixed(figures.p50)} ms, p95 ${fixed(figures.p95)} ms`);
    }
    const firstPage = await store.list({ limit: 50 });
    const listCases: [string, ListQuery][] = [
      ['list, first page of 50', { limit: 50 }],
      ['list, page 2 by cursor', { limit: 50, cursor: firstPage.nextCursor }],
      ['list, user filter', { limit: 50, user: 'user-42' }],
      ['list, model filter (requested or served)', { limit: 50, model: 'fast' }],
      ['list, tag filter', { limit: 50, tag: 'checkout' }],
      ['list, outcome failed + cache hit', { limit: 50, outcome: 'failed', cache: 'hit' }],
    ];
    for (const [name, query] of listCases) {
      const figures = await time(() => store.list(query));
      console.log(`${name}: p50 ${fixed(figures.p50)} ms, p95 ${fixed(figures.p95)} ms`);
    }
    const session = await time(() => store.session('session-100'));
    console.log(`session of 20: p50 ${fixed(session.p50)} ms`);
    const get = await time(() => store.get('bench_00000abc'));
    console.log(`get by id: p50 ${fixed(get.p50)} ms`);
    // A collector serves several exporters at once: batches in flight together (extra records, new ids).
    const extra = Math.min(50_000, RECORDS);
    const concurrentStarted = performance.now();
    let nextIndex = RECORDS;
    const worker = async (): Promise<void> => {
      while (nextIndex < RECORDS + extra) {
        const first = nextIndex;
        nextIndex += BATCH;
        const batch: CallRecord[] = [];
        for (let offset = first; offset < first + BATCH; offset++) batch.push(makeBenchRecord(offset, RECORDS, end + DAY / 2, next));
        await store.insert(batch);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const concurrentSeconds = (performance.now() - concurrentStarted) / 1000;
    console.log(`ingest, 4 batches in flight: ${fixed(extra / concurrentSeconds, 0)} records/s (${extra.toLocaleString('en')} more records)`);
    global.gc?.();
    console.log(`RSS after ingest and queries: ${mb(process.memoryUsage().rss)} (heap used ${mb(process.memoryUsage().heapUsed)})`);
    await store.close();
    const reopenStarted = performance.now();
    store = await open();
    await store.count();
    console.log(`open a store holding them (+ count): ${fixed(performance.now() - reopenStarted)} ms`);
    const erase = performance.now();
    const erased = await store.eraseUser('user-7');
    console.log(`eraseUser (${erased} records): ${fixed(performance.now() - erase)} ms`);
    const retention = performance.now();
    const deleted = await store.deleteBefore(now - DAY + HOUR + 1234);
    console.log(`deleteBefore (first hour, ${deleted} records): ${fixed(performance.now() - retention)} ms`);
  } finally {
    await store.close();
    await cleanup();
  }
}

console.log(`# collector storage bench: Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((value) => value.toFixed(2)).join(' / ')}`);
for (const engine of ENGINES) {
  if (engine === 'sqlite') {
    const directory = mkdtempSync(join(os.tmpdir(), 'sluice-bench-'));
    const path = join(directory, 'collector.db');
    const probe = await openStore(':memory:', { driver: DRIVER });
    const driver = (probe as { driver?: string }).driver ?? 'sqlite';
    await probe.close();
    await benchEngine(`SQLite (${driver}, file, WAL)`, () => openStore(`sqlite:${path}`, { driver: DRIVER }), () => Promise.resolve(rmSync(directory, { recursive: true, force: true })));
  } else if (engine === 'postgres') {
    const schema = `sluice_bench_${process.pid}`;
    try {
      const probe = await openStore(`${POSTGRES_URL}?schema=${schema}`);
      await probe.close();
    } catch (error) {
      console.log(`\n## PostgreSQL: skipped, ${POSTGRES_URL} unreachable (${(error as Error).message})`);
      continue;
    }
    await benchEngine('PostgreSQL 127.0.0.1 (schema dropped after)', () => openStore(`${POSTGRES_URL}?schema=${schema}`), () => dropPostgresSchema(POSTGRES_URL, schema));
  } else {
    throw new Error(`unknown engine ${engine}; known: sqlite, postgres`);
  }
}
console.log(`\nload average at end: ${os.loadavg().map((value) => value.toFixed(2)).join(' / ')}`);
