/**
 * The SQLite driver: Node's own `node:sqlite` where the runtime has it without a flag (Node 22.13+, 24),
 * else `better-sqlite3` 12 (an optional peer dependency). Both are synchronous and nearly the same API;
 * this file narrows them to the few calls the store makes.
 * @module
 */
import { createRequire } from 'node:module';

/** A value SQLite binds or returns. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A prepared statement, as both drivers expose it. */
export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

/** An open database, as both drivers expose it. */
export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  /** Registers a scalar SQL function (both drivers take the same arguments). */
  function(name: string, options: { deterministic: boolean }, implementation: (...args: unknown[]) => unknown): void;
  close(): void;
}

/** Which driver to use; `auto` picks `node:sqlite` when the runtime has it. */
export type SqliteDriverName = 'auto' | 'node:sqlite' | 'better-sqlite3';

/** An opened database and the driver that opened it. */
export interface OpenedDatabase {
  database: SqliteDatabase;
  driver: 'node:sqlite' | 'better-sqlite3';
}

type DatabaseConstructor = new (path: string) => SqliteDatabase;

function nodeSqlite(): DatabaseConstructor | null {
  // getBuiltinModule answers undefined for a module this runtime lacks or keeps behind a flag.
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const module = getBuiltin?.call(process, 'node:sqlite') as { DatabaseSync?: DatabaseConstructor } | undefined;
  return module?.DatabaseSync ?? null;
}

function betterSqlite3(): DatabaseConstructor | null {
  try {
    // better-sqlite3 is CommonJS. A bundler's ESM output shims `require` with one that throws, so resolve
    // from this file: `__filename` in the CommonJS build, `import.meta.url` in the ESM one.
    const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    return load('better-sqlite3') as DatabaseConstructor;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return null;
    throw error;
  }
}

const MISSING =
  'the SQLite store needs node:sqlite (Node 22.13 or later) or the better-sqlite3 package: run `npm install better-sqlite3@12`';

/**
 * Opens a database file (or `:memory:`) with the chosen driver.
 * @param path - A file path or `:memory:`.
 * @param driver - Which driver; `auto` prefers `node:sqlite`.
 * @throws Error naming what to install when no driver is available.
 */
export function openDatabase(path: string, driver: SqliteDriverName = 'auto'): OpenedDatabase {
  if (driver !== 'better-sqlite3') {
    const Database = nodeSqlite();
    if (Database) return { database: new Database(path), driver: 'node:sqlite' };
    if (driver === 'node:sqlite') throw new Error(`node:sqlite is not available in Node ${process.versions.node} without a flag; ${MISSING}`);
  }
  const Database = betterSqlite3();
  if (!Database) throw new Error(MISSING);
  return { database: new Database(path), driver: 'better-sqlite3' };
}
