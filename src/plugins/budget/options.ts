/**
 * The options of `budget()`: public types, their zod/mini schema (built on first use) and the
 * resolution into the plain structures the middleware reads on the call path.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../../core/errors.js';
import { readableIssues, schemaKeys } from '../../config/issues.js';
import type { BudgetStore } from '../../stores/limits-types.js';

/** Whose spend a budget counts. */
export type BudgetScope = 'global' | 'user' | 'tag';

/** A budget's period: a UTC calendar day or month, or fixed windows of `everyMs` aligned to the epoch. */
export type BudgetPeriod = 'day' | 'month' | { everyMs: number };

/** One USD budget. */
export interface BudgetRule {
  /**
   * The budget's name in events, messages and `state()`; a per-user or per-tag budget appends the
   * subject (`team-a:alice`).
   * @default `global`, the scope (`user`, so `user:alice`), or `scope:match` (`tag:beta`)
   */
  name?: string;
  /** Whose spend counts: every call, the call's user, or each of its tags. */
  scope: BudgetScope;
  /**
   * Only this user or tag has the budget.
   * @default each user (or tag) gets its own budget of `limitUsd`
   */
  match?: string;
  /** The most USD spent in one period; a call is refused once spend has reached it. */
  limitUsd: number;
  /** When spend resets. */
  period: BudgetPeriod;
  /**
   * Fractions of `limitUsd` whose crossing emits `budget:threshold`, once per period each.
   * @default [0.8]
   */
  thresholds?: readonly number[];
  /**
   * The time zone of day and month boundaries; only UTC is supported.
   * @default 'UTC'
   */
  timezone?: 'UTC';
}

/** Options of `budget()`. */
export interface BudgetOptions {
  /** The budgets; a call must be within every budget that applies to it. */
  budgets: readonly BudgetRule[];
  /**
   * USD charged for a call whose cost is unknown (no price for its model). Such calls are also counted
   * in `unpricedCalls` either way.
   * @default 0
   */
  unpricedUsd?: number;
  /**
   * Where spend lives; pass `redisBudgetStore(...)` to share budgets across processes.
   * @default an in-process store
   */
  store?: BudgetStore;
  /**
   * When the store fails: `'open'` checks and charges in-process counters instead and lets calls
   * through; `'closed'` refuses calls with a 503 `sluice_budget_store_unavailable`.
   * @default 'open'
   */
  onStoreError?: 'open' | 'closed';
  /**
   * The longest one store call may take, in ms.
   * @default 100
   */
  storeTimeoutMs?: number;
  /**
   * After a failure, how long calls skip the store before the next call tries it again, in ms.
   * @default 1000
   */
  recoverProbeMs?: number;
  /**
   * The wall clock periods are computed from, in ms since the epoch; tests pass a fake one.
   * @default Date.now
   */
  now?: () => number;
}

/** A period after resolution. */
export type ResolvedPeriod = { kind: 'day' } | { kind: 'month' } | { kind: 'every'; everyMs: number };

/** A budget after resolution. */
export interface ResolvedBudget {
  /** Position in `budgets`, for messages. */
  index: number;
  /** The name, without a subject. */
  name: string;
  scope: BudgetScope;
  match: string | null;
  limitUsd: number;
  period: ResolvedPeriod;
  /** Ascending, distinct. */
  thresholds: readonly number[];
}

/** `budget()` options with every default filled in. */
export interface ResolvedBudgetOptions {
  budgets: readonly ResolvedBudget[];
  unpricedUsd: number;
  store: BudgetStore | null;
  failOpen: boolean;
  storeTimeoutMs: number;
  recoverProbeMs: number;
  now: () => number;
}


let schema: z.ZodMiniType | undefined;

function budgetSchema(): z.ZodMiniType {
  const positive = () => z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: 'expected a finite number > 0' }));
  const nonNegative = () => z.number().check(z.refine((value) => Number.isFinite(value) && value >= 0, { error: 'expected a finite number >= 0' }));
  const store = z.custom<BudgetStore>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Partial<BudgetStore>).read === 'function' &&
      typeof (value as Partial<BudgetStore>).charge === 'function',
    { error: 'expected a BudgetStore (read() and charge()), e.g. redisBudgetStore(client)' },
  );
  return z.strictObject({
    budgets: z.array(
      z.strictObject({
        name: z.optional(z.string().check(z.minLength(1))),
        scope: z.enum(['global', 'user', 'tag']),
        match: z.optional(z.string()),
        limitUsd: positive(),
        period: z.union([z.enum(['day', 'month']), z.strictObject({ everyMs: z.int().check(z.positive()) })], {
          error: 'expected "day", "month" or { everyMs: <integer ms> }',
        }),
        thresholds: z.optional(
          z.array(z.number().check(z.refine((value) => Number.isFinite(value) && value > 0 && value <= 1, { error: 'expected a fraction > 0 and <= 1' }))),
        ),
        timezone: z.optional(z.literal('UTC', { error: 'only "UTC" is supported: periods reset at UTC midnight' })),
      }),
    ),
    unpricedUsd: z.optional(nonNegative()),
    store: z.optional(store),
    onStoreError: z.optional(z.enum(['open', 'closed'])),
    // setTimeout fires at once (with a warning) beyond 2^31 - 1 ms.
    storeTimeoutMs: z.optional(z.number().check(z.refine((value) => Number.isFinite(value) && value > 0 && value <= 2_147_483_647, { error: 'expected a number of ms > 0 and <= 2147483647' }))),
    recoverProbeMs: z.optional(nonNegative()),
    now: z.optional(z.custom<() => number>((value) => typeof value === 'function', { error: 'expected a function returning ms since the epoch' })),
  });
}


/**
 * Validates `budget()` options and fills the defaults.
 * @param options What the user passed.
 * @returns The resolved options.
 * @throws {SluiceConfigError} listing every problem, with paths like `budget().budgets[0].limitUsd`.
 */
export function resolveBudgetOptions(options: unknown): ResolvedBudgetOptions {
  const parsed = (schema ??= budgetSchema()).safeParse(options);
  if (!parsed.success) throw new SluiceConfigError(readableIssues(parsed.error, { root: 'budget()', input: options, knownKeys: (path) => schemaKeys(schema!, path) }));
  const value = parsed.data as BudgetOptions;
  const issues: ConfigIssue[] = [];
  if (value.budgets.length === 0) issues.push({ path: 'budget().budgets', message: 'give at least one budget, e.g. { scope: "global", limitUsd: 100, period: "month" }' });
  const budgets = value.budgets.map((rule, index): ResolvedBudget => {
    if (rule.scope === 'global' && rule.match !== undefined) {
      issues.push({ path: `budget().budgets[${index}].match`, message: 'a global budget has no user or tag to match; remove "match" or pick another scope' });
    }
    const period: ResolvedPeriod = typeof rule.period === 'string' ? { kind: rule.period } : { kind: 'every', everyMs: rule.period.everyMs };
    const name = rule.name ?? (rule.scope === 'global' ? 'global' : rule.match === undefined ? rule.scope : `${rule.scope}:${rule.match}`);
    const thresholds = [...new Set(rule.thresholds ?? [0.8])].sort((a, b) => a - b);
    return { index, name, scope: rule.scope, match: rule.match ?? null, limitUsd: rule.limitUsd, period, thresholds };
  });
  if (issues.length > 0) throw new SluiceConfigError(issues);
  return {
    budgets,
    unpricedUsd: value.unpricedUsd ?? 0,
    store: value.store ?? null,
    failOpen: (value.onStoreError ?? 'open') === 'open',
    storeTimeoutMs: value.storeTimeoutMs ?? 100,
    recoverProbeMs: value.recoverProbeMs ?? 1000,
    now: value.now ?? Date.now,
  };
}
