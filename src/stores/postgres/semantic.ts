/**
 * A {@link SemanticStore} in PostgreSQL, shared by every process using the same table, through the
 * user's own `pg` Pool or Client (an optional peer dependency; Sluice never connects or ends it).
 *
 * Without extensions, embeddings are `real[]` and the cosine similarity is a dot product computed in
 * SQL over `unnest` (vectors are unit length), scanning the rows of one namespace and exact key
 * through a B-tree index; `maxEntriesPerKey` bounds that scan. When the table is created with
 * `dimensions` and the `vector` extension (pgvector) is installed, the column is `vector(n)`, the
 * search uses the `<=>` cosine distance and an HNSW index is created. Node-only.
 * @module
 */
import type { SemanticAddOptions, SemanticEntry, SemanticMatch, SemanticQuery, SemanticStore } from '../semantic-types.js';

/**
 * The part of a `pg` Pool, PoolClient or Client the store uses.
 * @example
 * import pg from 'pg';
 * const pool: PgQueryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 */
export interface PgQueryable {
  /**
   * Runs one parameterised statement.
   * @param text The SQL, with `$1`… placeholders.
   * @param values The parameters.
   */
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Options of {@link postgresSemanticStore}. */
export interface PostgresSemanticStoreOptions {
  /**
   * The table, optionally schema-qualified (`cache.semantic`); created with its indexes if missing.
   * Letters, digits and underscores, at most 48 characters per part.
   * @default 'sluice_semantic_cache'
   */
  table?: string;
  /**
   * Whether to use pgvector for a table this store creates: `'auto'` uses it when the `vector`
   * extension is already installed in the database and `dimensions` is given; `true` also runs
   * `CREATE EXTENSION IF NOT EXISTS vector` (and needs `dimensions`); `false` never uses it. An
   * existing table keeps the column type it was created with.
   * @default 'auto'
   */
  vector?: 'auto' | boolean;
  /**
   * The embedding's dimension, which a pgvector column (and its HNSW index) needs up front.
   * Vectors of another dimension are neither stored nor matched in a pgvector table.
   */
  dimensions?: number;
  /**
   * The most entries kept per namespace and exact key (the newest stay), which bounds the rows a
   * search scans without pgvector.
   * @default 1000
   */
  maxEntriesPerKey?: number;
  /**
   * How often at most expired rows of every key are deleted, in ms (rows of the key being written
   * are deleted on every write).
   * @default 60000
   */
  sweepIntervalMs?: number;
  /**
   * The wall clock in ms since the epoch that expiry times are written and compared with; every
   * process sharing the table must agree on it (NTP-synchronised hosts do), tests pass a fake one.
   * @default () => Date.now()
   */
  now?: () => number;
}

/** A PostgreSQL semantic store. */
export interface PostgresSemanticStore extends SemanticStore {
  /**
   * Creates the table and its indexes if missing (otherwise done on first use), and tells which
   * column type the table has.
   * @returns `'vector'` for a pgvector column, `'array'` for `real[]`.
   */
  ready(): Promise<'vector' | 'array'>;
}

const PART = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`postgresSemanticStore().${name}: expected an integer >= 1, received ${String(value)}`);
  return value;
}

/** A unit vector as a pgvector literal. */
const vectorLiteral = (vector: Float32Array): string => `[${Array.from(vector).join(',')}]`;

class PostgresSemantic implements PostgresSemanticStore {
  readonly #client: PgQueryable;
  readonly #table: string;
  readonly #tableName: string;
  readonly #indexPrefix: string;
  readonly #vector: 'auto' | boolean;
  readonly #dimensions: number | null;
  readonly #maxEntriesPerKey: number;
  readonly #sweepIntervalMs: number;
  readonly #now: () => number;
  #setup: Promise<'vector' | 'array'> | null = null;
  #lastSweepMs = -Infinity;

  constructor(client: PgQueryable, options: PostgresSemanticStoreOptions) {
    if (typeof client?.query !== 'function') throw new TypeError('postgresSemanticStore(client): expected a pg Pool, PoolClient or Client (an object with query())');
    const table = options.table ?? 'sluice_semantic_cache';
    const parts = typeof table === 'string' ? table.split('.') : [];
    if (parts.length < 1 || parts.length > 2 || !parts.every((part) => PART.test(part))) {
      throw new TypeError(`postgresSemanticStore().table: expected a name of letters, digits and underscores (at most 48 each), optionally schema-qualified, received ${JSON.stringify(table)}`);
    }
    if (options.vector !== undefined && options.vector !== 'auto' && typeof options.vector !== 'boolean') {
      throw new TypeError(`postgresSemanticStore().vector: expected 'auto', true or false, received ${JSON.stringify(options.vector)}`);
    }
    this.#client = client;
    // Quoted, so the name is taken exactly as written.
    this.#table = parts.map((part) => `"${part}"`).join('.');
    this.#tableName = table;
    this.#indexPrefix = parts[parts.length - 1]!;
    this.#vector = options.vector ?? 'auto';
    this.#dimensions = options.dimensions === undefined ? null : checkCount('dimensions', options.dimensions, 0);
    if (this.#vector === true && this.#dimensions === null) throw new TypeError('postgresSemanticStore().dimensions: required with vector: true (a pgvector column has a fixed dimension)');
    this.#maxEntriesPerKey = checkCount('maxEntriesPerKey', options.maxEntriesPerKey, 1000);
    this.#sweepIntervalMs = checkCount('sweepIntervalMs', options.sweepIntervalMs, 60_000);
    const now = options.now ?? (() => Date.now());
    if (typeof now !== 'function') throw new TypeError('postgresSemanticStore().now: expected a function returning milliseconds since the epoch');
    this.#now = now;
  }

  ready(): Promise<'vector' | 'array'> {
    const setup = (this.#setup ??= this.#create());
    // A failed setup (database down, no permission) is tried again by the next call.
    setup.catch(() => {
      if (this.#setup === setup) this.#setup = null;
    });
    return setup;
  }

  async search(query: SemanticQuery): Promise<SemanticMatch | null> {
    const mode = await this.ready();
    // expires_at is a bigint: a fractional clock reading would not parse.
    const nowMs = Math.floor(this.#now());
    let rows: unknown[];
    if (mode === 'vector') {
      if (query.vector.length !== this.#dimensions) return null;
      // Distance order lets the HNSW index serve the search; the threshold is applied to its answer.
      ({ rows } = await this.#client.query(
        `SELECT value, 1 - (embedding <=> $3::vector) AS similarity FROM ${this.#table}
         WHERE namespace = $1 AND key = $2 AND expires_at > $4
         ORDER BY embedding <=> $3::vector, id DESC LIMIT 1`,
        [query.namespace, query.key, vectorLiteral(query.vector), nowMs],
      ));
    } else {
      ({ rows } = await this.#client.query(
        `SELECT value, similarity FROM (
           SELECT id, value, (SELECT sum(a::float8 * b::float8) FROM unnest(embedding, $3::real[]) AS pair(a, b)) AS similarity
           FROM ${this.#table}
           WHERE namespace = $1 AND key = $2 AND expires_at > $4 AND cardinality(embedding) = $5
         ) AS scored
         WHERE similarity >= $6 ORDER BY similarity DESC, id DESC LIMIT 1`,
        [query.namespace, query.key, Array.from(query.vector), nowMs, query.vector.length, query.minSimilarity],
      ));
    }
    const row = rows[0] as { value: unknown; similarity: unknown } | undefined;
    if (row === undefined || typeof row.value !== 'string') return null;
    const similarity = Number(row.similarity);
    if (!(similarity >= query.minSimilarity)) return null;
    return { value: row.value, similarity: Math.min(1, similarity) };
  }

  async add(entry: SemanticEntry, options: SemanticAddOptions): Promise<boolean> {
    const mode = await this.ready();
    if (mode === 'vector' && entry.vector.length !== this.#dimensions) return false;
    const nowMs = Math.floor(this.#now());
    const embedding = mode === 'vector' ? vectorLiteral(entry.vector) : Array.from(entry.vector);
    await this.#client.query(`INSERT INTO ${this.#table} (namespace, key, embedding, value, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      entry.namespace,
      entry.key,
      embedding,
      entry.value,
      Math.round(nowMs + Math.max(1, options.ttlMs)),
    ]);
    // Keep the key's group within its bound (newest rows stay) and free its expired rows.
    await this.#client.query(
      `DELETE FROM ${this.#table} WHERE namespace = $1 AND key = $2 AND (expires_at <= $3 OR id <= (
         SELECT id FROM ${this.#table} WHERE namespace = $1 AND key = $2 ORDER BY id DESC OFFSET $4 LIMIT 1))`,
      [entry.namespace, entry.key, nowMs, this.#maxEntriesPerKey],
    );
    if (nowMs - this.#lastSweepMs >= this.#sweepIntervalMs) {
      this.#lastSweepMs = nowMs;
      await this.#client.query(`DELETE FROM ${this.#table} WHERE expires_at <= $1`, [nowMs]);
    }
    return true;
  }

  async clear(namespace: string): Promise<void> {
    await this.ready();
    await this.#client.query(`DELETE FROM ${this.#table} WHERE namespace = $1`, [namespace]);
  }

  /** The type of an existing table's `embedding` column, or `null` when the table does not exist. */
  async #existing(): Promise<'vector' | 'array' | null> {
    const { rows } = await this.#client.query(
      `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding' AND NOT attisdropped`,
      [this.#table],
    );
    const type = (rows[0] as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string') return null;
    return type.startsWith('vector') ? 'vector' : 'array';
  }

  async #useVector(): Promise<boolean> {
    if (this.#vector === false || this.#dimensions === null) return false;
    if (this.#vector === true) {
      await this.#client.query('CREATE EXTENSION IF NOT EXISTS vector');
      return true;
    }
    const { rows } = await this.#client.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    return rows.length > 0;
  }

  async #create(): Promise<'vector' | 'array'> {
    const existing = await this.#existing();
    if (existing !== null) return existing;
    const vector = await this.#useVector();
    const column = vector ? `vector(${this.#dimensions})` : 'real[]';
    const prefix = this.#indexPrefix;
    try {
      await this.#client.query(
        `CREATE TABLE IF NOT EXISTS ${this.#table} (
           id bigserial PRIMARY KEY,
           namespace text NOT NULL,
           key text NOT NULL,
           embedding ${column} NOT NULL,
           value text NOT NULL,
           expires_at bigint NOT NULL
         )`,
      );
      await this.#client.query(`CREATE INDEX IF NOT EXISTS "${prefix}_lookup_idx" ON ${this.#table} (namespace, key, expires_at)`);
      await this.#client.query(`CREATE INDEX IF NOT EXISTS "${prefix}_expiry_idx" ON ${this.#table} (expires_at)`);
      if (vector) await this.#client.query(`CREATE INDEX IF NOT EXISTS "${prefix}_hnsw_idx" ON ${this.#table} USING hnsw (embedding vector_cosine_ops)`);
    } catch (error) {
      // Another process created the table at the same moment (CREATE ... IF NOT EXISTS is not atomic).
      const again = await this.#existing();
      if (again === null) throw error;
      return again;
    }
    return (await this.#existing()) ?? (vector ? 'vector' : 'array');
  }

  toString(): string {
    return `postgresSemanticStore(${this.#tableName})`;
  }
}

/**
 * Creates a semantic store in a PostgreSQL table, shared by every process that uses it. The table
 * and its indexes are created on first use when missing; no extension is required.
 * @param client Your `pg` Pool, PoolClient or Client (Sluice never connects or ends it).
 * @param options Table, pgvector use, bounds and clock.
 * @param options.table The table name. @default 'sluice_semantic_cache'
 * @param options.vector Whether to use pgvector for a new table. @default 'auto'
 * @param options.dimensions The embedding dimension (needed for pgvector).
 * @param options.maxEntriesPerKey The most entries kept per namespace and exact key. @default 1000
 * @param options.sweepIntervalMs How often at most every key's expired rows are deleted. @default 60000
 * @param options.now The wall clock in ms. @default () => Date.now()
 * @returns The store; pass it to `semanticCache({ store })`.
 * @throws {TypeError} when the client or an option is invalid.
 * @example
 * import pg from 'pg';
 * import { semanticCache } from 'sluice/plugins';
 * import { postgresSemanticStore } from 'sluice/stores/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * semanticCache({ embed, store: postgresSemanticStore(pool, { table: 'llm_semantic_cache' }) });
 */
export function postgresSemanticStore(client: PgQueryable, options: PostgresSemanticStoreOptions = {}): PostgresSemanticStore {
  return new PostgresSemantic(client, options);
}
