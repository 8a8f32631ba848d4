import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/core/context.js';
import { isSluiceError, SluiceConfigError, type SluiceError } from '../../src/core/errors.js';
import { budget, type BudgetOptions } from '../../src/plugins/budget/index.js';
import { periodAt } from '../../src/plugins/budget/period.js';
import type { BudgetStore, SpendCharge } from '../../src/stores/limits-types.js';
import { memoryBudgetStore } from '../../src/stores/memory/budget.js';
import { fakeNext } from '../../src/testing/harness.js';
import { callContext, recordingSink, type RecordingSink } from './limits-helpers.js';

const JAN_31_NOON = Date.UTC(2025, 0, 31, 12);

/** A budget middleware on a settable wall clock, with a helper that runs one call costing `costUsd`. */
function setup(options: Omit<BudgetOptions, 'now'>, startMs = JAN_31_NOON) {
  const clock = { ms: startMs };
  const middleware = budget({ ...options, now: () => clock.ms });
  const events = recordingSink();
  const next = fakeNext({ json: {} });
  const call = async (costUsd: number | null, fields: { user?: string; tags?: string[]; usage?: boolean; id?: string } = {}): Promise<CallContext> => {
    const ctx = callContext({ events, user: fields.user ?? null, tags: fields.tags ?? [], ...(fields.id === undefined ? {} : { id: fields.id }) });
    await middleware(ctx, next);
    if (fields.usage !== false) ctx.usage = { ...ctx.usage, inputTokens: 10, outputTokens: 5 };
    ctx.costUsd = costUsd;
    ctx.outcome = 'completed';
    ctx.runEndListeners();
    await middleware.flush();
    return ctx;
  };
  return { clock, middleware, events, next, call };
}

async function refusal(promise: Promise<unknown>): Promise<SluiceError> {
  try {
    await promise;
  } catch (error) {
    if (isSluiceError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}

function configError(run: () => unknown): SluiceConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceConfigError) return error;
    throw error;
  }
  throw new Error('expected a SluiceConfigError');
}

describe('budget() options', () => {
  it('names the offending option with a path rooted at budget()', () => {
    const error = configError(() =>
      budget({
        budgets: [
          { scope: 'global', limitUsd: 0, period: 'day' },
          { scope: 'user', limitUsd: 1, period: 'week' as 'day', timezone: 'Europe/Paris' as 'UTC', thresholds: [1.5] },
        ],
      }),
    );
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['budget().budgets[0].limitUsd', 'budget().budgets[1].period', 'budget().budgets[1].timezone', 'budget().budgets[1].thresholds[0]']),
    );
    expect(error.issues.find((issue) => issue.path.endsWith('timezone'))!.message).toContain('only "UTC"');
    expect(configError(() => budget({ budgets: [] })).issues[0]!.message).toContain('at least one budget');
    expect(configError(() => budget({ budgets: [{ scope: 'global', match: 'x', limitUsd: 1, period: 'day' }] })).issues[0]!.path).toBe('budget().budgets[0].match');
    expect(configError(() => budget({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day', limit: 2 } as never] })).issues[0]!.message).toContain('unknown key');
  });

  it('returns a middleware named budget with spent(), state() and flush()', () => {
    const middleware = budget({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    expect(middleware.name).toBe('budget');
    expect(typeof middleware.spent).toBe('function');
  });
});

describe('periods', () => {
  it('cuts UTC days, UTC months and fixed windows aligned to the epoch', () => {
    expect(periodAt({ kind: 'day' }, Date.UTC(2025, 0, 31, 23, 59, 59, 999))).toEqual({ id: 'd2025-01-31', startMs: Date.UTC(2025, 0, 31), endMs: Date.UTC(2025, 1, 1) });
    expect(periodAt({ kind: 'month' }, Date.UTC(2024, 1, 29, 5))).toEqual({ id: 'm2024-02', startMs: Date.UTC(2024, 1, 1), endMs: Date.UTC(2024, 2, 1) });
    expect(periodAt({ kind: 'month' }, Date.UTC(2024, 11, 31, 23))).toMatchObject({ id: 'm2024-12', endMs: Date.UTC(2025, 0, 1) });
    expect(periodAt({ kind: 'every', everyMs: 3_600_000 }, 7_250_000)).toEqual({ id: 'w3600000-7200000', startMs: 7_200_000, endMs: 10_800_000 });
  });
});

describe('checks and charges', () => {
  it('refuses a call once spend reaches the limit: 429, not retryable, naming the budget, its limit and its reset', async () => {
    const { call, middleware, events, next } = setup({ budgets: [{ scope: 'user', limitUsd: 0.05, period: 'day' }] });
    await call(0.03, { user: 'alice' });
    await call(0.03, { user: 'alice' });
    expect(await middleware.spent('user:alice')).toBeCloseTo(0.06);
    const error = await refusal(middleware(callContext({ user: 'alice', events, id: 'over' }), next));
    expect(error).toMatchObject({ code: 'sluice_budget_exceeded', status: 429, retryable: false, retryAfterMs: 12 * 3_600_000 });
    expect(error.message).toBe(
      "budget 'user:alice' is spent: $0.06 of $0.05 this day; it resets at 2025-02-01T00:00:00.000Z. Raise budgets[0].limitUsd or wait for the reset",
    );
    expect(events.of('budget:reject')).toEqual([{ type: 'budget:reject', id: 'over', budget: 'user:alice', spentUsd: expect.closeTo(0.06) as number, limitUsd: 0.05 }]);
    // Each user has a budget of their own; a call without a user has none.
    await call(0.01, { user: 'bob' });
    await call(1, {});
    expect(next.calls).toHaveLength(4);
  });

  it('checks every budget that applies: global, matched user and each tag', async () => {
    const { call, middleware, next } = setup({
      budgets: [
        { scope: 'global', limitUsd: 10, period: 'month' },
        { scope: 'user', match: 'carol', limitUsd: 1, period: 'month' },
        { name: 'team', scope: 'tag', limitUsd: 2, period: 'month' },
      ],
    });
    await call(1, { user: 'carol', tags: ['red'] });
    await expect(middleware(callContext({ user: 'carol' }), next)).rejects.toMatchObject({ message: expect.stringContaining("budget 'user:carol'") as string });
    await call(1.5, { user: 'dave', tags: ['red', 'blue'] });
    const error = await refusal(middleware(callContext({ user: 'dave', tags: ['blue', 'red'] }), next));
    expect(error.message).toContain("budget 'team:red' is spent: $2.50 of $2.00 this month");
    expect(await middleware.spent('global')).toBeCloseTo(2.5);
    expect(await middleware.spent('team:blue')).toBeCloseTo(1.5);
    expect(await middleware.state('team:blue')).toEqual({
      budget: 'team:blue',
      spentUsd: 1.5,
      limitUsd: 2,
      unpricedCalls: 0,
      periodStartMs: Date.UTC(2025, 0, 1),
      resetsAtMs: Date.UTC(2025, 1, 1),
    });
    expect(await middleware.state('nobody')).toBeNull();
  });

  it('starts from zero in a new period', async () => {
    const { call, clock, middleware, next } = setup({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    await call(1);
    await expect(middleware(callContext(), next)).rejects.toMatchObject({ code: 'sluice_budget_exceeded' });
    clock.ms = Date.UTC(2025, 1, 1) - 1;
    await expect(middleware(callContext(), next)).rejects.toMatchObject({ code: 'sluice_budget_exceeded' });
    clock.ms = Date.UTC(2025, 1, 1);
    await call(0.5);
    expect(await middleware.state('global')).toMatchObject({ spentUsd: 0.5, resetsAtMs: Date.UTC(2025, 1, 2) });
  });

  it('uses fixed windows of everyMs', async () => {
    const { call, clock, middleware } = setup({ budgets: [{ scope: 'global', limitUsd: 1, period: { everyMs: 60_000 } }] }, 120_000);
    await call(1);
    clock.ms = 179_999;
    expect(await middleware.spent('global')).toBe(1);
    clock.ms = 180_000;
    expect(await middleware.spent('global')).toBe(0);
  });

  it('counts unpriced calls, charging unpricedUsd for each, and charges nothing for a cache hit or a failed call', async () => {
    const { call, middleware } = setup({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }], unpricedUsd: 0.01 });
    await call(null);
    await call(null);
    expect(await middleware.state('global')).toMatchObject({ spentUsd: 0.02, unpricedCalls: 2 });
    const free = setup({ budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    await free.call(null);
    expect(await free.middleware.state('global')).toMatchObject({ spentUsd: 0, unpricedCalls: 1 });

    const hit = callContext();
    await free.middleware(hit, fakeNext({ json: {} }));
    hit.cache = { status: 'hit', namespace: 'default', savedUsd: 0.5 };
    hit.costUsd = 0;
    hit.outcome = 'completed';
    hit.runEndListeners();
    const failed = callContext();
    await free.middleware(failed, fakeNext({ json: {}, status: 500 }));
    failed.outcome = 'failed';
    failed.runEndListeners();
    await free.middleware.flush();
    expect(await free.middleware.state('global')).toMatchObject({ spentUsd: 0, unpricedCalls: 1 });
  });
});

describe('thresholds', () => {
  it('fires each threshold once per period, and again in the next period', async () => {
    const { call, clock, events } = setup({ budgets: [{ scope: 'user', limitUsd: 10, period: 'month', thresholds: [0.8, 0.5] }] });
    await call(4, { user: 'erin' });
    await call(2, { user: 'erin' });
    await call(1, { user: 'erin' });
    await call(2, { user: 'erin' });
    await call(5, { user: 'erin' });
    const fired = (list: RecordingSink) => list.of('budget:threshold').map(({ threshold, spentUsd }) => [threshold, spentUsd]);
    expect(fired(events)).toEqual([
      [0.5, 6],
      [0.8, 9],
    ]);
    expect(events.of('budget:threshold')[0]).toEqual({ type: 'budget:threshold', budget: 'user:erin', threshold: 0.5, spentUsd: 6, limitUsd: 10 });
    clock.ms = Date.UTC(2025, 1, 3);
    await call(9, { user: 'erin' });
    expect(fired(events)).toEqual([
      [0.5, 6],
      [0.8, 9],
      [0.5, 9],
      [0.8, 9],
    ]);
  });

  it('fires for every budget sharing the charged key, once', async () => {
    const { call, events } = setup({
      budgets: [
        { scope: 'user', limitUsd: 10, period: 'day' },
        { name: 'vip', scope: 'user', match: 'fay', limitUsd: 100, period: 'day', thresholds: [0.05] },
      ],
    });
    await call(8, { user: 'fay' });
    expect(events.of('budget:threshold').map((event) => [event.budget, event.threshold])).toEqual([
      ['user:fay', 0.8],
      ['vip', 0.05],
    ]);
  });
});

describe('store failures', () => {
  function flakyStore(): BudgetStore & { down: boolean; charges: SpendCharge[] } {
    const memory = memoryBudgetStore();
    const store = {
      down: false,
      charges: [] as SpendCharge[],
      read: (keys: readonly string[], nowMs: number) => (store.down ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve(memory.read(keys, nowMs))),
      charge: (charges: readonly SpendCharge[], nowMs: number) => {
        if (store.down) return Promise.reject(new Error('Connection is closed.'));
        store.charges.push(...charges);
        return Promise.resolve(memory.charge(charges, nowMs));
      },
    };
    return store;
  }

  it('fails open to local counters, reports the outage once and recovers on a probe', async () => {
    const store = flakyStore();
    const { call, clock, events, middleware, next } = setup({ store, budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }], recoverProbeMs: 10_000 });
    await call(0.4);
    store.down = true;
    await call(0.7);
    await call(0.5);
    // The local counters hold the outage's spend: 1.2 ≥ 1.
    await expect(middleware(callContext({ events }), next)).rejects.toMatchObject({ code: 'sluice_budget_exceeded' });
    expect(events.of('store:error')).toEqual([{ type: 'store:error', plugin: 'budget', message: 'Connection is closed.', failOpen: true }]);
    store.down = false;
    clock.ms += 10_000;
    await call(0.1);
    expect(events.of('store:recover')).toEqual([{ type: 'store:recover', plugin: 'budget', downMs: 10_000 }]);
    expect(store.charges.map((charge) => charge.usd)).toEqual([0.4, 0.1]);
    expect(await middleware.spent('global')).toBeCloseTo(0.5);
  });

  it('fails closed with a 503', async () => {
    const store = flakyStore();
    store.down = true;
    const { middleware, next } = setup({ store, onStoreError: 'closed', budgets: [{ scope: 'global', limitUsd: 1, period: 'day' }] });
    const error = await refusal(middleware(callContext(), next));
    expect(error).toMatchObject({ code: 'sluice_budget_store_unavailable', status: 503 });
    await expect(middleware.state('global')).rejects.toMatchObject({ code: 'sluice_budget_store_unavailable' });
  });
});
