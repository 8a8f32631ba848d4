import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { InternalServerError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { budget } from '../../src/plugins/budget/index.js';
import { limits } from '../../src/plugins/limits/index.js';
import { redisBudgetStore } from '../../src/stores/redis/budget.js';
import { redisRateLimitStore } from '../../src/stores/redis/limits.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, collect, messages, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

let port = 0;
let server: ChildProcess | null = null;
let redis: Redis;

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts our own redis-server and resolves once it prints that it accepts connections (bounded). */
async function startRedis(): Promise<void> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${String(code)}):\n${output}`));
    });
  });
}

async function stopRedis(): Promise<void> {
  const child = server;
  server = null;
  if (child === null || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

/** Resolves when the client is connected again (bounded: ioredis retries every 20 ms). */
async function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    once(client, 'ready'),
    new Promise((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`ioredis did not reconnect within 10 s (status ${client.status})`)), 10_000);
    }),
  ]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  // No offline queue: while Redis is down a command fails at once instead of waiting to be replayed.
  redis = new Redis({ host: '127.0.0.1', port, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 20 });
  redis.on('error', () => {
    // Reported by the plugins as store:error; ioredis also emits every failed reconnect here.
  });
  await whenReady(redis);
}, 20_000);

afterAll(async () => {
  redis?.disconnect();
  await stopRedis();
});

describe('Redis going away and coming back', () => {
  it('fails open (calls pass, store:error once per plugin), fails closed (503), and recovers', async () => {
    const providers = { openai: { baseURL: mock.baseURL, apiKey: 'k' } };
    const rate = [{ scope: 'global' as const, rpm: 1000 }];
    const budgets = [{ scope: 'global' as const, limitUsd: 100, period: 'day' as const }];
    const common = { storeTimeoutMs: 1000, recoverProbeMs: 0 };
    const open = createSluice({
      providers,
      use: [limits({ ...common, store: redisRateLimitStore(redis), rate }), budget({ ...common, store: redisBudgetStore(redis), budgets })],
    });
    const closedLimits = createSluice({ providers, use: [limits({ ...common, store: redisRateLimitStore(redis), rate, onStoreError: 'closed' })] });
    const closedBudget = createSluice({ providers, use: [budget({ ...common, store: redisBudgetStore(redis), budgets, onStoreError: 'closed' })] });
    const errors = collect(open, 'store:error');
    const recovers = collect(open, 'store:recover');
    const request = { model: 'openai/gpt-4o-mini', messages };
    const call = (sluice: typeof open) => clientFor(sluice, mock.baseURL).chat.completions.create(request);

    await call(open);
    await call(closedLimits);
    await call(closedBudget);
    expect(errors).toEqual([]);

    await stopRedis();
    for (let index = 0; index < 3; index++) expect((await call(open)).object).toBe('chat.completion');
    await open.flush();
    // Each plugin reports its own outage once; which notices first depends on timing.
    expect(errors.map((event) => [event.plugin, event.failOpen]).sort()).toEqual([
      ['budget', true],
      ['limits', true],
    ]);
    const refusedByLimits = await rejection(call(closedLimits));
    expect(refusedByLimits).toBeInstanceOf(InternalServerError);
    expect(refusedByLimits).toMatchObject({ status: 503, code: 'sluice_limit_store_unavailable' });
    expect(await rejection(call(closedBudget))).toMatchObject({ status: 503, code: 'sluice_budget_store_unavailable' });
    expect(mock.requests).toHaveLength(6);

    await startRedis();
    await whenReady(redis);
    await call(open);
    await open.flush();
    expect(recovers.map((event) => event.plugin).sort()).toEqual(['budget', 'limits']);
    expect(recovers.every((event) => event.downMs > 0)).toBe(true);
    expect(errors).toHaveLength(2);
    expect((await call(closedLimits)).object).toBe('chat.completion');
    expect((await call(closedBudget)).object).toBe('chat.completion');
  }, 40_000);
});
