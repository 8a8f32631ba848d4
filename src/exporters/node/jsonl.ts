/**
 * An exporter that appends records to a JSON Lines file. Node-only: import it from `sluice/exporters/node`.
 * @module
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CallRecord } from '../../events/record.js';
import type { Exporter } from '../types.js';

/** Options for {@link jsonlExporter}. */
export interface JsonlExporterOptions {
  /** The file to append to, absolute or relative to the working directory; missing directories are created. */
  path: string;
  /**
   * Whether to keep `requestBody` and `responseBody`; when false they are written as `null`.
   * @default true
   */
  bodies?: boolean;
}

/**
 * Creates an exporter that appends one JSON object per record to a file, with one write per batch.
 *
 * Writes are serialised, so batches land whole and in order even when `export` is called concurrently.
 *
 * @param options - The file path and whether to keep bodies.
 * @example
 * ```ts
 * import { BatchQueue } from 'sluice/exporters';
 * import { jsonlExporter } from 'sluice/exporters/node';
 *
 * const queue = new BatchQueue(jsonlExporter({ path: './logs/calls.jsonl', bodies: false }));
 * ```
 */
export function jsonlExporter(options: JsonlExporterOptions): Exporter {
  const { path } = options;
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`jsonlExporter().path: expected a non-empty file path, got ${JSON.stringify(path)}`);
  }
  const hasBodies = options.bodies ?? true;
  const serialise = hasBodies
    ? (record: CallRecord) => JSON.stringify(record)
    : (record: CallRecord) => JSON.stringify({ ...record, requestBody: null, responseBody: null });

  let directoryReady: Promise<unknown> | undefined;
  // The tail of the write chain; it never rejects, each write reports its own failure to its caller.
  let lastWrite: Promise<unknown> = Promise.resolve();
  let isClosed = false;

  async function write(text: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    directoryReady ??= mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
      directoryReady = undefined; // try again on the next batch
      throw error;
    });
    await directoryReady;
    // appendFile takes no signal; this is the last point where an abort can still prevent the write.
    signal.throwIfAborted();
    await appendFile(path, text, 'utf8');
  }

  return {
    name: 'jsonl',
    export(records, signal) {
      if (isClosed) return Promise.reject(new Error(`jsonlExporter: '${path}' is closed`));
      if (records.length === 0) return Promise.resolve();
      let text = '';
      for (const record of records) text += `${serialise(record)}\n`;
      const result = lastWrite.then(() => write(text, signal));
      lastWrite = result.catch(() => undefined);
      return result;
    },
    async close() {
      isClosed = true;
      await lastWrite;
    },
  };
}
