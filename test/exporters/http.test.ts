import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import type { EventOf } from '../../src/events/types.js';
import { BatchQueue, type BatchQueueOptions, type DropReason } from '../../src/exporters/batch-queue.js';
import { ExportError } from '../../src/exporters/export-error.js';
import { httpExporter, type HttpExporterOptions } from '../../src/exporters/http.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { startFakeCollector, type FakeCollector, type FakeCollectorOptions } from '../helpers/fake-collector.js';
import { makeRecord } from '../helpers/record.js';
import { clientFor, messages, useMock } from '../helpers/sluice.js';

const KEY = 'sk-ingest-0123456789-secret';

let mock: MockProvider;
useMock((created) => (mock = created));

let collectors: FakeCollector[] = [];
afterEach(async () => {
  await Promise.all(collectors.map((collector) => collector.close()));
  collectors = [];
});
async function collector(options: Partial<FakeCollectorOptions> = {}): Promise<FakeCollector> {
  const started = await startFakeCollector({ key: KEY, ...options });
  collectors.push(started);
  return started;
}

interface Harness {
  queue: BatchQueue;
  drops: { count: number; reason: DropReason }[];
  errors: unknown[];
}

const FAST: BatchQueueOptions = { retries: 3, minRetryDelayMs: 1, maxRetryDelayMs: 5, flushIntervalMs: 60_000 };

function harness(options: HttpExporterOptions, queueOptions: BatchQueueOptions = {}): Harness {
  const drops: Harness['drops'] = [];
  const errors: unknown[] = [];
  const queue = new BatchQueue(httpExporter(options), {
    ...FAST,
    ...queueOptions,
    onDrop: (count, reason) => void drops.push({ count, reason }),
    onError: (error) => void errors.push(error),
  });
  return { queue, drops, errors };
}

const records = (count: number, overrides: Partial<CallRecord> = {}): CallRecord[] => Array.from({ length: count }, () => makeRecord(overrides));

/** Everything an error can show: message, name, cause chain, own properties. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    parts.push(String(current), JSON.stringify(current, Object.getOwnPropertyNames(current as object)));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('httpExporter', () => {
  it('ships each batch to <url>/v1/records as { records } with the ingest key, and loses nothing', async () => {
    const target = await collector();
    const { queue, drops } = harness({ url: `${target.url}/`, apiKey: KEY }, { maxBatchSize: 10 });
    const sent = records(25);
    for (const record of sent) queue.push(record);
    await queue.flush();
    expect(target.requests.map((request) => request.path)).toEqual(['/v1/records', '/v1/records', '/v1/records']);
    expect(target.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(target.requests[0]!.headers['content-type']).toBe('application/json');
    expect([...target.stored.values()]).toEqual(sent);
    expect(drops).toEqual([]);
    expect(queue.exported).toBe(25);
    await queue.close();
  });

  it('gzips a batch above minCompressBytes and sends a small one as it is', async () => {
    const target = await collector();
    const exporter = httpExporter({ url: target.url, apiKey: KEY, minCompressBytes: 2048 });
    const big = records(20);
    await exporter.export(big, new AbortController().signal);
    const small = records(1, { requestBody: null, responseBody: null });
    await exporter.export(small, new AbortController().signal);
    const [bigRequest, smallRequest] = target.requests;
    expect(bigRequest!.headers['content-encoding']).toBe('gzip');
    expect(bigRequest!.records).toEqual(big);
    expect(bigRequest!.rawBytes).toBeLessThan(JSON.stringify({ records: big }).length / 3);
    expect(smallRequest!.headers['content-encoding']).toBeUndefined();
    expect(smallRequest!.records).toEqual(small);
    const none = httpExporter({ url: target.url, apiKey: KEY, compression: 'none' });
    await none.export(big, new AbortController().signal);
    expect(target.requests[2]!.headers['content-encoding']).toBeUndefined();
    const byDefault = httpExporter({ url: target.url, apiKey: KEY });
    await byDefault.export(records(1), new AbortController().signal);
    await byDefault.export(records(10), new AbortController().signal);
    expect(target.requests[3]!.headers['content-encoding']).toBeUndefined();
    expect(target.requests[4]!.headers['content-encoding']).toBe('gzip');
    expect(target.stored.size).toBe(32);
  });

  it('sends a body the collector can gunzip to exactly the JSON of the batch', async () => {
    const bodies: Uint8Array[] = [];
    const exporter = httpExporter({
      url: 'http://127.0.0.1:9',
      apiKey: KEY,
      minCompressBytes: 0,
      fetch: async (_input, init) => {
        bodies.push(new Uint8Array(await new Response(init?.body).arrayBuffer()));
        return new Response('{}', { status: 200 });
      },
    });
    const batch = records(3);
    await exporter.export(batch, new AbortController().signal);
    expect(gunzipSync(bodies[0]!).toString('utf8')).toBe(JSON.stringify({ records: batch }));
  });

  it('a 401 is not retried: the batch is dropped, counted, and the error never shows the key', async () => {
    const target = await collector();
    const { queue, drops, errors } = harness({ url: target.url, apiKey: 'sk-wrong-key-abcdef' });
    for (const record of records(3)) queue.push(record);
    await queue.flush();
    expect(target.requests).toHaveLength(1);
    expect(drops).toEqual([{ count: 3, reason: 'export_failed' }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExportError);
    expect(String((errors[0] as Error).message)).toMatch(/HTTP 401/);
    expect(errorText(errors[0])).not.toContain('sk-wrong-key-abcdef');
    await queue.close();
  });

  it('a collector that cannot be reached yields retryable errors that never show the key', async () => {
    const exporter = httpExporter({ url: 'http://127.0.0.1:1', apiKey: KEY });
    const error = await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as ExportError).retryable).toBe(true);
    expect(errorText(error)).not.toContain(KEY);
  });

  it('a 429 with retry-after is retried after the pause it asks, in seconds or as an HTTP date', async () => {
    const target = await collector();
    target.faults.push({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const exporter = httpExporter({ url: target.url, apiKey: KEY });
    const error = await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    target.faults.push({ kind: 'status', status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    const dated = await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught);
    expect((dated as ExportError).retryable).toBe(true);
    expect((dated as ExportError).retryAfterMs).toBeGreaterThan(50_000);
    target.faults.push({ kind: 'status', status: 408 });
    expect(await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught)).toMatchObject({ retryable: true });
    target.faults.push({ kind: 'status', status: 404 });
    expect(await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught)).toMatchObject({ retryable: false });
  });

  it('through the queue, the retry after a 429 waits the retry-after it asked for', async () => {
    vi.useFakeTimers();
    try {
      const answers = [new Response('{}', { status: 429, headers: { 'retry-after': '3' } }), new Response('{}', { status: 200 })];
      const sent: number[] = [];
      const exporter = httpExporter({
        url: 'http://collector.test',
        apiKey: KEY,
        fetch: async () => {
          sent.push(Date.now());
          return answers.shift() ?? new Response('{}', { status: 200 });
        },
      });
      const queue = new BatchQueue(exporter, { retries: 2, minRetryDelayMs: 1, maxRetryDelayMs: 2 });
      queue.push(makeRecord());
      const flushed = queue.flush();
      await vi.advanceTimersByTimeAsync(2_999);
      expect(sent).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(10);
      expect(sent).toHaveLength(2);
      await flushed;
      expect(queue.exported).toBe(1);
      await queue.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('429 then 5xx then 200 through the queue: every record stored once, none dropped', async () => {
    const target = await collector();
    target.faults.push({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }, { kind: 'status', status: 500 }, { kind: 'status', status: 502 });
    const { queue, drops } = harness({ url: target.url, apiKey: KEY }, { maxBatchSize: 5 });
    const sent = records(12);
    for (const record of sent) queue.push(record);
    await queue.flush();
    expect(drops).toEqual([]);
    expect([...target.stored.keys()]).toEqual(sent.map((record) => record.id));
    expect(target.requests).toHaveLength(3 + 3);
    await queue.close();
  });

  it('an answer lost after the commit: the retry sends the same ids and the collector keeps one copy', async () => {
    const target = await collector();
    target.faults.push({ kind: 'lose-answer' });
    const { queue, drops } = harness({ url: target.url, apiKey: KEY });
    const sent = records(4);
    for (const record of sent) queue.push(record);
    await queue.flush();
    expect(drops).toEqual([]);
    expect(target.requests).toHaveLength(2);
    expect(target.requests[1]!.records!.map((record) => record.id)).toEqual(target.requests[0]!.records!.map((record) => record.id));
    expect(target.stored.size).toBe(4);
    expect(queue.exported).toBe(4);
    await queue.close();
  });

  it('a 413 splits the batch in halves until it fits; a single record too large is dropped', async () => {
    const target = await collector({ maxBytes: 3000 });
    const { queue, drops, errors } = harness({ url: target.url, apiKey: KEY, compression: 'none' }, { maxBatchSize: 8 });
    const sent = records(8);
    for (const record of sent) queue.push(record);
    await queue.flush();
    expect(drops).toEqual([]);
    expect(new Set(target.stored.keys())).toEqual(new Set(sent.map((record) => record.id)));
    // The whole batch first (refused), then halves, quarters...
    expect(target.requests[0]!.rawBytes).toBeGreaterThan(3000);
    expect(target.requests.length).toBeGreaterThanOrEqual(3);

    const huge = makeRecord({ requestBody: 'x'.repeat(5000) });
    queue.push(huge);
    await queue.flush();
    expect(drops).toEqual([{ count: 1, reason: 'export_failed' }]);
    expect(String((errors[0] as Error).message)).toMatch(/HTTP 413/);
    expect(target.stored.has(huge.id)).toBe(false);
    await queue.close();
  });

  it('a 400 naming invalid records drops only those, counted as rejected, with the reasons reported', async () => {
    const target = await collector({ invalidPrefix: 'bad_' });
    const { queue, drops, errors } = harness({ url: target.url, apiKey: KEY });
    const good = records(3);
    const bad = [makeRecord({ id: 'bad_1' }), makeRecord({ id: 'bad_2' })];
    for (const record of [good[0]!, bad[0]!, good[1]!, bad[1]!, good[2]!]) queue.push(record);
    await queue.flush();
    expect(target.requests).toHaveLength(1);
    expect(drops).toEqual([{ count: 2, reason: 'rejected' }]);
    expect(queue.dropped).toBe(2);
    expect(queue.exported).toBe(3);
    expect([...target.stored.keys()].sort()).toEqual(good.map((record) => record.id).sort());
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/2 of 5 records rejected/);
    expect((errors[0] as Error).message).toMatch(/#1 bad_1 startedAt: expected a number/);
    await queue.close();
  });

  it('a 400 without per-record reasons drops the whole batch without retrying', async () => {
    const target = await collector();
    target.faults.push({ kind: 'status', status: 400, body: { error: { code: 'bad_json', message: 'malformed JSON' } } });
    const { queue, drops, errors } = harness({ url: target.url, apiKey: KEY });
    for (const record of records(2)) queue.push(record);
    await queue.flush();
    expect(target.requests).toHaveLength(1);
    expect(drops).toEqual([{ count: 2, reason: 'export_failed' }]);
    expect((errors[0] as Error).message).toMatch(/HTTP 400: malformed JSON$/);
    await queue.close();
  });

  it('refuses to export after close(), and validates its options', async () => {
    const target = await collector();
    const exporter = httpExporter({ url: target.url, apiKey: KEY });
    await exporter.close?.();
    const error = await exporter.export(records(1), new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: false });
    expect(target.requests).toHaveLength(0);
    expect(() => httpExporter({ url: 'ftp://x', apiKey: KEY })).toThrow(/httpExporter\(\)\.url/);
    expect(() => httpExporter({ url: target.url, apiKey: '' })).toThrow(/httpExporter\(\)\.apiKey/);
    expect(() => httpExporter({ url: target.url, apiKey: KEY, minCompressBytes: -1 })).toThrow(/minCompressBytes/);
  });

  it('through createSluice: flush() resolves once the collector committed the calls; rejections are export:drop events', async () => {
    const target = await collector({ invalidPrefix: 'never' });
    const sluice = createSluice({ exporters: [{ exporter: httpExporter({ url: target.url, apiKey: KEY }), queue: FAST }] });
    const dropEvents: EventOf<'export:drop'>[] = [];
    sluice.on('export:drop', (event) => void dropEvents.push(event));
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    expect(target.stored.size).toBe(2);
    expect([...target.stored.values()].every((record) => record.status === 200)).toBe(true);
    expect(sluice.stats.exportDropped).toBe(0);
    target.faults.push({ kind: 'status', status: 400, body: { error: 'invalid records', accepted: 0, rejected: [{ index: 0, field: 'model', message: 'too long' }] } });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    expect(dropEvents).toEqual([{ type: 'export:drop', exporter: 'http', count: 1, reason: 'rejected', totalDropped: 1 }]);
    expect(sluice.stats.exportDropped).toBe(1);
    expect(JSON.stringify(dropEvents)).not.toContain(KEY);
    await sluice.close();
  });
});
