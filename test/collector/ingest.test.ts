import { afterEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { makeRecord } from '../helpers/record.js';
import { ADMIN_KEY, closeAll, INGEST_KEY, READ_KEY, start, until } from './helpers.js';

afterEach(closeAll);

describe('POST /v1/records', () => {
  it('commits a batch before answering 200 with what it accepted', async () => {
    const running = await start();
    const records = [makeRecord(), makeRecord()];
    const response = await running.ingest({ records });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: [0, 1], rejected: [], inserted: 2, duplicates: 0 });
    expect([...running.store.records.keys()]).toEqual(records.map((record) => record.id));
  });

  it('ignores records whose id is stored already, or repeated in the batch, and counts them', async () => {
    const running = await start();
    const [a, b] = [makeRecord(), makeRecord()];
    await running.ingest({ records: [a] });
    const response = await running.ingest({ records: [a, b, b] });
    expect(await response.json()).toMatchObject({ accepted: [0, 1, 2], inserted: 1, duplicates: 2 });
    expect(running.store.records.size).toBe(2);
  });

  it('answers 401 without a key, with a wrong key, and with a read or admin key', async () => {
    const running = await start();
    const body = { records: [makeRecord()] };
    for (const headers of [{}, { authorization: 'Bearer not-a-key-at-all-00000' }, { authorization: `Bearer ${READ_KEY}` }, { authorization: `Bearer ${ADMIN_KEY}` }, { authorization: INGEST_KEY }]) {
      const response = await running.ingest(body, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      const text = await response.text();
      expect(text).toContain('unauthorized');
      expect(text).not.toContain('not-a-key-at-all');
    }
    expect(running.store.records.size).toBe(0);
  });

  it('accepts a gzip body', async () => {
    const running = await start();
    const record = makeRecord();
    const response = await running.ingest(gzipSync(JSON.stringify({ records: [record] })), { authorization: `Bearer ${INGEST_KEY}`, 'content-encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(running.store.records.has(record.id)).toBe(true);
  });

  it('answers 400 naming each invalid record by index and field, and keeps the valid ones', async () => {
    const running = await start();
    const good = makeRecord();
    const bad = { ...makeRecord(), usage: { inputTokens: 'twelve' } };
    const worse = { id: 'x', startedAt: -1 };
    const response = await running.ingest({ records: [bad, good, worse] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string }; accepted: number[]; rejected: Array<{ index: number; id?: string; issues: Array<{ field: string; message: string }> }>; inserted: number };
    expect(body.error.code).toBe('invalid_records');
    expect(body.error.message).toContain('records[0].usage.inputTokens');
    expect(body.accepted).toEqual([1]);
    expect(body.inserted).toBe(1);
    expect(body.rejected.map((entry) => entry.index)).toEqual([0, 2]);
    expect(body.rejected[0]).toEqual({ index: 0, id: bad.id, field: 'usage.inputTokens', message: 'expected number, received string', issues: [{ field: 'usage.inputTokens', message: 'expected number, received string' }] });
    expect(body.rejected[1]!.issues.map((issue) => issue.field)).toEqual(expect.arrayContaining(['startedAt', 'dialect', 'operation', 'outcome', 'latencyMs']));
    expect([...running.store.records.keys()]).toEqual([good.id]);
  });

  it('fills fields older records lack and drops keys it does not know', async () => {
    const running = await start();
    const { pricing: _pricing, metadata: _metadata, ...old } = makeRecord();
    const response = await running.ingest({ records: [{ ...old, headers: { authorization: 'Bearer sk-secret' }, apiKey: 'sk-secret' }] });
    expect(response.status).toBe(200);
    const stored = running.store.records.get(old.id)!;
    expect(stored.pricing).toBeNull();
    expect(stored.metadata).toBeNull();
    expect(JSON.stringify(stored)).not.toContain('sk-secret');
  });

  it('answers 400 to malformed JSON and to a body without a records array', async () => {
    const running = await start();
    const malformed = await running.ingest('{"records": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed_json' } });
    const shapeless = await running.ingest([makeRecord()]);
    expect(shapeless.status).toBe(400);
    expect(await shapeless.json()).toMatchObject({ error: { code: 'invalid_body', param: 'records' } });
    const notGzip = await running.ingest('plain text', { authorization: `Bearer ${INGEST_KEY}`, 'content-encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    const brotli = await running.ingest('{}', { authorization: `Bearer ${INGEST_KEY}`, 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
  });

  it('answers 413 to a body over the limit, declared or streamed', async () => {
    const running = await start({ maxBodyBytes: 4096 });
    const big = JSON.stringify({ records: Array.from({ length: 20 }, () => makeRecord()) });
    expect(big.length).toBeGreaterThan(4096);
    const declared = await running.ingest(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    // Chunked, without content-length: counted as it arrives.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const outgoing = httpRequest(`${running.url}/v1/records`, { method: 'POST', headers: { authorization: `Bearer ${INGEST_KEY}`, 'content-type': 'application/json' } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      outgoing.on('error', reject);
      for (let i = 0; i < 8; i++) outgoing.write(big.slice(i * 1024, (i + 1) * 1024));
      outgoing.end();
    });
    expect(streamed.status).toBe(413);
    expect(running.store.records.size).toBe(0);
  });

  it('answers 413 to a gzip bomb: small on the wire, over the limit once inflated', async () => {
    const running = await start({ maxBodyBytes: 64 * 1024 });
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await running.ingest(bomb, { authorization: `Bearer ${INGEST_KEY}`, 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('decompressed');
  });

  it('answers 429 with retry-after when the write queue is full, and commits what it queued', async () => {
    const running = await start({ maxPendingBatches: 1, writeConcurrency: 1 });
    let open!: () => void;
    running.store.gate = new Promise((resolve) => (open = resolve));
    const first = running.ingest({ records: [makeRecord()] });
    await until(() => running.store.inserts === 1, 'the first insert');
    const second = running.ingest({ records: [makeRecord()] });
    await until(async () => ((await (await running.get('/healthz')).json()) as { pendingBatches: number }).pendingBatches === 2, 'the second batch to wait');
    const third = await running.ingest({ records: [makeRecord()] });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    open();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(running.store.records.size).toBe(2);
  });

  it('answers 503 with retry-after when the store fails, and logs no record content', async () => {
    const running = await start();
    running.store.failWith = new Error('disk full');
    const response = await running.ingest({ records: [makeRecord({ requestBody: 'secret prompt' })] });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.text()).not.toContain('disk full');
    expect(running.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'storage error', error: 'disk full' }));
    expect(JSON.stringify(running.logs)).not.toContain('secret prompt');
  });

  it('lets close() finish the batches it queued, and refuses new ones meanwhile', async () => {
    const running = await start();
    let open!: () => void;
    running.store.gate = new Promise((resolve) => (open = resolve));
    const record = makeRecord();
    const pending = running.ingest({ records: [record] });
    await until(() => running.store.inserts === 1, 'the insert');
    const closed = running.collector.close();
    open();
    expect((await pending).status).toBe(200);
    await closed;
    expect(running.store.records.has(record.id)).toBe(true);
    expect(running.store.closed).toBe(false); // a store passed in belongs to its owner
  });
});

describe('POST /v1/records: records of every kind Sluice makes', () => {
  it('keeps the region and zero-retention flag, and reads them as defaults from older records', async () => {
    const running = await start();
    const current = makeRecord({ region: 'eu-west-1', zeroRetention: true });
    const { region: _region, zeroRetention: _zero, ...older } = makeRecord();
    const response = await running.ingest({ records: [current, older] });
    expect(response.status).toBe(200);
    expect(running.store.records.get(current.id)).toMatchObject({ region: 'eu-west-1', zeroRetention: true });
    expect(running.store.records.get(older.id)).toMatchObject({ region: null, zeroRetention: false });
  });

  it('accepts an MCP request record (sluice/mcp) with its mcp fields, and refuses a made-up operation', async () => {
    const running = await start();
    const mcp = makeRecord({
      dialect: 'mcp',
      operation: 'mcp.tools/call',
      mcp: { server: 'files', method: 'tools/call', target: 'read_file', requestId: 7, sessionId: 's-1', transport: 'http', requestBytes: 120, resultBytes: 2048, errorCode: null, toolError: false },
    });
    const made = { ...makeRecord(), operation: 'drop_tables' };
    const response = await running.ingest({ records: [mcp, made] });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { accepted: number[]; rejected: Array<{ index: number }> };
    expect(body.accepted).toEqual([0]);
    expect(body.rejected.map((rejected) => rejected.index)).toEqual([1]);
    expect(running.store.records.get(mcp.id)).toMatchObject({ dialect: 'mcp', operation: 'mcp.tools/call', mcp: { server: 'files', target: 'read_file', requestId: 7 } });
  });
});
