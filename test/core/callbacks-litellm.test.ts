import { APIConnectionError, AuthenticationError, InternalServerError, type APIError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PreApiCallInfo, SluiceCallbacks, StreamEventInfo } from '../../src/core/callbacks.js';
import type { CallContext } from '../../src/core/context.js';
import { SluiceConfigError, SluiceError } from '../../src/core/errors.js';
import { createSluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import type { SluiceConfig } from '../../src/config/types.js';
import { type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

afterEach(() => {
  vi.useRealTimers();
});

/** Builds a config from callback objects the test writes in plain JavaScript style (unknown keys included). */
function withCallbacks(...callbacks: object[]): SluiceConfig {
  return { callbacks: callbacks as SluiceCallbacks[] };
}

function configError(config: SluiceConfig): SluiceConfigError {
  try {
    createSluice(config);
  } catch (error) {
    if (error instanceof SluiceConfigError) return error;
    throw error;
  }
  throw new Error('expected a SluiceConfigError');
}

describe('LiteLLM method names', () => {
  it('calls the snake_case logging methods with `this` bound to the logger', async () => {
    class Logger {
      seen: string[] = [];
      log_pre_api_call(info: PreApiCallInfo): void {
        this.seen.push(`pre:${info.model}`);
      }
      log_post_api_call(info: PreApiCallInfo & { status: number | null }): void {
        this.seen.push(`post:${info.status}`);
      }
      async async_log_success_event(record: CallRecord): Promise<void> {
        this.seen.push(`success:${record.status}`);
      }
      async async_log_failure_event(record: CallRecord): Promise<void> {
        this.seen.push(`failure:${record.status}`);
      }
    }
    const logger = new Logger();
    const sluice = createSluice(withCallbacks(logger));
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    mock.script({ kind: 'error', status: 400 });
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await sluice.flush();
    expect(logger.seen).toEqual(['pre:gpt-4o-mini', 'post:200', 'success:200', 'pre:gpt-4o-mini', 'post:400', 'failure:400']);
  });

  it('calls log_stream_event for each chunk', async () => {
    const chunks: StreamEventInfo[] = [];
    const sluice = createSluice(withCallbacks({ log_stream_event: (info: StreamEventInfo) => void chunks.push(info) }));
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
    for await (const _chunk of stream) void _chunk;
    expect(chunks.length).toBeGreaterThan(0);
  });

  it('takes success_callback and failure_callback as config keys', async () => {
    const seen: string[] = [];
    const sluice = createSluice({
      success_callback: [(record: CallRecord) => void seen.push(`ok:${record.status}`)],
      failure_callback: [(record: CallRecord) => void seen.push(`fail:${record.status}`)],
    } as SluiceConfig);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    mock.script({ kind: 'error', status: 400 });
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await sluice.flush();
    expect(seen).toEqual(['ok:200', 'fail:400']);
  });

  it('refuses an unknown key on a callback object, with a did-you-mean', () => {
    const error = configError(withCallbacks({ logSucessEvent: () => undefined }, { async_log_sucess_event: () => undefined }));
    expect(error.issues).toEqual([
      { path: 'callbacks[0].logSucessEvent', message: expect.stringContaining('did you mean "logSuccessEvent"?') },
      { path: 'callbacks[1].async_log_sucess_event', message: expect.stringContaining('did you mean "async_log_success_event"?') },
    ]);
  });

  it('refuses a misspelled method on a class instance but allows its own helpers and fields', () => {
    class Logger {
      count = 0;
      format(record: CallRecord): string {
        return record.id;
      }
      log_sucess_event(): void {
        this.count++;
      }
    }
    expect(configError(withCallbacks(new Logger())).issues).toEqual([
      { path: 'callbacks[0].log_sucess_event', message: expect.stringContaining('did you mean "log_success_event"?') },
    ]);
    class Fine {
      count = 0;
      format(): string {
        return '';
      }
      log_success_event(): void {
        this.count++;
      }
    }
    expect(() => createSluice(withCallbacks(new Fine()))).not.toThrow();
  });

  it('refuses two names for one method on the same object', () => {
    const error = configError(withCallbacks({ log_success_event: () => undefined, async_log_success_event: () => undefined }));
    expect(error.issues[0]).toMatchObject({ path: 'callbacks[0].async_log_success_event', message: expect.stringContaining('log_success_event') });
  });

  it('refuses the LiteLLM proxy hooks Sluice does not support yet, naming them', () => {
    const error = configError(withCallbacks({ async_moderation_hook: () => undefined, async_post_call_streaming_hook: () => undefined }));
    expect(error.issues.map((issue) => issue.path)).toEqual(['callbacks[0].async_moderation_hook', 'callbacks[0].async_post_call_streaming_hook']);
    for (const issue of error.issues) expect(issue.message).toContain('not supported yet');
  });

  it('refuses a non-function value under a method name', () => {
    expect(configError(withCallbacks({ async_pre_call_hook: 'nope' })).issues[0]).toMatchObject({ path: 'callbacks[0].async_pre_call_hook', message: 'expected a function' });
  });
});

type HookStyle = 'preCallHook' | 'async_pre_call_hook';
const styles: HookStyle[] = ['preCallHook', 'async_pre_call_hook'];

describe.each(styles)('%s refuses the call unless failOpen', (name) => {
  const hook = (fn: (ctx: CallContext) => unknown, extra: object = {}): SluiceConfig => withCallbacks({ [name]: fn, ...extra });

  it('refuses with 500 naming the hook when it throws a plain Error; the provider is not reached', async () => {
    const sluice = createSluice(
      hook(() => {
        throw new Error('auth backend down');
      }),
    );
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).message).toBe(`500 ${name} failed: auth backend down`);
    expect((error as APIError).code).toBe('sluice_callback_failed');
    expect(mock.requests).toHaveLength(0);
    expect((await ended).error).toMatchObject({ class: 'sluice_callback_failed' });
  });

  it('refuses when it rejects', async () => {
    const sluice = createSluice(hook(() => Promise.reject(new TypeError('bad token'))));
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect((error as APIError).message).toBe(`500 ${name} failed: bad token`);
    expect(mock.requests).toHaveLength(0);
  });

  it('refuses with 504 when it times out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let invoked!: () => void;
    const ran = new Promise<void>((resolve) => (invoked = resolve));
    const sluice = createSluice({
      ...hook(() => {
        invoked();
        return new Promise(() => {});
      }),
      callbackTimeoutMs: 50,
    });
    const call = rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    await ran;
    await vi.advanceTimersByTimeAsync(50);
    const error = await call;
    expect((error as APIError).status).toBe(504);
    expect((error as APIError).message).toContain(`${name} did not settle within 50 ms`);
    expect(mock.requests).toHaveLength(0);
  });

  it('refuses when it returns something that is neither a body object nor a Response', async () => {
    for (const wrong of ['a string', 42, [1, 2]]) {
      const sluice = createSluice(hook(() => wrong));
      const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
      expect((error as APIError).status).toBe(500);
      expect((error as APIError).message).toContain(`${name} returned`);
    }
    expect(mock.requests).toHaveLength(0);
  });

  it('goes on unchanged when it returns null (a ported None)', async () => {
    const sluice = createSluice(hook(() => null));
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', messages });
  });

  it('replaces the request body with the object it returns', async () => {
    const sluice = createSluice(
      hook((ctx) => {
        const data = ctx.body as { messages: unknown[] };
        data.messages.unshift({ role: 'system', content: 'Be brief.' });
        return data;
      }),
    );
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, ...messages] });
  });

  it('lets the call through, reported, when the object says failOpen', async () => {
    const sluice = createSluice(
      hook(
        () => {
          throw new Error('auth backend down');
        },
        { failOpen: true },
      ),
    );
    const errors = collect(sluice, 'callback:error');
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(mock.requests).toHaveLength(1);
    expect(errors.map((event) => event.hook)).toEqual([name]);
  });

  it('lets the call through on a timeout when failOpen', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sluice = createSluice({ ...hook(() => new Promise(() => {}), { failOpen: true }), callbackTimeoutMs: 50 });
    const call = clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await vi.advanceTimersByTimeAsync(50);
    expect((await call).object).toBe('chat.completion');
    expect(mock.requests).toHaveLength(1);
  });
});

type FailureStyle = 'postCallFailureHook' | 'async_post_call_failure_hook';
const failureStyles: FailureStyle[] = ['postCallFailureHook', 'async_post_call_failure_hook'];

describe.each(failureStyles)('%s', (name) => {
  it('fires on a network error, with the error, and the SDK still sees a connection error', async () => {
    mock.script({ kind: 'reset' });
    const seen: Array<[number, unknown]> = [];
    const sluice = createSluice(withCallbacks({ [name]: (_ctx: CallContext, response: Response, error: unknown) => void seen.push([response.status, error]) }));
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toBe(502);
    expect(seen[0]![1]).toBeInstanceOf(Error);
  });

  it('fires for a refusal by a pre-call hook', async () => {
    const seen: number[] = [];
    const sluice = createSluice(
      withCallbacks({
        async_pre_call_hook: () => {
          throw new Error('no');
        },
        [name]: (_ctx: CallContext, response: Response) => void seen.push(response.status),
      }),
    );
    await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect(seen).toEqual([500]);
  });

  it('does not break the call when it throws', async () => {
    mock.script({ kind: 'error', status: 400 });
    const sluice = createSluice(
      withCallbacks({
        [name]: () => {
          throw new Error('hook broke');
        },
      }),
    );
    const errors = collect(sluice, 'callback:error');
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect((error as APIError).status).toBe(400);
    expect(errors.map((event) => event.hook)).toEqual([name]);
  });
});

describe.each(['postCallSuccessHook', 'async_post_call_success_hook'])('%s', (name) => {
  it('is called after a successful response and may not break it', async () => {
    const seen: number[] = [];
    const sluice = createSluice(
      withCallbacks({
        [name]: (_ctx: CallContext, response: Response) => {
          seen.push(response.status);
          throw new Error('broke');
        },
      }),
    );
    const completion = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(seen).toEqual([200]);
  });
});

describe('metadata', () => {
  const header = (value: unknown): { defaultHeaders: Record<string, string> } => ({ defaultHeaders: { 'x-sluice-metadata': typeof value === 'string' ? value : JSON.stringify(value) } });

  it('merges the header over the config default, reaches every hook and the record, and never goes upstream', async () => {
    const seen: unknown[] = [];
    const sluice = createSluice({
      metadata: { team: 'search', env: 'prod' },
      callbacks: [
        {
          preCallHook: (ctx) => void seen.push(['pre', ctx.metadata]),
          logPreApiCall: (info) => void seen.push(['log', info.metadata]),
          postCallSuccessHook: (ctx) => void seen.push(['post', ctx.metadata]),
        },
      ],
    });
    const ended = nextRecord(sluice);
    await clientFor(sluice, mock.baseURL, header({ env: 'staging', run: 7 })).chat.completions.create({ model: 'gpt-4o-mini', messages });
    const merged = { team: 'search', env: 'staging', run: 7 };
    expect((await ended).metadata).toEqual(merged);
    expect(seen).toEqual([
      ['pre', merged],
      ['log', merged],
      ['post', merged],
    ]);
    expect(mock.requests[0]!.headers['x-sluice-metadata']).toBeUndefined();
  });

  it('keeps what a hook assigns to ctx.metadata', async () => {
    const sluice = createSluice({
      metadata: { app: 'x' },
      callbacks: [
        {
          preCallHook: (ctx) => {
            ctx.metadata = { ...ctx.metadata, tenant: 't1' };
          },
        },
      ],
    });
    const ended = nextRecord(sluice);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect((await ended).metadata).toEqual({ app: 'x', tenant: 't1' });
  });

  it('is null in the record when none is given', async () => {
    const sluice = createSluice();
    const ended = nextRecord(sluice);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect((await ended).metadata).toBeNull();
  });

  it('drops a header that is not a JSON object, or over 8 KB, with a metadata:drop event, and the call goes on', async () => {
    const sluice = createSluice({ metadata: { team: 'search' } });
    const drops = collect(sluice, 'metadata:drop');
    const records = collect(sluice, 'request:end');
    const client = (value: unknown) => clientFor(sluice, mock.baseURL, header(value));
    await client('{not json').chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client('[1,2]').chat.completions.create({ model: 'gpt-4o-mini', messages });
    await client({ blob: 'x'.repeat(9000) }).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    expect(drops.map((event) => event.reason)).toEqual(['invalid', 'invalid', 'too_large']);
    expect(records.map((event) => event.record.metadata)).toEqual([{ team: 'search' }, { team: 'search' }, { team: 'search' }]);
    expect(mock.requests).toHaveLength(3);
  });

  it('refuses a config default that is not an object or is over 8 KB', () => {
    expect(configError({ metadata: [] as unknown as Record<string, unknown> }).issues[0]!.path).toBe('metadata');
    expect(configError({ metadata: { blob: 'x'.repeat(9000) } }).issues[0]).toMatchObject({ path: 'metadata', message: expect.stringContaining('8 KB') });
  });
});

describe('a LiteLLM CustomLogger and pre-call auth hook, ported', () => {
  /** The port of a LiteLLM `CustomLogger` subclass with an auth hook (LiteLLM docs, "Custom Callbacks"). */
  class MyCustomHandler {
    events: string[] = [];
    records: CallRecord[] = [];
    allowed = new Set(['alice']);
    log_pre_api_call(info: PreApiCallInfo): void {
      this.events.push(`Pre-API Call ${info.model}`);
    }
    async async_log_success_event(record: CallRecord): Promise<void> {
      this.events.push('On Async Success');
      this.records.push(record);
    }
    async async_log_failure_event(record: CallRecord): Promise<void> {
      this.events.push(`On Async Failure ${record.error?.class}`);
    }
    async async_pre_call_hook(ctx: CallContext): Promise<Record<string, unknown>> {
      if (ctx.user === null || !this.allowed.has(ctx.user)) throw new SluiceError('sluice_unauthorized', `user ${ctx.user ?? '(none)'} is not allowed`, { status: 401 });
      const data = ctx.body as { messages: Array<{ role: string; content: string }> };
      data.messages = data.messages.map((message) => ({ ...message, content: message.content.replace(/secret/g, '[x]') }));
      return data;
    }
  }

  for (const stream of [false, true]) {
    it(`logs, rewrites and refuses as LiteLLM documents (stream: ${stream})`, async () => {
      const handler = new MyCustomHandler();
      // A ported class type-checks as it is.
      const sluice = createSluice({ callbacks: [handler], metadata: { app: 'port' } });
      const alice = clientFor(sluice, mock.baseURL, { defaultHeaders: { 'x-sluice-user': 'alice' } });
      const ask = [{ role: 'user' as const, content: 'my secret plan' }];
      if (stream) {
        let text = '';
        for await (const chunk of await alice.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
        expect(text).toBe('Echo: my [x] plan');
      } else {
        const completion = await alice.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
        expect(completion.choices[0]!.message.content).toBe('Echo: my [x] plan');
      }
      const error = await rejection(clientFor(sluice, mock.baseURL, { defaultHeaders: { 'x-sluice-user': 'mallory' } }).chat.completions.create({ model: 'gpt-4o-mini', messages: ask }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as APIError).message).toBe('401 user mallory is not allowed');
      await sluice.flush();
      expect(mock.requests).toHaveLength(1);
      expect(handler.events).toEqual(['Pre-API Call gpt-4o-mini', 'On Async Success', 'On Async Failure sluice_unauthorized']);
      expect(handler.records[0]).toMatchObject({ user: 'alice', metadata: { app: 'port' }, streamed: stream, outcome: 'completed' });
    });
  }
});
