/**
 * The bounded batch queue every exporter drains: size cap, lazy `unref`ed flush timer, one export at a
 * time, retries with backoff and jitter, and counted drops. Web platform only (timers, `AbortController`).
 * @module
 */
import pRetry, { AbortError } from 'p-retry';
import { ExportError } from './export-error.js';
import type { CallRecord } from '../events/record.js';
import type { Exporter, ExportResult } from './types.js';
import { resolveQueueOptions, type BatchQueueOptions, type DropReason, type ResolvedQueueOptions } from './queue-options.js';

export type { BatchQueueOptions, DropReason } from './queue-options.js';


/**
 * A bounded FIFO queue that batches call records and ships them through one {@link Exporter}.
 *
 * `push` is synchronous and O(1). A batch leaves when `maxBatchSize` records wait or the flush timer
 * fires; one export runs at a time; a failed export is retried with exponential backoff and jitter,
 * each attempt under its own timeout. Nothing thrown by the exporter or the hooks escapes `push`,
 * `flush` or `close`.
 *
 * @example
 * ```ts
 * const queue = new BatchQueue(consoleExporter(), {
 *   maxBatchSize: 50,
 *   onDrop: (count, reason) => console.warn(`dropped ${count} records: ${reason}`),
 * });
 * sluice.on('request:end', ({ record }) => queue.push(record));
 * await queue.close(); // on shutdown: drains, then closes the exporter
 * ```
 */
export class BatchQueue<T = CallRecord> {
  readonly #exporter: Exporter<T>;
  readonly #options: ResolvedQueueOptions;
  readonly #onDrop: BatchQueueOptions['onDrop'];
  readonly #onError: BatchQueueOptions['onError'];
  readonly #buffer: RingBuffer<T>;

  /** Records ever accepted by `push`; sequence numbers of waiting records are [#removed, #accepted). */
  #accepted = 0;
  /** Records that left the buffer, into a batch or dropped as the oldest. */
  #removed = 0;
  /** Records in the batch being exported. */
  #inFlight = 0;
  /** Every record with a sequence number below this must leave the buffer (set by `flush`). */
  #flushTarget = 0;
  #isIntervalDue = false;
  #isPumping = false;
  #isClosing = false;
  #closePromise: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #waiters: { target: number; resolve: () => void }[] = [];
  #dropped = 0;
  #exported = 0;

  /**
   * Creates a queue in front of one exporter; throws a `RangeError` naming the option when one is invalid.
   * @param exporter - Where batches go.
   * @param options - Sizes, timings and hooks; see {@link BatchQueueOptions}.
   */
  constructor(exporter: Exporter<T>, options: BatchQueueOptions = {}) {
    this.#exporter = exporter;
    this.#options = resolveQueueOptions(options);
    this.#onDrop = options.onDrop;
    this.#onError = options.onError;
    this.#buffer = new RingBuffer(this.#options.maxQueueSize);
  }

  /** Records waiting to be exported, not counting a batch in flight. */
  get size(): number {
    return this.#buffer.size;
  }

  /** Records dropped since creation, for any reason. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records the exporter accepted since creation. */
  get exported(): number {
    return this.#exported;
  }

  /**
   * Queues one record; when the queue is full the oldest record is dropped (`queue_full`), and after
   * `close()` has been called the record itself is dropped (`closed`).
   * @param record - The record to export; it is not copied.
   */
  push(record: T): void {
    if (this.#isClosing) {
      this.#drop(1, 'closed');
      return;
    }
    const hasEvicted = this.#buffer.push(record);
    this.#accepted++;
    if (hasEvicted) {
      this.#removed++;
      this.#drop(1, 'queue_full');
    }
    if (this.#buffer.size >= this.#options.maxBatchSize) {
      this.#pump();
    } else if (this.#timer === undefined) {
      this.#startTimer();
    }
  }

  /**
   * Exports every record queued at the time of the call, in batches, and resolves when each of those
   * batches was delivered or dropped. Never rejects; records pushed later are not waited for.
   */
  flush(): Promise<void> {
    const target = this.#accepted;
    if (this.#removed - this.#inFlight >= target) return Promise.resolve();
    if (target > this.#flushTarget) this.#flushTarget = target;
    const done = new Promise<void>((resolve) => this.#waiters.push({ target, resolve }));
    this.#pump();
    return done;
  }

  /**
   * Stops accepting records, drains the queue, then calls the exporter's `close()` (bounded by
   * `exportTimeoutMs`) and clears every timer. Never rejects; calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closePromise ??= this.#runClose();
    return this.#closePromise;
  }

  async #runClose(): Promise<void> {
    this.#isClosing = true;
    await this.flush();
    this.#stopTimer();
    const exporter = this.#exporter;
    if (exporter.close === undefined) return;
    try {
      await withTimeout(() => exporter.close?.(), this.#options.exportTimeoutMs, 'close');
    } catch (error) {
      this.#report(error);
    }
  }

  /** Starts the export loop unless it is already running; the loop picks up new work itself. */
  #pump(): void {
    if (this.#isPumping) return;
    this.#isPumping = true;
    void this.#runPump();
  }

  async #runPump(): Promise<void> {
    try {
      for (let count = this.#nextBatchSize(); count > 0; count = this.#nextBatchSize()) {
        const batch = this.#buffer.take(count);
        this.#removed += batch.length;
        this.#inFlight = batch.length;
        await this.#exportBatch(batch);
        this.#inFlight = 0;
        this.#settleWaiters();
      }
    } finally {
      this.#isPumping = false;
      // Waiters can be satisfied without an export when queue_full drops removed their records.
      this.#settleWaiters();
      if (this.#buffer.size === 0) this.#stopTimer();
      else if (this.#timer === undefined && !this.#isClosing) this.#startTimer();
    }
  }

  #nextBatchSize(): number {
    const size = this.#buffer.size;
    if (size === 0) return 0;
    const batchSize = Math.min(size, this.#options.maxBatchSize);
    if (size >= this.#options.maxBatchSize || this.#removed < this.#flushTarget) return batchSize;
    if (this.#isIntervalDue) {
      this.#isIntervalDue = false;
      return batchSize;
    }
    return 0;
  }

  /** Exports one batch with retries; never rejects. */
  async #exportBatch(batch: readonly T[]): Promise<void> {
    const { retries, minRetryDelayMs, maxRetryDelayMs, exportTimeoutMs } = this.#options;
    const exporter = this.#exporter;
    let result: ExportResult | undefined;
    try {
      await pRetry(
        async () => {
          try {
            result = (await withTimeout((signal) => exporter.export(batch, signal), exportTimeoutMs, 'export')) ?? undefined;
          } catch (error) {
            if (error instanceof ExportError && !error.retryable) throw new AbortError(new AttemptFailure(error));
            // The destination asked for a pause (429/503 retry-after): honour it, within a bound, before the backoff.
            if (error instanceof ExportError && error.retryAfterMs !== null) await pause(Math.min(error.retryAfterMs, MAX_RETRY_AFTER_MS));
            // p-retry gives up at once on TypeErrors and non-errors; every other exporter failure is retryable here.
            throw new AttemptFailure(error);
          }
        },
        {
          retries,
          factor: 2,
          minTimeout: minRetryDelayMs,
          maxTimeout: maxRetryDelayMs,
          randomize: true,
          unref: true,
        },
      );
      // Assigned in the closure above, which control-flow analysis does not follow.
      const outcome = result as ExportResult | undefined;
      // Clamped: an exporter's miscount must not corrupt the counters.
      const rejected = Math.min(batch.length, Math.max(0, Math.trunc(outcome?.rejected ?? 0) || 0));
      this.#exported += batch.length - rejected;
      if (rejected > 0) {
        this.#drop(rejected, 'rejected');
        if (outcome?.error !== undefined) this.#report(outcome.error);
      }
    } catch (error) {
      this.#drop(batch.length, 'export_failed');
      this.#report(error instanceof AttemptFailure ? error.cause : error);
    }
  }

  #settleWaiters(): void {
    const settled = this.#removed - this.#inFlight;
    // Targets only grow, so waiters are sorted; there are as many as concurrent `flush` callers.
    let index = 0;
    while (index < this.#waiters.length && (this.#waiters[index]?.target ?? Infinity) <= settled) {
      this.#waiters[index]?.resolve();
      index++;
    }
    if (index > 0) this.#waiters.splice(0, index);
  }

  #startTimer(): void {
    const timer = setInterval(() => {
      if (this.#buffer.size === 0) {
        this.#stopTimer();
        return;
      }
      this.#isIntervalDue = true;
      this.#pump();
    }, this.#options.flushIntervalMs);
    unref(timer);
    this.#timer = timer;
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#isIntervalDue = false;
  }

  #drop(count: number, reason: DropReason): void {
    this.#dropped += count;
    if (this.#onDrop === undefined) return;
    try {
      this.#onDrop(count, reason, this.#dropped);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // The hook is the last place an error can go; swallowing here keeps push/flush/close from throwing.
    }
  }
}

/** Marks an attempt failure for p-retry while keeping the exporter's own error as `cause`. */
class AttemptFailure extends Error {
  override readonly name = 'AttemptFailure';
  constructor(cause: unknown) {
    super('export attempt failed', { cause });
  }
}

/**
 * Runs `task` with a signal that aborts after `timeoutMs`, rejecting at that moment even when the task
 * ignores its signal, so a hung exporter cannot stall the queue.
 */
async function withTimeout<T>(
  task: (signal: AbortSignal) => Promise<T> | undefined,
  timeoutMs: number,
  what: string,
): Promise<T | undefined> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      // The same error AbortSignal.timeout() uses; built here because fake timers cannot drive that one.
      const reason = new DOMException(`${what} timed out after ${timeoutMs}ms`, 'TimeoutError');
      controller.abort(reason);
      reject(reason);
    }, timeoutMs);
    unref(timer);
  });
  try {
    // Wrapped so a synchronous throw from `task` becomes a rejection.
    return await Promise.race([Promise.resolve().then(() => task(controller.signal)), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The longest `retry-after` a queue waits for before its own backoff. */
const MAX_RETRY_AFTER_MS = 60_000;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => unref(setTimeout(resolve, ms)));
}

function unref(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') {
    timer.unref();
  }
}

/**
 * A FIFO ring buffer with a hard capacity that grows by doubling up to it, so an idle queue does not
 * hold `maxQueueSize` slots. Push, evict and take-one are O(1); growth is amortised O(1).
 */
class RingBuffer<T> {
  readonly #capacity: number;
  #slots: (T | undefined)[] = [];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Appends `item`; returns true when the buffer was full and the oldest item was evicted. */
  push(item: T): boolean {
    if (this.#size === this.#slots.length && this.#slots.length < this.#capacity) this.#grow();
    const length = this.#slots.length;
    if (this.#size === this.#capacity) {
      // Full: the slot of the oldest item becomes the newest.
      this.#slots[this.#start] = item;
      this.#start = (this.#start + 1) % length;
      return true;
    }
    this.#slots[(this.#start + this.#size) % length] = item;
    this.#size++;
    return false;
  }

  /** Removes and returns up to `count` of the oldest items, oldest first. */
  take(count: number): T[] {
    const taken = Math.min(count, this.#size);
    const items = new Array<T>(taken);
    const length = this.#slots.length;
    for (let index = 0; index < taken; index++) {
      const slot = (this.#start + index) % length;
      items[index] = this.#slots[slot] as T;
      this.#slots[slot] = undefined; // let the record be collected once exported
    }
    this.#start = taken === this.#size ? 0 : (this.#start + taken) % length;
    this.#size -= taken;
    return items;
  }

  #grow(): void {
    const length = this.#slots.length;
    const next = new Array<T | undefined>(Math.min(this.#capacity, Math.max(16, length * 2)));
    for (let index = 0; index < this.#size; index++) next[index] = this.#slots[(this.#start + index) % length];
    this.#slots = next;
    this.#start = 0;
  }
}
