/**
 * The collector's options, their defaults, and their checks (at `createCollector`, never per request).
 * @module
 */
import type { CollectorStore } from './store/types.js';

/** A file of the dashboard, as `dashboardAsset(path)` returns it. */
export interface DashboardAsset {
  body: string | Uint8Array;
  contentType: string;
}

/** Serves the dashboard's files by path (`/`, `/app.js`…); `null` for a path it does not have. */
export type DashboardAssets = (path: string) => DashboardAsset | null;

/** One line of the collector's log. Never carries a key, a header value or a record body. */
export interface CollectorLogEntry {
  level: 'info' | 'warn' | 'error';
  /** What happened, in a few words (`retention sweep`, `storage error`). */
  message: string;
  /** Numbers and names that go with it. */
  [field: string]: unknown;
}

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /**
   * Where records are kept: a URL (`sqlite:./sluice.db`, `sqlite::memory:`, `postgres://user:pass@host/db`)
   * or a {@link CollectorStore}. A store passed in is not closed by `close()`: its owner closes it.
   * @default 'sqlite:./sluice.db'
   */
  storage?: string | CollectorStore;
  /** Keys allowed to `POST /v1/records` (and `/v1/traces`): clear text (16+ characters) or `sha256:<hex>`. @default [] */
  ingestKeys?: readonly string[];
  /** Keys allowed to read (query API, tail, dashboard data). @default [] */
  readKeys?: readonly string[];
  /** Keys allowed to read and to erase a user's records (`DELETE /v1/users/:user/records`). @default [] */
  adminKeys?: readonly string[];
  /** Reads without a key; `listen()` refuses it unless the host is a loopback address. Erasure still needs an admin key. @default false */
  open?: boolean;
  /** Origins allowed to call the API from a browser (exact, like `https://ops.example.com`). @default [] (CORS closed) */
  cors?: readonly string[];
  /** Largest ingest body, on the wire and after gzip decompression alike, in bytes. @default 16_777_216 (16 MiB) */
  maxBodyBytes?: number;
  /** Batches waiting to be written before ingest answers 429. @default 64 */
  maxPendingBatches?: number;
  /** Inserts running at once. @default 1 for SQLite (one writer), 4 otherwise */
  writeConcurrency?: number;
  /** Records older than this are deleted (`'30d'`, `'12h'`, or milliseconds); `null` keeps everything. @default null */
  retention?: string | number | null;
  /** How often the retention sweep runs. @default 3_600_000 (one hour), or the retention itself when shorter */
  retentionIntervalMs?: number;
  /** Live tail limits. @default { maxClients: 100, maxBufferedBytes: 1_048_576, keepAliveMs: 15_000 } */
  tail?: { maxClients?: number; maxBufferedBytes?: number; keepAliveMs?: number };
  /** The dashboard's files, or `false` for none. @default the dashboard shipped with Sluice */
  dashboard?: DashboardAssets | false;
  /** Receives log entries (the CLI prints them); never a key or a body. @default none */
  log?: (entry: CollectorLogEntry) => void;
  /** The clock, for retention and stats defaults. @default Date.now */
  now?: () => number;
}

/** Options with defaults filled in. */
export interface ResolvedCollectorOptions {
  ingestKeys: readonly string[];
  readKeys: readonly string[];
  adminKeys: readonly string[];
  open: boolean;
  cors: readonly string[];
  maxBodyBytes: number;
  maxPendingBatches: number;
  writeConcurrency: number | null;
  retentionMs: number | null;
  retentionIntervalMs: number;
  tail: { maxClients: number; maxBufferedBytes: number; keepAliveMs: number };
  log: (entry: CollectorLogEntry) => void;
  now: () => number;
}

const RETENTION = /^(\d{1,6})(m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a retention period: `30d`, `12h`, `90m`, or milliseconds.
 * @param value The option.
 * @returns Milliseconds, or `null` when `value` is not one.
 */
export function parseRetention(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 60_000 ? value : null;
  const match = RETENTION.exec(value.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms >= 60_000 ? ms : null;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`createCollector(): ${name} must be a positive integer (got ${String(value)})`);
  return value;
}

function keyList(name: string, value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((key) => typeof key !== 'string')) throw new TypeError(`createCollector(): ${name} must be an array of strings`);
  return value;
}

/**
 * Checks the options and fills defaults.
 * @param options What the caller passed.
 * @throws TypeError naming the option at fault.
 */
export function resolveOptions(options: CollectorOptions): ResolvedCollectorOptions {
  let retentionMs: number | null = null;
  if (options.retention !== undefined && options.retention !== null) {
    retentionMs = parseRetention(options.retention);
    if (retentionMs === null) throw new TypeError(`createCollector(): retention must be a period like '30d', '12h' or '90m' (at least one minute); got ${JSON.stringify(options.retention)}`);
  }
  const retentionIntervalMs = positiveInteger('retentionIntervalMs', options.retentionIntervalMs, Math.min(3_600_000, retentionMs ?? 3_600_000));
  const tail = options.tail ?? {};
  return {
    ingestKeys: keyList('ingestKeys', options.ingestKeys),
    readKeys: keyList('readKeys', options.readKeys),
    adminKeys: keyList('adminKeys', options.adminKeys),
    open: options.open === true,
    cors: keyList('cors', options.cors),
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 16 * 1024 * 1024),
    maxPendingBatches: positiveInteger('maxPendingBatches', options.maxPendingBatches, 64),
    writeConcurrency: options.writeConcurrency === undefined ? null : positiveInteger('writeConcurrency', options.writeConcurrency, 1),
    retentionMs,
    retentionIntervalMs,
    tail: {
      maxClients: positiveInteger('tail.maxClients', tail.maxClients, 100),
      maxBufferedBytes: positiveInteger('tail.maxBufferedBytes', tail.maxBufferedBytes, 1024 * 1024),
      keepAliveMs: positiveInteger('tail.keepAliveMs', tail.keepAliveMs, 15_000),
    },
    log: options.log ?? (() => {}),
    now: options.now ?? Date.now,
  };
}

/**
 * Whether a host to listen on is a loopback address (`127.0.0.0/8`, `::1`, `localhost`).
 * @param host The host given to `listen()`.
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * A storage URL safe to print: the password of a `postgres://` URL replaced by `***`.
 * @param url The storage URL.
 */
export function redactStorageUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@');
}
