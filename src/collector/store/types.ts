/**
 * The collector's storage contract: what the HTTP layer (ingest, query API, dashboard, retention and
 * erasure) asks of a store, and what every engine (SQLite, PostgreSQL) implements and proves with the
 * one shared suite in `test/collector/store-suite.ts`.
 * @module
 */
import type { CallOutcome, CallRecord } from '../../events/record.js';

/** What {@link CollectorStore.insert} did with a batch. */
export interface InsertResult {
  /** Records written by this call. */
  inserted: number;
  /** Records whose id was already stored: ignored, never written twice. */
  duplicates: number;
}

/** Filters of `GET /v1/records` and `GET /v1/stats`; every field optional, all of them ANDed. */
export interface RecordFilter {
  /** Inclusive lower bound on `startedAt`, epoch milliseconds. */
  from?: number;
  /** Exclusive upper bound on `startedAt`, epoch milliseconds. */
  to?: number;
  provider?: string;
  /** Matches the served `model` or the `requestedModel`. */
  model?: string;
  user?: string;
  session?: string;
  /** A record matches when its `tags` contain this tag. */
  tag?: string;
  /** The HTTP status the caller saw. */
  status?: number;
  outcome?: CallOutcome;
  /** The cache plugin's verdict: `hit`, `miss`, `bypass`, or `none` for a call no cache saw. */
  cache?: 'hit' | 'miss' | 'bypass' | 'none';
}

/** A page request of {@link CollectorStore.list}: newest first. */
export interface ListQuery extends RecordFilter {
  /** Page size, 1 to 1,000 (the HTTP layer clamps; default 50). */
  limit: number;
  /** The opaque `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** One page of records, newest first (`startedAt` descending, then `id` descending). */
export interface RecordPage {
  records: CallRecord[];
  /** Opaque; `null` on the last page. */
  nextCursor: string | null;
}

/** What `GET /v1/stats` groups by. */
export type StatsGroupBy = 'model' | 'provider' | 'user' | 'tag';

/** A stats request: a time range cut into buckets of `intervalMs`, optionally grouped. */
export interface StatsQuery extends RecordFilter {
  from: number;
  to: number;
  /** Bucket width in milliseconds (the HTTP layer parses `1m`, `1h`, `1d`...). */
  intervalMs: number;
  groupBy?: StatsGroupBy;
}

/** Latency percentiles in milliseconds; `null` when the bucket has no value to rank. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Aggregates of one bucket (and one group, when grouped). */
export interface StatsRow {
  /** Bucket start, epoch milliseconds (a multiple of `intervalMs` from the epoch). */
  bucket: number;
  /** The group's value (model, provider, user or tag); absent when not grouped, `null` for records without one. */
  group?: string | null;
  requests: number;
  /** Records whose outcome is not `completed`. */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Sum of `cache.savedUsd`. */
  savedUsd: number;
  /** Cache hits over calls the cache saw (hit + miss); `null` when it saw none. */
  cacheHitRate: number | null;
  /** Records with more than one attempt. */
  fallbacks: number;
  latencyMs: Percentiles;
  ttftMs: Percentiles;
}

/** The answer of {@link CollectorStore.stats}: rows ordered by bucket, then group. */
export interface StatsResult {
  intervalMs: number;
  rows: StatsRow[];
}

/** A storage engine of the collector. Every method may be called concurrently. */
export interface CollectorStore {
  /** The engine's name, for logs and `/healthz`: `sqlite` or `postgres`. */
  readonly engine: string;
  /** Writes a batch in one transaction; resolves only once committed. Records whose id is stored already are skipped. */
  insert(records: readonly CallRecord[]): Promise<InsertResult>;
  /** One page of records matching the filter, newest first. */
  list(query: ListQuery): Promise<RecordPage>;
  /** One record with everything stored for it (attempts, guard findings, bodies), or `null`. */
  get(id: string): Promise<CallRecord | null>;
  /** Time-bucketed aggregates. */
  stats(query: StatsQuery): Promise<StatsResult>;
  /** A session's records, oldest first (at most `limit`, default 1,000). */
  session(id: string, limit?: number): Promise<CallRecord[]>;
  /** Deletes every record of one user (a GDPR erasure request); resolves to the number deleted. */
  eraseUser(user: string): Promise<number>;
  /** Deletes records that started before `before` (epoch ms); resolves to the number deleted. */
  deleteBefore(before: number): Promise<number>;
  /** Number of stored records (for `/healthz` and tests). */
  count(): Promise<number>;
  /** Closes connections and file handles; idempotent. */
  close(): Promise<void>;
}
