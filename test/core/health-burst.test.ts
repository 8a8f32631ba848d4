/**
 * Health under bursts: failures come back in milliseconds, successes in seconds, so in completion order
 * a mostly healthy target looks failing. Outcomes count in the order their calls started.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HealthTracker } from '../../src/core/health.js';
import { createSluice } from '../../src/core/sluice.js';
import { collect } from '../helpers/sluice.js';

afterEach(() => {
  vi.useRealTimers();
});

const completion = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

/**
 * Target `a` fails every fourth call after 5 ms and answers the others after 2 s (its first call, a
 * warm-up, at once); `b` answers at once.
 */
function burstyUpstream(): { fetch: typeof fetch; started: () => number } {
  let calls = -1;
  const fetch: typeof globalThis.fetch = (input) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('http://a.test') || calls++ === -1) return Promise.resolve(new Response(completion, { headers: { 'content-type': 'application/json' } }));
    const fails = calls % 4 === 0;
    return new Promise((resolve) =>
      setTimeout(
        () => resolve(fails ? Response.json({ error: { message: 'boom', type: 'server_error' } }, { status: 500 }) : new Response(completion, { headers: { 'content-type': 'application/json' } })),
        fails ? 5 : 2000,
      ),
    );
  };
  return { fetch, started: () => calls };
}

describe('health under a burst of fast failures', () => {
  it('does not eject a 25%-failing target whose failures come back first', async () => {
    const upstream = burstyUpstream();
    const sluice = createSluice({
      providers: { a: { kind: 'openai', baseURL: 'http://a.test/v1', apiKey: 'key-a-123456' }, b: { kind: 'openai', baseURL: 'http://b.test/v1', apiKey: 'key-b-123456' } },
      models: { r: { strategy: 'priority', targets: ['a/gpt-4o-mini', 'b/gpt-4o-mini'], retries: 0 } },
      fetch: upstream.fetch,
    });
    const ejected = collect(sluice, 'target:eject');
    const body = JSON.stringify({ model: 'r', messages: [{ role: 'user', content: 'hi' }] });
    const call = () => sluice.fetch('https://api.openai.com/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Loads the router and codecs, so the burst below reaches the upstream without waiting on imports.
    expect((await call()).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date', 'performance', 'setTimeout', 'clearTimeout'] });
    const calls = Array.from({ length: 40 }, call);
    for (let turn = 0; turn < 200 && upstream.started() < 40; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(upstream.started()).toBe(40);
    await vi.advanceTimersByTimeAsync(3000);
    const statuses = (await Promise.all(calls)).map((response) => response.status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(ejected).toEqual([]);
    expect(sluice.health().find((entry) => entry.target === 'a/gpt-4o-mini')).toMatchObject({ state: 'healthy', errorRate: 0.25 });
  });
});

describe('HealthTracker ordering by start', () => {
  it('holds a fast failure until the calls started before it end, then counts in start order', () => {
    const health = new HealthTracker({ consecutiveFailures: 3, minRequests: 20 });
    const slow = [health.start('a', 0), health.start('a', 0), health.start('a', 0)];
    const fast = [health.start('a', 1), health.start('a', 1), health.start('a', 1)];
    // Three fast failures in a row, but three calls started before them are still running.
    for (const ticket of fast) expect(health.record('a', 'failure', 5, ticket)).toBeNull();
    expect(health.snapshot(5)[0]).toMatchObject({ state: 'healthy', consecutiveFailures: 0 });
    expect(health.record('a', 'success', 2000, slow[0])).toBeNull();
    expect(health.record('a', 'success', 2000, slow[1])).toBeNull();
    // The last call started before them ends: in start order, success x3, then failure x3, which ejects.
    expect(health.record('a', 'success', 2000, slow[2])).toMatchObject({ type: 'eject', reason: 'consecutive_failures' });
    expect(health.snapshot(2000)[0]).toMatchObject({ state: 'ejected', reason: 'consecutive_failures' });
  });

  it('still ejects a failing target when an old call runs long: a failure waits at most orderWindowMs', () => {
    const health = new HealthTracker({ consecutiveFailures: 3, orderWindowMs: 10_000 });
    health.start('a', 0); // a long stream that never reports
    const changes = [1000, 2000, 11_000].map((nowMs) => health.record('a', 'failure', nowMs, health.start('a', nowMs - 1)));
    expect(changes.slice(0, 2)).toEqual([null, null]);
    expect(changes[2]).toMatchObject({ type: 'eject', reason: 'consecutive_failures' });
  });

  it('lets a forgotten call (aborted, rate limited) release the outcomes behind it', () => {
    const health = new HealthTracker({ consecutiveFailures: 2 });
    const aborted = health.start('a', 0);
    const failing = [health.start('a', 1), health.start('a', 1)];
    for (const ticket of failing) expect(health.record('a', 'failure', 5, ticket)).toBeNull();
    expect(health.forget('a', aborted, 6)).toMatchObject({ type: 'eject' });
  });
});
