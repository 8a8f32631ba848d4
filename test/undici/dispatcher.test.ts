import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/index.js';
import { installSluiceDispatcher, type DispatchHandler, type DispatchOptions, type UndiciDispatcher } from '../../src/undici/index.js';
import { createMockProvider, type MockProvider } from '../../src/testing/index.js';
import type { CallRecord } from '../../src/events/record.js';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

function readGlobal(): unknown {
  return (globalThis as unknown as Record<symbol, unknown>)[GLOBAL_DISPATCHER];
}

function writeGlobal(value: unknown): void {
  Object.defineProperty(globalThis, GLOBAL_DISPATCHER, { value, writable: true, enumerable: false, configurable: false });
}

/** Node's own Agent, loaded before any test runs (a data: URL needs no network). */
let original: unknown;
let mock: MockProvider | undefined;
const sluices: Sluice[] = [];

beforeAll(async () => {
  await (await fetch('data:,ready')).text();
  original = readGlobal();
});

afterEach(async () => {
  // Whatever a failed test left behind, the next one starts from Node's own dispatcher.
  for (const sluice of sluices.splice(0)) await sluice.close();
  writeGlobal(original);
  await mock?.close();
  mock = undefined;
});

function tracked(): { sluice: Sluice; records: CallRecord[] } {
  const records: CallRecord[] = [];
  const sluice = createSluice().on('request:end', ({ record }) => records.push(record));
  sluices.push(sluice);
  return { sluice, records };
}

function chatRequest(content: string, isStream = false): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...(isStream ? { stream: true } : {}) }),
  };
}

/** A local port that was free a moment ago and now refuses connections. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The mock reached by another name: same server, a host that does not match `127.0.0.1`. */
function viaLocalhost(url: string): string {
  const other = new URL(url);
  other.hostname = 'localhost';
  return other.href.replace(/\/$/, '');
}

describe('installSluiceDispatcher with Node fetch', () => {
  it('routes a plain global fetch to a chosen host through Sluice, once', async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const response = await fetch(`${mock.baseURL}/chat/completions`, chatRequest('hi'));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    await sluice.flush();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'completed', model: 'gpt-4o-mini', streamed: false });
    // Sluice's own upstream call reached the mock through the previous dispatcher: no loop.
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('streams an SSE response through Sluice', async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const response = await fetch(`${mock.baseURL}/chat/completions`, chatRequest('stream me', true));
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text).toContain('"content":"Echo');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await sluice.flush();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ streamed: true, outcome: 'completed' });
    expect(mock.requests).toHaveLength(1);
  });

  it('sends requests to other hosts straight to the previous dispatcher', async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const response = await fetch(`${viaLocalhost(mock.url)}/v1/chat/completions`, chatRequest('direct'));
    expect(response.status).toBe(200);
    await response.json();
    await sluice.flush();
    expect(records).toHaveLength(0);
    expect(sluice.stats).toMatchObject({ calls: 0, passthrough: 0 });
    expect(mock.requests).toHaveLength(1);
  });

  it('propagates an abort before the headers to the upstream request', async () => {
    mock = await createMockProvider();
    const { sluice } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    mock.script({ kind: 'hang' });
    const controller = new AbortController();
    const pending = fetch(`${mock.baseURL}/chat/completions`, { ...chatRequest('wait'), signal: controller.signal });
    const upstream = await mock.waitForRequest(0);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await upstream.done;
    expect(mock.requests[0]?.aborted).toBe(true);
  });

  it('delivers the first chunks before the stream ends, and an abort mid-stream reaches the upstream', async () => {
    mock = await createMockProvider();
    const { sluice } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    mock.script({ kind: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const response = await fetch(`${mock.baseURL}/chat/completions`, { ...chatRequest('slow', true), signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await mock.requests[0]?.done;
    expect(mock.requests[0]?.aborted).toBe(true);
  });

  it('hands back a gzip body decoded once', async () => {
    mock = await createMockProvider();
    const { sluice } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const json = JSON.stringify({ object: 'list', data: [] });
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(json) });
    const response = await fetch(`${mock.baseURL}/chat/completions`, chatRequest('zip'));
    expect(await response.text()).toBe(json);
  });

  it('rejects the caller as fetch does when the upstream connection fails', async () => {
    mock = await createMockProvider();
    const { sluice } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    mock.script({ kind: 'reset' });
    await expect(fetch(`${mock.baseURL}/chat/completions`, chatRequest('reset'))).rejects.toThrow(TypeError);
    // A port nobody listens on: the error reads as without Sluice, the network error as its cause.
    const closed = await closedPort();
    await expect(fetch(`http://127.0.0.1:${closed}/v1/chat/completions`, chatRequest('refused'))).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('close() restores the previous global dispatcher', async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    const before = readGlobal();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    expect(readGlobal()).not.toBe(before);
    await sluice.close();
    expect(readGlobal()).toBe(before);
    await (await fetch(`${mock.baseURL}/chat/completions`, chatRequest('after'))).json();
    expect(records).toHaveLength(0);
    expect(mock.requests).toHaveLength(1);
  });

  it('routes the OpenAI SDK constructed without a fetch option', async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    // Built before the install: the SDK keeps the fetch it found, and that fetch reads the dispatcher per call.
    const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 0, logLevel: 'off' });
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sdk' }] });
    expect(completion.choices[0]?.message.content).toBe('Echo: sdk');
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sdk stream' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: sdk stream');
    await sluice.flush();
    expect(records.map((record) => record.streamed)).toEqual([false, true]);
    expect(mock.requests).toHaveLength(2);
  });

  it("serves undici's request() API, borrowed from Node's Agent", async () => {
    mock = await createMockProvider();
    const { sluice, records } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['127.0.0.1'] });
    const dispatcher = readGlobal() as { request(options: object): Promise<{ statusCode: number; body: { json(): Promise<unknown> } }> };
    const { body } = chatRequest('via request()');
    const answer = await dispatcher.request({ origin: mock.url, path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(answer.statusCode).toBe(200);
    expect(await answer.body.json()).toMatchObject({ choices: [{ message: { content: 'Echo: via request()' } }] });
    await sluice.flush();
    expect(records).toHaveLength(1);
  });
});

/** OpenAI's documented list-models answer, served by a fake previous dispatcher. */
const MODELS_LIST = JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1686935002, owned_by: 'openai' }] });

interface FakeAgent extends UndiciDispatcher {
  readonly seen: DispatchOptions[];
  closed: number;
  destroyed: (Error | null | undefined)[];
}

/** A previous global dispatcher that answers every request itself, so no test here needs DNS. */
function fakeAgent(): FakeAgent {
  const agent: FakeAgent = {
    seen: [],
    closed: 0,
    destroyed: [],
    dispatch(options: DispatchOptions, handler: DispatchHandler) {
      agent.seen.push(options);
      queueMicrotask(() => {
        handler.onConnect?.(() => {});
        handler.onHeaders?.(200, [Buffer.from('content-type'), Buffer.from('application/json')], () => {}, 'OK');
        handler.onData?.(Buffer.from(MODELS_LIST));
        handler.onComplete?.([]);
      });
      return true;
    },
    async close() {
      agent.closed++;
    },
    async destroy(error?: Error | null) {
      agent.destroyed.push(error);
    },
  };
  return agent;
}

describe('installSluiceDispatcher over another dispatcher', () => {
  it('matches subdomains with a leading *. and passes the rest through untouched', async () => {
    const agent = fakeAgent();
    writeGlobal(agent);
    const { sluice, records } = tracked();
    installSluiceDispatcher(sluice, { hosts: ['*.example.test'] });
    expect(await (await fetch('https://api.example.test/v1/models')).text()).toBe(MODELS_LIST);
    expect(await (await fetch('https://example.test/v1/models')).text()).toBe(MODELS_LIST);
    await sluice.flush();
    expect(records.map((record) => record.operation)).toEqual(['models']);
    // Both reached the fake once: the first as Sluice's upstream call, the second straight from fetch.
    expect(agent.seen.map((options) => `${String(options.origin)}${options.path}`)).toEqual([
      'https://api.example.test/v1/models',
      'https://example.test/v1/models',
    ]);
  });

  it('restore() is idempotent and keeps a dispatcher installed after it', async () => {
    const agent = fakeAgent();
    writeGlobal(agent);
    const first = tracked();
    const second = tracked();
    const firstInstall = installSluiceDispatcher(first.sluice, { hosts: ['api.example.test'] });
    const secondInstall = installSluiceDispatcher(second.sluice, { hosts: ['api.example.test'] });
    const top = readGlobal();
    firstInstall.restore();
    firstInstall.restore();
    expect(readGlobal()).toBe(top);
    await (await fetch('https://api.example.test/v1/models')).text();
    await first.sluice.flush();
    await second.sluice.flush();
    expect([first.records.length, second.records.length]).toEqual([0, 1]);
    secondInstall.restore();
    await (await fetch('https://api.example.test/v1/models')).text();
    expect(second.records).toHaveLength(1);
    expect(agent.seen).toHaveLength(2);
  });

  it('passes upgrade requests through even for a chosen host', () => {
    const agent = fakeAgent();
    writeGlobal(agent);
    installSluiceDispatcher(tracked().sluice, { hosts: ['api.example.test'] });
    const options: DispatchOptions = { origin: 'https://api.example.test', path: '/v1/realtime', method: 'GET', upgrade: 'websocket' };
    (readGlobal() as UndiciDispatcher).dispatch(options, {});
    expect(agent.seen).toEqual([options]);
  });

  it('close() waits for requests in flight, closes the previous dispatcher and refuses new requests', async () => {
    const agent = fakeAgent();
    writeGlobal(agent);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const isInFlight = new Promise<void>((resolve) => (entered = resolve));
    const sluice = createSluice({
      use: [
        async function slow() {
          entered();
          await gate;
          return new Response(MODELS_LIST, { headers: { 'content-type': 'application/json' } });
        },
      ],
    });
    sluices.push(sluice);
    installSluiceDispatcher(sluice, { hosts: ['api.example.test'] });
    const dispatcher = readGlobal() as UndiciDispatcher;
    const pending = fetch('https://api.example.test/v1/chat/completions', chatRequest('in flight'));
    await isInFlight;
    let isClosed = false;
    const closing = Promise.resolve(dispatcher.close?.()).then(() => (isClosed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(isClosed).toBe(false);
    release();
    expect(await (await pending).text()).toBe(MODELS_LIST);
    await closing;
    expect(agent.closed).toBe(1);
    const errors: Error[] = [];
    expect(dispatcher.dispatch({ origin: 'https://api.example.test', path: '/', method: 'GET' }, { onError: (error) => errors.push(error) })).toBe(false);
    expect(errors[0]).toMatchObject({ code: 'UND_ERR_CLOSED' });
  });

  it('destroy() fails requests in flight and destroys the previous dispatcher', async () => {
    const agent = fakeAgent();
    writeGlobal(agent);
    let entered!: () => void;
    const isInFlight = new Promise<void>((resolve) => (entered = resolve));
    const sluice = createSluice({
      use: [
        async function never(ctx) {
          entered();
          return new Promise<Response>((_resolve, reject) => ctx.signal?.addEventListener('abort', () => reject(ctx.signal?.reason)));
        },
      ],
    });
    sluices.push(sluice);
    installSluiceDispatcher(sluice, { hosts: ['api.example.test'] });
    const dispatcher = readGlobal() as UndiciDispatcher;
    const pending = fetch('https://api.example.test/v1/chat/completions', chatRequest('doomed'));
    const failure = expect(pending).rejects.toMatchObject({ cause: { code: 'UND_ERR_DESTROYED' } });
    await isInFlight;
    await dispatcher.destroy?.();
    await failure;
    expect(agent.destroyed).toEqual([null]);
  });

  it('refuses an empty host list and a non-Sluice object', () => {
    expect(() => installSluiceDispatcher(createSluice(), { hosts: [] })).toThrow(/at least one host/);
    expect(() => installSluiceDispatcher({} as Sluice, { hosts: ['x'] })).toThrow(/createSluice/);
    expect(readGlobal()).toBe(original);
  });
});
