import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dropPostgresSchema, postgresStore } from '../../src/collector/store/postgres.js';
import { openStore } from '../../src/collector/store/index.js';
import { makeRecord } from '../helpers/record.js';
import { describeCollectorStore } from './store-suite.js';

/** The local test server; override to point elsewhere on loopback. */
const URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `sluice_collector_test_${process.pid}_${Date.now().toString(36)}`;
let schemas = 0;
const freshSchema = (): string => `${prefix}_${schemas++}`;

/** Whether the local PostgreSQL answers; the reason when it does not. */
async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unavailable = await probe();
const isRequired = process.env.SLUICE_REQUIRE_SERVICES === '1';

if (unavailable !== null && !isRequired) {
  describe.skip(`CollectorStore: postgres (skipped: PostgreSQL at ${URL} is unreachable: ${unavailable}; set SLUICE_REQUIRE_SERVICES=1 to fail instead)`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  if (unavailable !== null) {
    it('reaches the test PostgreSQL (SLUICE_REQUIRE_SERVICES=1)', () => {
      throw new Error(`PostgreSQL at ${URL} is unreachable: ${unavailable}`);
    });
  }

  describeCollectorStore('postgres', async () => {
    const schema = freshSchema();
    return { store: await postgresStore(URL, { schema, maxConnections: 3 }), dispose: () => dropPostgresSchema(URL, schema) };
  });

  describe('postgresStore', () => {
    it('applies its migrations once when two replicas start together, and again finds them applied', async () => {
      const schema = freshSchema();
      try {
        const [first, second] = await Promise.all([postgresStore(URL, { schema }), postgresStore(URL, { schema })]);
        await first.insert([makeRecord({ id: 'replica-1' })]);
        expect(await second.get('replica-1')).not.toBeNull();
        await Promise.all([first.close(), second.close()]);
        const third = await postgresStore(URL, { schema });
        expect(await third.count()).toBe(1);
        await third.close();
        const client = new pg.Client({ connectionString: URL });
        await client.connect();
        const { rows } = await client.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
        await client.end();
        expect(rows).toEqual([{ version: 1 }]);
      } finally {
        await dropPostgresSchema(URL, schema);
      }
    });

    it('partitions records by day, creates partitions on demand and drops whole days on retention', async () => {
      const schema = freshSchema();
      const store = await postgresStore(URL, { schema });
      try {
        const day = Date.UTC(2026, 10, 1);
        await store.insert([makeRecord({ startedAt: day + 5 }), makeRecord({ startedAt: day + 86_400_000 + 5 }), makeRecord({ startedAt: day + 2 * 86_400_000 + 5 })]);
        const client = new pg.Client({ connectionString: URL });
        await client.connect();
        const partitions = async () =>
          (
            await client.query<{ name: string }>(
              `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
              [schema],
            )
          ).rows.map((row) => row.name);
        expect(await partitions()).toEqual(['records_p20261101', 'records_p20261102', 'records_p20261103']);
        expect(await store.deleteBefore(day + 86_400_000 + 10)).toBe(2);
        expect(await partitions()).toEqual(['records_p20261102', 'records_p20261103']);
        await client.end();
        expect(await store.count()).toBe(1);
        // A record for a day whose partition retention dropped gets it back.
        expect(await store.insert([makeRecord({ startedAt: day + 7 })])).toEqual({ inserted: 1, duplicates: 0 });
      } finally {
        await store.close();
        await dropPostgresSchema(URL, schema);
      }
    });

    it('keeps values out of the SQL text', async () => {
      const schema = freshSchema();
      const store = await postgresStore(URL, { schema });
      try {
        const hostile = `x'); DROP TABLE "${schema}".records; --`;
        await store.insert([makeRecord({ user: hostile, tags: [hostile], model: hostile })]);
        expect((await store.list({ limit: 5, user: hostile, tag: hostile, model: hostile })).records).toHaveLength(1);
        expect(await store.eraseUser(hostile)).toBe(1);
        expect(await store.count()).toBe(0);
      } finally {
        await store.close();
        await dropPostgresSchema(URL, schema);
      }
    });

    it('opens a PostgreSQL store in the schema the URL names', async () => {
      const schema = `sluice_open_test_${process.pid}`;
      try {
        const store = await openStore(`${URL}?schema=${schema}`);
        expect(store.engine).toBe('postgres');
        expect((store as { schema?: string }).schema).toBe(schema);
        expect(await store.count()).toBe(0);
        await store.close();
      } finally {
        await dropPostgresSchema(URL, schema).catch(() => undefined);
      }
    });

    it('refuses a schema name it would have to quote', async () => {
      await expect(postgresStore(URL, { schema: 'bad"name' })).rejects.toThrow(/schema: expected a name/);
    });
  });
}
