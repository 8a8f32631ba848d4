import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/collector/store/sqlite.js';
import { makeRecord } from '../helpers/record.js';
import { describeCollectorStore } from './store-suite.js';

const directory = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

const hasNodeSqlite = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:sqlite') !== undefined;

describeCollectorStore('sqlite :memory:', () => Promise.resolve({ store: sqliteStore(':memory:') }));
describeCollectorStore('sqlite file (WAL)', () => Promise.resolve({ store: sqliteStore(join(directory, `store-${files++}.db`)) }));
if (hasNodeSqlite) describeCollectorStore('sqlite :memory: on better-sqlite3', () => Promise.resolve({ store: sqliteStore(':memory:', { driver: 'better-sqlite3' }) }));

describe('sqliteStore', () => {
  it('keeps what it committed across a reopen, in WAL mode', async () => {
    const path = join(directory, 'reopen.db');
    const first = sqliteStore(path);
    const record = makeRecord({ id: 'reopen-1' });
    await first.insert([record]);
    await first.close();
    const second = sqliteStore(path);
    expect(await second.get('reopen-1')).toEqual(record);
    expect(await second.insert([record])).toEqual({ inserted: 0, duplicates: 1 });
    await second.close();
  });

  it('uses node:sqlite where the runtime has it, else better-sqlite3', async () => {
    const store = sqliteStore(':memory:');
    expect(store.engine).toBe('sqlite');
    expect(store.driver).toBe(hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
    await store.close();
  });

  it('names what to install when the driver asked for is missing', () => {
    if (hasNodeSqlite) expect(sqliteStore(':memory:', { driver: 'node:sqlite' }).driver).toBe('node:sqlite');
    else expect(() => sqliteStore(':memory:', { driver: 'node:sqlite' })).toThrow(/npm install better-sqlite3@12/);
  });

  it('rejects a record without an id, writing nothing of its batch', async () => {
    const store = sqliteStore(':memory:');
    await expect(store.insert([makeRecord(), { ...makeRecord(), id: '' }])).rejects.toThrow(/record.id/);
    expect(await store.count()).toBe(0);
    await store.close();
  });
});
