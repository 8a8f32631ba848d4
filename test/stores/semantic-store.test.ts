import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memorySemanticStore } from '../../src/stores/memory/semantic.js';
import { postgresSemanticStore } from '../../src/stores/postgres/semantic.js';
import type { SemanticStore } from '../../src/stores/semantic-types.js';

/** A store under test, with a clock the test controls. */
interface StoreHarness {
  store: SemanticStore;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
}

const DIMENSIONS = 16;

/** A unit vector at cosine `similarity` from the axis `axis`, leaning towards axis `towards`. */
function unit(similarity: number, axis = 0, towards = 1, dimensions = DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  vector[axis] = similarity;
  vector[towards] = Math.sqrt(Math.max(0, 1 - similarity * similarity));
  return vector;
}

/** The unit vector along one axis. */
function axis(index: number, dimensions = DIMENSIONS): Float32Array {
  const vector = new Float32Array(dimensions);
  vector[index] = 1;
  return vector;
}

let counter = 0;
const freshKey = (): string => `k${(counter++).toString(16).padStart(15, '0')}`;
const add = (store: SemanticStore, key: string, vector: Float32Array, value: string, ttlMs = 60_000, namespace = 'ns') =>
  Promise.resolve(store.add({ namespace, key, vector, value }, { ttlMs }));
const search = (store: SemanticStore, key: string, vector: Float32Array, minSimilarity = 0.95, namespace = 'ns') =>
  Promise.resolve(store.search({ namespace, key, vector, minSimilarity }));

/**
 * The behaviour every SemanticStore shares: run it over each implementation.
 * @param name The implementation's name.
 * @param factory Creates a harness (once per describe).
 */
function describeSemanticStore(name: string, factory: () => StoreHarness): void {
  describe(`SemanticStore: ${name}`, () => {
    let harness: StoreHarness;
    beforeAll(() => {
      harness = factory();
    });

    it('finds nothing for an absent key', async () => {
      expect(await search(harness.store, freshKey(), unit(1))).toBeNull();
    });

    it('gives an answer back exactly for the same vector, with similarity 1', async () => {
      const key = freshKey();
      const value = '{"version":1}\nline one\r\nline two é 😀 "quoted" \\ back';
      expect(await add(harness.store, key, unit(1), value)).toBe(true);
      const match = await search(harness.store, key, unit(1));
      expect(match?.value).toBe(value);
      expect(match?.similarity).toBeCloseTo(1, 5);
    });

    it('matches at or above the threshold only, and reports the similarity', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'base');
      expect(await search(harness.store, key, unit(0.9), 0.95)).toBeNull();
      const match = await search(harness.store, key, unit(0.9), 0.85);
      expect(match?.value).toBe('base');
      expect(match?.similarity).toBeCloseTo(0.9, 5);
    });

    it('answers the most similar entry', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(0.8, 0, 1), 'far');
      await add(harness.store, key, unit(0.99, 0, 2), 'near');
      await add(harness.store, key, unit(0.9, 0, 3), 'middle');
      const match = await search(harness.store, key, unit(1), 0.5);
      expect(match?.value).toBe('near');
      expect(match?.similarity).toBeCloseTo(0.99, 5);
    });

    it('answers the newest of two equally similar entries', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'old');
      await add(harness.store, key, unit(1), 'new');
      expect((await search(harness.store, key, unit(1)))?.value).toBe('new');
    });

    it('never compares entries of another key or namespace', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'mine');
      expect(await search(harness.store, freshKey(), unit(1))).toBeNull();
      expect(await search(harness.store, key, unit(1), 0.95, 'other')).toBeNull();
    });

    it('never matches a vector of another dimension', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'sixteen');
      expect(await search(harness.store, key, unit(1, 0, 1, 8), 0.1)).toBeNull();
    });

    it('forgets an entry once its TTL has passed', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'short', 1000);
      await add(harness.store, key, unit(0.97), 'long', 60_000);
      harness.advance(999);
      expect((await search(harness.store, key, unit(1)))?.value).toBe('short');
      harness.advance(2);
      const match = await search(harness.store, key, unit(1));
      expect(match?.value).toBe('long');
      harness.advance(60_000);
      expect(await search(harness.store, key, unit(1))).toBeNull();
    });

    it('clears one namespace and leaves the others', async () => {
      const key = freshKey();
      await add(harness.store, key, unit(1), 'a', 60_000, 'to-clear');
      await add(harness.store, key, unit(1), 'b', 60_000, 'to-keep');
      await harness.store.clear('to-clear');
      expect(await search(harness.store, key, unit(1), 0.95, 'to-clear')).toBeNull();
      expect((await search(harness.store, key, unit(1), 0.95, 'to-keep'))?.value).toBe('b');
    });

    it('keeps every answer of concurrent adds', async () => {
      const key = freshKey();
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => add(harness.store, key, axis(1 + index), `v${index}`)));
      expect(results).toEqual(Array(8).fill(true));
      for (let index = 0; index < 8; index++) expect((await search(harness.store, key, axis(1 + index)))?.value).toBe(`v${index}`);
    });
  });
}

describeSemanticStore('memory', () => {
  let nowMs = 0;
  return { store: memorySemanticStore({ now: () => nowMs }), advance: (ms) => (nowMs += ms) };
});

const table = `sluice_semantic_test_${Math.random().toString(36).slice(2, 10)}`;
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 4 });
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.query(`DROP TABLE IF EXISTS "${table}_bounded"`);
  await pool.end();
});

describeSemanticStore('postgres (real[], no extension)', () => {
  let nowMs = 1_700_000_000_000;
  return { store: postgresSemanticStore(pool, { table, now: () => nowMs }), advance: (ms) => (nowMs += ms) };
});

describe('memorySemanticStore', () => {
  it('evicts the least recently used entry beyond maxEntries, and counts it', () => {
    const store = memorySemanticStore({ maxEntries: 3 });
    for (const index of [1, 2, 3]) store.add({ namespace: 'ns', key: 'k', vector: axis(index), value: `v${index}` }, { ttlMs: 60_000 });
    // Serving v1 makes it the most recently used: v2 goes first.
    expect(store.search({ namespace: 'ns', key: 'k', vector: axis(1), minSimilarity: 0.999 })?.value).toBe('v1');
    store.add({ namespace: 'ns', key: 'k', vector: axis(4), value: 'v4' }, { ttlMs: 60_000 });
    expect(store.size).toBe(3);
    expect(store.evictions).toBe(1);
    expect(store.search({ namespace: 'ns', key: 'k', vector: axis(2), minSimilarity: 0.999 })).toBeNull();
    expect(store.search({ namespace: 'ns', key: 'k', vector: axis(4), minSimilarity: 0.999 })?.value).toBe('v4');
  });

  it('stays within maxBytes, and refuses an entry larger than the bound on its own', () => {
    const store = memorySemanticStore({ maxBytes: 1000 });
    const vector = unit(1);
    expect(store.add({ namespace: 'ns', key: 'k', vector, value: 'x'.repeat(2000) }, { ttlMs: 60_000 })).toBe(false);
    for (let index = 0; index < 5; index++) store.add({ namespace: 'ns', key: `k${index}`, vector, value: 'y'.repeat(300) }, { ttlMs: 60_000 });
    expect(store.bytes).toBeLessThanOrEqual(1000);
    expect(store.size).toBe(2);
    expect(store.evictions).toBe(3);
  });

  it('stores a copy of the vector', () => {
    const store = memorySemanticStore();
    const vector = unit(1);
    store.add({ namespace: 'ns', key: 'k', vector, value: 'v' }, { ttlMs: 60_000 });
    vector.fill(0);
    expect(store.search({ namespace: 'ns', key: 'k', vector: unit(1), minSimilarity: 0.99 })?.value).toBe('v');
  });

  it('drops expired entries when it scans them, and clearAll empties it', () => {
    let nowMs = 0;
    const store = memorySemanticStore({ now: () => nowMs });
    store.add({ namespace: 'ns', key: 'k', vector: unit(1), value: 'v' }, { ttlMs: 10 });
    store.add({ namespace: 'ns', key: 'other', vector: unit(1), value: 'w' }, { ttlMs: 10_000 });
    nowMs = 20;
    expect(store.search({ namespace: 'ns', key: 'k', vector: unit(1), minSimilarity: 0.5 })).toBeNull();
    expect(store.size).toBe(1);
    store.clearAll();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
  });

  it('rejects invalid bounds', () => {
    expect(() => memorySemanticStore({ maxEntries: 0 })).toThrow(/maxEntries: expected an integer >= 1/);
    expect(() => memorySemanticStore({ maxBytes: 1.5 })).toThrow(/maxBytes/);
  });
});

describe('postgresSemanticStore', () => {
  it('creates its table with a real[] column when pgvector is not installed', async () => {
    const store = postgresSemanticStore(pool, { table, dimensions: DIMENSIONS });
    expect(await store.ready()).toBe('array');
    const { rows } = await pool.query(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding'`, [`"${table}"`]);
    expect(rows[0]?.type).toBe('real[]');
  });

  it('keeps at most maxEntriesPerKey entries per key, the newest, and sweeps expired rows', async () => {
    let nowMs = 1_700_000_000_000;
    const store = postgresSemanticStore(pool, { table: `${table}_bounded`, maxEntriesPerKey: 2, sweepIntervalMs: 1000, now: () => nowMs });
    await store.add({ namespace: 'ns', key: 'other', vector: unit(1), value: 'expiring' }, { ttlMs: 10 });
    for (const index of [1, 2, 3]) await store.add({ namespace: 'ns', key: 'k', vector: axis(index), value: `v${index}` }, { ttlMs: 60_000 });
    const count = async (key: string) => Number((await pool.query(`SELECT count(*) AS n FROM "${table}_bounded" WHERE key = $1`, [key])).rows[0].n);
    expect(await count('k')).toBe(2);
    expect(await store.search({ namespace: 'ns', key: 'k', vector: axis(1), minSimilarity: 0.999 })).toBeNull();
    expect((await store.search({ namespace: 'ns', key: 'k', vector: axis(3), minSimilarity: 0.999 }))?.value).toBe('v3');
    expect(await count('other')).toBe(1);
    nowMs += 2000;
    await store.add({ namespace: 'ns', key: 'k', vector: unit(1), value: 'v4' }, { ttlMs: 60_000 });
    expect(await count('other')).toBe(0);
  });

  it('uses an existing table as it is, and a second store on it shares its entries', async () => {
    const first = postgresSemanticStore(pool, { table });
    const second = postgresSemanticStore(pool, { table });
    const key = freshKey();
    await first.add({ namespace: 'shared', key, vector: unit(1), value: 'from first' }, { ttlMs: 60_000 });
    expect((await second.search({ namespace: 'shared', key, vector: unit(0.99), minSimilarity: 0.95 }))?.value).toBe('from first');
  });

  it('reports a database failure as a rejection, and sets itself up again afterwards', async () => {
    let failing = true;
    const flaky = {
      query: (text: string, values?: unknown[]) => (failing ? Promise.reject(new Error('connection refused')) : pool.query(text, values)),
    };
    const store = postgresSemanticStore(flaky, { table });
    await expect(Promise.resolve(store.search({ namespace: 'ns', key: 'k', vector: unit(1), minSimilarity: 0.9 }))).rejects.toThrow('connection refused');
    failing = false;
    expect(await store.ready()).toBe('array');
  });

  it('rejects invalid options', () => {
    expect(() => postgresSemanticStore(pool, { table: 'bad name; DROP TABLE x' })).toThrow(/table: expected a name/);
    expect(() => postgresSemanticStore(pool, { vector: true })).toThrow(/dimensions: required with vector: true/);
    expect(() => postgresSemanticStore(pool, { maxEntriesPerKey: 0 })).toThrow(/maxEntriesPerKey/);
    expect(() => postgresSemanticStore({} as never)).toThrow(/expected a pg Pool/);
  });

  it('accepts a pg Pool, PoolClient or Client as its client type', () => {
    const client = new pg.Client();
    expect(postgresSemanticStore(client, { table })).toBeDefined();
  });
});
