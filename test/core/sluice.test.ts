import { APIConnectionError, InternalServerError, NotFoundError, RateLimitError, toFile } from 'openai';
import { describe, expect, it, vi } from 'vitest';
import type { Middleware } from '../../src/core/types.js';
import { createSluice } from '../../src/core/sluice.js';
import { type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextEvent, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages });
const jsonHeaders = { 'content-type': 'application/json', authorization: 'Bearer client-key' };

describe('sluice.fetch inputs', () => {
  it('accepts a string URL', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, { method: 'POST', headers: jsonHeaders, body: chatBody });
    expect(response.status).toBe(200);
    expect((await ended).operation).toBe('chat');
  });

  it('accepts a URL object', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const response = await sluice.fetch(new URL(`${mock.baseURL}/chat/completions`), { method: 'POST', headers: jsonHeaders, body: chatBody });
    expect(((await response.json()) as { object: string }).object).toBe('chat.completion');
    expect((await ended).requestedModel).toBe('gpt-4o-mini');
  });

  it('accepts a Request with a body, keeping its method and headers', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    const request = new Request(`${mock.baseURL}/chat/completions`, { method: 'POST', headers: { ...jsonHeaders, 'x-custom': 'kept' }, body: chatBody });
    const response = await sluice.fetch(request);
    expect(response.status).toBe(200);
    expect(mock.requests[0]!.bodyText).toBe(chatBody);
    expect(mock.requests[0]!.headers['x-custom']).toBe('kept');
    expect((await ended).requestedModel).toBe('gpt-4o-mini');
  });

  it('accepts a body given as bytes or a stream', async () => {
    const sluice = createSluice();
    const url = `${mock.baseURL}/chat/completions`;
    await sluice.fetch(url, { method: 'POST', headers: jsonHeaders, body: new TextEncoder().encode(chatBody) });
    const stream = new Blob([chatBody]).stream();
    await sluice.fetch(url, { method: 'POST', headers: jsonHeaders, body: stream, duplex: 'half' } as RequestInit);
    expect(mock.requests.map((request) => request.bodyText)).toEqual([chatBody, chatBody]);
  });

  it('works detached from its instance', async () => {
    const sluice = createSluice();
    const detached = sluice.fetch;
    const response = await detached.call(undefined, `${mock.baseURL}/chat/completions`, { method: 'POST', headers: jsonHeaders, body: chatBody });
    expect(response.status).toBe(200);
  });
});

describe('per-call metadata', () => {
  it('reads user, session and tags from x-sluice-* headers and never sends them upstream', async () => {
    const sluice = createSluice({ tags: ['app'] });
    const ended = nextRecord(sluice);
    const client = clientFor(sluice, mock.baseURL, {
      defaultHeaders: { 'x-sluice-user': 'user-7', 'x-sluice-session': 'sess-1', 'x-sluice-tags': 'beta, eu ,' },
    });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages, user: 'body-user' });
    expect(await ended).toMatchObject({ user: 'user-7', session: 'sess-1', tags: ['app', 'beta', 'eu'] });
    const headers = Object.keys(mock.requests[0]!.headers);
    expect(headers.filter((name) => name.startsWith('x-sluice-'))).toEqual([]);
    expect(mock.requests[0]!.headers['authorization']).toBe('Bearer client-key');
  });

  it('takes the user from the body, then from the config', async () => {
    const sluice = createSluice({ user: 'config-user' });
    const records = collect(sluice, 'request:end');
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages, user: 'body-user' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(records.map((event) => event.record.user)).toEqual(['body-user', 'config-user']);
  });
});

describe('pass-through', () => {
  it('passes a file upload through untouched and emits passthrough:end', async () => {
    const underlying = vi.fn(globalThis.fetch);
    const sluice = createSluice({ fetch: underlying });
    const passed = nextEvent(sluice, 'passthrough:end');
    const starts = collect(sluice, 'request:start');
    const content = 'line one\nline two\n'.repeat(100);
    const file = await clientFor(sluice, mock.baseURL).files.create({ file: await toFile(Buffer.from(content), 'train.jsonl'), purpose: 'fine-tune' });
    expect(file).toMatchObject({ object: 'mock.echo', method: 'POST', path: '/v1/files' });

    const upstream = mock.requests[0]!;
    const boundary = /boundary=(.+)$/.exec(upstream.headers['content-type'] ?? '')?.[1];
    expect(boundary).toBeDefined();
    expect(upstream.bodyText.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(upstream.bodyText).toContain('filename="train.jsonl"');
    expect(upstream.bodyText).toContain(content);
    expect(upstream.bodyText).toContain('name="purpose"\r\n\r\nfine-tune');
    expect(upstream.headers['authorization']).toBe('Bearer client-key');
    expect((file as unknown as { bytes: number }).bytes).toBe(upstream.bodyBytes.length);

    const event = await passed;
    expect(event).toMatchObject({ method: 'POST', url: `${mock.baseURL}/files`, status: 200 });
    expect(starts).toHaveLength(0);
    // The SDK's `data:` probe went straight to the underlying fetch.
    expect(underlying.mock.calls.some(([input]) => input === 'data:,')).toBe(true);
    expect(sluice.stats.passthrough).toBeGreaterThanOrEqual(2);
    expect(sluice.stats.calls).toBe(0);
  });

  it('reports a pass-through URL without its query string', async () => {
    const sluice = createSluice();
    const passed = nextEvent(sluice, 'passthrough:end');
    const response = await sluice.fetch(`${mock.baseURL}/batches?after=b_1&key=secret`);
    expect(response.status).toBe(200);
    expect(await passed).toMatchObject({ method: 'GET', url: `${mock.baseURL}/batches`, status: 200 });
    expect(mock.requests[0]!.query).toBe('after=b_1&key=secret');
  });

  it('answers the data: probe with a real Response', async () => {
    const response = await createSluice().fetch('data:,');
    expect(response).toBeInstanceOf(Response);
    expect(await response.text()).toBe('');
  });
});

describe('middleware', () => {
  it('adds a middleware with use() inside those configured', async () => {
    const trace: string[] = [];
    const named = (name: string): Middleware =>
      async function traced(ctx, next) {
        trace.push(name);
        return next(ctx);
      };
    const sluice = createSluice({ use: [named('configured')] });
    expect(sluice.use(named('added'))).toBe(sluice);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(trace).toEqual(['configured', 'added']);
    expect(() => sluice.use('nope' as unknown as Middleware)).toThrow(TypeError);
  });

  it('lets a middleware answer with its own Response', async () => {
    const canned: Middleware = async function canned(ctx) {
      const body = { id: 'chatcmpl-canned', object: 'chat.completion', created: 0, model: ctx.requestedModel, choices: [] };
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', 'x-request-id': ctx.id } });
    };
    const sluice = createSluice({ use: [canned] });
    const ended = nextRecord(sluice);
    const { data, request_id } = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
    expect(data.id).toBe('chatcmpl-canned');
    expect(mock.requests).toHaveLength(0);
    const record = await ended;
    expect(request_id).toBe(record.id);
    expect(record).toMatchObject({ outcome: 'completed', status: 200 });
  });

  it('turns a middleware that throws a plain Error into a 500 the SDK does not retry', async () => {
    const broken: Middleware = async function broken() {
      throw new Error('quota store unreachable');
    };
    const sluice = createSluice({ use: [broken] });
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL, { maxRetries: 2 }).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    const serverError = error as InternalServerError;
    expect(serverError.message).toContain('a middleware failed: quota store unreachable');
    expect(serverError.headers?.get('x-should-retry')).toBe('false');
    expect(serverError.code).toBe('sluice_internal_error');
    const record = await ended;
    expect(serverError.requestID).toBe(record.id);
    expect(record).toMatchObject({ outcome: 'failed', status: 500, error: { class: 'sluice_internal_error' } });
    expect(sluice.stats.calls).toBe(1);
  });
});

describe('SDK retries', () => {
  it('lets the SDK retry a provider 429 with retry-after-ms: three upstream calls, three records', async () => {
    mock.script({ kind: 'rate-limit', retryAfterMs: 1 }, { kind: 'rate-limit', retryAfterMs: 1 }, { kind: 'rate-limit', retryAfterMs: 1 });
    const sluice = createSluice();
    const records = collect(sluice, 'request:end');
    const error = await rejection(clientFor(sluice, mock.baseURL, { maxRetries: 2 }).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(mock.requests).toHaveLength(3);
    expect(mock.requests.map((request) => request.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
    expect(records.map((event) => event.record.status)).toEqual([429, 429, 429]);
  });

  it('stops SDK retries on a Sluice-made 404: one call even with maxRetries 2', async () => {
    const sluice = createSluice({ unknownModel: 'reject' });
    const starts = collect(sluice, 'request:start');
    const error = await rejection(clientFor(sluice, mock.baseURL, { maxRetries: 2 }).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(starts).toHaveLength(1);
    expect(mock.requests).toHaveLength(0);
  });
});

describe('events', () => {
  it('emits request:start then request:end exactly once per call', async () => {
    const sluice = createSluice();
    const order: string[] = [];
    sluice.on('request:start', (event) => void order.push(`start:${event.id}`));
    sluice.on('request:end', (event) => void order.push(`end:${event.record.id}`));
    const errors = collect(sluice, 'request:error');
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    for await (const _chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) {
      // drain
    }
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    // The first calls of a process wait for the price catalog before they end: flush waits for them.
    await sluice.flush();
    expect(order).toHaveLength(6);
    const ids = order.map((entry) => entry.split(':')[1]);
    expect(new Set(ids).size).toBe(3);
    for (const id of new Set(ids)) expect(order.filter((entry) => entry.endsWith(`:${id}`))).toEqual([`start:${id}`, `end:${id}`]);
    expect(errors).toHaveLength(0);
  });

  it('emits request:error after request:end for a failed call', async () => {
    mock.script({ kind: 'error', status: 503 });
    const sluice = createSluice();
    const order: string[] = [];
    sluice.on('request:end', () => void order.push('end'));
    sluice.on('request:error', (event) => void order.push(`error:${event.record.status}`));
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(order).toEqual(['end', 'error:503']);
  });

  it('keeps the call working when a listener throws or rejects, and reports listener:error', async () => {
    const sluice = createSluice();
    const failures = collect(sluice, 'listener:error');
    const bothReported = new Promise<void>((resolve) => sluice.on('listener:error', () => failures.length === 2 && resolve()));
    sluice.on('request:start', () => {
      throw new Error('listener bug');
    });
    sluice.on('request:end', async () => {
      throw new Error('async listener bug');
    });
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    await bothReported;
    expect(failures.map((event) => [event.event, (event.error as Error).message])).toEqual([
      ['request:start', 'listener bug'],
      ['request:end', 'async listener bug'],
    ]);
    expect(sluice.stats.listenerErrors).toBe(2);
  });

  it('stops calling a listener removed with off()', async () => {
    const sluice = createSluice();
    const seen: string[] = [];
    const listener = (): void => void seen.push('end');
    sluice.on('request:end', listener);
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    sluice.off('request:end', listener);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(seen).toEqual(['end']);
  });
});
