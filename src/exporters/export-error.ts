/**
 * The error an exporter throws to tell the batch queue how to retry: not at all (the destination
 * refused the batch for good), or not before a delay the destination asked for (`retry-after`).
 * @module
 */

/** A failed export with retry advice for the {@link BatchQueue}. */
export class ExportError extends Error {
  override name = 'ExportError';
  /** Whether sending the same batch again may succeed. */
  readonly retryable: boolean;
  /** The least wait before the next attempt that the destination asked for, in ms; `null`: none. */
  readonly retryAfterMs: number | null;

  /**
   * @param message What failed (never a credential).
   * @param advice Whether to retry, and after how long.
   */
  constructor(message: string, advice: { retryable: boolean; retryAfterMs?: number | null }) {
    super(message);
    this.retryable = advice.retryable;
    this.retryAfterMs = advice.retryAfterMs ?? null;
  }
}

/**
 * Reads a `retry-after` header: delta seconds or an HTTP date.
 * @param value The header's value, or `null`.
 * @param nowMs The current time (epoch ms), for dates.
 * @returns Milliseconds to wait, or `null` when absent or unreadable.
 */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
