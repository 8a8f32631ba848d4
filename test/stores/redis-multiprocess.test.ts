import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

/** One worker process and a reader of its JSON lines. */
interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Sends a command and resolves with the next line the worker prints (bounded by `timeoutMs`). */
  ask(command: string | null, timeoutMs?: number): Promise<Record<string, number | boolean>>;
}

const CALLS = 12;
const RPM = 10;
// gpt-4o-mini at $0.15 per million input tokens; each call reports 10 000 input tokens: $0.0015.
const CALL_USD = 0.0015;
const LIMIT_USD = 0.01;

const prefix = `test:limits-mp:${randomUUID()}:`;
const redis = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
let mock: MockProvider;
const workers: Worker[] = [];

function startWorker(): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/limits-worker.ts'], {
    env: { ...process.env, MOCK_URL: mock.baseURL, REDIS_PORT: '6379', PREFIX: prefix, CALLS: String(CALLS), RPM: String(RPM), LIMIT_USD: String(LIMIT_USD) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    child,
    async ask(command, timeoutMs = 20_000) {
      if (command !== null) child.stdin.write(`${command}\n`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`worker did not answer "${command ?? 'ready'}" within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
      });
      try {
        const line = await Promise.race([lines.next(), timeout]);
        if (line.done === true) throw new Error(`worker exited; stderr:\n${stderr}`);
        return JSON.parse(line.value) as Record<string, number | boolean>;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function deleteKeys(): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

beforeAll(async () => {
  mock = await createMockProvider({ fallback: { kind: 'reply', content: 'ok', usage: { prompt_tokens: 10_000, completion_tokens: 0 } } });
  workers.push(startWorker(), startWorker());
  // Both processes are connected before either sends a call, so the whole test runs within a second
  // or two of the bucket's 6 s refill per request.
  await Promise.all(workers.map((worker) => worker.ask(null)));
}, 40_000);

afterAll(async () => {
  for (const worker of workers) {
    if (worker.child.exitCode === null) {
      worker.child.stdin.write('exit\n');
      const exited = new Promise((resolve) => worker.child.once('exit', resolve));
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  }
  await mock.close();
  await deleteKeys();
  redis.disconnect();
}, 20_000);

describe('two processes sharing Redis', () => {
  it('share one rate limit: exactly RPM calls pass in total, not twice as many', async () => {
    const before = mock.requests.length;
    const results = await Promise.all(workers.map((worker) => worker.ask('rate')));
    const passed = results.reduce((sum, result) => sum + Number(result['passed']), 0);
    const limited = results.reduce((sum, result) => sum + Number(result['limited']), 0);
    expect(passed).toBe(RPM);
    expect(limited).toBe(2 * CALLS - RPM);
    expect(results.map((result) => result['storeErrors'])).toEqual([0, 0]);
    expect(mock.requests.length - before).toBe(RPM);
  }, 30_000);

  it('share one budget: spend from both processes adds up and both are refused once it is spent', async () => {
    const before = mock.requests.length;
    const results = await Promise.all(workers.map((worker) => worker.ask('budget')));
    const passed = results.reduce((sum, result) => sum + Number(result['passed']), 0);
    // Calls checked before a sibling's charge landed may overrun by one per process; two local budgets
    // would have let 2 × 7 through.
    const perBudget = Math.ceil(LIMIT_USD / CALL_USD);
    expect(passed).toBeGreaterThanOrEqual(perBudget);
    expect(passed).toBeLessThanOrEqual(perBudget + 1);
    expect(results.map((result) => result['refused'])).toEqual([1, 1]);
    expect(results.map((result) => result['storeErrors'])).toEqual([0, 0]);
    expect(mock.requests.length - before).toBe(passed);
    const keys = await redis.keys(`${prefix}global:d*`);
    expect(keys).toHaveLength(1);
    expect(Number(await redis.hget(keys[0]!, 'usd'))).toBeCloseTo(passed * CALL_USD, 9);
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  }, 30_000);

  it('share one cache entry: an answer stored by one process serves the other', async () => {
    const before = mock.requests.length;
    expect(await workers[0]!.ask('cache')).toEqual({ cache: 'miss' });
    expect(await workers[1]!.ask('cache')).toEqual({ cache: 'hit' });
    expect(mock.requests.length - before).toBe(1);
  }, 30_000);
});
