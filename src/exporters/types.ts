/**
 * The contract every exporter implements; the batch queue in front of it handles timing and retries.
 * @module
 */
import type { CallRecord } from '../events/record.js';

/** What an exporter reports when the destination kept part of a batch and refused the rest for good. */
export interface ExportResult {
  /** Records of the batch the destination refused; they are not sent again. */
  rejected: number;
  /** Why, for the queue's `onError` (an `ExportError` naming the records and reasons; never a credential). */
  error?: unknown;
}

/**
 * A destination for call records that ships one batch per `export` call. `T` is what it ships: call
 * records by default; audit events (`AuditEvent` from `sluice/audit`) for an audit trail's exporters.
 *
 * Resolving means the batch was delivered. Throwing or rejecting means the batch failed as a whole and
 * the `BatchQueue` in front of the exporter may call `export` again with the same records, so a
 * partial write should be undone or tolerated by the destination.
 *
 * @example
 * ```ts
 * const exporter: Exporter = {
 *   name: 'stdout',
 *   async export(records) {
 *     for (const record of records) process.stdout.write(`${record.id}\n`);
 *   },
 * };
 * ```
 */
export interface Exporter<T = CallRecord> {
  /** A short, stable name used in drop events and error reports, such as `console` or `jsonl`. */
  readonly name: string;
  /**
   * Ships one batch of records.
   * @param records - The batch, oldest first; do not keep or mutate the array after returning.
   * @param signal - Aborted when the attempt times out; stop work and reject when it fires.
   * @returns Nothing when every record was delivered, or an {@link ExportResult} when the destination
   *   took the batch but refused some records for good (they are dropped, counted as `rejected`).
   */
  export(records: readonly T[], signal: AbortSignal): Promise<void | ExportResult>;
  /** Releases resources once no more batches will come; resolves when pending writes are done. */
  close?(): Promise<void>;
}
