/**
 * Runs the guard's custom check with a deadline. A check that answers late, throws, rejects or
 * returns something that is not a decision is a failure, and `onTimeout` decides what a failure means.
 * @module
 */
import type { GuardCheck, GuardCheckInput, GuardDecision } from './options.js';

/** How a check ended. */
export type CheckOutcome =
  | { kind: 'decision'; decision: GuardDecision }
  | { kind: 'timeout' }
  | { kind: 'error'; message: string }
  | { kind: 'abort'; reason: unknown };

/** Error messages are cut here: they go into records, and a long one may quote the prompt. */
const MAX_MESSAGE = 200;

function isDecision(value: unknown): value is GuardDecision {
  if (typeof value !== 'object' || value === null) return false;
  const action = (value as { action?: unknown }).action;
  return action === 'allow' || (action === 'block' && typeof (value as { reason?: unknown }).reason === 'string');
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

/**
 * Calls `check` and waits for its decision, at most `timeoutMs` (a real timer, cleared however the wait ends).
 * @param check The user's check.
 * @param input What it sees.
 * @param timeoutMs The deadline.
 * @param signal The caller's abort signal: an abort ends the wait at once.
 * @returns The decision, or why there is none.
 */
export async function runCheck(check: GuardCheck, input: GuardCheckInput, timeoutMs: number, signal: AbortSignal | null): Promise<CheckOutcome> {
  if (signal?.aborted === true) return { kind: 'abort', reason: signal.reason };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const decided = Promise.resolve(check(input)).then(
      (value): CheckOutcome =>
        isDecision(value)
          ? { kind: 'decision', decision: value }
          : { kind: 'error', message: "check() returned neither { action: 'allow' } nor { action: 'block', reason }" },
      (error: unknown): CheckOutcome => ({ kind: 'error', message: messageOf(error) }),
    );
    const waits: Promise<CheckOutcome>[] = [
      decided,
      new Promise<CheckOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
      }),
    ];
    if (signal !== null) {
      waits.push(
        new Promise<CheckOutcome>((resolve) => {
          onAbort = () => resolve({ kind: 'abort', reason: signal.reason });
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      );
    }
    return await Promise.race(waits);
  } catch (error) {
    // `check` threw synchronously.
    return { kind: 'error', message: messageOf(error) };
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}
