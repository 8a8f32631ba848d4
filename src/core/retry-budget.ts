/**
 * A retry budget shared by every call of a router, after Finagle's `RetryBudget`: each call deposits
 * `ratio` of a retry, each retry withdraws one, and a reserve of `minPerSecond × ttl` retries is always
 * there for light traffic. Deposits and withdrawals expire after `ttlMs`, so during an outage retries
 * stay near `ratio` of the traffic instead of multiplying it. As in Finagle, the reserve is a pool per
 * `ttlMs`, not a steady trickle: a sudden outage may spend it in a burst, then retries follow deposits.
 * Pure: the caller passes the time.
 * @module
 */

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /**
   * Retries earned per call: 0.2 allows retries of about 20% of calls over the last `ttlMs`.
   * @default 0.2
   */
  ratio?: number;
  /**
   * Retries per second always allowed, whatever the traffic (a reserve of `minPerSecond × ttlMs / 1000`).
   * @default 10
   */
  minPerSecond?: number;
  /**
   * How long deposits and withdrawals count.
   * @default 10_000
   */
  ttlMs?: number;
}

/** Slots in the ring, each `ttlMs / 10` long: a deposit expires between 0.9 × `ttlMs` and `ttlMs` after it was made. */
const SLOTS = 10;
/** Finagle's trick: whole numbers of milli-retries keep 0.2 + 0.2 + … exact. */
const SCALE = 1000;

/**
 * A shared retry budget over a fixed ring of time slots. Bounded: ten slots, whatever the traffic.
 * @example
 * const budget = new RetryBudget({ ratio: 0.2 });
 * budget.deposit(now()); // once per call
 * if (shouldRetry && budget.tryWithdraw(now())) retry();
 */
export class RetryBudget {
  readonly #depositUnits: number;
  readonly #reserveUnits: number;
  readonly #slotMs: number;
  /** Milli-retries per slot: deposits add, withdrawals subtract. */
  readonly #units = new Float64Array(SLOTS);
  /** The slot number (`floor(nowMs / slotMs)`) each slot's units belong to; stale slots are reset on use. */
  readonly #epochs = new Float64Array(SLOTS).fill(Number.NEGATIVE_INFINITY);

  /** @param options The ratio, the always-allowed minimum and the time window. */
  constructor(options: RetryBudgetOptions = {}) {
    const ratio = options.ratio ?? 0.2;
    const minPerSecond = options.minPerSecond ?? 10;
    const ttlMs = options.ttlMs ?? 10_000;
    if (!(ratio >= 0 && ratio <= 1000)) throw new RangeError(`RetryBudget: ratio must be in [0, 1000], got ${ratio}`);
    if (!(minPerSecond >= 0) || !Number.isFinite(minPerSecond)) throw new RangeError(`RetryBudget: minPerSecond must be a finite number >= 0, got ${minPerSecond}`);
    if (!(ttlMs >= SLOTS) || !Number.isFinite(ttlMs)) throw new RangeError(`RetryBudget: ttlMs must be a finite number >= ${SLOTS}, got ${ttlMs}`);
    this.#depositUnits = Math.round(ratio * SCALE);
    this.#reserveUnits = Math.round(minPerSecond * (ttlMs / 1000) * SCALE);
    this.#slotMs = ttlMs / SLOTS;
  }

  /** The current slot's index, emptied first if it last held an older epoch. */
  #slot(nowMs: number): number {
    const epoch = Math.floor(nowMs / this.#slotMs);
    const index = ((epoch % SLOTS) + SLOTS) % SLOTS;
    if (this.#epochs[index] !== epoch) {
      this.#epochs[index] = epoch;
      this.#units[index] = 0;
    }
    return index;
  }

  /** Milli-retries available: the reserve plus every slot of the last `SLOTS` epochs. */
  #available(nowMs: number): number {
    const epoch = Math.floor(nowMs / this.#slotMs);
    let total = this.#reserveUnits;
    for (let index = 0; index < SLOTS; index++) {
      const age = epoch - this.#epochs[index]!;
      if (age >= 0 && age < SLOTS) total += this.#units[index]!;
    }
    return total;
  }

  /**
   * Credits one call (a first attempt, not a retry).
   * @param nowMs The caller's monotonic clock.
   */
  deposit(nowMs: number): void {
    this.#units[this.#slot(nowMs)]! += this.#depositUnits;
  }

  /**
   * Takes one retry from the budget if there is one.
   * @param nowMs The caller's monotonic clock.
   * @returns Whether the retry may go; `false` leaves the budget untouched.
   */
  tryWithdraw(nowMs: number): boolean {
    if (this.#available(nowMs) < SCALE) return false;
    this.#units[this.#slot(nowMs)]! -= SCALE;
    return true;
  }

  /**
   * Tells how many retries the budget holds now.
   * @param nowMs The caller's monotonic clock.
   * @returns Retries (fractional: a call earns `ratio` of one).
   */
  balance(nowMs: number): number {
    return this.#available(nowMs) / SCALE;
  }
}
