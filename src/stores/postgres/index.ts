/**
 * `sluice/stores/postgres`: stores kept in PostgreSQL, shared by every process using the same
 * database, through the user's own `pg` Pool or Client (an optional peer dependency; Sluice never
 * connects or ends it). Node-only.
 * @module
 */
export { postgresSemanticStore, type PgQueryable, type PostgresSemanticStore, type PostgresSemanticStoreOptions } from './semantic.js';
