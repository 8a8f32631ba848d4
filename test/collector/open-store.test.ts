import { describe, expect, it } from 'vitest';
import { openStore, parseStorageUrl } from '../../src/collector/store/index.js';

describe('parseStorageUrl', () => {
  it('reads SQLite paths, memory and PostgreSQL URLs with a schema parameter', () => {
    expect(parseStorageUrl('sqlite:./sluice.db')).toEqual({ engine: 'sqlite', path: './sluice.db' });
    expect(parseStorageUrl('sqlite:///var/lib/sluice.db')).toEqual({ engine: 'sqlite', path: '/var/lib/sluice.db' });
    expect(parseStorageUrl('sqlite::memory:')).toEqual({ engine: 'sqlite', path: ':memory:' });
    expect(parseStorageUrl(':memory:')).toEqual({ engine: 'sqlite', path: ':memory:' });
    expect(parseStorageUrl('postgres://u@127.0.0.1:5432/db?schema=tenant_a&sslmode=disable')).toEqual({
      engine: 'postgres',
      connectionString: 'postgres://u@127.0.0.1:5432/db?sslmode=disable',
      schema: 'tenant_a',
    });
    expect(parseStorageUrl('postgresql://u@h/db')).toEqual({ engine: 'postgres', connectionString: 'postgresql://u@h/db', schema: undefined });
  });

  it('refuses anything else, naming the forms and never echoing a password', () => {
    expect(() => parseStorageUrl('mysql://root:hunter2secret@h/db')).toThrow(/expected sqlite:.*postgres:/);
    expect(() => parseStorageUrl('mysql://root:hunter2secret@h/db')).not.toThrow(/hunter2secret/);
    expect(() => parseStorageUrl('sqlite:')).toThrow(RangeError);
    expect(() => parseStorageUrl('./sluice.db')).toThrow(RangeError);
  });
});

describe('openStore', () => {
  it('opens a SQLite store in memory', async () => {
    const store = await openStore('sqlite::memory:');
    expect(store.engine).toBe('sqlite');
    expect(await store.count()).toBe(0);
    await store.close();
  });
});
