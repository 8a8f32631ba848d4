/**
 * The collector's SQLite store: one file in WAL mode (or `:memory:`), every batch one transaction, the
 * record as JSON beside the columns filters read, and per-minute and per-hour rollups kept in the same
 * transaction. One process writes a file; run the PostgreSQL store for several collector replicas.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { addEncodedHistogram, addEncodedHistograms, encodeHistogram } from './histogram.js';
import {
  type Aggregate,
  checkStatsQuery,
  chooseRollup,
  factsOf,
  groupOfValue,
  HOUR_MS,
  planSegments,
  rollupDelta,
  type RollupEntry,
  type StatFacts,
  StatsAccumulator,
} from './rollup.js';
import { openDatabase, type SqliteDatabase, type SqliteDriverName, type SqliteStatement, type SqlValue } from './sqlite-driver.js';
import {
  columnsOf,
  decodeCursor,
  DEFAULT_SESSION_LIMIT,
  encodeCursor,
  FACT_COLUMNS,
  type FactRow,
  factsOfRow,
  filterConditions,
  pageSize,
} from './sql.js';
import type { CollectorStore, InsertResult, ListQuery, RecordFilter, RecordPage, StatsQuery, StatsResult } from './types.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * The driver: `auto` uses `node:sqlite` where the runtime has it unflagged (Node 22.13+), else `better-sqlite3`.
   * @default 'auto'
   */
  driver?: SqliteDriverName;
  /**
   * SQLite's page cache per connection, in KiB.
   * @default 32768
   */
  cacheSizeKib?: number;
}

/** A {@link CollectorStore} on SQLite, with the driver it runs on. */
export interface SqliteStore extends CollectorStore {
  readonly engine: 'sqlite';
  /** The driver in use. */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  started_at INTEGER NOT NULL,
  provider TEXT, model TEXT, requested_model TEXT, end_user TEXT, session TEXT,
  status INTEGER, outcome TEXT NOT NULL, cache TEXT NOT NULL, tags TEXT NOT NULL,
  input_tokens INTEGER, output_tokens INTEGER, cost_usd REAL, saved_usd REAL,
  attempts INTEGER NOT NULL, latency_ms REAL NOT NULL, ttft_ms REAL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_time ON records (started_at, id);
CREATE INDEX IF NOT EXISTS records_user ON records (end_user, started_at, id);
CREATE INDEX IF NOT EXISTS records_session ON records (session, started_at, id);
CREATE INDEX IF NOT EXISTS records_provider ON records (provider, started_at, id);
CREATE INDEX IF NOT EXISTS records_model ON records (model, started_at, id);
CREATE INDEX IF NOT EXISTS records_requested_model ON records (requested_model, started_at, id);
CREATE TABLE IF NOT EXISTS record_tags (
  seq INTEGER NOT NULL, tag TEXT NOT NULL, started_at INTEGER NOT NULL,
  PRIMARY KEY (seq, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_tags_tag ON record_tags (tag, started_at, seq);
CREATE TABLE IF NOT EXISTS rollups (
  dimension TEXT NOT NULL, width INTEGER NOT NULL, start INTEGER NOT NULL, value TEXT NOT NULL,
  requests INTEGER NOT NULL, errors INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL, saved_usd REAL NOT NULL, cache_hits INTEGER NOT NULL, cache_lookups INTEGER NOT NULL,
  fallbacks INTEGER NOT NULL, latency BLOB NOT NULL, ttft BLOB NOT NULL,
  PRIMARY KEY (dimension, width, start, value)
) WITHOUT ROWID;
`;

const ROLLUP_COLUMNS = 'requests, errors, input_tokens, output_tokens, cost_usd, saved_usd, cache_hits, cache_lookups, fallbacks, latency, ttft';

interface RollupRow {
  start: number;
  value: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  saved_usd: number;
  cache_hits: number;
  cache_lookups: number;
  fallbacks: number;
  latency: Uint8Array;
  ttft: Uint8Array;
}

/** Adds a rollup row into an aggregate. */
function addRow(target: Aggregate, row: RollupRow): void {
  target.requests += row.requests;
  target.errors += row.errors;
  target.inputTokens += row.input_tokens;
  target.outputTokens += row.output_tokens;
  target.costUsd += row.cost_usd;
  target.savedUsd += row.saved_usd;
  target.cacheHits += row.cache_hits;
  target.cacheLookups += row.cache_lookups;
  target.fallbacks += row.fallbacks;
  addEncodedHistogram(target.latency, row.latency);
  addEncodedHistogram(target.ttft, row.ttft);
}

const blob = (bytes: Uint8Array): Uint8Array => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Opens (and creates when absent) a SQLite collector store.
 * @param path - A file path, or `:memory:` for a store that lives as long as the process.
 * @param options - The driver and cache size.
 * @throws Error naming what to install when neither `node:sqlite` nor `better-sqlite3` is available.
 * @example
 * ```ts
 * const store = sqliteStore('./sluice.db');
 * await store.insert(records);
 * const { records: page } = await store.list({ limit: 50 });
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const { database, driver } = openDatabase(path, options.driver ?? 'auto');
  try {
    prepareDatabase(database, path, options.cacheSizeKib ?? 32768);
  } catch (error) {
    database.close();
    throw error;
  }
  let isClosed = false;
  let analysedAt = 0;
  let insertedHere = 0;
  const open = (): SqliteDatabase => {
    if (isClosed) throw new Error('the SQLite collector store is closed');
    return database;
  };
  const statements = new Map<string, SqliteStatement>();
  const statement = (sql: string): SqliteStatement => {
    let prepared = statements.get(sql);
    if (!prepared) statements.set(sql, (prepared = open().prepare(sql)));
    return prepared;
  };

  const transaction = <T>(work: () => T): T => {
    open().exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      database.exec('COMMIT');
      return result;
    } catch (error) {
      database.exec('ROLLBACK');
      throw error;
    }
  };

  /** Adds (sign 1) or takes out (sign -1) a delta; rows it empties are deleted. */
  const applyDelta = (entries: readonly RollupEntry[], sign: number, survives: (entry: RollupEntry) => boolean = () => true): void => {
    const upsert = statement(
      `INSERT INTO rollups (dimension, width, start, value, ${ROLLUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dimension, width, start, value) DO UPDATE SET
         requests = requests + excluded.requests, errors = errors + excluded.errors,
         input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
         cost_usd = cost_usd + excluded.cost_usd, saved_usd = saved_usd + excluded.saved_usd,
         cache_hits = cache_hits + excluded.cache_hits, cache_lookups = cache_lookups + excluded.cache_lookups,
         fallbacks = fallbacks + excluded.fallbacks,
         latency = sluice_hist_add(latency, excluded.latency), ttft = sluice_hist_add(ttft, excluded.ttft)`,
    );
    let touched = false;
    for (const entry of entries) {
      if (!survives(entry)) continue;
      const { aggregate } = entry;
      upsert.run(
        entry.dimension,
        entry.width,
        entry.start,
        entry.value,
        sign * aggregate.requests,
        sign * aggregate.errors,
        sign * aggregate.inputTokens,
        sign * aggregate.outputTokens,
        sign * aggregate.costUsd,
        sign * aggregate.savedUsd,
        sign * aggregate.cacheHits,
        sign * aggregate.cacheLookups,
        sign * aggregate.fallbacks,
        blob(encodeHistogram(aggregate.latency, sign)),
        blob(encodeHistogram(aggregate.ttft, sign)),
      );
      touched = true;
    }
    // Every record counts in `requests`, so a row at zero counts nothing.
    if (touched && sign < 0) statement('DELETE FROM rollups WHERE requests <= 0').run();
  };

  const factsWhere = (where: string, ...params: SqlValue[]): StatFacts[] =>
    (statement(`SELECT ${FACT_COLUMNS} FROM records WHERE ${where}`).all(...params) as FactRow[]).map(factsOfRow);

  /** Deletes records (and their tags) matching `where`, taking them out of the rollups they count in first. */
  const deleteWhere = (where: string, params: SqlValue[], facts: StatFacts[], survives?: (entry: RollupEntry) => boolean): number => {
    applyDelta(rollupDelta(facts), -1, survives);
    statement(`DELETE FROM record_tags WHERE seq IN (SELECT seq FROM records WHERE ${where})`).run(...params);
    return Number(statement(`DELETE FROM records WHERE ${where}`).run(...params).changes);
  };

  const whereOf = (filter: RecordFilter, params: SqlValue[]): string[] =>
    filterConditions(
      filter,
      (value) => {
        params.push(value);
        return '?';
      },
      (placeholder) => `EXISTS (SELECT 1 FROM record_tags t WHERE t.seq = records.seq AND t.tag = ${placeholder})`,
    );

  const store: SqliteStore = {
    engine: 'sqlite',
    driver,

    insert(records: readonly CallRecord[]): Promise<InsertResult> {
      return run(() => {
        open();
        const rows = records.map(columnsOf);
        // The planner picks between the time index and a filter's index from ANALYZE's figures: refresh them
        // (sampled, a few ms) each time the records written here grow tenfold.
        if (insertedHere >= Math.max(1000, analysedAt * 10)) {
          database.exec('ANALYZE');
          analysedAt = insertedHere;
        }
        return transaction(() => {
          const insertRecord = statement(
            `INSERT INTO records (id, started_at, provider, model, requested_model, end_user, session, status, outcome, cache, tags, input_tokens, output_tokens, cost_usd, saved_usd, attempts, latency_ms, ttft_ms, body)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
          );
          const insertTag = statement('INSERT OR IGNORE INTO record_tags (seq, tag, started_at) VALUES (?, ?, ?)');
          const added: StatFacts[] = [];
          for (const [index, row] of rows.entries()) {
            const result = insertRecord.run(
              row.id,
              row.started_at,
              row.provider,
              row.model,
              row.requested_model,
              row.end_user,
              row.session,
              row.status,
              row.outcome,
              row.cache,
              JSON.stringify(row.tags),
              row.input_tokens,
              row.output_tokens,
              row.cost_usd,
              row.saved_usd,
              row.attempts,
              row.latency_ms,
              row.ttft_ms,
              row.body,
            );
            if (Number(result.changes) === 0) continue;
            for (const tag of row.tags) insertTag.run(result.lastInsertRowid, tag, row.started_at);
            added.push(factsOf(records[index] as CallRecord));
          }
          applyDelta(rollupDelta(added), 1);
          insertedHere += added.length;
          return { inserted: added.length, duplicates: rows.length - added.length };
        });
      });
    },

    list(query: ListQuery): Promise<RecordPage> {
      return run(() => {
        const limit = pageSize(query);
        const params: SqlValue[] = [];
        const conditions = whereOf(query, params);
        if (query.cursor) {
          const position = decodeCursor(query.cursor);
          conditions.push('(started_at, id) < (?, ?)');
          params.push(position.startedAt, position.id);
        }
        const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
        const rows = statement(`SELECT body FROM records ${where} ORDER BY started_at DESC, id DESC LIMIT ?`).all(...params, limit + 1) as { body: string }[];
        const records = rows.slice(0, limit).map((row) => JSON.parse(row.body) as CallRecord);
        const last = records.at(-1);
        return { records, nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: Math.trunc(last.startedAt), id: last.id }) : null };
      });
    },

    get(id: string): Promise<CallRecord | null> {
      return run(() => {
        const row = statement('SELECT body FROM records WHERE id = ?').get(id) as { body: string } | undefined;
        return row ? (JSON.parse(row.body) as CallRecord) : null;
      });
    },

    stats(query: StatsQuery): Promise<StatsResult> {
      return run(() => {
        checkStatsQuery(query);
        open();
        const choice = chooseRollup(query);
        const accumulator = new StatsAccumulator(query.intervalMs, query.groupBy !== undefined);
        const segments = choice ? planSegments(query.from, query.to, query.intervalMs) : [{ kind: 'records' as const, from: query.from, to: query.to }];
        for (const segment of segments) {
          if (segment.kind === 'records') {
            const params: SqlValue[] = [];
            const conditions = whereOf({ ...query, from: segment.from, to: segment.to }, params);
            for (const facts of factsWhere(conditions.join(' AND '), ...params)) accumulator.addRecord(facts, query.groupBy);
            continue;
          }
          if (!choice) continue;
          const params: SqlValue[] = [choice.dimension, segment.width, segment.from, segment.to];
          let sql = `SELECT start, value, ${ROLLUP_COLUMNS} FROM rollups WHERE dimension = ? AND width = ? AND start >= ? AND start < ?`;
          if (choice.value !== null) {
            sql += ' AND value = ?';
            params.push(choice.value);
          }
          for (const row of statement(sql).all(...params) as RollupRow[]) {
            addRow(accumulator.cell(row.start, choice.isGrouped ? groupOfValue(row.value) : null), row);
          }
        }
        return { intervalMs: query.intervalMs, rows: accumulator.rows() };
      });
    },

    session(id: string, limit = DEFAULT_SESSION_LIMIT): Promise<CallRecord[]> {
      return run(() => {
        const rows = statement('SELECT body FROM records WHERE session = ? ORDER BY started_at ASC, id ASC LIMIT ?').all(id, Math.max(1, Math.trunc(limit))) as { body: string }[];
        return rows.map((row) => JSON.parse(row.body) as CallRecord);
      });
    },

    eraseUser(user: string): Promise<number> {
      return run(() => transaction(() => deleteWhere('end_user = ?', [user], factsWhere('end_user = ?', user))));
    },

    deleteBefore(before: number): Promise<number> {
      return run(() =>
        transaction(() => {
          const cutoff = Math.ceil(before);
          // Rollup rows wholly before the cutoff go as they are; the rows it cuts through lose the records deleted from them.
          const partialFrom = Math.floor(cutoff / HOUR_MS) * HOUR_MS;
          const facts = factsWhere('started_at >= ? AND started_at < ?', partialFrom, cutoff);
          statement('DELETE FROM rollups WHERE start + width <= ?').run(cutoff);
          return deleteWhere('started_at < ?', [cutoff], facts, (entry) => entry.start + entry.width > cutoff);
        }),
      );
    },

    count(): Promise<number> {
      return run(() => Number((statement('SELECT count(*) AS n FROM records').get() as { n: number }).n));
    },

    close(): Promise<void> {
      if (!isClosed) {
        isClosed = true;
        statements.clear();
        database.close();
      }
      return Promise.resolve();
    },
  };
  return store;
}

/** Runs synchronous driver work, turning a throw into a rejection. */
function run<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

function prepareDatabase(database: SqliteDatabase, path: string, cacheSizeKib: number): void {
  if (path !== ':memory:' && path !== '') {
    database.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives the process being killed; only a power loss may take the last ones.
    database.exec('PRAGMA synchronous = NORMAL');
  }
  database.exec('PRAGMA busy_timeout = 5000');
  database.exec('PRAGMA analysis_limit = 1000');
  database.function('sluice_hist_add', { deterministic: true }, (left: unknown, right: unknown) => blob(addEncodedHistograms(left as Uint8Array | null, right as Uint8Array | null)));
  database.exec(`PRAGMA cache_size = -${Math.max(1024, Math.trunc(cacheSizeKib))}`);
  const version = Number((database.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (version > SCHEMA_VERSION) throw new Error(`the SQLite store at ${path} has schema version ${version}; this Sluice knows up to ${SCHEMA_VERSION}: upgrade Sluice`);
  if (version < SCHEMA_VERSION) {
    database.exec('BEGIN IMMEDIATE');
    try {
      database.exec(SCHEMA);
      database.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
      database.exec('COMMIT');
    } catch (error) {
      database.exec('ROLLBACK');
      throw error;
    }
  }
}
