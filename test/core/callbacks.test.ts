import type OpenAI from 'openai';
import { type APIError, BadRequestError, InternalServerError, NotFoundError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PostApiCallInfo, PreApiCallInfo, StreamEventInfo } from '../../src/core/callbacks.js';
import { SluiceError } from '../../src/core/errors.js';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextEvent, nextRecord, rechunkingFetch, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

afterEach(() => {
  vi.useRealTimers();
});

describe('logging callbacks', () => {
  it('calls logPreApiCall and logPostApiCall around the upstream request', async () => {
    const pre: PreApiCallInfo[] = [];
    const post: PostApiCallInfo[] = [];
    const sluice = createSluice({ callbacks: [{ logPreApiCall: (info) => void pre.push(info), logPostApiCall: (info) => void post.push(info) }] });
    await clientFor(sluice, mock.baseURL, { defaultQuery: { secret: 'q' } }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(pre).toEqual([{ id: expect.any(String), provider: null, model: 'gpt-4o-mini', url: `${mock.baseURL}/chat/completions`, streamed: false, metadata: null }]);
    expect(post).toEqual([{ ...pre[0], status: 200, latencyMs: expect.any(Number) }]);
    expect(post[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('calls logPostApiCall with a null status when the request fails on the network', async () => {
    mock.script({ kind: 'reset' });
    const post: PostApiCallInfo[] = [];
    const sluice = createSluice({ callbacks: [{ logPostApiCall: (info) => void post.push(info) }] });
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(post.map((info) => info.status)).toEqual([null]);
  });

  it('calls logStreamEvent for each chunk, in order, with the bytes the SDK receives', async () => {
    const chunks: StreamEventInfo[] = [];
    // Upstream arrives in 40-byte pieces, so there are many chunks whatever TCP does.
    const sluice = createSluice({ fetch: rechunkingFetch(40), callbacks: [{ logStreamEvent: (info) => void chunks.push(info) }] });
    const response = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }).asResponse();
    const received = await response.text();
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((info) => info.index)).toEqual(chunks.map((_info, index) => index));
    const decoder = new TextDecoder();
    expect(chunks.map((info) => decoder.decode(info.chunk)).join('')).toBe(received);
  });

  it('calls logSuccessEvent exactly once per streamed call, after the stream ended, with usage', async () => {
    const successes: CallRecord[] = [];
    const sluice = createSluice({ callbacks: [{ logSuccessEvent: (record) => void successes.push(record) }] });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _chunk of stream) expect(successes).toHaveLength(0);
    await sluice.flush();
    expect(successes).toHaveLength(1);
    expect(successes[0]).toMatchObject({ outcome: 'completed', streamed: true, usagePartial: false });
    expect(successes[0]!.usage.outputTokens).toBeGreaterThan(0);
  });

  it('calls logFailureEvent, not logSuccessEvent, for a failed call', async () => {
    mock.script({ kind: 'error', status: 500 });
    const successes: CallRecord[] = [];
    const failures: CallRecord[] = [];
    const sluice = createSluice({
      callbacks: [{ logSuccessEvent: (record) => void successes.push(record), logFailureEvent: (record) => void failures.push(record) }],
    });
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await sluice.flush();
    expect(successes).toHaveLength(0);
    expect(failures.map((record) => [record.outcome, record.status])).toEqual([['failed', 500]]);
  });

  it('calls every successCallback and failureCallback function with the record', async () => {
    const seen: string[] = [];
    const sluice = createSluice({
      successCallback: [(record) => void seen.push(`ok1:${record.status}`), async (record) => void seen.push(`ok2:${record.status}`)],
      failureCallback: [(record) => void seen.push(`fail:${record.status}`)],
    });
    mock.script({ kind: 'reply' }, { kind: 'error', status: 400 });
    const client = clientFor(sluice, mock.baseURL);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    await rejection(client.chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await sluice.flush();
    expect(seen).toEqual(['ok1:200', 'ok2:200', 'fail:400']);
  });
});

describe('hooks', () => {
  it('lets preCallHook change the body with ctx.setBody', async () => {
    const sluice = createSluice({
      callbacks: [
        {
          preCallHook(ctx) {
            const body = ctx.body as { messages: unknown[] };
            ctx.setBody({ ...body, temperature: 0, messages: [{ role: 'system', content: 'Be brief.' }, ...body.messages] });
          },
        },
      ],
    });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'system', content: 'Be brief.' }, ...messages] });
  });

  it('lets preCallHook refuse the call with a SluiceError, which the SDK sees as its status', async () => {
    const sluice = createSluice({
      callbacks: [
        {
          preCallHook() {
            throw new SluiceError('sluice_blocked', 'blocked by policy: no greetings', { status: 400 });
          },
        },
      ],
    });
    const ended = nextEvent(sluice, 'request:end');
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toBe('400 blocked by policy: no greetings');
    expect((error as BadRequestError).code).toBe('sluice_blocked');
    expect(mock.requests).toHaveLength(0);
    expect((await ended).record).toMatchObject({ outcome: 'failed', status: 400, error: { class: 'sluice_blocked' } });
    expect(sluice.stats.callbackErrors).toBe(0);
  });

  it('lets postCallSuccessHook replace the response', async () => {
    const statuses: number[] = [];
    const sluice = createSluice({
      callbacks: [
        {
          async postCallSuccessHook(_ctx, response) {
            statuses.push(response.status);
            const body = (await response.json()) as OpenAI.ChatCompletion;
            body.choices[0]!.message.content = 'redacted';
            return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
          },
        },
      ],
    });
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]!.message.content).toBe('redacted');
    expect(statuses).toEqual([200]);
  });

  it('ends a streamed call exactly once when postCallSuccessHook replaces its stream unread', async () => {
    mock.script({ kind: 'stall', afterChunks: 1 });
    const canned = { id: 'chatcmpl-canned', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [] };
    const sluice = createSluice({
      callbacks: [
        {
          postCallSuccessHook: () =>
            new Response(`data: ${JSON.stringify(canned)}\n\ndata: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } }),
        },
      ],
    });
    const ends = collect(sluice, 'request:end');
    const ended = nextEvent(sluice, 'request:end');
    const ids: string[] = [];
    for await (const chunk of await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) ids.push(chunk.id);
    expect(ids).toEqual(['chatcmpl-canned']);
    // The discarded upstream stream is cancelled: the provider sees the request end, and so does the record.
    await mock.requests[0]!.done;
    expect(mock.requests[0]!.aborted).toBe(true);
    await ended;
    expect(ends).toHaveLength(1);
  });

  it('keeps a stream that postCallSuccessHook re-wraps flowing, and records its usage', async () => {
    const sluice = createSluice({
      callbacks: [{ postCallSuccessHook: (_ctx, response) => new Response(response.body, { status: response.status, headers: response.headers }) }],
    });
    const ended = nextEvent(sluice, 'request:end');
    let text = '';
    for await (const chunk of await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true })) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('Echo: hello brave new world');
    const { record } = await ended;
    expect(record).toMatchObject({ outcome: 'completed', usagePartial: false });
    expect(record.usage.outputTokens).toBeGreaterThan(0);
  });

  it('lets preCallHook answer the call itself', async () => {
    const sluice = createSluice({
      callbacks: [{ preCallHook: () => new Response(JSON.stringify({ object: 'list', data: [] }), { headers: { 'content-type': 'application/json' } }) }],
    });
    const ended = nextEvent(sluice, 'request:end');
    const result = await clientFor(sluice, mock.baseURL).embeddings.create({ model: 'text-embedding-3-small', input: 'x' });
    expect(result.data).toEqual([]);
    expect(mock.requests).toHaveLength(0);
    expect((await ended).record).toMatchObject({ outcome: 'completed', status: 200 });
  });

  it('calls postCallFailureHook with the failed response, and lets it replace it', async () => {
    mock.script({ kind: 'error', status: 503, message: 'upstream overloaded' });
    const seen: Array<[number, string]> = [];
    const sluice = createSluice({
      callbacks: [
        {
          postCallSuccessHook: () => {
            throw new Error('must not run');
          },
          async postCallFailureHook(ctx, response) {
            seen.push([response.status, ctx.requestedModel ?? '']);
            return new Response(JSON.stringify({ error: { message: 'try again later', type: 'server_error' } }), {
              status: 503,
              headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
            });
          },
        },
      ],
    });
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).message).toBe('503 try again later');
    expect(seen).toEqual([[503, 'gpt-4o-mini']]);
    expect(sluice.stats.callbackErrors).toBe(0);
  });
});

describe('failing callbacks', () => {
  it('calls postCallFailureHook for a refusal Sluice makes itself, with the response the SDK gets', async () => {
    const seen: number[] = [];
    const sluice = createSluice({
      providers: { local: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'provider-key' } },
      callbacks: [{ postCallFailureHook: (_ctx, response) => void seen.push(response.status) }],
    });
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'nope', messages }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(seen).toEqual([404]);
    expect((await ended).error).toMatchObject({ class: 'sluice_unknown_model' });
    expect(mock.requests).toHaveLength(0);
  });

  it('never breaks the call when callbacks and hooks throw, and counts each as callback:error', async () => {
    const sluice = createSluice({
      callbacks: [
        {
          logPreApiCall() {
            throw new Error('pre broke');
          },
          async logSuccessEvent() {
            throw new Error('success broke');
          },
        },
        {
          // A pre-call hook that fails refuses the call unless its object says failOpen.
          failOpen: true,
          preCallHook() {
            throw new Error('hook broke');
          },
        },
      ],
      successCallback: [
        () => {
          throw new Error('plain broke');
        },
      ],
    });
    const errors = collect(sluice, 'callback:error');
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.choices[0]!.message.content).toBe('Echo: hello brave new world');
    await sluice.flush();
    expect(errors.map((event) => event.hook).sort()).toEqual(['logPreApiCall', 'logSuccessEvent', 'preCallHook', 'successCallback[0]']);
    expect(errors.every((event) => event.id === errors[0]!.id)).toBe(true);
    expect(sluice.stats.callbackErrors).toBe(4);
  });

  it('does not wait for a hanging logging callback, and abandons it after callbackTimeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sluice = createSluice({ callbackTimeoutMs: 50, callbacks: [{ logSuccessEvent: () => new Promise<void>(() => {}) }] });
    const reported = nextEvent(sluice, 'callback:error');
    // The call completes with the clock stopped: the callback is off the call path.
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    const flushed = sluice.flush();
    await vi.advanceTimersByTimeAsync(50);
    const event = await reported;
    expect(event.hook).toBe('logSuccessEvent');
    expect((event.error as Error).message).toContain('did not settle within 50 ms');
    await flushed;
    expect(sluice.stats.callbackErrors).toBe(1);
  });

  it('goes on with the unchanged call when a failOpen preCallHook hangs past callbackTimeoutMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let invoked!: () => void;
    const hookRan = new Promise<void>((resolve) => (invoked = resolve));
    const sluice = createSluice({
      callbackTimeoutMs: 50,
      callbacks: [
        {
          failOpen: true,
          preCallHook() {
            invoked();
            return new Promise<void>(() => {});
          },
        },
      ],
    });
    const reported = nextEvent(sluice, 'callback:error');
    const call = clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await hookRan;
    expect(mock.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(50);
    expect((await reported).hook).toBe('preCallHook');
    const completion = await call;
    expect(completion.object).toBe('chat.completion');
    expect(mock.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', messages });
    expect(sluice.stats.callbackErrors).toBe(1);
  });
});
