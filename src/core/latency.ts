/**
 * Peak-EWMA latency per router target, as in Finagle's and linkerd's load balancers: a slow answer
 * counts at once, a fast one only gradually, and an idle target's estimate decays toward zero so it gets
 * tried again. The `latency` strategy orders targets by power of two choices over this cost. Pure: the
 * caller passes the time and the random source.
 *
 * What is observed is the router's choice, documented here so every caller does the same: time to first
 * token (first body byte) for streams, and total time for JSON answers, since that is what a caller
 * waits for in each case. Failures are not observed; health tracking handles them.
 * @module
 */

/** Options of {@link PeakEwma}. */
export interface PeakEwmaOptions {
  /**
   * The decay time constant: an older estimate keeps the weight `exp(-elapsedMs / decayMs)` against a
   * lower sample, and an idle estimate shrinks by that factor toward zero.
   * @default 10_000
   */
  decayMs?: number;
}

/**
 * The cost of a never-observed target that already has a call in flight: above any real latency, so
 * only one exploratory call at a time goes to it (Finagle's `Penalty` does the same). Adding the
 * in-flight count keeps such targets ordered among themselves.
 */
const BUSY_UNOBSERVED_COST = 1e12;

interface Estimate {
  /** Milliseconds, as of `stampMs`. */
  valueMs: number;
  stampMs: number;
}

/**
 * Peak-EWMA latency estimates by target key. Bounded: one entry per key ever observed, and the router
 * observes only its configured targets.
 * @example
 * const latency = new PeakEwma();
 * const order = latency.order(router.targets, inFlight, random, now());
 * // ... after the first byte of a stream, or the whole JSON answer:
 * latency.observe(target.key, now() - startedMs, now());
 */
export class PeakEwma {
  readonly #decayMs: number;
  readonly #estimates = new Map<string, Estimate>();

  /** @param options The decay time constant. */
  constructor(options: PeakEwmaOptions = {}) {
    const decayMs = options.decayMs ?? 10_000;
    if (!(decayMs > 0) || !Number.isFinite(decayMs)) throw new RangeError(`PeakEwma: decayMs must be a finite number > 0, got ${decayMs}`);
    this.#decayMs = decayMs;
  }

  /**
   * Adds a latency sample: above the estimate, the estimate jumps to it (the peak); otherwise the
   * estimate moves toward it, keeping the weight `exp(-elapsedMs / decayMs)` where `elapsedMs` is the
   * time since the previous sample. Negative or non-finite samples are ignored.
   * @param key The target key.
   * @param latencyMs Time to first token for a stream, total time for a JSON answer.
   * @param nowMs The caller's monotonic clock.
   */
  observe(key: string, latencyMs: number, nowMs: number): void {
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) return;
    const estimate = this.#estimates.get(key);
    if (estimate === undefined) {
      this.#estimates.set(key, { valueMs: latencyMs, stampMs: nowMs });
      return;
    }
    if (latencyMs > estimate.valueMs) {
      estimate.valueMs = latencyMs;
    } else {
      const weight = Math.exp(-Math.max(0, nowMs - estimate.stampMs) / this.#decayMs);
      estimate.valueMs = estimate.valueMs * weight + latencyMs * (1 - weight);
    }
    // A sample from a clock that went backwards must not move the stamp back and inflate later decay.
    estimate.stampMs = Math.max(estimate.stampMs, nowMs);
  }

  /**
   * Reads a target's estimate, decayed toward zero for the time since its last sample (the same weight
   * as a zero-latency sample would get), as Finagle's and tower's readers do.
   * @param key The target key.
   * @param nowMs The caller's monotonic clock.
   * @returns Milliseconds, or `null` for a target never observed.
   */
  estimate(key: string, nowMs: number): number | null {
    const estimate = this.#estimates.get(key);
    if (estimate === undefined) return null;
    return estimate.valueMs * Math.exp(-Math.max(0, nowMs - estimate.stampMs) / this.#decayMs);
  }

  /**
   * A target's cost: its decayed estimate × (calls in flight + 1). A never-observed target costs 0
   * while nothing is in flight to it, so it is tried; once a call is in flight it costs more than any
   * observed target until that call's sample arrives, which caps exploration at one call at a time.
   * @param key The target key.
   * @param inFlight Calls to this target now in flight.
   * @param nowMs The caller's monotonic clock.
   * @returns The cost; lower is better.
   */
  cost(key: string, inFlight: number, nowMs: number): number {
    const estimate = this.estimate(key, nowMs);
    if (estimate === null) return inFlight <= 0 ? 0 : BUSY_UNOBSERVED_COST + inFlight;
    return estimate * (Math.max(0, inFlight) + 1);
  }

  /**
   * Orders targets by power of two choices: two distinct targets picked at random, the cheaper first
   * (the first picked on a tie, so equal targets share the load), then every other target by cost, ties
   * in listed order, as fallbacks.
   * @param targets The router's targets.
   * @param inFlight Calls in flight per target key (missing keys count 0).
   * @param random Numbers in [0, 1).
   * @param nowMs The caller's monotonic clock.
   * @returns A new array holding every target once.
   * @example
   * const [first, ...fallbacks] = latency.order(router.targets, inFlight, Math.random, performance.now());
   */
  order<T extends { key: string }>(targets: readonly T[], inFlight: ReadonlyMap<string, number>, random: () => number, nowMs: number): T[] {
    const count = targets.length;
    if (count < 2) return [...targets];
    const costs = targets.map((target) => this.cost(target.key, inFlight.get(target.key) ?? 0, nowMs));
    const a = pick(random, count);
    let b = pick(random, count - 1);
    if (b >= a) b++;
    const first = costs[b]! < costs[a]! ? b : a;
    const rest: number[] = [];
    for (let index = 0; index < count; index++) if (index !== first) rest.push(index);
    // Array#sort is stable, so equal costs keep the listed order.
    rest.sort((left, right) => costs[left]! - costs[right]!);
    const ordered: T[] = [targets[first]!];
    for (const index of rest) ordered.push(targets[index]!);
    return ordered;
  }
}

/** An index in [0, count), safe against a source that returns 1 or a negative number. */
function pick(random: () => number, count: number): number {
  return Math.min(count - 1, Math.max(0, Math.floor(random() * count)));
}
