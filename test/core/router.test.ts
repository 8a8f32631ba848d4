import { APIUserAbortError, BadRequestError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RouterConfig } from '../../src/config/types.js';
import { isSluiceError, type SluiceConfigError } from '../../src/core/errors.js';
import { createRouter, orderTargets, retryAfterMs } from '../../src/core/router.js';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import { fakeNext, makeContext } from '../../src/testing/harness.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, nextRecord, rejection, useMock } from '../helpers/sluice.js';
import { resolvedRouter, RETRY, routerTarget } from '../helpers/router.js';

let mock: MockProvider;
useMock((created) => (mock = created));

afterEach(() => {
  vi.useRealTimers();
});

const FIRST = 'gpt-4o-mini';
const SECOND = 'gpt-4o';

/** Two providers on the mock, told apart by the model each target sends. */
function routed(router: Partial<RouterConfig> = {}, extra: { retry?: { retries?: number; minDelayMs?: number; maxRetryAfterMs?: number } } = {}): Sluice {
  return createSluice({
    providers: {
      a: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-a-123456' },
      b: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-b-123456' },
    },
    models: { resilient: { strategy: 'priority', targets: [`a/${FIRST}`, `b/${SECOND}`], retries: 0, ...router } },
    ...extra,
  });
}

const ask = (sluice: Sluice, options: Parameters<typeof clientFor>[2] = {}) =>
  clientFor(sluice, mock.baseURL, options).chat.completions.create({ model: 'resilient', messages });

/**
 * Resolves once the router has put a backoff timer on the (fake) clock after the next attempt. Polls on
 * `setImmediate`, which these tests leave real (`vi.waitUntil` would advance the fake clock).
 */
function backoffScheduled(sluice: Sluice): Promise<void> {
  return new Promise((resolve, reject) => {
    sluice.once('attempt:end', () => {
      // Read while the attempt ends, before the router can schedule its timer.
      const before = vi.getTimerCount();
      let turns = 0;
      const poll = (): void => {
        if (vi.getTimerCount() > before) resolve();
        else if (++turns > 10_000) reject(new Error('no backoff timer was scheduled'));
        else setImmediate(poll);
      };
      poll();
    });
  });
}

describe('priority fallback (SDK + mock)', () => {
  it.each([
    ['503', { kind: 'error', status: 503 } as const],
    ['429', { kind: 'rate-limit', retryAfterMs: 0 } as const],
    ['529', { kind: 'error', status: 529 } as const],
    ['a connection reset', { kind: 'reset' } as const],
  ])('falls back to the second target on %s; the SDK sees one success and the record two attempts', async (_name, fault) => {
    mock.script({ ...fault, match: { model: FIRST } });
    const sluice = routed();
    const recorded = nextRecord(sluice);
    const { data, response } = await ask(sluice).withResponse();
    expect(data.choices[0]!.message.content).toBe('Echo: hello brave new world');
    expect(mock.requests.map((request) => (request.body as { model: string }).model)).toEqual([FIRST, SECOND]);
    expect(response.headers.get('x-sluice-provider')).toBe('b');
    expect(response.headers.get('x-sluice-model')).toBe(SECOND);
    expect(response.headers.get('x-sluice-attempts')).toBe('2');
    const record = await recorded;
    expect(record.provider).toBe('b');
    expect(record.outcome).toBe('completed');
    expect(record.error).toBeNull();
    expect(record.attempts).toHaveLength(2);
    expect(record.attempts[0]).toMatchObject({ provider: 'a', model: FIRST, errorClass: fault.kind === 'reset' ? 'network_error' : 'http_error' });
    expect(record.attempts[1]).toMatchObject({ provider: 'b', model: SECOND, status: 200, errorClass: null });
  });

  it.each([
    [400, BadRequestError],
    [404, NotFoundError],
  ])('does not fall back on %i', async (status, errorClass) => {
    mock.script({ kind: 'error', status, match: { model: FIRST } });
    const sluice = routed();
    const recorded = nextRecord(sluice);
    const error = await rejection(ask(sluice));
    expect(error).toBeInstanceOf(errorClass);
    expect(mock.requests).toHaveLength(1);
    expect((await recorded).attempts).toHaveLength(1);
  });

  it('emits attempt:end for each upstream request when listened to', async () => {
    mock.script({ kind: 'error', status: 503, match: { model: FIRST } });
    const sluice = routed();
    const events = collect(sluice, 'attempt:end');
    await ask(sluice);
    expect(events.map((event) => [event.index, event.attempt.provider, event.attempt.status])).toEqual([
      [0, 'a', 503],
      [1, 'b', 200],
    ]);
  });

  it('falls back for a stream when the first target answers 503 before any byte', async () => {
    mock.script({ kind: 'error', status: 503, match: { model: FIRST } });
    const sluice = routed();
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'resilient', messages, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: hello brave new world');
    const record = await recorded;
    expect(record.streamed).toBe(true);
    expect(record.outcome).toBe('completed');
    expect(record.attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
  });
});

describe('exhaustion', () => {
  it("returns the last provider error with x-should-retry: false, so the SDK makes one call even with maxRetries: 2", async () => {
    mock.script({ kind: 'error', status: 503, match: { model: FIRST } }, { kind: 'rate-limit', retryAfterS: 0, match: { model: SECOND } });
    const sluice = routed();
    const records = collect(sluice, 'request:end');
    const error = await rejection(ask(sluice, { maxRetries: 2 }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).headers.get('x-should-retry')).toBe('false');
    expect(mock.requests).toHaveLength(2);
    expect(records).toHaveLength(1);
    expect(records[0]!.record.status).toBe(429);
    expect(records[0]!.record.outcome).toBe('failed');
    expect(records[0]!.record.attempts.map((attempt) => attempt.provider)).toEqual(['a', 'b']);
  });

  it('answers 502 sluice_all_targets_failed naming each target when the network fails everywhere', async () => {
    mock.script({ kind: 'reset', match: { model: FIRST } }, { kind: 'reset', match: { model: SECOND } });
    const sluice = routed();
    const recorded = nextRecord(sluice);
    const error = await rejection(ask(sluice, { maxRetries: 2 }));
    expect(error).toBeInstanceOf(InternalServerError);
    const apiError = error as InternalServerError;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe('sluice_all_targets_failed');
    expect(apiError.message).toContain(`a/${FIRST}`);
    expect(apiError.message).toContain(`b/${SECOND}`);
    expect(apiError.headers.get('x-should-retry')).toBe('false');
    expect(mock.requests).toHaveLength(2);
    const record = await recorded;
    expect(record.error?.class).toBe('sluice_all_targets_failed');
    expect(record.attempts.map((attempt) => attempt.errorClass)).toEqual(['network_error', 'network_error']);
  });

  it('only falls back, without same-target retries, when the SDK says it is retrying', async () => {
    mock.script({ kind: 'error', status: 503, match: { model: FIRST } }, { kind: 'error', status: 503, match: { model: SECOND } });
    const sluice = routed({ retries: 3 });
    const response = await sluice.fetch(`${mock.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-stainless-retry-count': '1' },
      body: JSON.stringify({ model: 'resilient', messages }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-should-retry')).toBe('false');
    await response.text();
    expect(mock.requests).toHaveLength(2);
  });
});

describe('retries on the same target (fake timers)', () => {
  it('waits for retry-after-ms before retrying, then serves from the same target', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    mock.script({ kind: 'rate-limit', retryAfterMs: 2000, match: { model: FIRST } });
    const sluice = routed({ retries: 1 });
    const recorded = nextRecord(sluice);
    const scheduled = backoffScheduled(sluice);
    const call = ask(sluice);
    await scheduled;
    await vi.advanceTimersByTimeAsync(1999);
    expect(mock.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const completion = await call;
    expect(completion.choices[0]!.message.content).toBe('Echo: hello brave new world');
    expect(mock.requests.map((request) => (request.body as { model: string }).model)).toEqual([FIRST, FIRST]);
    expect((await recorded).attempts.map((attempt) => [attempt.provider, attempt.status])).toEqual([
      ['a', 429],
      ['a', 200],
    ]);
  });

  it('moves to the next target at once when retry-after exceeds maxRetryAfterMs', async () => {
    mock.script({ kind: 'rate-limit', retryAfterS: 3600, match: { model: FIRST } });
    const sluice = routed({ retries: 2 }, { retry: { maxRetryAfterMs: 1000 } });
    await ask(sluice);
    expect(mock.requests.map((request) => (request.body as { model: string }).model)).toEqual([FIRST, SECOND]);
  });

  it('stops retrying and rejects with the SDK abort error when the caller aborts during backoff', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    mock.script({ kind: 'rate-limit', retryAfterMs: 5000, match: { model: FIRST } });
    const sluice = routed({ retries: 2 });
    const recorded = nextRecord(sluice);
    const controller = new AbortController();
    const scheduled = backoffScheduled(sluice);
    const call = clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'resilient', messages }, { signal: controller.signal });
    await scheduled;
    controller.abort();
    expect(await rejection(call)).toBeInstanceOf(APIUserAbortError);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(mock.requests).toHaveLength(1);
    const record = await recorded;
    expect(record.outcome).toBe('cancelled');
    expect(record.attempts).toHaveLength(1);
  });
});

describe('config', () => {
  it('lists every bad router target with its path', () => {
    let caught: unknown;
    try {
      createSluice({
        providers: { openai: {} },
        models: {
          resilient: { targets: ['openai/gpt-4.1', 'opneai/gpt-4.1-mini', 'nomodel'] },
          spread: { strategy: 'weighted', targets: [{ target: 'openai/gpt-4o', weight: 0 }, { target: 'openai/gpt-4o-mini', wieght: 2 } as never] },
          empty: { targets: [] },
          both: { target: 'openai/gpt-4o', targets: ['openai/gpt-4o'] } as never,
        },
        retry: { minDelayMs: 500, maxDelayMs: 100 },
      });
    } catch (error) {
      caught = error;
    }
    expect(isSluiceError(caught)).toBe(true);
    const issues = (caught as SluiceConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'models.resilient.targets[1]: unknown provider "opneai"; did you mean "openai"?',
        'models.resilient.targets[2]: expected "provider/model", received "nomodel"',
        'models.spread.targets[0].weight: expected a finite number > 0',
        'models.spread.targets[1].wieght: unknown key; did you mean "weight"?',
        'models.empty.targets: expected at least one "provider/model" target',
        'models.both: give either "target" (an alias) or "targets" (a router), not both',
        'retry.maxDelayMs: must be >= retry.minDelayMs (500)',
      ]),
    );
  });

  it('rejects an unknown strategy', () => {
    expect(() => createSluice({ models: { r: { strategy: 'fastest' as never, targets: ['openai/gpt-4o'] } } })).toThrow(/models\.r\.strategy: expected one of "priority", "weighted", "least-busy"/);
  });
});

const target = routerTarget;
const router = resolvedRouter;

/** A small seeded PRNG (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('orderTargets', () => {
  it('converges to the weights over 2000 weighted picks, then orders the rest by weight', () => {
    const spread = router('weighted', [target('x/light', 1), target('y/heavy', 3), target('z/mid', 2)]);
    const random = seeded(42);
    const counts = new Map<string, number>();
    for (let pick = 0; pick < 2000; pick++) {
      const order = orderTargets(spread, random, new Map());
      expect(order).toHaveLength(3);
      counts.set(order[0]!.key, (counts.get(order[0]!.key) ?? 0) + 1);
      expect(order.slice(1).map((entry) => entry.weight)).toEqual([...order.slice(1).map((entry) => entry.weight)].sort((a, b) => b - a));
    }
    expect((counts.get('y/heavy') ?? 0) / 2000).toBeCloseTo(3 / 6, 1);
    expect((counts.get('z/mid') ?? 0) / 2000).toBeCloseTo(2 / 6, 1);
    expect((counts.get('x/light') ?? 0) / 2000).toBeCloseTo(1 / 6, 1);
  });

  it('keeps the listed order for priority and puts the least busy first for least-busy', () => {
    const targets = [target('x/a'), target('y/b'), target('z/c')];
    expect(orderTargets(router('priority', targets), Math.random, new Map()).map((entry) => entry.key)).toEqual(['x/a', 'y/b', 'z/c']);
    const busy = new Map([['x/a', 2], ['y/b', 0], ['z/c', 1]]);
    expect(orderTargets(router('least-busy', targets), Math.random, busy).map((entry) => entry.key)).toEqual(['y/b', 'z/c', 'x/a']);
  });

  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), 0)).toBe(1500);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), 0)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(6000);
    expect(retryAfterMs(new Headers(), 0)).toBeNull();
  });
});

describe('createRouter (unit, makeContext + fakeNext)', () => {
  it('passes a call that names no router straight through', async () => {
    const route = createRouter({ routers: new Map([['r', router('priority', [target('x/a')])]]), retry: RETRY });
    const next = fakeNext({ json: { ok: true } });
    const response = await route(makeContext({ body: { model: 'gpt-4o', messages: [] } }), next);
    expect(response.headers.get('x-sluice-provider')).toBeNull();
    expect(next.calls).toHaveLength(1);
  });

  it('falls back on 503, cancels the discarded body, and sets the target for each attempt', async () => {
    const route = createRouter({ routers: new Map([['r', router('priority', [target('x/a'), target('y/b')])]]), retry: RETRY });
    let cancelled = false;
    const failing = new Response(new ReadableStream({ cancel: () => void (cancelled = true) }), { status: 503 });
    const next = fakeNext(() => failing, { json: { ok: true } });
    const ctx = makeContext({ body: { model: 'r', messages: [] } });
    const seen: string[] = [];
    const response = await route(ctx, async (call) => {
      seen.push(`${call.target?.provider?.name}/${call.target?.model}`);
      return next(call);
    });
    expect(response.status).toBe(200);
    expect(seen).toEqual(['x/a', 'y/b']);
    expect(cancelled).toBe(true);
    expect(response.headers.get('x-sluice-provider')).toBe('y');
  });

  it('rethrows an error that is not a network failure without trying the next target', async () => {
    const route = createRouter({ routers: new Map([['r', router('priority', [target('x/a'), target('y/b')])]]), retry: RETRY });
    const next = fakeNext({ error: new Error('a middleware bug') });
    await expect(route(makeContext({ body: { model: 'r', messages: [] } }), next)).rejects.toThrow('a middleware bug');
    expect(next.calls).toHaveLength(1);
  });

  it('spreads concurrent calls across targets with least-busy', async () => {
    const route = createRouter({ routers: new Map([['r', router('least-busy', [target('x/a'), target('y/b'), target('z/c')])]]), retry: RETRY });
    const release: Array<() => void> = [];
    const served: string[] = [];
    const next = async (ctx: ReturnType<typeof makeContext>): Promise<Response> => {
      served.push(ctx.target!.provider!.name);
      await new Promise<void>((resolve) => release.push(resolve));
      return new Response('{}', { status: 200 });
    };
    const calls = Array.from({ length: 6 }, () => route(makeContext({ body: { model: 'r', messages: [] } }), next));
    await vi.waitUntil(() => served.length === 6);
    for (const resolve of release) resolve();
    await Promise.all(calls);
    expect(served).toEqual(['x', 'y', 'z', 'x', 'y', 'z']);
  });
});
