/**
 * The `sluice/collector` entry (Node only): a server that receives records from every Sluice process
 * (`POST /v1/records`), stores them (SQLite or PostgreSQL), answers queries, streams a live tail, and
 * serves the dashboard. See docs/collector.md.
 * @module
 */
export { createCollector } from './server.js';
export type { Collector, ListenOptions } from './server.js';
export type { CollectorLogEntry, CollectorOptions, DashboardAsset, DashboardAssets } from './options.js';
export { hashKey } from './keys.js';
export type { IngestAnswer, RejectedRecord } from './ingest.js';
export type { RecordIssue } from './record-schema.js';
export type { CollectorStore, InsertResult, ListQuery, Percentiles, RecordFilter, RecordPage, StatsGroupBy, StatsQuery, StatsResult, StatsRow } from './store/types.js';
