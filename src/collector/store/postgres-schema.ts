/**
 * The PostgreSQL store's schema: versioned migrations applied at start under an advisory lock (so replicas
 * starting together apply each once), and the daily partitions of the records table, created on demand.
 * @module
 */
import type pg from 'pg';

/** One step of the schema; `sql` receives the quoted schema name. */
interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/** Every migration, in order. Never edit one that shipped: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, record ids, rollups',
    sql: (s) => `
CREATE TABLE ${s}.records (
  id text NOT NULL,
  started_at bigint NOT NULL,
  provider text, model text, requested_model text, end_user text, session text,
  status integer, outcome text NOT NULL, cache text NOT NULL, tags text[] NOT NULL,
  input_tokens bigint, output_tokens bigint, cost_usd double precision, saved_usd double precision,
  attempts integer NOT NULL, latency_ms double precision NOT NULL, ttft_ms double precision,
  body text NOT NULL,
  PRIMARY KEY (started_at, id)
) PARTITION BY RANGE (started_at);
CREATE INDEX records_user ON ${s}.records (end_user, started_at);
CREATE INDEX records_session ON ${s}.records (session, started_at);
CREATE INDEX records_provider ON ${s}.records (provider, started_at);
CREATE INDEX records_model ON ${s}.records (model, started_at);
CREATE INDEX records_requested_model ON ${s}.records (requested_model, started_at);
CREATE INDEX records_tags ON ${s}.records USING gin (tags);
-- Record ids are unique across partitions: the partitioned table's key must include started_at.
CREATE TABLE ${s}.record_ids (id text PRIMARY KEY, started_at bigint NOT NULL);
CREATE INDEX record_ids_time ON ${s}.record_ids (started_at);
CREATE TABLE ${s}.rollups (
  dimension text NOT NULL, width bigint NOT NULL, start bigint NOT NULL, value text NOT NULL,
  requests bigint NOT NULL, errors bigint NOT NULL, input_tokens bigint NOT NULL, output_tokens bigint NOT NULL,
  cost_usd double precision NOT NULL, saved_usd double precision NOT NULL, cache_hits bigint NOT NULL,
  cache_lookups bigint NOT NULL, fallbacks bigint NOT NULL, latency bigint[] NOT NULL, ttft bigint[] NOT NULL,
  PRIMARY KEY (dimension, width, start, value)
);
CREATE FUNCTION ${s}.sluice_hist_add(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i), '{}')
  FROM generate_series(1, greatest(cardinality(a), cardinality(b))) AS i
$$;`,
  },
];

/** A schema name, validated, then quoted for SQL. */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`schema: expected a name of letters, digits and _ (got ${JSON.stringify(schema)})`);
  return `"${schema}"`;
}

/** Applies the migrations a schema lacks, holding an advisory lock so concurrent starts apply each once. */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const quoted = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`sluice.collector:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
      const applied = new Set(rows.map((row) => row.version));
      const newest = Math.max(0, ...applied);
      const known = MIGRATIONS.at(-1)?.version ?? 0;
      if (newest > known) throw new Error(`the collector schema ${schema} is at version ${newest}; this Sluice knows up to ${known}: upgrade Sluice`);
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql(quoted));
          await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`sluice.collector:${schema}`]);
    }
  } finally {
    client.release();
  }
}

/** One partition's width: a UTC day. */
export const PARTITION_MS = 86_400_000;

/** The name of the partition holding `startedAt`: `records_p20261208`. */
export function partitionName(dayStart: number): string {
  const date = new Date(dayStart);
  const digits = `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
  return `records_p${digits}`;
}

/** The day starts of the partitions that exist. */
export async function existingPartitions(pool: pg.Pool, schema: string): Promise<Set<number>> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND p.relname = 'records' AND c.relkind = 'r'`,
    [schema],
  );
  const days = new Set<number>();
  for (const { name } of rows) {
    const match = /^records_p(\d{4})(\d{2})(\d{2})$/.exec(name);
    if (match) days.add(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  }
  return days;
}

/** Creates the partitions of these days that do not exist, under an advisory lock shared by every replica. */
export async function createPartitions(pool: pg.Pool, schema: string, days: readonly number[]): Promise<void> {
  const quoted = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sluice.collector.partitions:${schema}`]);
    for (const day of days) {
      // Day bounds are integers computed here, never input text.
      await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.${partitionName(day)} PARTITION OF ${quoted}.records FOR VALUES FROM (${day}) TO (${day + PARTITION_MS})`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
