/**
 * Concurrency slots and request rates for MCP tool calls, per server and per tool glob. The same
 * semantics as `limits()`' concurrency and request-rate rules (a FIFO queue of bounded length for
 * slots, a token bucket refilled continuously for rates), kept apart because `limits()` keys its
 * scopes on model calls' context; in memory, per instance.
 * @module
 */

/** Slots held by calls, and calls waiting for one, first come first served. */
export class Slots {
  readonly #max: number;
  readonly #maxQueue: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  /**
   * @param max Slots (≥ 1).
   * @param maxQueue Calls that may wait; more are refused.
   */
  constructor(max: number, maxQueue: number) {
    this.#max = max;
    this.#maxQueue = maxQueue;
  }

  /** Calls holding a slot. */
  get active(): number {
    return this.#active;
  }

  /**
   * Takes a slot: at once when one is free, after the calls ahead otherwise.
   * @returns `true` when taken now, a promise of `true` when queued, `false` when the queue is full.
   */
  acquire(): true | false | Promise<true> {
    if (this.#active < this.#max) {
      this.#active++;
      return true;
    }
    if (this.#waiting.length >= this.#maxQueue) return false;
    return new Promise((resolve) => this.#waiting.push(() => resolve(true)));
  }

  /** Gives a slot back: the next waiter takes it. */
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#active--;
  }
}

/** A token bucket: `perMinute` tokens, refilled continuously, each call takes one. */
export class RateBucket {
  readonly #perMs: number;
  readonly #capacity: number;
  #tokens: number;
  #lastMs: number;

  /**
   * @param perMinute Calls per minute (also the burst).
   * @param nowMs The clock now.
   */
  constructor(perMinute: number, nowMs: number) {
    this.#perMs = perMinute / 60_000;
    this.#capacity = Math.max(1, perMinute);
    this.#tokens = this.#capacity;
    this.#lastMs = nowMs;
  }

  /**
   * Takes a token.
   * @param nowMs The clock now.
   * @returns `0` when taken, otherwise how long until one is available, in ms.
   */
  take(nowMs: number): number {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (nowMs - this.#lastMs) * this.#perMs);
    this.#lastMs = nowMs;
    if (this.#tokens >= 1) {
      this.#tokens--;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }
}
