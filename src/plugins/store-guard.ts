/**
 * Bounds each call to a shared store in time and tracks outages: the first failure emits `store:error`
 * once, calls then skip the store until `recoverProbeMs` has passed, one call probes it, and the first
 * answer after an outage emits `store:recover`.
 * @module
 */
import type { EventSink } from '../core/context.js';
import type { MaybePromise } from '../stores/types.js';

/** Returned instead of a value when the store failed or is being skipped during an outage. */
export const UNAVAILABLE: unique symbol = Symbol('store unavailable');

/** Settings of a {@link StoreGuard}. */
export interface StoreGuardOptions {
  /** The plugin's name, for events. */
  plugin: string;
  /** Whether the plugin lets calls through while the store is down (reported in `store:error`). */
  failOpen: boolean;
  /** The longest one store call may take, in ms. */
  timeoutMs: number;
  /** How long calls skip the store after a failure before one probes it, in ms. */
  recoverProbeMs: number;
}

/**
 * Waits for a store answer at most `timeoutMs`. A synchronous answer (in-process stores) needs no timer.
 * The store call itself cannot be cancelled: it may still land after the timeout.
 * @param value The store's answer or its promise.
 * @param timeoutMs The longest wait.
 * @returns The answer, or a promise that rejects after `timeoutMs`.
 */
export function bounded<T>(value: MaybePromise<T>, timeoutMs: number): MaybePromise<T> {
  if (typeof (value as PromiseLike<T> | null)?.then !== 'function') return value;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}

/** One plugin instance's view of its store's health. */
export class StoreGuard {
  readonly #options: StoreGuardOptions;
  #downSinceMs: number | null = null;
  #lastTryMs = 0;
  #probing = false;

  /** @param options Plugin name, policy and timings. */
  constructor(options: StoreGuardOptions) {
    this.#options = options;
  }

  /** Whether the store is currently considered down. */
  get isDown(): boolean {
    return this.#downSinceMs !== null;
  }

  /**
   * Runs one store operation, unless the store is down and not due for a probe.
   * @param now The clock probes and outages are timed with.
   * @param events Where `store:error` and `store:recover` go (the call's sink).
   * @param operation The store call.
   * @returns The store's answer, or {@link UNAVAILABLE}.
   */
  async run<T>(now: () => number, events: EventSink, operation: () => MaybePromise<T>): Promise<T | typeof UNAVAILABLE> {
    const options = this.#options;
    const startMs = now();
    let probe = false;
    if (this.#downSinceMs !== null) {
      if (this.#probing || startMs - this.#lastTryMs < options.recoverProbeMs) return UNAVAILABLE;
      probe = this.#probing = true;
      this.#lastTryMs = startMs;
    }
    try {
      const value = await bounded(operation(), options.timeoutMs);
      if (this.#downSinceMs !== null) {
        const downMs = Math.max(0, now() - this.#downSinceMs);
        this.#downSinceMs = null;
        if (events.has('store:recover')) events.emit({ type: 'store:recover', plugin: options.plugin, downMs });
      }
      return value;
    } catch (error) {
      this.#lastTryMs = now();
      if (this.#downSinceMs === null) {
        this.#downSinceMs = startMs;
        if (events.has('store:error')) {
          const message = error instanceof Error ? error.message : String(error);
          events.emit({ type: 'store:error', plugin: options.plugin, message, failOpen: options.failOpen });
        }
      }
      return UNAVAILABLE;
    } finally {
      if (probe) this.#probing = false;
    }
  }
}
