/**
 * What `pii()` and `guard()` share to scan large requests without holding the event loop (not a
 * plugin): a yield to the event loop between slices of work, and the limits of one call's scan.
 * @module
 */

/** What to do when a call's texts exceed the scan limits: refuse the call, or let it go on. */
export type ScanLimitAction = 'block' | 'allow';

/** A call's scan limits, resolved. */
export interface ScanLimits {
  /** At most this many characters of text are scanned per call. */
  readonly maxScanChars: number;
  /** The scan stops after this many milliseconds (checked between slices). */
  readonly maxScanMs: number;
  /** What happens when either is exceeded. */
  readonly onScanLimit: ScanLimitAction;
}

/** Texts are scanned in slices of this many characters; between two, the event loop runs. */
export const SCAN_SLICE_CHARS = 65_536;

/** The defaults: more text than any model's context window holds, and a few seconds. */
export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({ maxScanChars: 16_000_000, maxScanMs: 5_000, onScanLimit: 'block' });

interface Scheduler {
  yield?: () => Promise<void>;
}

/**
 * Lets the event loop run other work (timers, I/O, other calls) before resolving: `scheduler.yield()`
 * where the platform has it, otherwise a message through a `MessageChannel` (a macrotask, unlike a
 * resolved promise; and not a timer, which fake clocks in tests would hold back).
 * @returns A promise that resolves on a later turn of the event loop.
 */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
