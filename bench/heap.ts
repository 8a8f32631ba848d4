/**
 * Heap growth through a zero-config instance: `heapUsed` after a full GC once 10 k calls are done, and
 * again after 100 k, with checkpoints in between. After-GC heap moves by a few hundred KB between
 * readings for reasons unrelated to the calls (the SDK calling the mock directly shows the same), so the
 * end-to-end difference alone cannot resolve 1 B per call: the least-squares slope over the checkpoints
 * can. The mock's request log is cleared every batch so only Sluice, the SDK and undici remain.
 * @module
 */
import { chatOnce, type Fixture } from './lib/fixture.js';
import { collectGarbage, runConcurrent } from './lib/interleave.js';

export interface HeapOptions {
  firstCalls: number;
  totalCalls: number;
  concurrency: number;
  batch: number;
  /** Calls between heap checkpoints. */
  checkpointEvery: number;
}

export interface HeapResult {
  firstCalls: number;
  totalCalls: number;
  heapAtFirst: number;
  heapAtTotal: number;
  /** Bytes. */
  growth: number;
  /** Heap after GC at each checkpoint, from `firstCalls` to `totalCalls`. */
  checkpoints: { calls: number; heap: number }[];
  /** Least-squares slope of heap over calls, bytes per call. */
  slope: number;
  /** Wall time of all the calls, ms. */
  elapsedMs: number;
  checksum: number;
}

/** The lowest `heapUsed` over three full GCs (a stray allocation between GC and reading inflates one). */
function settledHeap(): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (let index = 0; index < 3; index++) {
    collectGarbage();
    lowest = Math.min(lowest, process.memoryUsage().heapUsed);
  }
  return lowest;
}

function slope(points: readonly { calls: number; heap: number }[]): number {
  const n = points.length;
  let sumX = 0;
  let sumY = 0;
  for (const point of points) {
    sumX += point.calls;
    sumY += point.heap;
  }
  const meanX = sumX / n;
  const meanY = sumY / n;
  let numerator = 0;
  let denominator = 0;
  for (const point of points) {
    numerator += (point.calls - meanX) * (point.heap - meanY);
    denominator += (point.calls - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Runs the heap measurement. */
export async function measureHeap(fixture: Fixture, options: HeapOptions): Promise<HeapResult> {
  const { firstCalls, totalCalls, concurrency, batch, checkpointEvery } = options;
  const { sluice, client } = fixture.freshZero();
  let checksum = 0;
  let done = 0;
  const start = performance.now();
  const runUntil = async (target: number): Promise<void> => {
    while (done < target) {
      const count = Math.min(batch, target - done);
      checksum += await runConcurrent(count, concurrency, () => chatOnce(client, 'gpt-4o-mini'));
      done += count;
      fixture.resetMocks();
    }
  };
  await runUntil(firstCalls);
  const checkpoints = [{ calls: firstCalls, heap: settledHeap() }];
  for (let target = firstCalls + checkpointEvery; target <= totalCalls; target += checkpointEvery) {
    await runUntil(target);
    checkpoints.push({ calls: target, heap: settledHeap() });
  }
  await runUntil(totalCalls);
  const elapsedMs = performance.now() - start;
  if (checkpoints[checkpoints.length - 1]!.calls !== totalCalls) checkpoints.push({ calls: totalCalls, heap: settledHeap() });
  const heapAtFirst = checkpoints[0]!.heap;
  const heapAtTotal = checkpoints[checkpoints.length - 1]!.heap;
  await sluice.close();
  if (sluice.stats.calls !== totalCalls) throw new Error(`expected ${totalCalls} calls through Sluice, saw ${sluice.stats.calls}`);
  return { firstCalls, totalCalls, heapAtFirst, heapAtTotal, growth: heapAtTotal - heapAtFirst, checkpoints, slope: slope(checkpoints), elapsedMs, checksum };
}
