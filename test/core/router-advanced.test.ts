/**
 * Routing beyond priority order: latency and cost strategies, health (ejection, probes, the last
 * target forced), context-length fallback, the retry budget, per-call chains, rules, nested routers,
 * key pools and time limits. The SDK and the mock provider throughout; time runs on fake timers.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import { createRouter } from '../../src/core/router.js';
import type { CallContext } from '../../src/core/context.js';
import { makeContext } from '../../src/testing/harness.js';
import { RETRY, routerTarget } from '../helpers/router.js';
import type { ProviderConfig } from '../../src/config/types.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

afterEach(() => {
  vi.useRealTimers();
});

const providers = (): Record<string, ProviderConfig> => ({
  a: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-a-123456' },
  b: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-b-123456' },
});
const target = (key: string) => routerTarget(key);
const modelsSent = (): string[] => mock.requests.map((request) => (request.body as { model: string }).model);
const ask = (sluice: Sluice, model = 'r', options: Parameters<typeof clientFor>[2] = {}) =>
  clientFor(sluice, mock.baseURL, options).chat.completions.create({ model, messages });

describe('health', () => {
  it('ejects a target after consecutive failures, reports it, and probes it back after the cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance', 'setTimeout', 'clearTimeout'] });
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'b/gpt-4o'], retries: 0 } },
      health: { consecutiveFailures: 2, baseEjectionMs: 30_000 },
    });
    const ejected = collect(sluice, 'target:eject');
    const recovered = collect(sluice, 'target:recover');
    mock.script({ kind: 'error', status: 500, match: { model: 'gpt-4o-mini' } }, { kind: 'error', status: 500, match: { model: 'gpt-4o-mini' } });
    await ask(sluice);
    await ask(sluice);
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini', 'gpt-4o']);
    expect(ejected).toMatchObject([{ target: 'a/gpt-4o-mini', reason: 'consecutive_failures', forMs: 30_000, ejections: 1 }]);
    expect(sluice.health().find((entry) => entry.target === 'a/gpt-4o-mini')).toMatchObject({ state: 'ejected', ejections: 1 });

    // While ejected, calls go straight to the healthy target.
    mock.reset();
    await ask(sluice);
    expect(modelsSent()).toEqual(['gpt-4o']);

    // After the cooldown, one probe goes to the ejected target; it succeeds and the target is back.
    await vi.advanceTimersByTimeAsync(30_001);
    mock.reset();
    await ask(sluice);
    expect(modelsSent()).toEqual(['gpt-4o-mini']);
    expect(recovered).toHaveLength(1);
    expect(sluice.health().find((entry) => entry.target === 'a/gpt-4o-mini')?.state).toBe('healthy');
  });

  it('never ejects the last usable target: when all are out, the one due back first is tried and announced', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'b/gpt-4o'], retries: 0 } },
      health: { consecutiveFailures: 1, baseEjectionMs: 60_000 },
    });
    const forced = collect(sluice, 'target:force');
    mock.script({ kind: 'error', status: 500 }, { kind: 'error', status: 500 });
    await ask(sluice).catch(() => undefined);
    mock.reset();
    const completion = await ask(sluice);
    expect(completion.choices[0]?.message.content).toBe('Echo: hello brave new world');
    expect(mock.requests).toHaveLength(1);
    expect(forced).toHaveLength(1);
  });

  it('rests a target after a 429 with reset headers without counting it as a failure', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'b/gpt-4o'], retries: 0 } },
    });
    const ejected = collect(sluice, 'target:eject');
    mock.script({ kind: 'rate-limit', retryAfterS: 20, match: { model: 'gpt-4o-mini' } });
    await ask(sluice);
    expect(ejected).toMatchObject([{ target: 'a/gpt-4o-mini', reason: 'rate_limited', ejections: 0 }]);
    mock.reset();
    await ask(sluice);
    expect(modelsSent()).toEqual(['gpt-4o']);
  });
});

describe('strategies', () => {
  it('latency: moves traffic away from a target that slows down, and back when it recovers', async () => {
    // The router alone, on an injected clock: latency is exactly what each target is set to take.
    let clock = 0;
    const slow = new Set<string>(['a']);
    const latencyOf = (name: string): number => (slow.has(name) ? 400 : 5);
    const routers = new Map([['r', { name: 'r', strategy: 'latency' as const, targets: [target('a/m'), target('b/m')], retries: 0 }]]);
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const route = createRouter({ routers, retry: RETRY, now: () => clock, random });
    const served: string[] = [];
    const next = async (ctx: CallContext): Promise<Response> => {
      const name = ctx.target!.provider!.name;
      const latencyMs = latencyOf(name);
      clock += latencyMs;
      ctx.attempts.push({ provider: name, model: 'm', keyId: null, status: 200, errorClass: null, latencyMs, sentAfterMs: 0 });
      served.push(name);
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    };
    const call = () => route(makeContext({ body: { model: 'r', messages: [] } }), next);

    for (let index = 0; index < 50; index++) await call();
    // a was tried while unknown, then avoided: b serves almost everything.
    expect(served.slice(10).filter((name) => name === 'b').length).toBeGreaterThanOrEqual(38);

    // a recovers: its estimate decays with time (calls 100 ms apart) until it is picked again, and
    // from then on the two share the traffic.
    slow.clear();
    clock += 60_000;
    served.length = 0;
    for (let index = 0; index < 100; index++) {
      clock += 100;
      await call();
    }
    expect(served.filter((name) => name === 'a').length).toBeGreaterThan(5);
  });

  it('cost: picks the cheaper target by the price catalog', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'cost', targets: ['a/gpt-4o', 'b/gpt-4o-mini'], retries: 0 } },
    });
    await ask(sluice);
    await sluice.flush();
    mock.reset();
    await ask(sluice);
    expect(modelsSent()).toEqual(['gpt-4o-mini']);
  });
});

describe('fallback rules', () => {
  it('falls back on a context-length error to a target with a larger window, without retrying the first', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'b/gpt-4.1'], retries: 2 } },
    });
    const fallbacks = collect(sluice, 'route:fallback');
    mock.script({
      kind: 'error',
      status: 400,
      code: 'context_length_exceeded',
      message: "This model's maximum context length is 128000 tokens.",
      match: { model: 'gpt-4o-mini' },
    });
    const completion = await ask(sluice);
    expect(completion.choices[0]?.message.content).toBe('Echo: hello brave new world');
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4.1']);
    expect(fallbacks).toMatchObject([{ from: 'a/gpt-4o-mini', to: 'b/gpt-4.1', reason: 'context_length' }]);
  });

  it('returns other 400s at once', async () => {
    const sluice = createSluice({ providers: providers(), models: { r: { targets: ['a/gpt-4o-mini', 'b/gpt-4o'] } } });
    mock.script({ kind: 'error', status: 400, message: 'bad temperature' });
    await expect(ask(sluice)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(mock.requests).toHaveLength(1);
  });

  it('keeps upstream attempts within the retry budget during an outage, whatever the SDK does', async () => {
    // Backoff is 1 ms here, so real timers suffice; the budget itself is counted, not timed.
    const sluice = createSluice({
      providers: providers(),
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini'], retries: 3 } },
      retry: { minDelayMs: 1, maxDelayMs: 1, budget: { ratio: 0, minPerSecond: 0.2 } },
      health: { consecutiveFailures: 1000, errorRate: 1, minRequests: 1000, windowSize: 1000 },
    });
    const retries = collect(sluice, 'route:retry');
    mock.script(...Array.from({ length: 100 }, () => ({ kind: 'error' as const, status: 503 })));
    const calls = 10;
    for (let index = 0; index < calls; index++) {
      const error = await ask(sluice, 'r', { maxRetries: 2 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    }
    // Without a budget: 10 calls × (1 + 3 retries) = 40 attempts, and the SDK's maxRetries: 2 would
    // triple that. The budget (0.2 retries/s over 10 s = 2) and x-should-retry: false hold it to 12.
    expect(retries).toHaveLength(2);
    expect(mock.requests).toHaveLength(calls + 2);
  });
});

describe('per-call chains, rules and nested routers', () => {
  it('narrows the chain with x-sluice-targets and extends it with x-sluice-fallbacks; neither header goes upstream', async () => {
    const sluice = createSluice({ providers: providers(), models: { r: { targets: ['a/gpt-4o-mini'], retries: 0 } } });
    await ask(sluice, 'r', { defaultHeaders: { 'x-sluice-targets': 'b/gpt-4.1' } });
    expect(modelsSent()).toEqual(['gpt-4.1']);
    mock.reset();
    mock.script({ kind: 'error', status: 503 });
    await ask(sluice, 'r', { defaultHeaders: { 'x-sluice-fallbacks': 'b/gpt-4o' } });
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4o']);
    for (const request of mock.requests) expect(Object.keys(request.headers).filter((name) => name.startsWith('x-sluice'))).toEqual([]);
  });

  it('refuses an unknown per-call target with a 400 naming it', async () => {
    const sluice = createSluice({ providers: providers(), models: { r: { targets: ['a/gpt-4o-mini'] } } });
    const error = await ask(sluice, 'r', { defaultHeaders: { 'x-sluice-targets': 'nope/x' } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("'nope/x'");
  });

  it('chooses a router by header and by user with rules', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: { cheap: { targets: ['a/gpt-4o-mini'] }, premium: { targets: ['b/gpt-4.1'] } },
      rules: [
        { when: { header: { 'x-tier': 'free' } }, use: 'cheap' },
        { when: { user: 'vip' }, use: 'premium' },
      ],
    });
    await ask(sluice, 'gpt-4o', { defaultHeaders: { 'x-tier': 'free' } });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o', messages, user: 'vip' });
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4.1']);
  });

  it('expands a nested router in place', async () => {
    const sluice = createSluice({
      providers: providers(),
      models: {
        inner: { strategy: 'priority', targets: ['b/gpt-4o', 'b/gpt-4.1'], retries: 0 },
        outer: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'inner'], retries: 0 },
      },
    });
    mock.script({ kind: 'error', status: 503, match: { model: 'gpt-4o-mini' } }, { kind: 'error', status: 503, match: { model: 'gpt-4o' } });
    await ask(sluice, 'outer');
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1']);
  });

  it('rejects routers that contain each other', () => {
    expect(() =>
      createSluice({ providers: providers(), models: { x: { targets: ['y'] }, y: { targets: ['x'] } } }),
    ).toThrow(/routers form a loop/);
  });
});

describe('key pools', () => {
  it('uses keys in turn and rests one that gets a 429 while the others carry on; records name keys by position', async () => {
    const sluice = createSluice({ providers: { a: { kind: 'openai', baseURL: mock.baseURL, apiKeys: ['key-one-123', 'key-two-456'] } } });
    const attempts = collect(sluice, 'attempt:end');
    mock.script({ kind: 'rate-limit', retryAfterS: 30 });
    await ask(sluice, 'a/gpt-4o-mini').catch(() => undefined);
    await ask(sluice, 'a/gpt-4o-mini');
    await ask(sluice, 'a/gpt-4o-mini');
    const keys = mock.requests.map((request) => request.headers['authorization']);
    expect(keys).toEqual(['Bearer key-one-123', 'Bearer key-two-456', 'Bearer key-two-456']);
    expect(attempts.map((event) => event.attempt.keyId)).toEqual(['#0', '#1', '#1']);
    expect(JSON.stringify(attempts)).not.toContain('key-one');
  });
});

describe('time limits', () => {
  it('a first-byte timeout answers 504 and the router moves to the next target', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sluice = createSluice({
      providers: providers(),
      models: { r: { targets: ['a/gpt-4o-mini', 'b/gpt-4o'], retries: 0, timeouts: { firstByteMs: 1000 } } },
    });
    mock.script({ kind: 'hang', match: { model: 'gpt-4o-mini' } });
    const pending = ask(sluice);
    await vi.waitFor(() => expect(mock.requests).toHaveLength(1), { interval: 1 });
    await vi.advanceTimersByTimeAsync(1001);
    const completion = await pending;
    expect(completion.choices[0]?.message.content).toBe('Echo: hello brave new world');
    expect(modelsSent()).toEqual(['gpt-4o-mini', 'gpt-4o']);
  });

  it('an idle stream ends with an error event the SDK raises, and the record says errored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sluice = createSluice({ providers: { a: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-123456789', timeouts: { idleMs: 500 } } } });
    const records = collect(sluice, 'request:end');
    mock.script({ kind: 'stall', afterChunks: 2 });
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'a/gpt-4o-mini', messages, stream: true });
    const reading = (async () => {
      for await (const _chunk of stream) {
        // read on
      }
    })().catch((error: unknown) => error);
    await vi.waitFor(() => expect(mock.requests).toHaveLength(1), { interval: 1 });
    await vi.advanceTimersByTimeAsync(600);
    const error = await reading;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('timeouts.idleMs');
    await sluice.flush();
    expect(records[0]?.record).toMatchObject({ outcome: 'errored', error: { class: 'stream_error' } });
  });

  it('a total-time limit on a non-streaming call answers 504 in the SDK dialect', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sluice = createSluice({ providers: { a: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'k-123456789' } }, timeouts: { totalMs: 2000 } });
    mock.script({ kind: 'hang' });
    const pending = ask(sluice, 'a/gpt-4o-mini').catch((error: unknown) => error);
    await vi.waitFor(() => expect(mock.requests).toHaveLength(1), { interval: 1 });
    await vi.advanceTimersByTimeAsync(2001);
    const error = await pending;
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as Error).message).toContain('timeouts.totalMs');
  });
});
