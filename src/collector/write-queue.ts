/**
 * The bounded queue of batches waiting to be written. Each ingest request waits for its own batch to
 * be committed (so a 2xx means committed); when `maxPendingBatches` are waiting already, a new batch
 * is refused at once (the HTTP layer answers 429 with `retry-after`) rather than held in memory.
 * @module
 */
import type { CallRecord } from '../events/record.js';
import type { CollectorStore, InsertResult } from './store/types.js';

interface Pending {
  records: readonly CallRecord[];
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/** Serialised writes to a store, at most `concurrency` at once, at most `maxPending` waiting. */
export class WriteQueue {
  readonly #store: CollectorStore;
  readonly #maxPending: number;
  readonly #concurrency: number;
  readonly #onCommit: (records: readonly CallRecord[]) => void;
  readonly #waiting: Pending[] = [];
  #running = 0;
  #idle: Array<() => void> = [];

  /**
   * @param store Where batches go.
   * @param options `maxPending`: batches waiting at most; `concurrency`: inserts running at once; `onCommit`: told each committed batch.
   */
  constructor(store: CollectorStore, options: { maxPending: number; concurrency: number; onCommit: (records: readonly CallRecord[]) => void }) {
    this.#store = store;
    this.#maxPending = options.maxPending;
    this.#concurrency = options.concurrency;
    this.#onCommit = options.onCommit;
  }

  /** Whether a new batch would be refused now. */
  get isFull(): boolean {
    return this.#waiting.length >= this.#maxPending;
  }

  /** Batches waiting plus batches being written. */
  get size(): number {
    return this.#waiting.length + this.#running;
  }

  /**
   * Queues a batch.
   * @returns The store's answer once committed, or `null` at once when the queue is full.
   */
  push(records: readonly CallRecord[]): Promise<InsertResult> | null {
    if (this.isFull) return null;
    const done = new Promise<InsertResult>((resolve, reject) => this.#waiting.push({ records, resolve, reject }));
    this.#pump();
    return done;
  }

  /** Resolves once nothing is waiting or being written. */
  drain(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      const batch = this.#waiting.shift()!;
      this.#running++;
      this.#store.insert(batch.records).then(
        (result) => {
          this.#finish();
          batch.resolve(result);
          this.#onCommit(batch.records);
        },
        (error: unknown) => {
          this.#finish();
          batch.reject(error);
        },
      );
    }
  }

  #finish(): void {
    this.#running--;
    this.#pump();
    if (this.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }
}
