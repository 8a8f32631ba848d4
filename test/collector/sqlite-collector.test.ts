import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCollector } from '../../src/collector/server.js';
import type { CallRecord } from '../../src/events/record.js';
import { makeRecord } from '../helpers/record.js';
import { ADMIN_KEY, closeAll, INGEST_KEY, READ_KEY, start } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'sluice-collector-sqlite-'));
afterEach(closeAll);
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;

describe('the collector on the SQLite store', () => {
  it('ingests, lists, pages, reads one record and a session, and answers stats from the store', async () => {
    const running = await start({ storage: 'sqlite::memory:', now: () => NOW });
    expect(running.collector.store.engine).toBe('sqlite');
    const records = [
      makeRecord({ startedAt: NOW - 3 * HOUR, model: 'gpt-4o', session: 's', latencyMs: 100 }),
      makeRecord({ startedAt: NOW - 2 * HOUR, model: 'gpt-4o-mini', session: 's', latencyMs: 200, outcome: 'failed', status: 500 }),
      makeRecord({ startedAt: NOW - HOUR, model: 'gpt-4o', latencyMs: 300 }),
    ];
    expect((await running.ingest({ records })).status).toBe(200);
    expect(await (await running.ingest({ records })).json()).toMatchObject({ inserted: 0, duplicates: 3 });
    const page1 = (await (await running.get('/v1/records?limit=2')).json()) as { records: CallRecord[]; nextCursor: string };
    expect(page1.records.map((record) => record.id)).toEqual([records[2]!.id, records[1]!.id]);
    const page2 = (await (await running.get(`/v1/records?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)).json()) as { records: CallRecord[]; nextCursor: null };
    expect(page2).toEqual({ records: [records[0]], nextCursor: null });
    expect(await (await running.get(`/v1/records/${records[1]!.id}`)).json()).toEqual(records[1]);
    expect(((await (await running.get('/v1/sessions/s')).json()) as { records: CallRecord[] }).records.map((record) => record.id)).toEqual([records[0]!.id, records[1]!.id]);
    const stats = (await (await running.get(`/v1/stats?from=${NOW - 4 * HOUR}&to=${NOW}&interval=1h&groupBy=model`)).json()) as { rows: Array<{ group: string; requests: number; errors: number }> };
    const byModel = new Map<string, { requests: number; errors: number }>();
    for (const row of stats.rows) {
      const total = byModel.get(row.group) ?? { requests: 0, errors: 0 };
      byModel.set(row.group, { requests: total.requests + row.requests, errors: total.errors + row.errors });
    }
    expect(Object.fromEntries(byModel)).toEqual({ 'gpt-4o': { requests: 2, errors: 0 }, 'gpt-4o-mini': { requests: 1, errors: 1 } });
  });

  it('erases a user and applies retention, as queries then show', async () => {
    const running = await start({ storage: 'sqlite::memory:', retention: '1d', now: () => NOW });
    const records = [
      makeRecord({ startedAt: NOW - 2 * 24 * HOUR, user: 'old' }),
      makeRecord({ startedAt: NOW - HOUR, user: 'erase-me' }),
      makeRecord({ startedAt: NOW - HOUR, user: 'keep-me' }),
    ];
    await running.ingest({ records });
    const users = async () => ((await (await running.get('/v1/records')).json()) as { records: CallRecord[] }).records.map((record) => record.user).sort();
    expect(await users()).toEqual(['erase-me', 'keep-me', 'old']);
    expect(await running.collector.sweep()).toBe(1);
    expect(await users()).toEqual(['erase-me', 'keep-me']);
    const erased = await fetch(`${running.url}/v1/users/erase-me/records`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(await erased.json()).toEqual({ deleted: 1 });
    expect(await users()).toEqual(['keep-me']);
    const stats = (await (await running.get(`/v1/stats?from=${NOW - 3 * 24 * HOUR}&to=${NOW}&interval=1d&groupBy=user`)).json()) as { rows: Array<{ group: string }> };
    expect(stats.rows.map((row) => row.group)).toEqual(['keep-me']);
  });

  it('keeps what it committed in its file across close and reopen, and closes the store it opened', async () => {
    const storage = `sqlite:${join(directory, 'reopen.db')}`;
    const first = await createCollector({ storage, ingestKeys: [INGEST_KEY], readKeys: [READ_KEY], dashboard: false });
    const { url } = await first.listen({ port: 0 });
    const record = makeRecord();
    await fetch(`${url}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}` }, body: JSON.stringify({ records: [record] }) });
    await first.close();
    await expect(first.store.count()).rejects.toThrow();
    const second = await createCollector({ storage, dashboard: false });
    expect(await second.store.get(record.id)).toEqual(record);
    await second.close();
  });

  it('refuses a storage URL it cannot open, naming the scheme only', async () => {
    await expect(createCollector({ storage: 'mysql://root:hunter2@db/sluice' })).rejects.toThrow(/storage 'mysql:' is not supported/);
    await expect(createCollector({ storage: 'mysql://root:hunter2@db/sluice' })).rejects.not.toThrow(/hunter2/);
    await expect(createCollector({ storage: 'sqlite:' })).rejects.toThrow(/storage 'sqlite:' is not supported; use sqlite:<path>/);
  });
});
