import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '../../src/events/record.js';
import { BatchQueue } from '../../src/exporters/batch-queue.js';
import type { DropReason } from '../../src/exporters/batch-queue.js';
import type { Exporter } from '../../src/exporters/types.js';
import { makeRecord } from '../helpers/record.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function defer(): Deferred {
  let resolve = (): void => undefined;
  let reject = (_error: unknown): void => undefined;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/** An exporter whose answer to each call is scripted by `respond`; it records every batch it saw. */
function fakeExporter(respond: (call: number, signal: AbortSignal) => Promise<void> = async () => undefined) {
  const batches: string[][] = [];
  const signals: AbortSignal[] = [];
  const close = vi.fn(async () => undefined);
  const exporter: Exporter = {
    name: 'fake',
    export(records, signal) {
      batches.push(records.map((record) => record.id));
      signals.push(signal);
      return respond(batches.length, signal);
    },
    close,
  };
  return { exporter, batches, signals, close };
}

function records(count: number, prefix = 'r'): CallRecord[] {
  return Array.from({ length: count }, (_, index) => makeRecord({ id: `${prefix}${index}` }));
}

function dropRecorder() {
  const drops: [number, DropReason, number][] = [];
  return { drops, onDrop: (count: number, reason: DropReason, total: number) => drops.push([count, reason, total]) };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchQueue', () => {
  it('sends a batch as soon as maxBatchSize records are waiting', async () => {
    const { exporter, batches } = fakeExporter();
    const queue = new BatchQueue(exporter, { maxBatchSize: 3 });
    for (const record of records(7)) queue.push(record);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([
      ['r0', 'r1', 'r2'],
      ['r3', 'r4', 'r5'],
    ]);
    expect(queue.size).toBe(1);
    expect(queue.exported).toBe(6);
    await queue.close();
  });

  it('sends a partial batch when the flush interval fires', async () => {
    const { exporter, batches } = fakeExporter();
    const queue = new BatchQueue(exporter, { flushIntervalMs: 1000 });
    expect(vi.getTimerCount()).toBe(0); // the timer starts lazily
    for (const record of records(2)) queue.push(record);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['r0', 'r1']]);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // cleared once the queue is empty
    queue.push(makeRecord({ id: 'later' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([['r0', 'r1'], ['later']]);
  });

  it('drops the oldest record when full, counts it and reports queue_full', async () => {
    const gate = defer();
    const { exporter, batches } = fakeExporter((call) => (call === 1 ? gate.promise : Promise.resolve()));
    const { drops, onDrop } = dropRecorder();
    const queue = new BatchQueue(exporter, { maxBatchSize: 2, maxQueueSize: 3, onDrop });
    for (const record of records(2, 'busy')) queue.push(record); // in flight, not queued
    await vi.advanceTimersByTimeAsync(0);
    for (const record of records(5)) queue.push(record);
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(2);
    expect(drops).toEqual([
      [1, 'queue_full', 1],
      [1, 'queue_full', 2],
    ]);
    gate.resolve();
    await queue.flush();
    expect(batches).toEqual([['busy0', 'busy1'], ['r2', 'r3'], ['r4']]);
    expect(queue.exported).toBe(5);
  });

  it('keeps records pushed while an export is in flight', async () => {
    const gate = defer();
    const { exporter, batches } = fakeExporter((call) => (call === 1 ? gate.promise : Promise.resolve()));
    const queue = new BatchQueue(exporter, { maxBatchSize: 2 });
    for (const record of records(2)) queue.push(record);
    await vi.advanceTimersByTimeAsync(0);
    queue.push(makeRecord({ id: 'during' }));
    expect(queue.size).toBe(1);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([['r0', 'r1'], ['during']]);
    expect(queue.dropped).toBe(0);
  });

  it('runs only one export at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const { exporter, batches } = fakeExporter(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 100));
      active--;
    });
    const queue = new BatchQueue(exporter, { maxBatchSize: 2 });
    for (const record of records(10)) queue.push(record);
    const flushed = queue.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await flushed;
    expect(maxActive).toBe(1);
    expect(batches.flat()).toEqual(records(10).map((record) => record.id));
    expect(batches).toHaveLength(5);
  });

  it('retries a failed export with backoff, then succeeds', async () => {
    const { exporter, batches } = fakeExporter(async (call) => {
      if (call < 3) throw new Error(`down ${call}`);
    });
    const onError = vi.fn();
    const queue = new BatchQueue(exporter, { retries: 3, minRetryDelayMs: 200, maxRetryDelayMs: 5_000, onError });
    queue.push(makeRecord());
    const flushed = queue.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(199); // first delay is 200ms times a jitter in [1, 2)
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(201);
    expect(batches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(800); // second delay is 400ms times the jitter
    expect(batches).toHaveLength(3);
    await flushed;
    expect(queue.exported).toBe(1);
    expect(queue.dropped).toBe(0);
    expect(onError).not.toHaveBeenCalled();
  });

  it('retries every kind of failure, TypeErrors and synchronous throws included', async () => {
    const exporter: Exporter = {
      name: 'throws',
      export: vi.fn((): Promise<void> => {
        throw new TypeError('bug');
      }),
    };
    const queue = new BatchQueue(exporter, { retries: 2 });
    queue.push(makeRecord());
    const flushed = queue.flush();
    await vi.advanceTimersByTimeAsync(10_000);
    await flushed;
    expect(exporter.export).toHaveBeenCalledTimes(3);
  });

  it('drops the batch as export_failed once retries are exhausted', async () => {
    const failure = new Error('collector down');
    const { exporter, batches } = fakeExporter(() => Promise.reject(failure));
    const { drops, onDrop } = dropRecorder();
    const onError = vi.fn();
    const queue = new BatchQueue(exporter, { maxBatchSize: 2, retries: 2, onDrop, onError });
    for (const record of records(2)) queue.push(record);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(batches).toHaveLength(3); // one attempt and two retries
    expect(queue.dropped).toBe(2);
    expect(queue.exported).toBe(0);
    expect(drops).toEqual([[2, 'export_failed', 2]]);
    expect(onError).toHaveBeenCalledExactlyOnceWith(failure);
  });

  it('counts records the destination refused for good as rejected drops, reports why, and exports the rest', async () => {
    const refusal = new Error('2 records rejected');
    let answer: { rejected: number; error?: unknown } = { rejected: 2, error: refusal };
    const exporter: Exporter = { name: 'partial', export: vi.fn(async () => answer) };
    const { drops, onDrop } = dropRecorder();
    const onError = vi.fn();
    const queue = new BatchQueue(exporter, { maxBatchSize: 5, onDrop, onError });
    for (const record of records(5)) queue.push(record);
    await queue.flush();
    expect(exporter.export).toHaveBeenCalledTimes(1); // not retried
    expect(drops).toEqual([[2, 'rejected', 2]]);
    expect(onError).toHaveBeenCalledExactlyOnceWith(refusal);
    expect(queue.exported).toBe(3);
    // A miscount never goes past the batch or below zero.
    answer = { rejected: 99 };
    for (const record of records(5, 's')) queue.push(record);
    await queue.flush();
    answer = { rejected: -3 };
    for (const record of records(5, 't')) queue.push(record);
    await queue.flush();
    expect(drops).toEqual([[2, 'rejected', 2], [5, 'rejected', 7]]);
    expect(queue.exported).toBe(8);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('aborts the attempt signal after exportTimeoutMs', async () => {
    const { exporter, signals } = fakeExporter(
      (_call, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error));
        }),
    );
    const onError = vi.fn();
    const queue = new BatchQueue(exporter, { exportTimeoutMs: 1000, retries: 0, onError });
    queue.push(makeRecord());
    const flushed = queue.flush();
    await vi.advanceTimersByTimeAsync(999);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]?.reason as Error).name).toBe('TimeoutError');
    await flushed;
    expect(queue.dropped).toBe(1);
    expect(onError).toHaveBeenCalledOnce();
  });

  it('moves on from an exporter that ignores its signal', async () => {
    const { exporter, batches } = fakeExporter((call) => (call === 1 ? new Promise<void>(() => undefined) : Promise.resolve()));
    const queue = new BatchQueue(exporter, { maxBatchSize: 1, exportTimeoutMs: 1000, retries: 0 });
    queue.push(makeRecord({ id: 'hangs' }));
    queue.push(makeRecord({ id: 'next' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([['hangs'], ['next']]);
    expect(queue.dropped).toBe(1);
    expect(queue.exported).toBe(1);
  });

  it('flush drains everything queued and resolves even when the exporter fails', async () => {
    const { exporter, batches } = fakeExporter(() => Promise.reject(new Error('nope')));
    const queue = new BatchQueue(exporter, { maxBatchSize: 2, retries: 1 });
    for (const record of records(5)) queue.push(record);
    let isFlushed = false;
    void queue.flush().then(() => {
      isFlushed = true;
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(isFlushed).toBe(true);
    expect(batches).toHaveLength(6); // three batches, two attempts each
    expect(queue.size).toBe(0);
    expect(queue.dropped).toBe(5);
  });

  it('flush waits for the batch in flight and resolves at once when nothing is queued', async () => {
    const gate = defer();
    const { exporter } = fakeExporter(() => gate.promise);
    const queue = new BatchQueue(exporter, { maxBatchSize: 1 });
    await queue.flush();
    queue.push(makeRecord());
    let isFlushed = false;
    void queue.flush().then(() => {
      isFlushed = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(isFlushed).toBe(false);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(isFlushed).toBe(true);
  });

  it('close drains, closes the exporter, clears every timer and drops later pushes as closed', async () => {
    const { exporter, batches, close } = fakeExporter();
    const { drops, onDrop } = dropRecorder();
    const queue = new BatchQueue(exporter, { maxBatchSize: 2, onDrop });
    for (const record of records(3)) queue.push(record);
    const closing = queue.close();
    expect(queue.close()).toBe(closing);
    queue.push(makeRecord({ id: 'during-close' }));
    await closing;
    expect(batches).toEqual([['r0', 'r1'], ['r2']]);
    expect(close).toHaveBeenCalledOnce();
    expect(vi.getTimerCount()).toBe(0);
    queue.push(makeRecord({ id: 'after-close' }));
    expect(queue.size).toBe(0);
    expect(queue.dropped).toBe(2);
    expect(drops).toEqual([
      [1, 'closed', 1],
      [1, 'closed', 2],
    ]);
    expect(vi.getTimerCount()).toBe(0);
    await queue.flush();
  });

  it('close leaves no timers after retries and bounds a hanging exporter close', async () => {
    const onError = vi.fn();
    const exporter: Exporter = {
      name: 'slow-close',
      export: (_records, signal) => Promise.reject(new Error(`fail, aborted=${signal.aborted}`)),
      close: () => new Promise<void>(() => undefined),
    };
    const queue = new BatchQueue(exporter, { retries: 2, exportTimeoutMs: 1000, onError });
    queue.push(makeRecord());
    let isClosed = false;
    void queue.close().then(() => {
      isClosed = true;
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(isClosed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(onError).toHaveBeenCalledTimes(2); // the dropped batch, then the close timeout
    expect((onError.mock.calls[1]?.[0] as Error).name).toBe('TimeoutError');
  });

  it('reports a throwing onDrop to onError and survives a throwing onError', async () => {
    const onError = vi.fn(() => {
      throw new Error('onError bug');
    });
    const queue = new BatchQueue(fakeExporter().exporter, {
      maxBatchSize: 1,
      maxQueueSize: 1,
      onDrop: () => {
        throw new Error('onDrop bug');
      },
      onError,
    });
    await queue.close();
    expect(() => queue.push(makeRecord())).not.toThrow();
    expect(onError).toHaveBeenCalledOnce();
    expect(queue.dropped).toBe(1);
  });

  it('rejects invalid options when constructed', () => {
    const { exporter } = fakeExporter();
    expect(() => new BatchQueue(exporter, { maxBatchSize: 0 })).toThrow(RangeError);
    expect(() => new BatchQueue(exporter, { retries: -1 })).toThrow(/retries/);
    expect(() => new BatchQueue(exporter, { flushIntervalMs: Number.NaN })).toThrow(/flushIntervalMs/);
    expect(() => new BatchQueue(exporter, { maxBatchSize: 10, maxQueueSize: 5 })).toThrow(/maxQueueSize/);
    expect(() => new BatchQueue(exporter, { minRetryDelayMs: 10, maxRetryDelayMs: 5 })).toThrow(/maxRetryDelayMs/);
  });

  it('handles many records through the ring buffer in order', async () => {
    const { exporter, batches } = fakeExporter();
    const { onDrop, drops } = dropRecorder();
    const queue = new BatchQueue(exporter, { maxBatchSize: 100, maxQueueSize: 1000, flushIntervalMs: 50, onDrop });
    const gate = defer();
    const blocked = new BatchQueue(fakeExporter(() => gate.promise).exporter, { maxBatchSize: 1000, maxQueueSize: 1000 });
    const all = records(2500);
    for (const [index, record] of all.entries()) {
      queue.push(record);
      blocked.push(record);
      if (index % 500 === 499) await vi.advanceTimersByTimeAsync(0); // let the fast queue drain
    }
    await queue.flush();
    expect(batches.flat()).toEqual(all.map((record) => record.id));
    expect(drops).toEqual([]);
    // 1000 in flight, 1000 queued, 500 of the oldest queued records dropped.
    expect(blocked.size).toBe(1000);
    expect(blocked.dropped).toBe(500);
    gate.resolve();
    await blocked.close();
    await queue.close();
    expect(blocked.exported).toBe(2000);
  });
});
