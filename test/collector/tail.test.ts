import { afterEach, describe, expect, it } from 'vitest';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { CallRecord } from '../../src/events/record.js';
import { makeRecord } from '../helpers/record.js';
import { closeAll, READ_KEY, start, until, type Running } from './helpers.js';

afterEach(closeAll);

/** Reads server-sent events from the tail until `count` records arrived (at most 200 reads). */
async function readRecords(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<CallRecord[]> {
  const decoder = new TextDecoder();
  let text = '';
  const records: CallRecord[] = [];
  for (let i = 0; i < 200 && records.length < count; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const frame = text.slice(0, end);
      text = text.slice(end + 2);
      const data = frame.split('\n').find((line) => line.startsWith('data: '));
      if (frame.startsWith('event: record') && data) records.push(JSON.parse(data.slice(6)) as CallRecord);
    }
  }
  return records;
}

async function health(running: Running): Promise<{ tailClients: number }> {
  return (await (await running.get('/healthz')).json()) as { tailClients: number };
}

describe('GET /v1/tail', () => {
  it('streams committed records as server-sent events, matching its filter, without bodies, once per id', async () => {
    const running = await start();
    const controller = new AbortController();
    const response = await fetch(`${running.url}/v1/tail?user=alice`, { headers: { authorization: `Bearer ${READ_KEY}` }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const [a, b, c] = [makeRecord({ user: 'alice' }), makeRecord({ user: 'bob' }), makeRecord({ user: 'alice' })];
    await running.ingest({ records: [a, b] });
    await running.ingest({ records: [a, c] }); // a retried: stored once, sent once
    const seen = await readRecords(reader, 2);
    expect(seen.map((record) => record.id)).toEqual([a.id, c.id]);
    expect(seen[0]!.requestBody).toBeNull();
    expect(seen[0]!.usage).toEqual(a.usage);
    controller.abort();
    await until(async () => (await health(running)).tailClients === 0, 'the client to leave');
  });

  it('drops a client that stops reading instead of buffering for it', async () => {
    const running = await start({ tail: { maxBufferedBytes: 16 * 1024 } });
    // A client that connects and never reads: its socket buffers fill, then the server's bound trips.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = httpGet(`${running.url}/v1/tail`, { headers: { authorization: `Bearer ${READ_KEY}` } }, resolve);
      outgoing.on('error', reject);
    });
    response.pause();
    const closed = new Promise<void>((resolve) => response.socket.once('close', () => resolve()));
    expect((await health(running)).tailClients).toBe(1);
    const padding = 'x'.repeat(4096);
    for (let batch = 0; batch < 200 && (await health(running)).tailClients > 0; batch++) {
      const records = Array.from({ length: 100 }, () => makeRecord({ metadata: { padding } }));
      expect((await running.ingest({ records })).status).toBe(200);
    }
    expect((await health(running)).tailClients).toBe(0);
    response.destroy();
    await closed;
  });

  it('refuses a bad filter parameter and limit/cursor', async () => {
    const running = await start();
    for (const search of ['outcome=nope', 'limit=5', 'cursor=x', 'bogus=1']) {
      const response = await running.get(`/v1/tail?${search}`);
      expect(response.status, search).toBe(400);
    }
  });
});
