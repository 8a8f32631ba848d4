/**
 * `budget()`: USD budgets per user, per tag and globally over UTC days, months or fixed windows. A call
 * is checked before it runs (spent ≥ limit → 429 `sluice_budget_exceeded`, not retried) and charged
 * with its cost when it ends; crossing a threshold emits `budget:threshold` once per period. Spend is
 * local, or shared through a store such as Redis.
 * @module
 */
import { markPluginFactory } from '../factory.js';
import type { CallContext, EventSink } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { Middleware, Next } from '../../core/types.js';
import type { SpendChange, SpendCharge, SpendTotal } from '../../stores/limits-types.js';
import { memoryBudgetStore } from '../../stores/memory/budget.js';
import { resolveBudgetOptions, type BudgetOptions, type ResolvedBudget } from './options.js';
import { describePeriod, periodAt, type PeriodWindow } from './period.js';
import { bounded, StoreGuard, UNAVAILABLE } from '../store-guard.js';

export type { BudgetOptions, BudgetPeriod, BudgetRule, BudgetScope } from './options.js';

/** One budget's standing in its current period. */
export interface BudgetState {
  /** The budget's name with its subject, e.g. `user:alice` or `global`. */
  budget: string;
  /** USD spent in the current period. */
  spentUsd: number;
  /** The period's limit in USD. */
  limitUsd: number;
  /** Calls charged in the period whose cost was unknown (charged `unpricedUsd` each). */
  unpricedCalls: number;
  /** When the period started, ms since the epoch. */
  periodStartMs: number;
  /** When the period ends and spend resets, ms since the epoch. */
  resetsAtMs: number;
}

/** The budget middleware, with read access to spend. */
export interface BudgetMiddleware extends Middleware {
  /**
   * USD spent in the current period of one budget.
   * @param budget Its name with its subject: `global`, `user:alice`, `tag:beta`, `team-a:alice`...
   * @returns The spend, or 0 when no budget has that name.
   */
  spent(budget: string): Promise<number>;
  /**
   * One budget's standing in its current period; with two budgets of one name, the first configured.
   * @param budget Its name with its subject.
   * @returns The state, or `null` when no budget has that name.
   * @throws {SluiceError} `sluice_budget_store_unavailable` when the store fails and `onStoreError` is `'closed'`.
   */
  state(budget: string): Promise<BudgetState | null>;
  /** Resolves when every charge started so far has reached the store (or failed). */
  flush(): Promise<void>;
}

/** A budget as it applies to one call: to its user, one of its tags, or globally (`subject: ''`). */
interface Applied {
  budget: ResolvedBudget;
  subject: string;
  /** The name events and messages use. */
  label: string;
}

function formatUsd(value: number): string {
  return `$${value >= 1 ? value.toFixed(2) : String(Number(value.toPrecision(3)))}`;
}

/** The store key of a budget's subject in a period: spend is a fact of (scope, subject, period), whichever budget reads it. */
function storeKey(applied: Applied, window: PeriodWindow): string {
  return `${applied.budget.scope}:${window.id}:${applied.subject}`;
}

function labelOf(budget: ResolvedBudget, subject: string): string {
  return budget.scope === 'global' || budget.match !== null ? budget.name : `${budget.name}:${subject}`;
}

/**
 * Creates the budget middleware. Spend is checked before a call and charged with `ctx.costUsd` when it
 * ends (a stream's last byte included); a call whose cost is unknown charges `unpricedUsd` and is
 * counted in `unpricedCalls`. Concurrent calls all pass a check made before any of them is charged,
 * so a budget can be overrun by the calls in flight when it runs out.
 * @param options The budgets and the store.
 * @param options.budgets One entry per budget: scope, optional match, `limitUsd`, period, thresholds (default [0.8]).
 * @param options.unpricedUsd USD charged for a call whose cost is unknown. @default 0
 * @param options.store Where spend lives; `redisBudgetStore(client)` shares it across processes. @default in-process
 * @param options.onStoreError `'open'` falls back to in-process counters, `'closed'` refuses with a 503. @default 'open'
 * @param options.storeTimeoutMs The longest one store call may take, in ms. @default 100
 * @param options.recoverProbeMs How long calls skip a failed store before one tries it again, in ms. @default 1000
 * @param options.now The wall clock, ms since the epoch. @default Date.now
 * @returns The middleware, named `budget`, with `spent()`, `state()` and `flush()`.
 * @throws {SluiceConfigError} when an option is invalid, naming it (`budget().budgets[0].limitUsd: ...`).
 * @example
 * import { createSluice } from 'sluice';
 * import { budget } from 'sluice/plugins';
 *
 * const budgets = budget({
 *   budgets: [
 *     { scope: 'global', limitUsd: 500, period: 'month', thresholds: [0.5, 0.9] },
 *     { scope: 'user', limitUsd: 2, period: 'day' },
 *   ],
 * });
 * const sluice = createSluice({ use: [budgets] });
 * sluice.on('budget:threshold', (event) => console.warn(`${event.budget} at ${event.threshold * 100} %`));
 * console.log(await budgets.spent('user:alice'));
 */
export function budget(options: BudgetOptions): BudgetMiddleware {
  const config = resolveBudgetOptions(options);
  const { budgets, now } = config;
  const local = memoryBudgetStore();
  const shared = config.store;
  const guard =
    shared === null
      ? null
      : new StoreGuard({ plugin: 'budget', failOpen: config.failOpen, timeoutMs: config.storeTimeoutMs, recoverProbeMs: config.recoverProbeMs });
  const pending = new Set<Promise<void>>();

  const unavailable = (): SluiceError =>
    new SluiceError(
      'sluice_budget_store_unavailable',
      'the budget store is unavailable and budget() has onStoreError: "closed"; check the store (Redis) or set onStoreError: "open"',
      { status: 503, retryable: true, retryAfterMs: config.recoverProbeMs },
    );

  const applicable = (ctx: CallContext): Applied[] => {
    const applied: Applied[] = [];
    for (const entry of budgets) {
      const subjects = entry.scope === 'global' ? [''] : entry.scope === 'user' ? (ctx.user === null ? [] : [ctx.user]) : new Set(ctx.tags);
      for (const subject of subjects) {
        if (entry.match !== null && subject !== entry.match) continue;
        applied.push({ budget: entry, subject, label: labelOf(entry, subject) });
      }
    }
    return applied;
  };

  /** Reads spend through the guard, or locally while the store is down and the policy is open. */
  const read = async (events: EventSink, keys: readonly string[], nowMs: number): Promise<readonly SpendTotal[]> => {
    if (shared !== null && guard !== null) {
      const totals = await guard.run(now, events, () => shared.read(keys, nowMs));
      if (totals !== UNAVAILABLE) return totals;
      if (!config.failOpen) throw unavailable();
    }
    return local.read(keys, nowMs);
  };

  const charge = async (ctx: CallContext, applied: readonly Applied[]): Promise<void> => {
    // A cache hit reached no provider: nothing was spent.
    if (ctx.cache?.status === 'hit') return;
    // A cost that is not a finite amount >= 0 is unknown: a store never receives Infinity or NaN.
    const cost = ctx.costUsd !== null && Number.isFinite(ctx.costUsd) && ctx.costUsd >= 0 ? ctx.costUsd : null;
    const hasUsage = ctx.usage.inputTokens !== null || ctx.usage.outputTokens !== null;
    // Unknown cost counts only where the provider did work: usage came back, or the call completed.
    const isUnpriced = cost === null && (hasUsage || ctx.outcome === 'completed');
    const usd = cost ?? (isUnpriced ? config.unpricedUsd : 0);
    if (usd <= 0 && !isUnpriced) return;
    const nowMs = now();
    const keys = applied.map((entry) => storeKey(entry, periodAt(entry.budget.period, nowMs)));
    const charges = new Map<string, SpendCharge>();
    applied.forEach((entry, index) => {
      const key = keys[index]!;
      if (!charges.has(key)) charges.set(key, { key, usd, unpricedCalls: isUnpriced ? 1 : 0, expireAtMs: periodAt(entry.budget.period, nowMs).endMs });
    });
    const list = [...charges.values()];
    let changes: readonly SpendChange[] | typeof UNAVAILABLE = UNAVAILABLE;
    if (shared !== null && guard !== null) changes = await guard.run(now, ctx.events, () => shared.charge(list, nowMs));
    if (changes === UNAVAILABLE) {
      // Closed: the call already ran and nothing reads the local counters; the charge is lost.
      if (shared !== null && !config.failOpen) return;
      changes = local.charge(list, nowMs);
    }
    const byKey = new Map<string, SpendChange>();
    list.forEach((entry, index) => {
      const change = (changes as readonly SpendChange[])[index];
      if (change !== undefined) byKey.set(entry.key, change);
    });
    if (!ctx.events.has('budget:threshold')) return;
    applied.forEach((entry, index) => {
      const change = byKey.get(keys[index]!);
      if (change === undefined) return;
      const { limitUsd, thresholds } = entry.budget;
      for (const threshold of thresholds) {
        const at = threshold * limitUsd;
        if (change.previousUsd < at && change.currentUsd >= at) {
          ctx.events.emit({ type: 'budget:threshold', budget: entry.label, threshold, spentUsd: change.currentUsd, limitUsd });
        }
      }
    });
  };

  const middleware = async function budget(ctx: CallContext, next: Next): Promise<Response> {
    // Listing models and counting tokens cost nothing.
    if (ctx.operation === 'models' || ctx.operation === 'count_tokens') return next(ctx);
    const applied = applicable(ctx);
    if (applied.length === 0) return next(ctx);
    const nowMs = now();
    const windows = applied.map((entry) => periodAt(entry.budget.period, nowMs));
    const keys = applied.map((entry, index) => storeKey(entry, windows[index]!));
    const distinct = [...new Set(keys)];
    const totals = await read(ctx.events, distinct, nowMs);
    for (let index = 0; index < applied.length; index++) {
      const entry = applied[index]!;
      const spentUsd = totals[distinct.indexOf(keys[index]!)]?.spentUsd ?? 0;
      const { limitUsd, period } = entry.budget;
      if (spentUsd < limitUsd) continue;
      if (ctx.events.has('budget:reject')) ctx.events.emit({ type: 'budget:reject', id: ctx.id, budget: entry.label, spentUsd, limitUsd });
      const window = windows[index]!;
      throw new SluiceError(
        'sluice_budget_exceeded',
        `budget '${entry.label}' is spent: ${formatUsd(spentUsd)} of ${formatUsd(limitUsd)} ${describePeriod(period)}; ` +
          `it resets at ${new Date(window.endMs).toISOString()}. Raise budgets[${entry.budget.index}].limitUsd or wait for the reset`,
        { status: 429, retryable: false, retryAfterMs: window.endMs - nowMs },
      );
    }
    ctx.onEnd((ended) => {
      const charging = charge(ended, applied).catch(() => {
        // A store failure is reported by the guard; anything else must not escape an end listener.
      });
      pending.add(charging);
      void charging.finally(() => pending.delete(charging));
    });
    return next(ctx);
  };

  const state = async (name: string): Promise<BudgetState | null> => {
    for (const entry of budgets) {
      let subject: string;
      if (entry.scope === 'global' || entry.match !== null) {
        if (name !== entry.name) continue;
        subject = entry.match ?? '';
      } else {
        if (!name.startsWith(`${entry.name}:`)) continue;
        subject = name.slice(entry.name.length + 1);
      }
      const applied: Applied = { budget: entry, subject, label: name };
      const nowMs = now();
      const window = periodAt(entry.period, nowMs);
      const keys = [storeKey(applied, window)];
      let totals: readonly SpendTotal[];
      if (shared === null || (guard?.isDown === true && config.failOpen)) totals = local.read(keys, nowMs);
      else {
        try {
          totals = await bounded(shared.read(keys, nowMs), config.storeTimeoutMs);
        } catch {
          if (!config.failOpen) throw unavailable();
          totals = local.read(keys, nowMs);
        }
      }
      const total = totals[0] ?? { spentUsd: 0, unpricedCalls: 0 };
      return { budget: name, spentUsd: total.spentUsd, limitUsd: entry.limitUsd, unpricedCalls: total.unpricedCalls, periodStartMs: window.startMs, resetsAtMs: window.endMs };
    }
    return null;
  };

  return Object.assign(middleware, {
    spent: async (name: string): Promise<number> => (await state(name))?.spentUsd ?? 0,
    state,
    flush: async (): Promise<void> => {
      // Bounded: each pending charge is itself bounded by storeTimeoutMs.
      for (let round = 0; round < 8 && pending.size > 0; round++) await Promise.all([...pending]);
    },
  });
}

markPluginFactory(budget, 'budget');
