/**
 * Runs cache store operations so that a broken or slow store never breaks or stalls a call: each
 * operation is bounded by a timeout, a failure becomes "no answer", and the plugin instance remembers
 * whether the store is down so `store:error` fires once per outage and `store:recover` once it answers.
 * @module
 */
import type { CallContext } from '../../core/context.js';
import type { MaybePromise } from '../../stores/types.js';

/** What a guarded operation returns when the store failed or timed out. */
export const STORE_FAILED: unique symbol = Symbol('store failed');

function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Tracks one store's health for one plugin instance. */
export class StoreGuard {
  readonly #timeoutMs: number;
  #downSince: number | null = null;

  /** @param timeoutMs How long one operation may take. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Whether the last operation failed. */
  get isDown(): boolean {
    return this.#downSince !== null;
  }

  /**
   * Runs one store operation.
   * @param ctx The call, for its clock and event sink.
   * @param operation The operation; may answer synchronously.
   * @returns Its result, or {@link STORE_FAILED}.
   */
  async run<T>(ctx: CallContext, operation: () => MaybePromise<T>): Promise<T | typeof STORE_FAILED> {
    let pending: MaybePromise<T>;
    try {
      pending = operation();
    } catch (error) {
      this.#failed(ctx, error);
      return STORE_FAILED;
    }
    if (!isPromiseLike(pending)) {
      this.#succeeded(ctx);
      return pending;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the cache store did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      // race() subscribes to `pending`, so a rejection after the timeout is handled, not left unhandled.
      const value = await Promise.race([pending, timeout]);
      this.#succeeded(ctx);
      return value;
    } catch (error) {
      this.#failed(ctx, error);
      return STORE_FAILED;
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(ctx: CallContext, error: unknown): void {
    if (this.#downSince !== null) return;
    this.#downSince = ctx.now();
    if (ctx.events.has('store:error')) {
      ctx.events.emit({ type: 'store:error', plugin: 'cache', message: error instanceof Error ? error.message : String(error), failOpen: true });
    }
  }

  #succeeded(ctx: CallContext): void {
    const since = this.#downSince;
    if (since === null) return;
    this.#downSince = null;
    if (ctx.events.has('store:recover')) ctx.events.emit({ type: 'store:recover', plugin: 'cache', downMs: Math.max(0, ctx.now() - since) });
  }
}
