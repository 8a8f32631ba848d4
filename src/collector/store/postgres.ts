/**
 * The collector's PostgreSQL store, for several collector replicas on one database: migrations applied at
 * start under an advisory lock, the records table range-partitioned by day on `startedAt` (partitions made
 * on demand, old ones dropped whole by retention), record ids unique across partitions through a small
 * `record_ids` table, and per-minute and per-hour rollups upserted atomically in the batch's transaction.
 * Every value travels as a bound parameter.
 * @module
 */
import pg from 'pg';
import type { CallRecord } from '../../events/record.js';
import { addCountArray, toCountArray } from './histogram.js';
import { createPartitions, existingPartitions, migrate, PARTITION_MS, partitionName, quoteSchema } from './postgres-schema.js';
import {
  type Aggregate,
  checkStatsQuery,
  chooseRollup,
  factsOf,
  groupOfValue,
  planSegments,
  rollupDelta,
  type RollupEntry,
  StatsAccumulator,
} from './rollup.js';
import { columnsOf, decodeCursor, DEFAULT_SESSION_LIMIT, encodeCursor, FACT_COLUMNS, type FactRow, factsOfRow, filterConditions, pageSize } from './sql.js';
import type { CollectorStore, InsertResult, ListQuery, RecordFilter, RecordPage, StatsQuery, StatsResult } from './types.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The schema holding the collector's tables (created when absent).
   * @default 'sluice'
   */
  schema?: string;
  /**
   * Connections in the pool.
   * @default 4
   */
  maxConnections?: number;
}

/** A {@link CollectorStore} on PostgreSQL. */
export interface PostgresStore extends CollectorStore {
  readonly engine: 'postgres';
  /** The schema in use. */
  readonly schema: string;
}

const ROLLUP_COLUMNS = 'requests, errors, input_tokens, output_tokens, cost_usd, saved_usd, cache_hits, cache_lookups, fallbacks, latency, ttft';

interface RollupRow {
  start: string;
  value: string;
  requests: string;
  errors: string;
  input_tokens: string;
  output_tokens: string;
  cost_usd: number;
  saved_usd: number;
  cache_hits: string;
  cache_lookups: string;
  fallbacks: string;
  latency: string[];
  ttft: string[];
}

function addRow(target: Aggregate, row: RollupRow): void {
  target.requests += Number(row.requests);
  target.errors += Number(row.errors);
  target.inputTokens += Number(row.input_tokens);
  target.outputTokens += Number(row.output_tokens);
  target.costUsd += row.cost_usd;
  target.savedUsd += row.saved_usd;
  target.cacheHits += Number(row.cache_hits);
  target.cacheLookups += Number(row.cache_lookups);
  target.fallbacks += Number(row.fallbacks);
  addCountArray(target.latency, row.latency);
  addCountArray(target.ttft, row.ttft);
}

const DEADLOCK = '40P01';
const NO_PARTITION = '23514';

/**
 * Connects, applies pending migrations and answers a PostgreSQL collector store.
 * @param connectionString - A `postgres://` or `postgresql://` URL.
 * @param options - The schema and pool size.
 * @example
 * ```ts
 * const store = await postgresStore('postgres://collector@db.internal/sluice', { schema: 'sluice' });
 * ```
 */
export async function postgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const schema = options.schema ?? 'sluice';
  const s = quoteSchema(schema);
  const pool = new pg.Pool({ connectionString, max: options.maxConnections ?? 4 });
  // An idle client's error (the server restarting) must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  let partitions = new Set<number>();
  try {
    await migrate(pool, schema);
    partitions = await existingPartitions(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let isClosed = false;
  const query = <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<Row>> => {
    if (isClosed) return Promise.reject(new Error('the PostgreSQL collector store is closed'));
    return pool.query<Row>(sql, values);
  };

  /** Runs `work` in a transaction on one client, again (up to three times) when PostgreSQL picked it in a deadlock. */
  const transaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    if (isClosed) throw new Error('the PostgreSQL collector store is closed');
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= 3) throw error;
      } finally {
        client.release();
      }
    }
  };

  const ensurePartitions = async (startedAts: Iterable<number>): Promise<void> => {
    const missing = new Set<number>();
    for (const startedAt of startedAts) {
      const day = Math.floor(startedAt / PARTITION_MS) * PARTITION_MS;
      if (!partitions.has(day)) missing.add(day);
    }
    if (missing.size === 0) return;
    await createPartitions(pool, schema, [...missing].sort((left, right) => left - right));
    for (const day of missing) partitions.add(day);
  };

  /** Adds (sign 1) or takes out (sign -1) a delta in one statement; rows it empties are deleted. */
  const applyDelta = async (client: pg.PoolClient, entries: readonly RollupEntry[], sign: number): Promise<void> => {
    if (entries.length === 0) return;
    const column = <T>(pick: (entry: RollupEntry) => T): T[] => entries.map(pick);
    const histogram = (counts: number[]): string => `{${counts.join(',')}}`;
    // Scalars travel as typed arrays and histograms as array literals: no JSON to parse per row.
    await client.query(
      `INSERT INTO ${s}.rollups AS r (dimension, width, start, value, ${ROLLUP_COLUMNS})
       SELECT dimension, width, start, value, requests, errors, input_tokens, output_tokens, cost_usd, saved_usd, cache_hits, cache_lookups,
         fallbacks, latency::bigint[], ttft::bigint[]
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
         $9::float8[], $10::float8[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[], $15::text[])
         AS x(dimension, width, start, value, requests, errors, input_tokens, output_tokens, cost_usd, saved_usd, cache_hits, cache_lookups, fallbacks, latency, ttft)
       ON CONFLICT (dimension, width, start, value) DO UPDATE SET
         requests = r.requests + excluded.requests, errors = r.errors + excluded.errors,
         input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
         cost_usd = r.cost_usd + excluded.cost_usd, saved_usd = r.saved_usd + excluded.saved_usd,
         cache_hits = r.cache_hits + excluded.cache_hits, cache_lookups = r.cache_lookups + excluded.cache_lookups,
         fallbacks = r.fallbacks + excluded.fallbacks,
         latency = ${s}.sluice_hist_add(r.latency, excluded.latency), ttft = ${s}.sluice_hist_add(r.ttft, excluded.ttft)`,
      [
        column((entry) => entry.dimension),
        column((entry) => entry.width),
        column((entry) => entry.start),
        column((entry) => entry.value),
        column((entry) => sign * entry.aggregate.requests),
        column((entry) => sign * entry.aggregate.errors),
        column((entry) => sign * entry.aggregate.inputTokens),
        column((entry) => sign * entry.aggregate.outputTokens),
        column((entry) => sign * entry.aggregate.costUsd),
        column((entry) => sign * entry.aggregate.savedUsd),
        column((entry) => sign * entry.aggregate.cacheHits),
        column((entry) => sign * entry.aggregate.cacheLookups),
        column((entry) => sign * entry.aggregate.fallbacks),
        column((entry) => histogram(toCountArray(entry.aggregate.latency, sign))),
        column((entry) => histogram(toCountArray(entry.aggregate.ttft, sign))),
      ],
    );
    if (sign < 0) await client.query(`DELETE FROM ${s}.rollups WHERE requests <= 0`);
  };

  /** Deletes the records matching `where` and takes exactly those out of the rollups (`survives` filters rows still kept). */
  const deleteRecords = async (client: pg.PoolClient, where: string, values: unknown[], survives: (entry: RollupEntry) => boolean = () => true): Promise<number> => {
    const { rows } = await client.query<FactRow & { id: string }>(`DELETE FROM ${s}.records WHERE ${where} RETURNING id, ${FACT_COLUMNS}`, values);
    if (rows.length === 0) return 0;
    await applyDelta(client, rollupDelta(rows.map(factsOfRow)).filter(survives), -1);
    await client.query(`DELETE FROM ${s}.record_ids WHERE id = ANY($1::text[])`, [rows.map((row) => row.id)]);
    return rows.length;
  };

  /** Writes the records whose id is new, and their rollups; answers how many. */
  const insertBatch = async (client: pg.PoolClient, batch: CallRecord[]): Promise<number> => {
    const { rows: fresh } = await client.query<{ id: string }>(
      `INSERT INTO ${s}.record_ids (id, started_at) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [batch.map((record) => record.id), batch.map((record) => Math.trunc(record.startedAt))],
    );
    if (fresh.length === 0) return 0;
    const freshIds = new Set(fresh.map((row) => row.id));
    const added = batch.filter((record) => freshIds.has(record.id));
    await client.query(
      `INSERT INTO ${s}.records (id, started_at, provider, model, requested_model, end_user, session, status, outcome, cache, tags,
         input_tokens, output_tokens, cost_usd, saved_usd, attempts, latency_ms, ttft_ms, body)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, started_at bigint, provider text, model text, requested_model text,
         end_user text, session text, status integer, outcome text, cache text, tags text[], input_tokens bigint, output_tokens bigint,
         cost_usd double precision, saved_usd double precision, attempts integer, latency_ms double precision, ttft_ms double precision, body text)`,
      [JSON.stringify(added.map(columnsOf))],
    );
    await applyDelta(client, rollupDelta(added.map(factsOf)), 1);
    return added.length;
  };

  const whereOf = (filter: RecordFilter, values: unknown[]): string[] =>
    filterConditions(
      filter,
      (value) => {
        values.push(value);
        return `$${values.length}`;
      },
      (placeholder) => `tags @> ARRAY[${placeholder}]::text[]`,
    );

  const bodies = (rows: { body: string }[]): CallRecord[] => rows.map((row) => JSON.parse(row.body) as CallRecord);

  const store: PostgresStore = {
    engine: 'postgres',
    schema,

    async insert(records: readonly CallRecord[]): Promise<InsertResult> {
      if (isClosed) throw new Error('the PostgreSQL collector store is closed');
      const unique = new Map<string, CallRecord>();
      for (const record of records) {
        columnsOf(record);
        if (!unique.has(record.id)) unique.set(record.id, record);
      }
      if (unique.size === 0) return { inserted: 0, duplicates: records.length };
      // Sorted, so two batches sharing ids take their locks in one order.
      const batch = [...unique.values()].sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
      await ensurePartitions(batch.map((record) => record.startedAt));
      const write = (client: pg.PoolClient) => insertBatch(client, batch);
      let inserted: number;
      try {
        inserted = await transaction(write);
      } catch (error) {
        // Another replica's retention dropped a partition this one still knew: learn them again, once.
        if ((error as { code?: string }).code !== NO_PARTITION) throw error;
        partitions = await existingPartitions(pool, schema);
        await ensurePartitions(batch.map((record) => record.startedAt));
        inserted = await transaction(write);
      }
      return { inserted, duplicates: records.length - inserted };
    },

    async list(listQuery: ListQuery): Promise<RecordPage> {
      const limit = pageSize(listQuery);
      const values: unknown[] = [];
      const conditions = whereOf(listQuery, values);
      if (listQuery.cursor) {
        const position = decodeCursor(listQuery.cursor);
        values.push(position.startedAt, position.id);
        conditions.push(`(started_at, id) < ($${values.length - 1}::bigint, $${values.length}::text)`);
      }
      values.push(limit + 1);
      const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const { rows } = await query<{ body: string }>(`SELECT body FROM ${s}.records ${where} ORDER BY started_at DESC, id DESC LIMIT $${values.length}`, values);
      const page = bodies(rows.slice(0, limit));
      const last = page.at(-1);
      return { records: page, nextCursor: rows.length > limit && last ? encodeCursor({ startedAt: Math.trunc(last.startedAt), id: last.id }) : null };
    },

    async get(id: string): Promise<CallRecord | null> {
      const { rows } = await query<{ body: string }>(
        `SELECT r.body FROM ${s}.record_ids i JOIN ${s}.records r ON r.started_at = i.started_at AND r.id = i.id WHERE i.id = $1`,
        [id],
      );
      return rows[0] ? (JSON.parse(rows[0].body) as CallRecord) : null;
    },

    async stats(statsQuery: StatsQuery): Promise<StatsResult> {
      checkStatsQuery(statsQuery);
      const choice = chooseRollup(statsQuery);
      const accumulator = new StatsAccumulator(statsQuery.intervalMs, statsQuery.groupBy !== undefined);
      const segments = choice ? planSegments(statsQuery.from, statsQuery.to, statsQuery.intervalMs) : [{ kind: 'records' as const, from: statsQuery.from, to: statsQuery.to }];
      const parts = segments.map(async (segment) => {
        if (segment.kind === 'records') {
          const values: unknown[] = [];
          const conditions = whereOf({ ...statsQuery, from: segment.from, to: segment.to }, values);
          const { rows } = await query<FactRow>(`SELECT ${FACT_COLUMNS} FROM ${s}.records WHERE ${conditions.join(' AND ')}`, values);
          return () => {
            for (const row of rows) accumulator.addRecord(factsOfRow(row), statsQuery.groupBy);
          };
        }
        if (!choice) return () => undefined;
        const values: unknown[] = [choice.dimension, segment.width, segment.from, segment.to];
        let sql = `SELECT start, value, ${ROLLUP_COLUMNS} FROM ${s}.rollups WHERE dimension = $1 AND width = $2 AND start >= $3 AND start < $4`;
        if (choice.value !== null) {
          values.push(choice.value);
          sql += ' AND value = $5';
        }
        const { rows } = await query<RollupRow>(sql, values);
        return () => {
          for (const row of rows) addRow(accumulator.cell(Number(row.start), choice.isGrouped ? groupOfValue(row.value) : null), row);
        };
      });
      for (const add of await Promise.all(parts)) add();
      return { intervalMs: statsQuery.intervalMs, rows: accumulator.rows() };
    },

    async session(id: string, limit = DEFAULT_SESSION_LIMIT): Promise<CallRecord[]> {
      const { rows } = await query<{ body: string }>(`SELECT body FROM ${s}.records WHERE session = $1 ORDER BY started_at ASC, id ASC LIMIT $2`, [id, Math.max(1, Math.trunc(limit))]);
      return bodies(rows);
    },

    eraseUser(user: string): Promise<number> {
      return transaction((client) => deleteRecords(client, 'end_user = $1', [user]));
    },

    async deleteBefore(before: number): Promise<number> {
      const cutoff = Math.ceil(before);
      const whole = [...partitions].filter((day) => day + PARTITION_MS <= cutoff);
      return transaction(async (client) => {
        // Whole days go with their partition; the day the cutoff cuts through loses its records one by one.
        let deleted = 0;
        if (whole.length > 0) {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice.collector.partitions:${schema}`]);
          const { rowCount } = await client.query(`DELETE FROM ${s}.record_ids WHERE started_at < $1`, [Math.max(...whole) + PARTITION_MS]);
          deleted += rowCount ?? 0;
          for (const day of whole) await client.query(`DROP TABLE IF EXISTS ${s}.${partitionName(day)}`);
        }
        await client.query(`DELETE FROM ${s}.rollups WHERE start + width <= $1`, [cutoff]);
        deleted += await deleteRecords(client, 'started_at < $1', [cutoff], (entry) => entry.start + entry.width > cutoff);
        for (const day of whole) partitions.delete(day);
        return deleted;
      });
    },

    async count(): Promise<number> {
      const { rows } = await query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.record_ids`);
      return Number(rows[0]?.n ?? 0);
    },

    async close(): Promise<void> {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
  return store;
}

/** Drops a schema the store created, with everything in it (for tests and teardown). */
export async function dropPostgresSchema(connectionString: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}
