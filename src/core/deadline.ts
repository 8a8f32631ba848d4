/**
 * Time limits on one upstream request (`timeouts.firstByteMs` and `totalMs`), loaded only by
 * configurations that set them.
 * @module
 */
import type { CallContext, Target } from './context.js';
import { errorResponse } from './respond.js';

/** Which limit fired. */
export type DeadlinePhase = 'connect' | 'first-byte' | 'total';

/** One timer over an upstream request, aborting it (and only it) when a limit passes; the caller's own abort still reaches it. */
export class Deadline {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #fired: DeadlinePhase | null = null;

  constructor(outer: AbortSignal | null) {
    this.signal = this.#controller.signal;
    if (outer !== null) {
      if (outer.aborted) this.#controller.abort(outer.reason);
      else outer.addEventListener('abort', () => this.#controller.abort(outer.reason), { once: true, signal: this.signal });
    }
  }

  arm(phase: DeadlinePhase, ms: number): void {
    this.#timer = setTimeout(() => {
      this.#fired = phase;
      this.#controller.abort(new DOMException(`the ${phase} time limit of ${ms} ms passed`, 'TimeoutError'));
    }, ms);
  }

  /** Stops the timer; returns the phase whose limit fired, if one did. */
  disarm(): DeadlinePhase | null {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    return this.#fired;
  }
}

/** A 504 in the caller's dialect for a time limit that passed: retriable, so a router moves on. */
export function timeoutResponse(ctx: CallContext, target: Target, phase: DeadlinePhase, ms: number): Response {
  const name = target.provider?.name ?? 'the provider';
  const message =
    phase === 'connect'
      ? `could not connect to ${name} within ${ms} ms (timeouts.connectMs)`
      : phase === 'first-byte'
        ? `${name} sent no response headers within ${ms} ms (timeouts.firstByteMs)`
        : `${name} did not finish its answer within ${ms} ms (timeouts.totalMs)`;
  ctx.error = { class: 'timeout', message };
  return errorResponse(ctx.dialect, { status: 504, code: 'sluice_timeout', message, requestId: ctx.id });
}

