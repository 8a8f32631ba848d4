/**
 * A fixed log-scale histogram of durations, the one every rollup row keeps for latency and for time to
 * first token, so percentiles of any set of rows are the percentiles of their merged counts.
 *
 * Bucket 0 holds values below 1 ms; bucket `i >= 1` holds `[2^((i-1)/8), 2^(i/8))` ms, and the last bucket
 * everything from 2^24 ms (about 4.7 hours) up. A percentile is reported as the geometric middle of its
 * bucket, so for values from 1 ms to 2^24 ms it is within 4.43% (2^(1/16) - 1) of the exact nearest-rank
 * percentile of the same values; below 1 ms it is reported as 0.5 ms.
 * @module
 */
import type { Percentiles } from './types.js';

/** Buckets per doubling. */
const PER_DOUBLING = 8;
/** Number of buckets: one below 1 ms, 8 per doubling up to 2^24 ms, and the overflow bucket. */
export const HISTOGRAM_BUCKETS = 24 * PER_DOUBLING + 2;

/** The bucket a duration falls in. */
export function bucketOf(valueMs: number): number {
  if (!(valueMs >= 1)) return 0;
  const index = Math.floor(Math.log2(valueMs) * PER_DOUBLING) + 1;
  return index < HISTOGRAM_BUCKETS ? index : HISTOGRAM_BUCKETS - 1;
}

/** The value reported for a bucket: its geometric middle (0.5 ms for bucket 0). */
export function bucketValue(index: number): number {
  if (index <= 0) return 0.5;
  return 2 ** ((index - 0.5) / PER_DOUBLING);
}

/** A histogram's counts, dense, one per bucket. */
export type Histogram = Float64Array;

/** An empty histogram. */
export function emptyHistogram(): Histogram {
  return new Float64Array(HISTOGRAM_BUCKETS);
}

/** Adds `source` times `sign` into `target`. */
export function mergeHistogram(target: Histogram, source: Histogram, sign = 1): void {
  for (let index = 0; index < HISTOGRAM_BUCKETS; index++) {
    const count = source[index] ?? 0;
    if (count !== 0) target[index] = (target[index] ?? 0) + sign * count;
  }
}

/** Whether every count is zero. */
export function isEmptyHistogram(histogram: Histogram): boolean {
  for (let index = 0; index < HISTOGRAM_BUCKETS; index++) if ((histogram[index] ?? 0) !== 0) return false;
  return true;
}

/**
 * The sparse binary form stored in SQLite: pairs of little-endian uint32 (bucket, count), non-zero buckets only.
 */
export function encodeHistogram(histogram: Histogram): Uint8Array {
  let used = 0;
  for (let index = 0; index < HISTOGRAM_BUCKETS; index++) if ((histogram[index] ?? 0) > 0) used++;
  const bytes = new Uint8Array(used * 8);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (let index = 0; index < HISTOGRAM_BUCKETS; index++) {
    const count = histogram[index] ?? 0;
    if (count > 0) {
      view.setUint32(offset, index, true);
      view.setUint32(offset + 4, count, true);
      offset += 8;
    }
  }
  return bytes;
}

/** Adds a histogram in the form {@link encodeHistogram} wrote into `target`. */
export function addEncodedHistogram(target: Histogram, bytes: Uint8Array | null | undefined): void {
  if (!bytes || bytes.byteLength < 8) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset + 8 <= bytes.byteLength; offset += 8) {
    const index = view.getUint32(offset, true);
    if (index < HISTOGRAM_BUCKETS) target[index] = (target[index] ?? 0) + view.getUint32(offset + 4, true);
  }
}

/** The dense form stored in PostgreSQL (an `int8[]`): the counts up to the last non-zero one. */
export function toCountArray(histogram: Histogram): number[] {
  let last = HISTOGRAM_BUCKETS - 1;
  while (last >= 0 && (histogram[last] ?? 0) === 0) last--;
  return Array.from(histogram.subarray(0, last + 1));
}

/** Adds a dense count array (as {@link toCountArray} wrote it) into `target`. */
export function addCountArray(target: Histogram, counts: readonly (number | string | null)[] | null | undefined): void {
  if (!counts) return;
  const length = Math.min(counts.length, HISTOGRAM_BUCKETS);
  for (let index = 0; index < length; index++) {
    const count = Number(counts[index] ?? 0);
    if (count !== 0) target[index] = (target[index] ?? 0) + count;
  }
}

/** p50, p95 and p99 by nearest rank over the histogram's counts; all `null` when it is empty. */
export function percentiles(histogram: Histogram): Percentiles {
  let total = 0;
  for (let index = 0; index < HISTOGRAM_BUCKETS; index++) total += histogram[index] ?? 0;
  if (total <= 0) return { p50: null, p95: null, p99: null };
  const ranks = [Math.ceil(0.5 * total), Math.ceil(0.95 * total), Math.ceil(0.99 * total)];
  const found: number[] = [];
  let seen = 0;
  for (let index = 0; index < HISTOGRAM_BUCKETS && found.length < 3; index++) {
    seen += histogram[index] ?? 0;
    while (found.length < 3 && seen >= (ranks[found.length] ?? Infinity)) found.push(bucketValue(index));
  }
  return { p50: found[0] ?? null, p95: found[1] ?? null, p99: found[2] ?? null };
}
