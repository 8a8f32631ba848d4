import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/events/record.js';
import { makeRecord } from '../helpers/record.js';
import { ADMIN_KEY, closeAll, INGEST_KEY, READ_KEY, start } from './helpers.js';

afterEach(closeAll);

const T0 = 1_700_000_000_000;

async function seeded() {
  const running = await start({ now: () => T0 + 3_600_000 });
  const records = [
    makeRecord({ startedAt: T0 + 1000, user: 'alice', session: 's1', tags: ['web'] }),
    makeRecord({ startedAt: T0 + 2000, user: 'bob', provider: 'anthropic', model: 'claude-haiku-4-5', requestedModel: 'fast', status: 529, outcome: 'failed' }),
    makeRecord({ startedAt: T0 + 3000, user: 'alice', session: 's1', cache: { status: 'hit', namespace: 'default', savedUsd: 0.01 } }),
    makeRecord({ startedAt: T0 + 4000, user: 'carol' }),
  ];
  expect((await running.ingest({ records })).status).toBe(200);
  return { running, records };
}

const ids = (body: unknown) => (body as { records: CallRecord[] }).records.map((record) => record.id);

describe('the query API', () => {
  it('lists records newest first, page by page, with nextCursor null on the last page', async () => {
    const { running, records } = await seeded();
    const first = (await (await running.get('/v1/records?limit=3')).json()) as { records: CallRecord[]; nextCursor: string | null };
    expect(ids(first)).toEqual([records[3]!.id, records[2]!.id, records[1]!.id]);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await running.get(`/v1/records?limit=3&cursor=${encodeURIComponent(first.nextCursor!)}`)).json()) as { nextCursor: string | null };
    expect(ids(second)).toEqual([records[0]!.id]);
    expect(second.nextCursor).toBeNull();
  });

  it('passes every filter to the store', async () => {
    const { running, records } = await seeded();
    const query = async (search: string) => ids(await (await running.get(`/v1/records?${search}`)).json());
    expect(await query('user=alice')).toEqual([records[2]!.id, records[0]!.id]);
    expect(await query('provider=anthropic')).toEqual([records[1]!.id]);
    expect(await query('model=fast')).toEqual([records[1]!.id]);
    expect(await query('status=529&outcome=failed')).toEqual([records[1]!.id]);
    expect(await query('cache=hit')).toEqual([records[2]!.id]);
    expect(await query('tag=web')).toEqual([records[0]!.id]);
    expect(await query(`from=${T0 + 2000}&to=${T0 + 4000}`)).toEqual([records[2]!.id, records[1]!.id]);
    expect(await query(`from=${new Date(T0 + 3500).toISOString()}`)).toEqual([records[3]!.id]);
  });

  it('answers 400 naming the parameter for a bad, unknown or repeated one', async () => {
    const { running } = await seeded();
    for (const [search, param] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=ten', 'limit'],
      ['outcome=exploded', 'outcome'],
      ['cache=maybe', 'cache'],
      ['status=20', 'status'],
      ['from=yesterday', 'from'],
      [`from=${T0 + 10}&to=${T0}`, 'from'],
      ['modle=gpt-4o', 'modle'],
      ['user=a&user=b', 'user'],
      ['user=', 'user'],
    ] as const) {
      const response = await running.get(`/v1/records?${search}`);
      expect(response.status, search).toBe(400);
      const body = (await response.json()) as { error: { code: string; param: string; message: string } };
      expect(body.error.param, search).toBe(param);
      expect(body.error.message).toContain(`'${param}'`);
    }
  });

  it('returns one record by id with everything stored, and 404 for an unknown id', async () => {
    const { running, records } = await seeded();
    const found = await running.get(`/v1/records/${encodeURIComponent(records[1]!.id)}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(records[1]);
    expect((await running.get('/v1/records/nope')).status).toBe(404);
    expect((await running.get('/v1/records/%E0%A4%A')).status).toBe(400);
  });

  it("returns a session's calls oldest first, 404 for an unknown session", async () => {
    const { running, records } = await seeded();
    const body = (await (await running.get('/v1/sessions/s1')).json()) as { session: string; records: CallRecord[] };
    expect(body.session).toBe('s1');
    expect(ids(body)).toEqual([records[0]!.id, records[2]!.id]);
    expect((await running.get('/v1/sessions/s2')).status).toBe(404);
  });

  it('answers stats over a range cut in buckets, and 400 for a bad interval, too many buckets or a bad groupBy', async () => {
    const { running } = await seeded();
    const response = await running.get(`/v1/stats?from=${T0}&to=${T0 + 3_600_000}&interval=1h&groupBy=model`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { from: number; to: number; groupBy: string; intervalMs: number; rows: Array<{ requests: number }> };
    expect(body).toMatchObject({ from: T0, to: T0 + 3_600_000, groupBy: 'model', intervalMs: 3_600_000 });
    expect(body.rows.reduce((sum, row) => sum + row.requests, 0)).toBe(4);
    // Without from, to and interval: the last day before now, in buckets the collector picks.
    const defaults = (await (await running.get('/v1/stats')).json()) as { from: number; to: number; intervalMs: number };
    expect(defaults.to - defaults.from).toBe(86_400_000);
    expect(86_400_000 / defaults.intervalMs).toBeLessThanOrEqual(200);
    for (const [search, param] of [
      ['interval=5x', 'interval'],
      ['interval=0m', 'interval'],
      [`from=${T0}&to=${T0 + 86_400_000 * 30}&interval=1m`, 'interval'],
      ['groupBy=session', 'groupBy'],
      ['limit=5', 'limit'],
    ] as const) {
      const bad = await running.get(`/v1/stats?${search}`);
      expect(bad.status, search).toBe(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param, search).toBe(param);
    }
  });

  it('erases one user with an admin key only, as a query then shows', async () => {
    const { running, records } = await seeded();
    const erase = (key: string) => fetch(`${running.url}/v1/users/alice/records`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
    expect((await erase(READ_KEY)).status).toBe(401);
    expect((await erase(INGEST_KEY)).status).toBe(401);
    const response = await erase(ADMIN_KEY);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ deleted: 2 });
    expect(ids(await (await running.get('/v1/records?user=alice')).json())).toEqual([]);
    expect(ids(await (await running.get('/v1/records')).json())).toEqual([records[3]!.id, records[1]!.id]);
    expect(JSON.stringify(running.logs)).not.toContain('alice');
  });

  it('lets an admin key read, but not a wrong key, an ingest key or none', async () => {
    const { running } = await seeded();
    expect((await running.get('/v1/records', { authorization: `Bearer ${ADMIN_KEY}` })).status).toBe(200);
    for (const headers of [{}, { authorization: `Bearer ${INGEST_KEY}` }, { authorization: 'Bearer wrong-key-000000000000000' }]) {
      for (const path of ['/v1/records', '/v1/records/x', '/v1/stats', '/v1/sessions/s1', '/v1/tail']) {
        expect((await running.get(path, headers)).status, path).toBe(401);
      }
    }
  });

  it('answers 405 for a known route with another method, 404 for an unknown route, 200 on /healthz without a key', async () => {
    const { running } = await seeded();
    expect((await fetch(`${running.url}/v1/stats`, { method: 'POST', headers: { authorization: `Bearer ${READ_KEY}` } })).status).toBe(405);
    expect((await running.get('/v1/nothing')).status).toBe(404);
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', engine: 'memory' });
  });
});
