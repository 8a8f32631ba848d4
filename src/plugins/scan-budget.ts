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

/** A plugin's scan of one call's texts, as {@link scanLimitReason} drives it. */
export interface AheadScan {
  /** Marks every text as not scanned (the size limit was passed before any work). */
  skipAll(): void;
  /** Scans the texts in slices, yielding between them; `'time'` when `maxScanMs` ran out. */
  prepare(texts: readonly string[], now: () => number, startedMs: number): Promise<string>;
}

/**
 * Scans texts ahead within the limits, and says which limit was passed, if any.
 * @param texts The call's texts.
 * @param scan The plugin's scan.
 * @param limits The resolved limits.
 * @param now The call's clock.
 * @returns Why the scan stopped short (for the refusal or the record), or `null` when it finished.
 */
export async function scanLimitReason(texts: readonly string[], scan: AheadScan, limits: ScanLimits, now: () => number): Promise<string | null> {
  const startedMs = now();
  let chars = 0;
  for (const text of texts) chars += text.length;
  if (chars > limits.maxScanChars) {
    scan.skipAll();
    return `its texts hold ${chars} characters, more than maxScanChars (${limits.maxScanChars})`;
  }
  if ((await scan.prepare(texts, now, startedMs)) === 'time') return `the scan took longer than maxScanMs (${limits.maxScanMs} ms)`;
  return null;
}
