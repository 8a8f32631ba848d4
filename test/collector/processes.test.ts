import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallRecord } from '../../src/events/record.js';
import { makeRecord } from '../helpers/record.js';
import { dropPostgresSchema } from '../../src/collector/store/postgres.js';
import { spawnCollector, spawnNode, type Child } from './processes.js';

const INGEST_KEY = 'process-ingest-key-0123456789';
const READ_KEY = 'process-read-key-0123456789';
const directory = mkdtempSync(join(tmpdir(), 'sluice-collector-'));
const keyFile = join(directory, 'read-keys');
writeFileSync(keyFile, `# read keys\n${READ_KEY}\n`);
const children: Child[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await child.exited;
  }
});
const POSTGRES_URL = process.env.SLUICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  for (const schema of schemas) await dropPostgresSchema(POSTGRES_URL, schema);
});

/** Whether the local PostgreSQL answers (its tests fail rather than skip under SLUICE_REQUIRE_SERVICES=1). */
async function postgresReachable(): Promise<boolean> {
  if (process.env.SLUICE_REQUIRE_SERVICES === '1') return true;
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh storage URL per test: a SQLite file, or a PostgreSQL schema. */
const engines: Array<{ engine: string; storage: (name: string) => string }> = [{ engine: 'sqlite', storage: (name) => `sqlite:${join(directory, `${name}.db`)}` }];
if (await postgresReachable()) {
  engines.push({
    engine: 'postgres',
    storage: (name) => {
      const schema = `sluice_collector_api_${process.pid}_${name}`;
      schemas.push(schema);
      return `${POSTGRES_URL}?schema=${schema}`;
    },
  });
}

/** Every record id stored, page by page (at most 50 pages). */
async function storedIds(url: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const response = await fetch(`${url}/v1/records?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { authorization: `Bearer ${READ_KEY}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { records: CallRecord[]; nextCursor: string | null };
    ids.push(...body.records.map((record) => record.id));
    cursor = body.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('more pages than expected');
}

async function collector(storage: string, extra: readonly string[] = []) {
  const child = await spawnCollector(['--storage', storage, '--port', '0', '--read-key-file', keyFile, ...extra], { SLUICE_COLLECTOR_INGEST_KEYS: INGEST_KEY });
  children.push(child);
  return child;
}

describe.each(engines)('the collector as a process ($engine)', ({ engine, storage }) => {
  it.runIf(engine === 'postgres')('runs as two replicas on one database: records sent to both are stored once', async () => {
    const shared = storage('replicas');
    const [a, b] = await Promise.all([collector(shared), collector(shared)]);
    const shippers = [spawnNode('test/collector/fixtures/sluice-process.ts', [a.url, '40', 'alice'], { SLUICE_INGEST_KEY: INGEST_KEY }), spawnNode('test/collector/fixtures/sluice-process.ts', [b.url, '40', 'bob'], { SLUICE_INGEST_KEY: INGEST_KEY })];
    children.push(...shippers);
    // The same batch through both replicas at once: the database keeps one copy.
    const records = Array.from({ length: 100 }, (_, index) => makeRecord({ id: `both-${index}` }));
    const answers = await Promise.all([a.url, b.url].map((url) => fetch(`${url}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}` }, body: JSON.stringify({ records }) }).then((response) => response.json() as Promise<{ inserted: number; duplicates: number }>)));
    expect(answers.reduce((sum, answer) => sum + answer.inserted, 0)).toBe(100);
    expect(answers.reduce((sum, answer) => sum + answer.duplicates, 0)).toBe(100);
    expect(await Promise.all(shippers.map((child) => child.exited))).toEqual([0, 0]);
    const expected = [...shippers.flatMap((child) => (JSON.parse(child.stdout()) as { ids: string[] }).ids), ...records.map((record) => record.id)];
    for (const url of [a.url, b.url]) {
      const stored = await storedIds(url);
      expect(stored).toHaveLength(180);
      expect(new Set(stored)).toEqual(new Set(expected));
    }
  }, 60_000);

  it('stores each record of two Sluice processes shipping through httpExporter exactly once', async () => {
    const { url } = await collector(storage('two'));
    const shippers = ['alice', 'bob'].map((user) => spawnNode('test/collector/fixtures/sluice-process.ts', [url, '60', user], { SLUICE_INGEST_KEY: INGEST_KEY }));
    children.push(...shippers);
    expect(await Promise.all(shippers.map((child) => child.exited))).toEqual([0, 0]);
    const produced = shippers.map((child) => JSON.parse(child.stdout()) as { ids: string[]; dropped: number });
    expect(produced.map((entry) => entry.dropped)).toEqual([0, 0]);
    const expected = produced.flatMap((entry) => entry.ids);
    expect(expected).toHaveLength(120);
    const stored = await storedIds(url);
    expect(stored).toHaveLength(120);
    expect(new Set(stored)).toEqual(new Set(expected));
    // The provider key never reaches the collector.
    const page = await (await fetch(`${url}/v1/records?user=alice&limit=1`, { headers: { authorization: `Bearer ${READ_KEY}` } })).text();
    expect(page).toContain('alice-session');
    expect(page).not.toContain('sk-provider-key-never-shipped');
  }, 60_000);

  it('loses nothing it acknowledged when killed mid-load, and retries fill the gap without duplicates', async () => {
    const database = storage('killed');
    const first = await collector(database);
    const port = new URL(first.url).port;
    const batches = Array.from({ length: 120 }, (_, batch) => Array.from({ length: 50 }, (_, index) => makeRecord({ id: `kill-${batch}-${index}`, startedAt: 1_700_000_000_000 + batch * 1000 + index })));
    const acknowledged = new Set<number>();
    let url = first.url;
    const post = async (batch: number): Promise<boolean> => {
      try {
        const response = await fetch(`${url}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ records: batches[batch] }) });
        await response.arrayBuffer();
        if (response.status === 200) acknowledged.add(batch);
        return response.status === 200;
      } catch {
        return false; // the collector went away mid-request: not acknowledged
      }
    };
    // Four concurrent senders; the collector is killed once 20 batches are acknowledged, with others in flight.
    let next = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (next < batches.length && !killed) {
        const batch = next++;
        await post(batch);
        if (acknowledged.size >= 20 && !killed) {
          killed = true;
          first.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(await first.exited).toBe('SIGKILL');
    const acknowledgedBeforeKill = [...acknowledged];
    expect(acknowledgedBeforeKill.length).toBeGreaterThanOrEqual(20);

    const second = await collector(database, ['--port', port]);
    url = second.url;
    // Nothing acknowledged was lost.
    const afterRestart = new Set(await storedIds(url));
    for (const batch of acknowledgedBeforeKill) for (const record of batches[batch]!) expect(afterRestart.has(record.id)).toBe(true);
    // The senders retry every batch not acknowledged (including ones that may have been committed before the kill).
    for (let batch = 0; batch < batches.length; batch++) {
      if (acknowledged.has(batch)) continue;
      expect(await post(batch)).toBe(true);
    }
    const stored = await storedIds(url);
    expect(stored).toHaveLength(batches.length * 50);
    expect(new Set(stored).size).toBe(stored.length);
  }, 60_000);

  it('drains and exits 0 on SIGTERM; what it acknowledged is there after a restart', async () => {
    const database = storage('term');
    const first = await collector(database);
    const records = [makeRecord({ id: 'term-1' }), makeRecord({ id: 'term-2' })];
    const response = await fetch(`${first.url}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}` }, body: JSON.stringify({ records }) });
    expect(response.status).toBe(200);
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stderr()).toContain('shutting down');
    const second = await collector(database);
    expect((await storedIds(second.url)).sort()).toEqual(['term-1', 'term-2']);
  }, 30_000);
});

describe('sluice collector as a process', () => {
  it('refuses --open on a host that is not loopback, and starts without an ingest key never', async () => {
    const open = spawnNode('src/cli/index.ts', ['collector', '--storage', 'sqlite::memory:', '--port', '0', '--host', '0.0.0.0', '--open'], { SLUICE_COLLECTOR_INGEST_KEYS: INGEST_KEY });
    children.push(open);
    expect(await open.exited).toBe(1);
    expect(open.stderr()).toContain("loopback host only, not on '0.0.0.0'");
    const keyless = spawnNode('src/cli/index.ts', ['collector', '--storage', 'sqlite::memory:', '--port', '0'], { SLUICE_COLLECTOR_INGEST_KEYS: '' });
    children.push(keyless);
    expect(await keyless.exited).toBe(2);
    expect(keyless.stderr()).toContain('no ingest key');
  }, 30_000);
});
