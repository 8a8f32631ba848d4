import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import type { Exporter } from '../../src/exporters/types.js';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextEvent, rejection } from '../helpers/sluice.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  vi.useRealTimers();
  await mock.close();
});

function memoryExporter(): Exporter & { records: CallRecord[]; closed: boolean } {
  return {
    name: 'memory',
    records: [],
    closed: false,
    async export(records) {
      this.records.push(...records);
    },
    async close() {
      this.closed = true;
    },
  };
}

/** An upstream that needs no network, so fake timers see only Sluice's own timers (undici arms its own). */
const cannedFetch: typeof fetch = async () =>
  new Response(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }), {
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_canned' },
  });

describe('exporters', () => {
  it('hands every record to an in-memory exporter after flush()', async () => {
    const exporter = memoryExporter();
    const sluice = createSluice({ exporters: [exporter] });
    const ended = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL);
    mock.script({ kind: 'reply' }, { kind: 'error', status: 500 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await rejection(client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await sluice.flush();
    expect(exporter.records.map((record) => record.id)).toEqual(ended.map((event) => event.record.id));
    expect(exporter.records.map((record) => record.outcome)).toEqual(['completed', 'failed']);
    expect(exporter.closed).toBe(false);
    await sluice.close();
    expect(exporter.closed).toBe(true);
  });

  it('counts the drops of a failing exporter and emits export:drop', async () => {
    const onDrop = vi.fn();
    const failing: Exporter = {
      name: 'failing',
      async export() {
        throw new Error('collector down');
      },
    };
    const healthy = memoryExporter();
    const sluice = createSluice({ exporters: [{ exporter: failing, queue: { retries: 0, onDrop } }, healthy] });
    const dropped = nextEvent(sluice, 'export:drop');
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    await sluice.flush();
    expect(await dropped).toEqual({ type: 'export:drop', exporter: 'failing', count: 1, reason: 'export_failed', totalDropped: 1 });
    expect(onDrop).toHaveBeenCalledWith(1, 'export_failed', 1);
    expect(sluice.stats.exportDropped).toBe(1);
    expect(healthy.records).toHaveLength(1);
  });

  it('drops records of calls that end after close() (a stream still open), as closed', async () => {
    const exporter = memoryExporter();
    const sluice = createSluice({ exporters: [exporter] });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    await sluice.close();
    const dropped = nextEvent(sluice, 'export:drop');
    for await (const _ of stream) void _;
    expect(await dropped).toMatchObject({ exporter: 'memory', reason: 'closed', count: 1 });
    expect(exporter.records).toHaveLength(0);
  });
});

describe('close()', () => {
  it('leaves no Sluice timer behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const exporter = memoryExporter();
    const successes: string[] = [];
    const sluice = createSluice({
      fetch: cannedFetch,
      exporters: [exporter],
      callbacks: [{ logSuccessEvent: async (record) => void successes.push(record.id) }],
    });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    // The batch queue's flush timer is waiting for more records.
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await sluice.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(exporter.records).toHaveLength(1);
    expect(successes).toHaveLength(1);
  });

  it('leaves no request open on the provider once calls ended, whatever way they ended', async () => {
    const sluice = createSluice({ exporters: [memoryExporter()] });
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    for await (const _chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) {
      // drain
    }
    mock.script({ kind: 'stall', afterChunks: 1 });
    for await (const _chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) break;
    mock.script({ kind: 'hang' });
    const controller = new AbortController();
    const hanging = client.chat.completions.create({ model: 'gpt-4o-mini', messages }, { signal: controller.signal });
    await mock.waitForRequest(3);
    controller.abort();
    await rejection(hanging);
    await sluice.close();

    // Every exchange finished or was closed: no handler is left waiting on Sluice.
    await Promise.all(mock.requests.map((request) => request.done));
    expect(mock.requests.map((request) => request.aborted)).toEqual([false, false, true, true]);
    await mock.close();
    expect(mock.openConnections()).toBe(0);
  });
});
