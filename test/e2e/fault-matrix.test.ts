/**
 * The fault matrix of issue 4: each upstream fault × streaming or not × with or without a healthy
 * fallback target. Each cell asserts what the OpenAI SDK received or threw, what the record says,
 * and how many upstream requests were made. Time limits run on fake timers.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import type { CallRecord } from '../../src/events/record.js';
import { createMockProvider, type MockProvider, type MockScript } from '../../src/testing/index.js';

let mock: MockProvider;
beforeAll(async () => {
  mock = await createMockProvider();
  // One call of each kind with real timers first: the router, time limits and stream code load on
  // demand, and a load still under way while a test drives fake time would stall whichever cell
  // happens to run first (the suite runs in any order).
  const warm = gateway(true, false);
  await call(warm, false);
  await call(warm, true);
  await warm.close();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => {
  mock.reset();
  vi.useRealTimers();
});

/** Where the failing target points: the mock, or a closed port (connection refused). */
type Fault = { name: string; step: MockScript | null; refused?: boolean; phase: 'before-first-byte' | 'after-first-byte' };

const FAILING_MODEL = 'gpt-4o-mini';
const HEALTHY_MODEL = 'gpt-4o';
const only = { model: FAILING_MODEL };

const FAULTS: Fault[] = [
  { name: 'connection refused', step: null, refused: true, phase: 'before-first-byte' },
  { name: 'reset before headers', step: { kind: 'reset', match: only }, phase: 'before-first-byte' },
  { name: '500', step: { kind: 'error', status: 500, match: only }, phase: 'before-first-byte' },
  { name: '503', step: { kind: 'error', status: 503, match: only }, phase: 'before-first-byte' },
  { name: '429 with retry-after', step: { kind: 'rate-limit', retryAfterS: 1, match: only }, phase: 'before-first-byte' },
  { name: '529', step: { kind: 'error', status: 529, match: only }, phase: 'before-first-byte' },
  { name: 'timeout before headers', step: { kind: 'hang', match: only }, phase: 'before-first-byte' },
  { name: 'stall before the first chunk', step: { kind: 'stall', afterChunks: 0, match: only }, phase: 'after-first-byte' },
  { name: 'stall mid-stream', step: { kind: 'stall', afterChunks: 2, match: only }, phase: 'after-first-byte' },
  { name: 'malformed', step: { kind: 'malformed', afterChunks: 1, match: only }, phase: 'after-first-byte' },
  { name: 'truncated (reset mid-stream)', step: { kind: 'reset-mid-stream', afterChunks: 2, match: only }, phase: 'after-first-byte' },
];

const TIMEOUTS = { firstByteMs: 2000, idleMs: 2000, totalMs: 5000 };

function gateway(withFallback: boolean, refused: boolean): Sluice {
  const failingURL = refused ? 'http://127.0.0.1:1/v1' : mock.baseURL;
  return createSluice({
    providers: {
      failing: { kind: 'openai', baseURL: failingURL, apiKey: 'key-failing-1', timeouts: TIMEOUTS },
      healthy: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'key-healthy-1', timeouts: TIMEOUTS },
    },
    models: withFallback
      ? { chain: { strategy: 'priority', targets: [`failing/${FAILING_MODEL}`, `healthy/${HEALTHY_MODEL}`], retries: 0 } }
      : { chain: { strategy: 'priority', targets: [`failing/${FAILING_MODEL}`], retries: 0 } },
  });
}

/** Settles a promise whose progress needs both real I/O and fake time, in bounded turns. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 400 && !settled; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(100);
  }
  return promise;
}

async function call(sluice: Sluice, stream: boolean): Promise<{ text: string | null; error: unknown }> {
  const client = new OpenAI({ baseURL: mock.baseURL, apiKey: 'client-key', maxRetries: 0, fetch: sluice.fetch });
  try {
    if (!stream) {
      const completion = await client.chat.completions.create({ model: 'chain', messages: [{ role: 'user', content: 'hello' }] });
      return { text: completion.choices[0]?.message.content ?? null, error: null };
    }
    const response = await client.chat.completions.create({ model: 'chain', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    let text = '';
    for await (const chunk of response) text += chunk.choices[0]?.delta.content ?? '';
    return { text, error: null };
  } catch (error) {
    return { text: null, error };
  }
}

describe.each([false, true])('streaming: %s', (stream) => {
  describe.each([true, false])('with a healthy fallback: %s', (withFallback) => {
    it.each(FAULTS)('$name', async (fault) => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const sluice = gateway(withFallback, fault.refused === true);
      const records: CallRecord[] = [];
      sluice.on('request:end', ({ record }) => records.push(record));
      if (fault.step !== null) mock.script(fault.step);

      const { text, error } = await drive(call(sluice, stream));
      await drive(sluice.flush());
      const record = records[0]!;
      const failingRequests = mock.requests.filter((request) => (request.body as { model?: string }).model === FAILING_MODEL).length;
      const healthyRequests = mock.requests.length - failingRequests;
      expect(failingRequests).toBe(fault.refused === true ? 0 : 1);

      // A JSON answer is read whole before the SDK sees anything, so every fault can fall back.
      const canFallBack = fault.phase === 'before-first-byte' || !stream;
      if (withFallback && canFallBack) {
        expect(error).toBeNull();
        expect(text).toBe('Echo: hello');
        expect(healthyRequests).toBe(1);
        expect(record).toMatchObject({ outcome: 'completed', provider: 'healthy', status: 200 });
        expect(record.attempts).toHaveLength(2);
        return;
      }
      // No fallback target, or the stream had already started: the SDK raises in its own terms.
      expect(healthyRequests).toBe(0);
      expect(error).toBeInstanceOf(Error);
      if (stream && fault.name === 'malformed') {
        // The broken event passes through as the provider sent it: the SDK's own parser raises.
        expect(error).toBeInstanceOf(SyntaxError);
        expect(record.outcome).toBe('errored');
      } else if (stream && fault.phase === 'after-first-byte') {
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect(record.outcome).toBe('errored');
      } else {
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect(['failed', 'errored']).toContain(record.outcome);
      }
      expect(record.attempts).toHaveLength(1);
    });
  });
});
