/**
 * Concurrency slots for `limits()`: a counting semaphore over p-limit, and the set of semaphores a call
 * needs (per model, provider, user and global).
 *
 * p-limit runs a task per slot; here a task is "hold the slot until the call ends" (a stream's last
 * byte, long after `next()` returned), so the task's promise settles when the call releases it.
 * p-limit cannot take a task out of its queue: a waiter that timed out or was aborted keeps its place
 * until its turn comes, then passes the slot on at once; it no longer counts as queued.
 * @module
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { ResolvedCap, ResolvedConcurrency } from './options.js';

/** Why a wait ended without a slot. */
const TIMED_OUT = Symbol('timed out');

/** Slots held by calls, and calls waiting for one, first come first served. */
export class Semaphore {
  /** How many calls may hold a slot at once. */
  readonly limit: number;
  /** A moving average of how long a slot is held, in ms; estimates waits. */
  averageHoldMs: number | null = null;
  readonly #slots: LimitFunction;
  /** Slots held (granted and not yet released). */
  #held = 0;
  /** Calls waiting for a slot (not those that gave up). */
  #waiting = 0;
  /** Waiters that gave up: their turn, when it comes, frees the slot at once. */
  #abandoned = 0;

  readonly #onIdle: (() => void) | null;

  /**
   * @param limit Slots (≥ 1).
   * @param onIdle Called whenever the semaphore becomes idle (see {@link Semaphore.isIdle}), so its owner can drop it.
   */
  constructor(limit: number, onIdle: (() => void) | null = null) {
    this.limit = limit;
    this.#slots = pLimit(limit);
    this.#onIdle = onIdle;
  }

  #checkIdle(): void {
    if (this.isIdle) this.#onIdle?.();
  }

  /** Slots held. */
  get active(): number {
    return this.#held;
  }

  /** Calls waiting. */
  get queued(): number {
    return this.#waiting;
  }

  /** Whether nothing holds, waits for or still owes a turn to a slot (the semaphore can be dropped). */
  get isIdle(): boolean {
    return this.#held === 0 && this.#waiting === 0 && this.#abandoned === 0;
  }

  /** Whether a newcomer gets a slot without waiting (one is free and nobody waits before it). */
  get hasFreeSlot(): boolean {
    return this.#held + this.#waiting + this.#abandoned < this.limit;
  }

  /**
   * Takes a slot, in arrival order.
   * @param timeoutMs The longest wait; then rejects with {@link TIMED_OUT}.
   * @param signal The caller's signal; on abort rejects with its reason.
   * @returns A function that frees the slot (idempotent).
   */
  acquire(timeoutMs: number, signal: AbortSignal | null): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    this.#waiting++;
    return new Promise<() => void>((resolve, reject) => {
      let state: 'waiting' | 'granted' | 'gone' = 'waiting';
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onAbort = (): void => giveUp(signal!.reason);
      const cleanup = (): void => {
        if (timer !== null) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const giveUp = (reason: unknown): void => {
        if (state !== 'waiting') return;
        state = 'gone';
        this.#waiting--;
        this.#abandoned++;
        cleanup();
        reject(reason);
      };
      void this.#slots(
        () =>
          new Promise<void>((free) => {
            if (state === 'gone') {
              // Its caller gave up while it waited: the slot goes to the next in line at once.
              this.#abandoned--;
              free();
              this.#checkIdle();
              return;
            }
            state = 'granted';
            this.#waiting--;
            this.#held++;
            cleanup();
            let isFreed = false;
            resolve(() => {
              if (isFreed) return;
              isFreed = true;
              this.#held--;
              free();
              this.#checkIdle();
            });
          }),
      );
      if (state === 'waiting') {
        timer = setTimeout(() => giveUp(TIMED_OUT), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /**
   * Folds one hold time into the average.
   * @param heldMs How long a call held its slot.
   */
  recordHold(heldMs: number): void {
    this.averageHoldMs = this.averageHoldMs === null ? heldMs : this.averageHoldMs * 0.8 + heldMs * 0.2;
  }

  /** An estimate of how long a newcomer would wait, in ms (1 s per round when nothing is known yet). */
  estimateWaitMs(): number {
    return Math.ceil((this.averageHoldMs ?? 1000) * Math.ceil((this.#waiting + 1) / this.limit));
  }
}

/** What a call must hold: one semaphore per applicable cap, most specific first. */
interface Need {
  label: string;
  key: string;
  limit: number;
}

function capFor(cap: ResolvedCap | null, name: string | null): number | null {
  if (cap === null || name === null) return null;
  return cap.byName.get(name) ?? cap.fallback;
}

/**
 * Hands out concurrency slots. Semaphores are created on first use and dropped when idle, so the map
 * is bounded by the calls in flight whatever names callers send.
 */
export class ConcurrencyLimiter {
  readonly #config: ResolvedConcurrency;
  readonly #semaphores = new Map<string, Semaphore>();

  /** @param config Caps, queue bound and timeout. */
  constructor(config: ResolvedConcurrency) {
    this.#config = config;
  }

  /** Semaphores alive (for tests and stats). */
  get size(): number {
    return this.#semaphores.size;
  }

  #needs(ctx: CallContext, provider: string | null): Need[] {
    const config = this.#config;
    const needs: Need[] = [];
    // Specific before general: a call waiting for the global cap then blocks only its own model's
    // callers, never everyone; one fixed order also rules out deadlock between two calls.
    const model = ctx.requestedModel;
    const modelCap = capFor(config.perModel, model);
    if (modelCap !== null) needs.push({ label: `concurrency:model:${model!}`, key: `m:${model!}`, limit: modelCap });
    const providerCap = capFor(config.perProvider, provider);
    if (providerCap !== null) needs.push({ label: `concurrency:provider:${provider!}`, key: `p:${provider!}`, limit: providerCap });
    if (config.perUser !== null && ctx.user !== null) needs.push({ label: `concurrency:user:${ctx.user}`, key: `u:${ctx.user}`, limit: config.perUser });
    if (config.global !== null) needs.push({ label: 'concurrency:global', key: 'g', limit: config.global });
    return needs;
  }

  /**
   * Takes every slot the call needs, waiting in line when a cap is full.
   * @param ctx The call (its model, user, clock, signal and event sink).
   * @param provider The provider name the call counts under, or `null`.
   * @returns A function that frees the slots (idempotent), or `null` when no cap applies.
   * @throws {SluiceError} `sluice_concurrency_limit` (429) when a queue is full or the wait times out;
   * the caller's abort reason when it aborts while waiting.
   */
  async acquire(ctx: CallContext, provider: string | null): Promise<(() => void) | null> {
    const needs = this.#needs(ctx, provider);
    if (needs.length === 0) return null;
    const held: { need: Need; semaphore: Semaphore; free: () => void }[] = [];
    let waitedMs = 0;
    try {
      for (const need of needs) {
        let semaphore = this.#semaphores.get(need.key);
        if (semaphore === undefined) {
          const created: Semaphore = new Semaphore(need.limit, () => {
            // Dropped once idle (its average hold time with it); a later call re-creates it.
            if (this.#semaphores.get(need.key) === created) this.#semaphores.delete(need.key);
          });
          this.#semaphores.set(need.key, (semaphore = created));
        }
        const estimateMs = semaphore.estimateWaitMs();
        const mustWait = !semaphore.hasFreeSlot;
        if (mustWait) {
          if (semaphore.queued >= this.#config.maxQueue) {
            throw this.#refuse(ctx, need, estimateMs, `${semaphore.queued} calls already wait for it (concurrency.maxQueue)`);
          }
          if (ctx.events.has('limit:wait')) ctx.events.emit({ type: 'limit:wait', id: ctx.id, limit: need.label, waitMs: estimateMs });
        }
        const remainingMs = Math.max(0, this.#config.queueTimeoutMs - waitedMs);
        const waitStart = ctx.now();
        let free: () => void;
        try {
          free = await semaphore.acquire(remainingMs, ctx.signal);
        } catch (error) {
          if (error !== TIMED_OUT) throw error;
          throw this.#refuse(ctx, need, estimateMs, `no slot freed within ${this.#config.queueTimeoutMs} ms (concurrency.queueTimeoutMs)`);
        }
        held.push({ need, semaphore, free });
        // One deadline for all of the call's slots, not queueTimeoutMs for each.
        if (mustWait) waitedMs += Math.max(0, ctx.now() - waitStart);
      }
    } catch (error) {
      this.#release(held, 0);
      throw error;
    }
    const acquiredMs = ctx.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release(held, ctx.now() - acquiredMs);
    };
  }

  #release(held: readonly { semaphore: Semaphore; free: () => void }[], heldMs: number): void {
    for (const { semaphore, free } of held) {
      if (heldMs > 0) semaphore.recordHold(heldMs);
      free();
    }
  }

  #refuse(ctx: CallContext, need: Need, retryAfterMs: number, why: string): SluiceError {
    if (ctx.events.has('limit:reject')) ctx.events.emit({ type: 'limit:reject', id: ctx.id, limit: need.label, retryAfterMs });
    return new SluiceError(
      'sluice_concurrency_limit',
      `concurrency limit ${need.label} (${need.limit} at once) is full and ${why}; retry later or raise the cap`,
      { status: 429, retryable: true, retryAfterMs },
    );
  }
}
