import type { CallRecord } from '../../src/events/record.js';
import { matches } from '../../src/collector/tail.js';
import type { CollectorStore, InsertResult, ListQuery, RecordPage, StatsQuery, StatsResult, StatsRow } from '../../src/collector/store/types.js';

/**
 * A test double of the collector's store, in memory: enough of the contract to test routing, auth,
 * limits and the write queue without an engine. `gate` lets a test hold inserts until it opens it.
 */
export class MemoryStore implements CollectorStore {
  readonly engine = 'memory';
  readonly records = new Map<string, CallRecord>();
  inserts = 0;
  closed = false;
  /** When set, inserts wait for it to resolve. */
  gate: Promise<void> | null = null;
  /** When set, inserts fail with it. */
  failWith: Error | null = null;

  async insert(records: readonly CallRecord[]): Promise<InsertResult> {
    this.inserts++;
    if (this.gate) await this.gate;
    if (this.failWith) throw this.failWith;
    let inserted = 0;
    for (const record of records) {
      if (this.records.has(record.id)) continue;
      this.records.set(record.id, structuredClone(record));
      inserted++;
    }
    return { inserted, duplicates: records.length - inserted };
  }

  #sorted(): CallRecord[] {
    return [...this.records.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
  }

  async list(query: ListQuery): Promise<RecordPage> {
    const all = this.#sorted().filter((record) => matches(record, query));
    const offset = query.cursor ? Number(query.cursor) : 0;
    const records = all.slice(offset, offset + query.limit);
    return { records, nextCursor: offset + query.limit < all.length ? String(offset + query.limit) : null };
  }

  async get(id: string): Promise<CallRecord | null> {
    return this.records.get(id) ?? null;
  }

  async stats(query: StatsQuery): Promise<StatsResult> {
    const rows = new Map<number, StatsRow>();
    for (const record of this.records.values()) {
      if (!matches(record, query)) continue;
      const bucket = Math.floor(record.startedAt / query.intervalMs) * query.intervalMs;
      const row = rows.get(bucket) ?? { bucket, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, savedUsd: 0, cacheHitRate: null, fallbacks: 0, latencyMs: { p50: null, p95: null, p99: null }, ttftMs: { p50: null, p95: null, p99: null } };
      row.requests++;
      if (record.outcome !== 'completed') row.errors++;
      row.costUsd += record.costUsd ?? 0;
      rows.set(bucket, row);
    }
    return { intervalMs: query.intervalMs, rows: [...rows.values()].sort((a, b) => a.bucket - b.bucket) };
  }

  async session(id: string, limit = 1000): Promise<CallRecord[]> {
    return this.#sorted().reverse().filter((record) => record.session === id).slice(0, limit);
  }

  async eraseUser(user: string): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.records) if (record.user === user && this.records.delete(id)) deleted++;
    return deleted;
  }

  async deleteBefore(before: number): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.records) if (record.startedAt < before && this.records.delete(id)) deleted++;
    return deleted;
  }

  async count(): Promise<number> {
    return this.records.size;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
