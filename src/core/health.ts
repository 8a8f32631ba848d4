/**
 * Passive health of router targets: a target that fails N times in a row, or too often over a window
 * of recent outcomes, is ejected for a while (doubling per repeated ejection, capped); when the time is
 * up it turns half-open and admits one probe call, whose outcome recovers or re-ejects it. A 429 with
 * reset headers cools a target down without counting as an ejection. Outcomes count in the order their
 * calls started ({@link HealthTracker.start}): failures come back in milliseconds and successes in
 * seconds, so in completion order a burst of calls to a mostly healthy target reads as a run of
 * failures. Pure: the caller passes the time from its monotonic clock; no timers, no globals.
 * @module
 */
import { HEALTH_DEFAULTS } from './health-defaults.js';

/** Where a target stands: in use, out for a while, or out but ready for one probe call. */
export type HealthState = 'healthy' | 'ejected' | 'half-open';

/**
 * Why a target is out: `consecutive_failures` and `error_rate` are the two ejection rules,
 * `probe_failed` a half-open probe that failed, `rate_limited` a 429 cool-down ({@link HealthTracker.coolDown}).
 */
export type EjectReason = 'consecutive_failures' | 'error_rate' | 'probe_failed' | 'rate_limited';

/** The outcome of one call to a target, as the router judged it. */
export type HealthOutcome = 'success' | 'failure';

/** A target left or came back into service; the router turns it into an event. */
export type HealthChange =
  | {
      type: 'eject';
      key: string;
      /** When the target turns half-open (or, for `rate_limited`, healthy again), on the caller's clock. */
      untilMs: number;
      reason: EjectReason;
      /** Ejections in a row so far; a `rate_limited` cool-down does not add one. */
      ejections: number;
    }
  | {
      type: 'recover';
      key: string;
      /** How long the target was out, from its first ejection to the probe that succeeded. */
      downMs: number;
    };

/** Options of {@link HealthTracker}. */
export interface HealthOptions {
  /**
   * Ejects a target after this many failures in a row.
   * @default 5
   */
  consecutiveFailures?: number;
  /**
   * Ejects a target when the share of failures among its last `windowSize` outcomes reaches this, in (0, 1].
   * @default 0.5
   */
  errorRate?: number;
  /**
   * How many recent outcomes the error rate looks at.
   * @default 20
   */
  windowSize?: number;
  /**
   * The error rate is judged only once the window holds this many outcomes (at most `windowSize`).
   * @default 10
   */
  minRequests?: number;
  /**
   * The first ejection's length; each further ejection in a row doubles it.
   * @default 30_000
   */
  baseEjectionMs?: number;
  /**
   * The longest ejection.
   * @default 300_000
   */
  maxEjectionMs?: number;
  /**
   * Successes in a row after which a recovered target's ejection count returns to 0, so its next
   * ejection is short again; until then a flapping target keeps getting longer ejections.
   * @default 20
   */
  resetEjectionsAfter?: number;
  /**
   * A probe whose outcome is never recorded (its call was abandoned) frees the half-open slot after
   * this long, so a lost outcome cannot keep a target out for good.
   * @default 120_000
   */
  probeTimeoutMs?: number;
  /**
   * Outcomes count in the order their calls started: an outcome waits for the calls to the same target
   * that started before it and are still running, for at most this long (then those count when they end).
   * Bounds how long a long-running call (a stream) can delay an ejection.
   * @default 30_000
   */
  orderWindowMs?: number;
}

/** One target's row in {@link HealthTracker.snapshot}. */
export interface HealthSnapshot {
  key: string;
  state: HealthState;
  /** Failures in a row, up to now. */
  consecutiveFailures: number;
  /** The share of failures in the current window (0 when it is empty). */
  errorRate: number;
  /** When an `ejected` target turns half-open or healthy; `null` in the other states. */
  ejectedUntilMs: number | null;
  /** Ejections in a row (see `resetEjectionsAfter`). */
  ejections: number;
  /** Why the target is or was last out; `null` once it is healthy. */
  reason: EjectReason | null;
}

/** The result of {@link HealthTracker.usable}. */
export interface UsableTargets<T> {
  /** The targets worth trying, in the given order. */
  targets: T[];
  /** When no target was usable, the one tried anyway (also the only entry of `targets`); else `null`. */
  forced: T | null;
}

interface ResolvedHealthOptions {
  consecutiveFailures: number;
  errorRate: number;
  windowSize: number;
  minRequests: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  resetEjectionsAfter: number;
  probeTimeoutMs: number;
  orderWindowMs: number;
}

/** Calls in flight per target whose order is kept; past it the oldest is forgotten (its outcome counts when it ends). */
const MAX_ORDERED_CALLS = 4096;
const PENDING = -1;

/** A call in flight, in start order: its outcome waits until every earlier call's is known. */
interface Started {
  ticket: number;
  startMs: number;
  /** `PENDING`, or 1 for a failure and 0 for a success, held until it is this call's turn. */
  outcome: number;
}

/** One target's counters: a ring of recent outcomes and its ejection state. */
interface Entry {
  /** 1 for a failure, 0 for a success; the oldest is overwritten. */
  readonly outcomes: Uint8Array;
  /** Outcomes in the ring (up to its length). */
  size: number;
  /** Where the next outcome goes. */
  next: number;
  /** Failures in the ring. */
  failures: number;
  consecutiveFailures: number;
  successStreak: number;
  ejections: number;
  /** End of a health ejection: `ejected` before it, `half-open` after; `null` when not ejected. */
  ejectedUntilMs: number | null;
  /** End of a 429 cool-down; `null` when not cooling. */
  coolingUntilMs: number | null;
  /** When the current outage began, for `downMs`. */
  downSinceMs: number;
  /** Why the health ejection happened (a cool-down is read from `coolingUntilMs`); `null` when none. */
  reason: Exclude<EjectReason, 'rate_limited'> | null;
  /** When the half-open probe was let through; `null` when the slot is free. */
  probeSinceMs: number | null;
  /** Calls started and not yet counted, oldest first (at most {@link MAX_ORDERED_CALLS}). */
  readonly started: Started[];
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`HealthTracker: ${name} must be an integer >= 1, got ${value}`);
  return value;
}

function positiveNumber(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`HealthTracker: ${name} must be a finite number > 0, got ${value}`);
  return value;
}

function resolveOptions(options: HealthOptions): ResolvedHealthOptions {
  const windowSize = positiveInteger('windowSize', options.windowSize ?? HEALTH_DEFAULTS.windowSize);
  const minRequests = positiveInteger('minRequests', options.minRequests ?? HEALTH_DEFAULTS.minRequests);
  if (minRequests > windowSize) throw new RangeError(`HealthTracker: minRequests (${minRequests}) must not exceed windowSize (${windowSize})`);
  const errorRate = options.errorRate ?? HEALTH_DEFAULTS.errorRate;
  if (!(errorRate > 0 && errorRate <= 1)) throw new RangeError(`HealthTracker: errorRate must be in (0, 1], got ${errorRate}`);
  const baseEjectionMs = positiveNumber('baseEjectionMs', options.baseEjectionMs ?? HEALTH_DEFAULTS.baseEjectionMs);
  const maxEjectionMs = positiveNumber('maxEjectionMs', options.maxEjectionMs ?? HEALTH_DEFAULTS.maxEjectionMs);
  if (maxEjectionMs < baseEjectionMs) throw new RangeError(`HealthTracker: maxEjectionMs (${maxEjectionMs}) must be >= baseEjectionMs (${baseEjectionMs})`);
  return {
    consecutiveFailures: positiveInteger('consecutiveFailures', options.consecutiveFailures ?? HEALTH_DEFAULTS.consecutiveFailures),
    errorRate,
    windowSize,
    minRequests,
    baseEjectionMs,
    maxEjectionMs,
    resetEjectionsAfter: positiveInteger('resetEjectionsAfter', options.resetEjectionsAfter ?? HEALTH_DEFAULTS.resetEjectionsAfter),
    probeTimeoutMs: positiveNumber('probeTimeoutMs', options.probeTimeoutMs ?? HEALTH_DEFAULTS.probeTimeoutMs),
    orderWindowMs: positiveNumber('orderWindowMs', options.orderWindowMs ?? HEALTH_DEFAULTS.orderWindowMs),
  };
}

/**
 * Tracks the health of router targets by key. Bounded: one entry per key ever recorded, and the router
 * records only its configured targets' keys; each entry holds a fixed ring of `windowSize` outcomes.
 * Keys never recorded are healthy.
 * @example
 * const health = new HealthTracker({ consecutiveFailures: 3 });
 * const { targets, forced } = health.usable(router.targets, now());
 * for (const target of targets) {
 *   if (!health.tryAcquireProbe(target.key, now())) continue;
 *   const change = health.record(target.key, ok ? 'success' : 'failure', now());
 * }
 */
export class HealthTracker {
  readonly #options: ResolvedHealthOptions;
  readonly #entries = new Map<string, Entry>();
  #nextTicket = 0;

  /** @param options Ejection rules and durations; every one has a default. */
  constructor(options: HealthOptions = {}) {
    this.#options = resolveOptions(options);
  }

  #entry(key: string): Entry {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = {
        outcomes: new Uint8Array(this.#options.windowSize),
        size: 0,
        next: 0,
        failures: 0,
        consecutiveFailures: 0,
        successStreak: 0,
        ejections: 0,
        ejectedUntilMs: null,
        coolingUntilMs: null,
        downSinceMs: 0,
        reason: null,
        probeSinceMs: null,
        started: [],
      };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #stateOf(entry: Entry, nowMs: number): HealthState {
    // A cool-down hides the target whatever its health; once over, the health ejection (if any) decides.
    if (entry.coolingUntilMs !== null && nowMs < entry.coolingUntilMs) return 'ejected';
    if (entry.ejectedUntilMs === null) return 'healthy';
    return nowMs < entry.ejectedUntilMs ? 'ejected' : 'half-open';
  }

  #isProbeFree(entry: Entry, nowMs: number): boolean {
    return entry.probeSinceMs === null || nowMs - entry.probeSinceMs >= this.#options.probeTimeoutMs;
  }

  #eject(key: string, entry: Entry, reason: Exclude<EjectReason, 'rate_limited'>, nowMs: number): HealthChange {
    const { baseEjectionMs, maxEjectionMs } = this.#options;
    // A re-ejection after a failed probe continues the same outage.
    if (entry.ejectedUntilMs === null) entry.downSinceMs = nowMs;
    entry.ejections++;
    entry.successStreak = 0;
    const untilMs = nowMs + Math.min(maxEjectionMs, baseEjectionMs * 2 ** (entry.ejections - 1));
    entry.ejectedUntilMs = untilMs;
    entry.reason = reason;
    entry.probeSinceMs = null;
    return { type: 'eject', key, untilMs, reason, ejections: entry.ejections };
  }

  /**
   * Notes that a call to a target starts, so its outcome counts in start order.
   * @param key The target key.
   * @param nowMs The caller's monotonic clock.
   * @returns The ticket to pass to {@link record} or {@link forget} when the call ends.
   */
  start(key: string, nowMs: number): number {
    const entry = this.#entry(key);
    // Bounded: the oldest call's order is dropped; its outcome, if any, counts when it arrives.
    if (entry.started.length >= MAX_ORDERED_CALLS) entry.started.shift();
    const ticket = this.#nextTicket++;
    entry.started.push({ ticket, startMs: nowMs, outcome: PENDING });
    return ticket;
  }

  /**
   * Records the outcome of a call to a target. With the `ticket` of {@link start}, a healthy target's
   * outcome waits until the calls started before it have ended (or `orderWindowMs` passed), so outcomes
   * count in start order. Outcomes that arrive while a target is ejected (calls that started before the
   * ejection, or calls {@link usable} forced) are ignored: the ejection runs its course. While
   * half-open, the outcome is the probe's: a success recovers the target and clears its counters (its
   * ejection count stays until `resetEjectionsAfter` successes in a row), a failure ejects it again for
   * twice as long.
   * @param key The target key.
   * @param outcome How the call went.
   * @param nowMs The caller's monotonic clock.
   * @param ticket From {@link start}; without it the outcome counts at once.
   * @returns The change this outcome (or the outcomes it released) caused, or `null`.
   */
  record(key: string, outcome: HealthOutcome, nowMs: number, ticket?: number): HealthChange | null {
    const entry = this.#entry(key);
    const index = ticket === undefined ? -1 : this.#indexOf(entry, ticket);
    if (index !== -1) {
      if (entry.ejectedUntilMs === null) {
        entry.started[index]!.outcome = outcome === 'failure' ? 1 : 0;
        return this.#drain(key, entry, nowMs);
      }
      entry.started.splice(index, 1);
    }
    return this.#apply(key, entry, outcome, nowMs);
  }

  /**
   * Ends a started call without an outcome that speaks for the target (the caller aborted, a 429, a
   * prompt too long for it), releasing the outcomes that waited for it.
   * @param key The target key.
   * @param ticket From {@link start}.
   * @param nowMs The caller's monotonic clock.
   * @returns The change the released outcomes caused, or `null`.
   */
  forget(key: string, ticket: number, nowMs: number): HealthChange | null {
    const entry = this.#entries.get(key);
    if (entry === undefined) return null;
    const index = this.#indexOf(entry, ticket);
    if (index === -1) return null;
    entry.started.splice(index, 1);
    return entry.ejectedUntilMs === null ? this.#drain(key, entry, nowMs) : null;
  }

  #indexOf(entry: Entry, ticket: number): number {
    const { started } = entry;
    for (let index = 0; index < started.length; index++) if (started[index]!.ticket === ticket) return index;
    return -1;
  }

  /** Counts the outcomes whose turn has come: every call started before them has ended or waited too long. */
  #drain(key: string, entry: Entry, nowMs: number): HealthChange | null {
    const { started } = entry;
    let change: HealthChange | null = null;
    while (started.length > 0) {
      const head = started[0]!;
      if (head.outcome === PENDING) {
        if (nowMs - head.startMs < this.#options.orderWindowMs) break;
        // Running too long to hold the others back: it counts when it ends.
        started.shift();
        continue;
      }
      started.shift();
      // After an ejection the rest are ignored, as outcomes arriving while ejected are.
      change ??= this.#apply(key, entry, head.outcome === 1 ? 'failure' : 'success', nowMs);
    }
    return change;
  }

  #apply(key: string, entry: Entry, outcome: HealthOutcome, nowMs: number): HealthChange | null {
    if (entry.ejectedUntilMs !== null && nowMs < entry.ejectedUntilMs) return null;
    if (entry.ejectedUntilMs !== null) {
      // Half-open (a cool-down may also be running: the probe still speaks for the target's health).
      if (outcome === 'failure') return this.#eject(key, entry, 'probe_failed', nowMs);
      const downMs = nowMs - entry.downSinceMs;
      entry.outcomes.fill(0);
      entry.size = 0;
      entry.next = 0;
      entry.failures = 0;
      entry.consecutiveFailures = 0;
      entry.successStreak = 1;
      if (entry.successStreak >= this.#options.resetEjectionsAfter) entry.ejections = 0;
      entry.ejectedUntilMs = null;
      entry.probeSinceMs = null;
      entry.reason = null;
      return { type: 'recover', key, downMs };
    }

    const { outcomes } = entry;
    const isFailure = outcome === 'failure' ? 1 : 0;
    if (entry.size === outcomes.length) entry.failures -= outcomes[entry.next]!;
    else entry.size++;
    outcomes[entry.next] = isFailure;
    entry.next = (entry.next + 1) % outcomes.length;
    entry.failures += isFailure;

    if (isFailure === 0) {
      entry.consecutiveFailures = 0;
      entry.successStreak++;
      if (entry.successStreak >= this.#options.resetEjectionsAfter) entry.ejections = 0;
      return null;
    }
    entry.consecutiveFailures++;
    entry.successStreak = 0;
    if (entry.consecutiveFailures >= this.#options.consecutiveFailures) return this.#eject(key, entry, 'consecutive_failures', nowMs);
    if (entry.size >= this.#options.minRequests && entry.failures / entry.size >= this.#options.errorRate) {
      return this.#eject(key, entry, 'error_rate', nowMs);
    }
    return null;
  }

  /**
   * Keeps a rate-limited target out until the provider's reset time, without counting an ejection;
   * when it ends the target is healthy again (or half-open, if a health ejection is also pending). A
   * pending probe's slot is freed: a 429 says nothing about health, so the router need not also record
   * it as a failure. Outcomes recorded while cooling (calls already in flight) still count.
   * @param key The target key.
   * @param untilMs When the provider's limit resets, on the caller's monotonic clock.
   * @returns An `eject` change with reason `rate_limited`, or `null` when the target already cools at least as long.
   */
  coolDown(key: string, untilMs: number): HealthChange | null {
    const entry = this.#entry(key);
    entry.probeSinceMs = null;
    if (entry.coolingUntilMs !== null && entry.coolingUntilMs >= untilMs) return null;
    entry.coolingUntilMs = untilMs;
    return { type: 'eject', key, untilMs, reason: 'rate_limited', ejections: entry.ejections };
  }

  /**
   * Tells where a target stands.
   * @param key The target key.
   * @param nowMs The caller's monotonic clock.
   * @returns `healthy`, `ejected`, or `half-open` once an ejection's time has passed.
   */
  state(key: string, nowMs: number): HealthState {
    const entry = this.#entries.get(key);
    return entry === undefined ? 'healthy' : this.#stateOf(entry, nowMs);
  }

  /**
   * Asks to send a call to a target now: always granted when healthy, never when ejected, and once
   * while half-open until that probe's outcome is recorded (or `probeTimeoutMs` passes, or
   * {@link releaseProbe} is called).
   * @param key The target key.
   * @param nowMs The caller's monotonic clock.
   * @returns Whether the call may go.
   */
  tryAcquireProbe(key: string, nowMs: number): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return true;
    const state = this.#stateOf(entry, nowMs);
    if (state !== 'half-open') return state === 'healthy';
    if (!this.#isProbeFree(entry, nowMs)) return false;
    entry.probeSinceMs = nowMs;
    return true;
  }

  /**
   * Frees a half-open target's probe slot without an outcome, for a probe call the caller abandoned
   * (its own abort), which says nothing about the target.
   * @param key The target key.
   */
  releaseProbe(key: string): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) entry.probeSinceMs = null;
  }

  /**
   * Filters a router's targets down to those worth trying now, keeping their order: healthy ones, and
   * half-open ones whose probe slot is free. It does not take the slot: call {@link tryAcquireProbe}
   * just before each attempt. When none is usable, the one whose ejection ends first (the first listed
   * on a tie) is returned as `forced`, so the router still tries something and can say so.
   * @param targets The targets, in the router's order.
   * @param nowMs The caller's monotonic clock.
   * @returns The usable targets, and the forced one when none was.
   * @example
   * const { targets, forced } = health.usable(order, now());
   * if (forced !== null) ctx.notes.push(`every target is ejected; trying ${forced.key}`);
   */
  usable<T extends { key: string }>(targets: readonly T[], nowMs: number): UsableTargets<T> {
    const kept: T[] = [];
    let soonest: T | null = null;
    let soonestMs = Number.POSITIVE_INFINITY;
    for (const target of targets) {
      const entry = this.#entries.get(target.key);
      if (entry === undefined) {
        kept.push(target);
        continue;
      }
      const state = this.#stateOf(entry, nowMs);
      if (state === 'healthy' || (state === 'half-open' && this.#isProbeFree(entry, nowMs))) {
        kept.push(target);
        continue;
      }
      const backMs = Math.max(entry.coolingUntilMs ?? Number.NEGATIVE_INFINITY, entry.ejectedUntilMs ?? Number.NEGATIVE_INFINITY);
      if (soonest === null || backMs < soonestMs) {
        soonest = target;
        soonestMs = backMs;
      }
    }
    if (kept.length > 0 || soonest === null) return { targets: kept, forced: null };
    return { targets: [soonest], forced: soonest };
  }

  /**
   * Describes every tracked target, for `sluice.health()`.
   * @param nowMs The caller's monotonic clock.
   * @returns One row per target key ever recorded, in first-seen order.
   */
  snapshot(nowMs: number): HealthSnapshot[] {
    const rows: HealthSnapshot[] = [];
    for (const [key, entry] of this.#entries) {
      const state = this.#stateOf(entry, nowMs);
      let ejectedUntilMs: number | null = null;
      if (state === 'ejected') {
        const cooling = entry.coolingUntilMs !== null && nowMs < entry.coolingUntilMs ? entry.coolingUntilMs : Number.NEGATIVE_INFINITY;
        const ejected = entry.ejectedUntilMs !== null && nowMs < entry.ejectedUntilMs ? entry.ejectedUntilMs : Number.NEGATIVE_INFINITY;
        // Cooling ends first, then a pending ejection keeps it out: report when it can next be tried.
        ejectedUntilMs = Math.max(cooling, ejected);
      }
      const isCooling = entry.coolingUntilMs !== null && nowMs < entry.coolingUntilMs;
      rows.push({
        key,
        state,
        consecutiveFailures: entry.consecutiveFailures,
        errorRate: entry.size === 0 ? 0 : entry.failures / entry.size,
        ejectedUntilMs,
        ejections: entry.ejections,
        reason: state === 'healthy' ? null : isCooling ? 'rate_limited' : entry.reason,
      });
    }
    return rows;
  }
}
