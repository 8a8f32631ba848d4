/**
 * Concurrency slots for `limits()`: a counting semaphore with a bounded FIFO queue, and the set of
 * semaphores a call needs (per model, provider, user and global).
 *
 * A small semaphore of our own rather than p-limit: p-limit cannot take a task out of its queue, so a
 * waiter that timed out or was aborted would keep its place (and count against `maxQueue`) until its
 * turn came; and a p-limit slot ends when a function's promise settles, whereas ours ends when the call
 * ends (a stream's last byte), long after `next()` returned. A `Set` gives FIFO order and O(1) removal.
 * @module
 */
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { ResolvedCap, ResolvedConcurrency } from './options.js';

/** Why a wait ended without a slot. */
const TIMED_OUT = Symbol('timed out');

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  timer: ReturnType<typeof setTimeout> | null;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
}

/** Slots held by calls, and calls waiting for one, first come first served. */
export class Semaphore {
  /** How many calls may hold a slot at once. */
  readonly limit: number;
  /** Slots held. */
  active = 0;
  /** A moving average of how long a slot is held, in ms; estimates waits. */
  averageHoldMs: number | null = null;
  readonly #waiters = new Set<Waiter>();

  /** @param limit Slots (≥ 1). */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Calls waiting. */
  get queued(): number {
    return this.#waiters.size;
  }

  /** Whether nothing holds or waits for a slot (the semaphore can be dropped). */
  get isIdle(): boolean {
    return this.active === 0 && this.#waiters.size === 0;
  }

  /** Takes a slot if one is free and nobody waits before us. */
  tryAcquire(): boolean {
    if (this.active >= this.limit || this.#waiters.size > 0) return false;
    this.active++;
    return true;
  }

  /**
   * Waits for a slot, in arrival order.
   * @param timeoutMs The longest wait; then rejects with {@link TIMED_OUT}.
   * @param signal The caller's signal; on abort rejects with its reason.
   */
  wait(timeoutMs: number, signal: AbortSignal | null): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason as unknown);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: null, signal, onAbort: null };
      waiter.timer = setTimeout(() => this.#drop(waiter, TIMED_OUT), timeoutMs);
      if (signal !== null) {
        waiter.onAbort = () => this.#drop(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.add(waiter);
    });
  }

  /** Frees a slot, handing it straight to the first waiter if there is one. */
  release(): void {
    for (const waiter of this.#waiters) {
      this.#waiters.delete(waiter);
      this.#cleanup(waiter);
      waiter.resolve();
      return;
    }
    this.active--;
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
    return Math.ceil((this.averageHoldMs ?? 1000) * Math.ceil((this.#waiters.size + 1) / this.limit));
  }

  #drop(waiter: Waiter, reason: unknown): void {
    if (!this.#waiters.delete(waiter)) return;
    this.#cleanup(waiter);
    waiter.reject(reason);
  }

  #cleanup(waiter: Waiter): void {
    if (waiter.timer !== null) clearTimeout(waiter.timer);
    if (waiter.onAbort !== null) waiter.signal?.removeEventListener('abort', waiter.onAbort);
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
    const held: Need[] = [];
    let waitedMs = 0;
    try {
      for (const need of needs) {
        let semaphore = this.#semaphores.get(need.key);
        if (semaphore === undefined) this.#semaphores.set(need.key, (semaphore = new Semaphore(need.limit)));
        if (semaphore.tryAcquire()) {
          held.push(need);
          continue;
        }
        const estimateMs = semaphore.estimateWaitMs();
        if (semaphore.queued >= this.#config.maxQueue) {
          throw this.#refuse(ctx, need, estimateMs, `${semaphore.queued} calls already wait for it (concurrency.maxQueue)`);
        }
        if (ctx.events.has('limit:wait')) ctx.events.emit({ type: 'limit:wait', id: ctx.id, limit: need.label, waitMs: estimateMs });
        const remainingMs = Math.max(0, this.#config.queueTimeoutMs - waitedMs);
        const waitStart = ctx.now();
        try {
          await semaphore.wait(remainingMs, ctx.signal);
        } catch (error) {
          if (error !== TIMED_OUT) throw error;
          throw this.#refuse(ctx, need, estimateMs, `no slot freed within ${this.#config.queueTimeoutMs} ms (concurrency.queueTimeoutMs)`);
        }
        held.push(need);
        // One deadline for all of the call's slots, not queueTimeoutMs for each.
        waitedMs += Math.max(0, ctx.now() - waitStart);
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

  #release(held: readonly Need[], heldMs: number): void {
    for (const need of held) {
      const semaphore = this.#semaphores.get(need.key);
      if (semaphore === undefined) continue;
      if (heldMs > 0) semaphore.recordHold(heldMs);
      semaphore.release();
      // Dropped once idle (its average hold time with it); a later call re-creates it.
      if (semaphore.isIdle) this.#semaphores.delete(need.key);
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
