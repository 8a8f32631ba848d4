/**
 * Opens the collector's store from a URL: `sqlite:./sluice.db`, `sqlite::memory:` (or `:memory:`), or
 * `postgres://…` / `postgresql://…`. Each engine (and its driver) loads only when its URL is opened.
 * @module
 */
import type { PostgresStore, PostgresStoreOptions } from './postgres.js';
import type { SqliteStoreOptions } from './sqlite.js';
import type { CollectorStore } from './types.js';

export type * from './types.js';
export type { PostgresStore, PostgresStoreOptions } from './postgres.js';
export type { SqliteStore, SqliteStoreOptions } from './sqlite.js';

/** Options of {@link openStore}: each applies to its engine and is ignored by the other. */
export interface OpenStoreOptions extends SqliteStoreOptions, PostgresStoreOptions {}

/** Where a storage URL points. */
export type StorageTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; connectionString: string; schema: string | undefined };

/**
 * Parses a storage URL; throws a `RangeError` naming the accepted forms.
 * A `schema` query parameter of a PostgreSQL URL picks the schema and is not passed to the driver.
 * @param url - The storage URL.
 */
export function parseStorageUrl(url: string): StorageTarget {
  const trimmed = url.trim();
  if (trimmed === ':memory:') return { engine: 'sqlite', path: ':memory:' };
  if (trimmed.startsWith('sqlite:')) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path !== '') return { engine: 'sqlite', path };
  } else if (/^postgres(ql)?:\/\//.test(trimmed)) {
    const parsed = new URL(trimmed);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    return { engine: 'postgres', connectionString: parsed.toString(), schema };
  }
  throw new RangeError(`storage: expected sqlite:./path.db, sqlite::memory: or postgres://user@host/database, got ${JSON.stringify(redactUrl(trimmed))}`);
}

/** A URL without its password, for messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/**
 * Opens a collector store; a PostgreSQL store has applied its migrations when this resolves.
 * @param url - `sqlite:./sluice.db`, `sqlite::memory:`, `:memory:`, `postgres://…` or `postgresql://…`.
 * @param options - Engine options (SQLite driver and cache, PostgreSQL schema and pool size).
 * @throws RangeError for a URL of no known form; Error naming the package to install when the engine's driver is missing.
 * @example
 * ```ts
 * const store = await openStore('sqlite:./sluice.db');
 * await store.insert(records);
 * await store.close();
 * ```
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<CollectorStore> {
  const target = parseStorageUrl(url);
  if (target.engine === 'sqlite') {
    const { sqliteStore } = await import('./sqlite.js');
    const sqliteOptions: SqliteStoreOptions = {};
    if (options.driver !== undefined) sqliteOptions.driver = options.driver;
    if (options.cacheSizeKib !== undefined) sqliteOptions.cacheSizeKib = options.cacheSizeKib;
    return sqliteStore(target.path, sqliteOptions);
  }
  let postgresStore: (connectionString: string, options?: PostgresStoreOptions) => Promise<PostgresStore>;
  try {
    ({ postgresStore } = await import('./postgres.js'));
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new Error('the PostgreSQL store needs the pg package: run `npm install pg`', { cause: error });
    }
    throw error;
  }
  const postgresOptions: PostgresStoreOptions = {};
  const schema = target.schema ?? options.schema;
  if (schema !== undefined) postgresOptions.schema = schema;
  if (options.maxConnections !== undefined) postgresOptions.maxConnections = options.maxConnections;
  return postgresStore(target.connectionString, postgresOptions);
}
