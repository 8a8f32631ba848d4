import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/events/record.js';
import type { CollectorStore, RecordFilter, StatsGroupBy, StatsQuery, StatsRow } from '../../src/collector/store/types.js';
import { makeRecord } from '../helpers/record.js';

/** A store under test and how to dispose of it. */
export interface StoreHarness {
  store: CollectorStore;
  /** Drops what the store created (a schema, a file); called after `close()`. */
  dispose?: () => Promise<void>;
}

const BASE = Date.UTC(2026, 10, 2, 10, 0, 0);
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** The histogram's stated bound on a percentile's relative error (docs/collector.md#storage). */
const PERCENTILE_ERROR = 0.0443;

let unique = 0;
/** A record with a fresh id that no other test of the run uses. */
function record(overrides: Partial<CallRecord> = {}): CallRecord {
  unique++;
  return makeRecord({ id: `rec_${process.pid}_${unique.toString().padStart(8, '0')}`, ...overrides });
}

const attempt = (provider: string, status: number) => ({ provider, model: 'm', keyId: null, status, errorClass: status >= 400 ? 'http_error' : null, latencyMs: 10, sentAfterMs: 1 });

/** A random record over three hours and a small set of values, so filters and groups collide. */
const recordArbitrary = fc
  .record({
    offsetMs: fc.integer({ min: 0, max: 3 * HOUR }),
    provider: fc.constantFrom('openai', 'anthropic', null),
    model: fc.constantFrom('gpt-4o', 'claude', null),
    requestedModel: fc.constantFrom('gpt-4o', 'smart', null),
    user: fc.constantFrom('alice', 'bob', null),
    session: fc.constantFrom('s1', 's2', null),
    tags: fc.subarray(['a', 'b', 'c']),
    outcome: fc.constantFrom('completed', 'completed', 'failed', 'errored', 'cancelled' as const),
    cache: fc.constantFrom(null, 'hit', 'miss', 'bypass' as const),
    attempts: fc.integer({ min: 0, max: 3 }),
    latencyMs: fc.oneof(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 1, max: 200_000, noNaN: true })),
    ttftMs: fc.option(fc.double({ min: 0, max: 50_000, noNaN: true })),
    inputTokens: fc.option(fc.integer({ min: 0, max: 100_000 })),
    outputTokens: fc.option(fc.integer({ min: 0, max: 100_000 })),
    costUsd: fc.option(fc.double({ min: 0, max: 5, noNaN: true })),
    savedUsd: fc.option(fc.double({ min: 0, max: 5, noNaN: true })),
  })
  .map((value) =>
    record({
      startedAt: BASE + value.offsetMs,
      provider: value.provider,
      model: value.model,
      requestedModel: value.requestedModel,
      user: value.user,
      session: value.session,
      tags: value.tags,
      outcome: value.outcome,
      status: value.outcome === 'completed' ? 200 : value.outcome === 'failed' ? 429 : null,
      cache: value.cache === null ? null : { status: value.cache, namespace: 'default', savedUsd: value.cache === 'hit' ? value.savedUsd : null },
      attempts: Array.from({ length: value.attempts }, (_, index) => attempt(value.provider ?? 'openai', index === value.attempts - 1 ? 200 : 500)),
      latencyMs: value.latencyMs,
      ttftMs: value.ttftMs,
      usage: { inputTokens: value.inputTokens, outputTokens: value.outputTokens, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null },
      costUsd: value.costUsd,
    }),
  );

/** Whether a record matches a filter, computed directly from the record. */
function matches(candidate: CallRecord, filter: RecordFilter): boolean {
  if (filter.from !== undefined && candidate.startedAt < filter.from) return false;
  if (filter.to !== undefined && candidate.startedAt >= filter.to) return false;
  if (filter.provider !== undefined && candidate.provider !== filter.provider) return false;
  if (filter.model !== undefined && candidate.model !== filter.model && candidate.requestedModel !== filter.model) return false;
  if (filter.user !== undefined && candidate.user !== filter.user) return false;
  if (filter.session !== undefined && candidate.session !== filter.session) return false;
  if (filter.tag !== undefined && !candidate.tags.includes(filter.tag)) return false;
  if (filter.status !== undefined && candidate.status !== filter.status) return false;
  if (filter.outcome !== undefined && candidate.outcome !== filter.outcome) return false;
  if (filter.cache !== undefined && (candidate.cache?.status ?? 'none') !== filter.cache) return false;
  return true;
}

const newestFirst = (left: CallRecord, right: CallRecord): number => right.startedAt - left.startedAt || (left.id < right.id ? 1 : left.id > right.id ? -1 : 0);

/** The exact nearest-rank percentile. */
function exactPercentile(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.ceil(fraction * sorted.length) - 1] ?? null;
}

interface NaiveRow {
  bucket: number;
  group: string | null;
  records: CallRecord[];
}

/** Stats rows computed naively from the records. */
function naiveStats(records: readonly CallRecord[], query: StatsQuery): NaiveRow[] {
  const rows = new Map<string, NaiveRow>();
  for (const candidate of records) {
    if (!matches(candidate, query)) continue;
    const bucket = Math.floor(candidate.startedAt / query.intervalMs) * query.intervalMs;
    const groups: (string | null)[] =
      query.groupBy === undefined
        ? [null]
        : query.groupBy === 'tag'
          ? candidate.tags.length === 0
            ? [null]
            : [...new Set(candidate.tags)]
          : [query.groupBy === 'model' ? candidate.model : query.groupBy === 'provider' ? candidate.provider : candidate.user];
    for (const group of groups) {
      const key = `${bucket}|${group ?? '\u0000'}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { bucket, group, records: [] }));
      row.records.push(candidate);
    }
  }
  return [...rows.values()].sort((left, right) => left.bucket - right.bucket || (left.group === right.group ? 0 : left.group === null ? -1 : right.group === null ? 1 : left.group < right.group ? -1 : 1));
}

function expectPercentile(actual: number | null, values: number[], fraction: number): void {
  const exact = exactPercentile(values, fraction);
  if (exact === null) return expect(actual).toBeNull();
  expect(actual).not.toBeNull();
  if (exact < 1) expect(actual).toBe(0.5);
  else expect(Math.abs((actual as number) - exact) / exact).toBeLessThanOrEqual(PERCENTILE_ERROR);
}

/** Checks a stats answer against the naive computation over the same records. */
function expectStats(rows: StatsRow[], records: readonly CallRecord[], query: StatsQuery): void {
  const expected = naiveStats(records, query);
  expect(rows.map((row) => [row.bucket, row.group])).toEqual(expected.map((row) => [row.bucket, query.groupBy === undefined ? undefined : row.group]));
  for (const [index, row] of rows.entries()) {
    const group = (expected[index] as NaiveRow).records;
    expect(row.requests).toBe(group.length);
    expect(row.errors).toBe(group.filter((candidate) => candidate.outcome !== 'completed').length);
    expect(row.inputTokens).toBe(group.reduce((sum, candidate) => sum + (candidate.usage.inputTokens ?? 0), 0));
    expect(row.outputTokens).toBe(group.reduce((sum, candidate) => sum + (candidate.usage.outputTokens ?? 0), 0));
    expect(row.costUsd).toBeCloseTo(group.reduce((sum, candidate) => sum + (candidate.costUsd ?? 0), 0), 8);
    expect(row.savedUsd).toBeCloseTo(group.reduce((sum, candidate) => sum + (candidate.cache?.savedUsd ?? 0), 0), 8);
    const hits = group.filter((candidate) => candidate.cache?.status === 'hit').length;
    const lookups = hits + group.filter((candidate) => candidate.cache?.status === 'miss').length;
    if (lookups === 0) expect(row.cacheHitRate).toBeNull();
    else expect(row.cacheHitRate).toBeCloseTo(hits / lookups, 12);
    expect(row.fallbacks).toBe(group.filter((candidate) => candidate.attempts.length > 1).length);
    const latencies = group.map((candidate) => candidate.latencyMs);
    const ttfts = group.flatMap((candidate) => (candidate.ttftMs === null ? [] : [candidate.ttftMs]));
    for (const [key, fraction] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
      expectPercentile(row.latencyMs[key], latencies, fraction);
      expectPercentile(row.ttftMs[key], ttfts, fraction);
    }
  }
}

/** Every page of a list query, following cursors (bounded). */
async function listAll(store: CollectorStore, filter: RecordFilter, limit: number): Promise<CallRecord[]> {
  const seen: CallRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const result = await store.list({ ...filter, limit, cursor });
    seen.push(...result.records);
    if (result.nextCursor === null) return seen;
    expect(result.records).toHaveLength(limit);
    cursor = result.nextCursor;
  }
  throw new Error('listAll: too many pages');
}

/**
 * The behaviour every {@link CollectorStore} shares: run it over each engine.
 * @param name - The engine's name.
 * @param factory - Opens a fresh, empty store.
 */
export function describeCollectorStore(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`CollectorStore: ${name}`, () => {
    const opened: StoreHarness[] = [];
    const open = async (): Promise<CollectorStore> => {
      const harness = await factory();
      opened.push(harness);
      return harness.store;
    };
    afterEach(async () => {
      for (const harness of opened.splice(0)) {
        await harness.store.close();
        await harness.dispose?.();
      }
    });

    it('writes a batch and counts what it wrote', async () => {
      const store = await open();
      expect(await store.count()).toBe(0);
      expect(await store.insert([record(), record(), record()])).toEqual({ inserted: 3, duplicates: 0 });
      expect(await store.count()).toBe(3);
      expect(await store.insert([])).toEqual({ inserted: 0, duplicates: 0 });
    });

    it('ignores a record id it has, within a batch, across batches and across concurrent inserts', async () => {
      const store = await open();
      const first = record();
      const second = record();
      expect(await store.insert([first, first, second])).toEqual({ inserted: 2, duplicates: 1 });
      expect(await store.insert([second, { ...first, startedAt: first.startedAt + HOUR * 30, latencyMs: 1 }])).toEqual({ inserted: 0, duplicates: 2 });
      const batch = Array.from({ length: 20 }, () => record());
      const results = await Promise.all([store.insert(batch), store.insert(batch), store.insert([...batch].reverse())]);
      expect(results.reduce((sum, result) => sum + result.inserted, 0)).toBe(20);
      expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(40);
      expect(await store.count()).toBe(22);
      const stats = await store.stats({ from: 0, to: BASE * 2, intervalMs: 365 * 24 * HOUR });
      expect(stats.rows.reduce((sum, row) => sum + row.requests, 0)).toBe(22);
      expect((await store.get(first.id))?.latencyMs).toBe(first.latencyMs);
    });

    it('gives a record back whole: attempts, guard findings, bodies, metadata, unicode', async () => {
      const store = await open();
      const full = record({
        streamed: true,
        ttftMs: 120.5,
        user: 'ünïcode 😀',
        session: 'session-1',
        tags: ['prod', 'team:a'],
        metadata: { nested: { list: [1, 'two', null] } },
        guard: [{ rule: 'email', action: 'redact', count: 2 }],
        error: { class: 'http_error', message: 'rate limited' },
        attempts: [attempt('openai', 429), attempt('anthropic', 200)],
        cache: { status: 'miss', namespace: 'default', savedUsd: null },
        requestBody: '{"messages":[{"content":"<script>alert(1)</script> \\"quoted\\" \u2028"}]}',
        responseBody: 'data: {"x":1}\n\ndata: [DONE]\n\n',
      });
      await store.insert([full]);
      expect(await store.get(full.id)).toEqual(full);
      expect(await store.get('absent')).toBeNull();
    });

    it('lists newest first, ties by id, and pages with a cursor until null', async () => {
      const store = await open();
      const records = [record({ startedAt: BASE }), record({ startedAt: BASE + 5 }), record({ startedAt: BASE + 5 }), record({ startedAt: BASE - 5 })];
      await store.insert(records);
      const first = await store.list({ limit: 2 });
      expect(first.records.map((item) => item.id)).toEqual([records[2]?.id, records[1]?.id]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await store.list({ limit: 2, cursor: first.nextCursor });
      expect(second.records.map((item) => item.id)).toEqual([records[0]?.id, records[3]?.id]);
      expect(second.nextCursor).toBeNull();
      expect((await store.list({ limit: 10 })).nextCursor).toBeNull();
    });

    it('keeps paging stable while newer and older records arrive', async () => {
      const store = await open();
      const initial = Array.from({ length: 30 }, (_, index) => record({ startedAt: BASE + index * 1000 }));
      await store.insert(initial);
      const firstPage = await store.list({ limit: 10 });
      await store.insert([record({ startedAt: BASE + 100_000 }), record({ startedAt: BASE + 10_500 }), record({ startedAt: BASE - 1 })]);
      const rest: CallRecord[] = [];
      let cursor = firstPage.nextCursor;
      for (let page = 0; cursor !== null && page < 20; page++) {
        const result = await store.list({ limit: 10, cursor });
        rest.push(...result.records);
        cursor = result.nextCursor;
      }
      const ids = [...firstPage.records, ...rest].map((item) => item.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const item of initial) expect(ids).toContain(item.id);
    });

    it('rejects a cursor it did not make', async () => {
      const store = await open();
      await expect(store.list({ limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(RangeError);
      await expect(store.list({ limit: 5, cursor: Buffer.from('[1,2]').toString('base64url') })).rejects.toThrow(/cursor/);
    });

    it('filters by every field, model matching the served or the requested model, cache none included', async () => {
      const store = await open();
      const records = [
        record({ startedAt: BASE, provider: 'openai', model: 'gpt-4o', requestedModel: 'smart', user: 'alice', session: 's1', tags: ['a', 'b'] }),
        record({ startedAt: BASE + 1, provider: 'anthropic', model: 'claude', requestedModel: 'claude', user: 'bob', tags: ['b'], status: 429, outcome: 'failed', cache: { status: 'hit', namespace: 'n', savedUsd: 0.5 } }),
        record({ startedAt: BASE + 2, provider: null, model: null, requestedModel: 'smart', user: null, status: null, outcome: 'errored', cache: { status: 'miss', namespace: 'n', savedUsd: null } }),
        record({ startedAt: BASE + HOUR, provider: 'openai', model: 'gpt-4o', outcome: 'cancelled', cache: { status: 'bypass', namespace: 'n', savedUsd: null } }),
      ];
      await store.insert(records);
      const ids = async (filter: RecordFilter) => (await store.list({ ...filter, limit: 100 })).records.map((item) => item.id).sort();
      const expected = (filter: RecordFilter) => records.filter((item) => matches(item, filter)).map((item) => item.id).sort();
      const filters: RecordFilter[] = [
        { provider: 'openai' },
        { model: 'smart' },
        { model: 'gpt-4o' },
        { user: 'alice' },
        { session: 's1' },
        { tag: 'b' },
        { tag: 'zzz' },
        { status: 429 },
        { outcome: 'errored' },
        { cache: 'none' },
        { cache: 'hit' },
        { cache: 'bypass' },
        { from: BASE + 1, to: BASE + HOUR },
        { from: BASE + 1, provider: 'openai' },
        { model: 'smart', tag: 'a' },
      ];
      for (const filter of filters) {
        expect(await ids(filter), JSON.stringify(filter)).toEqual(expected(filter));
        expect((await ids(filter)).length + (filter.tag === 'zzz' ? 1 : 0)).toBeGreaterThan(0);
      }
    });

    it('pages through any filter with any page size, each matching record exactly once', async () => {
      const store = await open();
      const records = fc.sample(recordArbitrary, { numRuns: 150, seed: 12 });
      await store.insert(records);
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 40 }),
          fc.record({ provider: fc.constantFrom('openai', 'anthropic'), user: fc.constantFrom('alice', 'bob'), tag: fc.constantFrom('a', 'b'), cache: fc.constantFrom('none', 'hit', 'miss' as const) }, { requiredKeys: [] }),
          async (limit, filter) => {
            const listed = await listAll(store, filter, limit);
            expect(listed.map((item) => item.id)).toEqual(records.filter((item) => matches(item, filter)).sort(newestFirst).map((item) => item.id));
          },
        ),
        { numRuns: 25, seed: 4 },
      );
    });

    it('stats equal a naive computation over the same records, for every grouping, filter and range', async () => {
      const store = await open();
      const records = fc.sample(recordArbitrary, { numRuns: 300, seed: 7 });
      for (let index = 0; index < records.length; index += 100) await store.insert(records.slice(index, index + 100));
      const queries: StatsQuery[] = [];
      for (const groupBy of [undefined, 'model', 'provider', 'user', 'tag'] as (StatsGroupBy | undefined)[]) {
        for (const intervalMs of [MINUTE, HOUR, 10 * MINUTE, 7_000]) {
          const query: StatsQuery = { from: BASE - HOUR, to: BASE + 4 * HOUR, intervalMs };
          if (groupBy) query.groupBy = groupBy;
          queries.push(query);
        }
      }
      queries.push(
        { from: BASE + 17 * MINUTE + 1234, to: BASE + 2 * HOUR + 3 * MINUTE + 17, intervalMs: HOUR },
        { from: BASE + 17 * MINUTE + 1234, to: BASE + 2 * HOUR + 3 * MINUTE + 17, intervalMs: MINUTE, groupBy: 'user' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, provider: 'openai' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, provider: 'openai', groupBy: 'provider' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, user: 'alice', groupBy: 'model' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, model: 'smart' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, model: 'gpt-4o', groupBy: 'model' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, tag: 'a' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, tag: 'a', groupBy: 'tag' },
        { from: BASE + 1, to: BASE + 3 * HOUR - 1, intervalMs: 2 * HOUR, cache: 'none', outcome: 'completed' },
        { from: BASE, to: BASE + 3 * HOUR, intervalMs: HOUR, session: 's1', status: 200, groupBy: 'user' },
      );
      for (const query of queries) {
        const result = await store.stats(query);
        expect(result.intervalMs).toBe(query.intervalMs);
        expectStats(result.rows, records, query);
      }
    });

    it('stats answer null rates and percentiles when there is nothing to rank, and nothing for an empty range', async () => {
      const store = await open();
      await store.insert([record({ startedAt: BASE, ttftMs: null, cache: null })]);
      const [row] = (await store.stats({ from: BASE, to: BASE + HOUR, intervalMs: HOUR })).rows;
      expect(row?.cacheHitRate).toBeNull();
      expect(row?.ttftMs).toEqual({ p50: null, p95: null, p99: null });
      expect(row?.latencyMs.p50).toBeCloseTo(412, -1);
      expect((await store.stats({ from: BASE + HOUR, to: BASE + 2 * HOUR, intervalMs: MINUTE })).rows).toEqual([]);
      await expect(store.stats({ from: BASE, to: BASE + HOUR, intervalMs: 0 })).rejects.toThrow(/intervalMs/);
    });

    it('answers a session oldest first, up to a limit', async () => {
      const store = await open();
      const session = `session-${unique}`;
      const records = [record({ startedAt: BASE + 3, session }), record({ startedAt: BASE + 1, session }), record({ startedAt: BASE + 2, session }), record({ startedAt: BASE, session: 'other' })];
      await store.insert(records);
      expect((await store.session(session)).map((item) => item.startedAt)).toEqual([BASE + 1, BASE + 2, BASE + 3]);
      expect((await store.session(session, 2)).map((item) => item.startedAt)).toEqual([BASE + 1, BASE + 2]);
      expect(await store.session('absent')).toEqual([]);
    });

    it("erases one user's records and keeps stats consistent", async () => {
      const store = await open();
      const records = fc.sample(recordArbitrary, { numRuns: 200, seed: 21 });
      await store.insert(records);
      const alice = records.filter((item) => item.user === 'alice');
      expect(await store.eraseUser('alice')).toBe(alice.length);
      expect(await store.eraseUser('alice')).toBe(0);
      const remaining = records.filter((item) => item.user !== 'alice');
      expect(await store.count()).toBe(remaining.length);
      expect(await store.get(alice[0]?.id ?? 'none')).toBeNull();
      expect((await store.list({ user: 'alice', limit: 10 })).records).toEqual([]);
      for (const groupBy of [undefined, 'user', 'tag'] as const) {
        const query: StatsQuery = { from: BASE, to: BASE + 4 * HOUR, intervalMs: HOUR };
        if (groupBy) query.groupBy = groupBy;
        expectStats((await store.stats(query)).rows, remaining, query);
      }
      expectStats((await store.stats({ from: BASE, to: BASE + 4 * HOUR, intervalMs: HOUR, tag: 'a' })).rows, remaining, { from: BASE, to: BASE + 4 * HOUR, intervalMs: HOUR, tag: 'a' });
    });

    it('deletes records older than a cutoff inside an hour and a minute, and keeps stats consistent', async () => {
      const store = await open();
      const records = fc.sample(recordArbitrary, { numRuns: 200, seed: 33 });
      await store.insert(records);
      const cutoff = BASE + HOUR + 23 * MINUTE + 17_345;
      const old = records.filter((item) => item.startedAt < cutoff);
      expect(await store.deleteBefore(cutoff)).toBe(old.length);
      const remaining = records.filter((item) => item.startedAt >= cutoff);
      expect(await store.count()).toBe(remaining.length);
      expect((await store.list({ limit: 1000 })).records.map((item) => item.id)).toEqual([...remaining].sort(newestFirst).map((item) => item.id));
      for (const query of [
        { from: BASE - HOUR, to: BASE + 4 * HOUR, intervalMs: HOUR },
        { from: BASE - HOUR, to: BASE + 4 * HOUR, intervalMs: MINUTE, groupBy: 'model' },
        { from: BASE, to: BASE + 4 * HOUR, intervalMs: HOUR, groupBy: 'tag' },
      ] as StatsQuery[]) {
        expectStats((await store.stats(query)).rows, remaining, query);
      }
      expect(await store.deleteBefore(cutoff)).toBe(0);
    });

    it('closes idempotently, and refuses work afterwards', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expect(store.count()).rejects.toThrow(/closed/);
      await expect(store.insert([record()])).rejects.toThrow(/closed/);
    });
  });
}
