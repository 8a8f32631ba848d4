import { describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { cache } from '../../src/plugins/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection, streamError, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

const sse = { 'content-type': 'text/event-stream' };
const chunk = (content: string, extra = ''): string =>
  `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]${extra}}`;
const usageChunk = '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}';

describe('records agree with what the caller saw (issue 10, finding 5)', () => {
  it('a malformed stream event the SDK fails on is recorded errored, not as the caller cancelling', async () => {
    const sluice = createSluice();
    mock.script({ kind: 'raw', status: 200, headers: sse, body: [`data: ${chunk('Hi')}\n\n`, 'data: {not json}\n\n', `data: ${chunk('there')}\n\n`, 'data: [DONE]\n\n'] });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const error = await rejection(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    );
    expect(error).toBeInstanceOf(Error);
    const record = await recorded;
    expect(record.outcome).toBe('errored');
    expect(record.error?.class).toBe('stream_error');
    expect(record.error?.message).toMatch(/malformed/);
    await sluice.close();
  });

  it('a stream framed with CR only is complete when its text is, and is cached', async () => {
    const sluice = createSluice({ use: [cache()] });
    const body = [`data: ${chunk('Hi')}\r\r`, `data: ${chunk(' there', ',"usage":null')}\r\r`, `data: ${usageChunk}\r\r`, 'data: [DONE]\r\r'];
    mock.script({ kind: 'raw', status: 200, headers: sse, body });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hi there');
    const record = await recorded;
    expect(record.outcome).toBe('completed');
    expect(record.usage.outputTokens).toBe(2);
    await sluice.flush();
    const again = nextRecord(sluice);
    const replay = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    let replayed = '';
    for await (const part of replay) replayed += part.choices[0]?.delta.content ?? '';
    expect(replayed).toBe('Hi there');
    expect((await again).cache?.status).toBe('hit');
    await sluice.close();
  });

  it('a zero-config 200 whose JSON body does not parse is recorded errored, with the provider bytes kept', async () => {
    const sluice = createSluice();
    mock.script({ kind: 'raw', status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"x", "choices": [' });
    const recorded = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(Error);
    const record = await recorded;
    expect(record.status).toBe(200);
    expect(record.outcome).toBe('errored');
    expect(record.error?.class).toBe('bad_upstream_answer');
    expect(record.responseBody).toBe('{"id":"x", "choices": [');
    await sluice.close();
  });
});

describe('the Response the SDK gets is the provider’s (issue 9, finding 7)', () => {
  it('keeps url, redirected and type for JSON and streams', async () => {
    const sluice = createSluice();
    for (const stream of [false, true]) {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages, stream }) };
      const direct = await fetch(`${mock.baseURL}/chat/completions`, init);
      const through = await sluice.fetch(`${mock.baseURL}/chat/completions`, init);
      expect(through.url).toBe(direct.url);
      expect(through.redirected).toBe(direct.redirected);
      expect(through.type).toBe(direct.type);
      expect(through.statusText).toBe(direct.statusText);
      await direct.body?.cancel();
      await through.text();
    }
    await sluice.close();
  });

  it('keeps content-encoding as fetch does, and the body decoded', async () => {
    const { gzipSync } = await import('node:zlib');
    const sluice = createSluice();
    const answer = JSON.stringify({ id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'zipped' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const zipped = gzipSync(answer);
    const step = { kind: 'raw' as const, status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(zipped.length) }, body: new Uint8Array(zipped) };
    mock.script(step, step);
    const init = { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages }) };
    const direct = await fetch(`${mock.baseURL}/chat/completions`, init);
    const through = await sluice.fetch(`${mock.baseURL}/chat/completions`, init);
    const comparable = (headers: Headers): [string, string][] => [...headers].filter(([name]) => name !== 'date' && name !== 'x-request-id');
    expect(comparable(through.headers)).toEqual(comparable(direct.headers));
    expect(through.headers.get('content-encoding')).toBe('gzip');
    expect(await through.text()).toBe(await direct.text());
    await sluice.close();
  });

  it('a usage chunk the provider sends unasked reaches the SDK', async () => {
    const sluice = createSluice();
    mock.script({ kind: 'raw', status: 200, headers: sse, body: [`data: ${chunk('Hi')}\n\n`, `data: ${usageChunk}\n\n`, 'data: [DONE]\n\n'] });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const parts: unknown[] = [];
    for await (const part of stream) parts.push(part);
    expect(parts).toHaveLength(2);
    expect((await recorded).usage.outputTokens).toBe(2);
    await sluice.close();
  });

  it('the usage chunk Sluice asked for is still hidden', async () => {
    const sluice = createSluice();
    mock.script({ kind: 'reply', content: 'Hello there' });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    const parts: { usage?: unknown; choices: unknown[] }[] = [];
    for await (const part of stream) parts.push(part);
    expect(parts.every((part) => part.choices.length > 0 && part.usage === undefined)).toBe(true);
    await sluice.close();
  });
});

describe('a wrapped fetch sees what the SDK sent (issue 9, finding 7)', () => {
  it('the upstream body is released after the SDK cancels a stream', async () => {
    const bodies: ReadableStream<Uint8Array>[] = [];
    const sluice = createSluice({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (response.body !== null) bodies.push(response.body);
        return response;
      },
    });
    mock.script({ kind: 'reply', content: 'one two three four five six', chunkDelayMs: 5 });
    const recorded = nextRecord(sluice);
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await recorded;
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.locked).toBe(false);
    await sluice.close();
  });

  it('a streaming request body reaches the wrapped fetch as a stream, and a data: probe as it came', async () => {
    const seen: { input: unknown; init: RequestInit | undefined }[] = [];
    const sluice = createSluice({
      fetch: async (input, init) => {
        seen.push({ input, init });
        return fetch(input, init);
      },
    });
    const probeInit = { method: 'GET' };
    await (await sluice.fetch('data:,', probeInit)).text();
    expect(seen[0]!.input).toBe('data:,');
    expect(seen[0]!.init).toBe(probeInit);
    const text = JSON.stringify({ model: 'gpt-4o-mini', messages });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    });
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    await response.text();
    const sent = seen[1]!.init!;
    expect(sent.body).toBeInstanceOf(ReadableStream);
    expect((sent as { duplex?: string }).duplex).toBe('half');
    expect(mock.requests[0]!.bodyText).toBe(text);
    await sluice.close();
  });
});

describe('aborts are honoured at every phase (issue 10, finding 6)', () => {
  it('a caller abort while Sluice reads a never-ending streaming request body rejects the call', async () => {
    const sluice = createSluice();
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(new TextEncoder().encode('{"model":"gpt-4o-mini","messages":['));
      },
    });
    const pending = sluice.fetch(`${mock.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
      signal: controller.signal,
    } as RequestInit);
    controller.abort();
    const error = await rejection(pending);
    expect((error as Error).name).toBe('AbortError');
    expect(mock.requests).toHaveLength(0);
    await sluice.close();
  });
});

describe('a stream whose SDK stops at an error event without cancelling (@google/genai)', () => {
  it('the call ends errored when the error event passes, not never', async () => {
    const { GoogleGenAI } = await import('@google/genai');
    const sluice = createSluice();
    const ended: string[] = [];
    sluice.on('request:end', ({ record }) => void ended.push(record.outcome));
    mock.script({ kind: 'mid-stream-error', afterChunks: 1 });
    const client = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: mock.url, fetch: sluice.fetch } as never });
    const stream = await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hello' });
    const error = await streamError(stream);
    expect(error).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(ended).toEqual(['errored']), { timeout: 2000, interval: 5 });
    await sluice.close();
  });
});
