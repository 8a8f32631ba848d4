/**
 * The options of the exporters' batch queue and their validation, apart from the queue itself so the
 * core can check them at `createSluice` without loading the queue.
 * @module
 */
import type { ExportDropEvent } from '../events/types.js';

/** Why records were dropped: the queue was full, every retry failed, the queue was closed, or the destination refused them. */
export type DropReason = ExportDropEvent['reason'];

/** Options for {@link BatchQueue}; every field is optional and validated once in the constructor. */
export interface BatchQueueOptions {
  /**
   * Records per `export` call; a batch is sent as soon as this many are waiting.
   * @default 100
   */
  maxBatchSize?: number;
  /**
   * Milliseconds between timed flushes of a partial batch, counted from the first waiting record.
   * @default 1000
   */
  flushIntervalMs?: number;
  /**
   * Records held while waiting; when full, the oldest is dropped (`queue_full`) to make room.
   * @default 10_000
   */
  maxQueueSize?: number;
  /**
   * Retries after a failed export attempt, before the batch is dropped (`export_failed`).
   * @default 3
   */
  retries?: number;
  /**
   * Delay before the first retry; each later retry doubles it, times a random factor in [1, 2).
   * @default 200
   */
  minRetryDelayMs?: number;
  /**
   * Upper bound on any one retry delay.
   * @default 5_000
   */
  maxRetryDelayMs?: number;
  /**
   * Milliseconds one attempt (and the exporter's `close()`) may take before its signal aborts.
   * @default 10_000
   */
  exportTimeoutMs?: number;
  /**
   * Called whenever records are dropped; the place to emit `export:drop`. Exceptions are reported to `onError`.
   * @param count - Records dropped by this call.
   * @param reason - Why they were dropped.
   * @param totalDropped - Records dropped by this queue since it was created, `count` included.
   */
  onDrop?: (count: number, reason: DropReason, totalDropped: number) => void;
  /**
   * Called with the last error of a batch that was dropped after its retries, with the reason the
   * destination gave for records it refused (`rejected`), with errors from the exporter's `close()`,
   * and with exceptions thrown by `onDrop`. Exceptions it throws are ignored.
   * @param error - What was thrown or rejected.
   */
  onError?: (error: unknown) => void;
}

/** {@link BatchQueueOptions} with every default filled in (the hooks aside). */
export type ResolvedQueueOptions = Required<Omit<BatchQueueOptions, 'onDrop' | 'onError'>>;

const DEFAULTS: Readonly<ResolvedQueueOptions> = {
  maxBatchSize: 100,
  flushIntervalMs: 1000,
  maxQueueSize: 10_000,
  retries: 3,
  minRetryDelayMs: 200,
  maxRetryDelayMs: 5_000,
  exportTimeoutMs: 10_000,
};

/**
 * Fills in and checks a queue's options; `createSluice` calls it for each exporter, so a wrong option
 * throws there even though the queue itself is loaded on demand.
 * @param options - The queue options.
 * @returns The resolved options.
 * @throws {RangeError} naming the first invalid option.
 */
export function resolveQueueOptions(options: BatchQueueOptions): ResolvedQueueOptions {
  const resolved: ResolvedQueueOptions = {
    maxBatchSize: options.maxBatchSize ?? DEFAULTS.maxBatchSize,
    flushIntervalMs: options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
    maxQueueSize: options.maxQueueSize ?? DEFAULTS.maxQueueSize,
    retries: options.retries ?? DEFAULTS.retries,
    minRetryDelayMs: options.minRetryDelayMs ?? DEFAULTS.minRetryDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
    exportTimeoutMs: options.exportTimeoutMs ?? DEFAULTS.exportTimeoutMs,
  };
  const positive = ['maxBatchSize', 'maxQueueSize', 'flushIntervalMs', 'exportTimeoutMs'] as const;
  const nonNegative = ['retries', 'minRetryDelayMs', 'maxRetryDelayMs'] as const;
  for (const key of positive) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`BatchQueue().${key}: expected a positive integer, got ${String(value)}`);
    }
  }
  for (const key of nonNegative) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`BatchQueue().${key}: expected a non-negative integer, got ${String(value)}`);
    }
  }
  if (resolved.maxBatchSize > resolved.maxQueueSize) {
    throw new RangeError(
      `BatchQueue().maxBatchSize: ${resolved.maxBatchSize} exceeds maxQueueSize ${resolved.maxQueueSize}`,
    );
  }
  if (resolved.minRetryDelayMs > resolved.maxRetryDelayMs) {
    throw new RangeError(
      `BatchQueue().minRetryDelayMs: ${resolved.minRetryDelayMs} exceeds maxRetryDelayMs ${resolved.maxRetryDelayMs}`,
    );
  }
  return resolved;
}
