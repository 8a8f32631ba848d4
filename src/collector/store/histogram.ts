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

/** A histogram's non-zero counts by bucket (counts may be negative in a delta that takes records out). */
export type Histogram = Map<number, number>;

/** An empty histogram. */
export function emptyHistogram(): Histogram {
  return new Map();
}

/** Adds `count` to one bucket, dropping it when it reaches zero. */
export function addToBucket(histogram: Histogram, index: number, count: number): void {
  const next = (histogram.get(index) ?? 0) + count;
  if (next === 0) histogram.delete(index);
  else histogram.set(index, next);
}

/** Adds `source` times `sign` into `target`. */
export function mergeHistogram(target: Histogram, source: Histogram, sign = 1): void {
  for (const [index, count] of source) addToBucket(target, index, sign * count);
}

/**
 * The binary form stored in SQLite: pairs of little-endian (uint32 bucket, int32 count), non-zero buckets only,
 * by bucket; a delta may carry negative counts.
 */
export function encodeHistogram(histogram: Histogram, sign = 1): Uint8Array {
  const indexes = [...histogram.keys()].sort((left, right) => left - right);
  const bytes = new Uint8Array(indexes.length * 8);
  const view = new DataView(bytes.buffer);
  for (const [position, index] of indexes.entries()) {
    view.setUint32(position * 8, index, true);
    view.setInt32(position * 8 + 4, sign * (histogram.get(index) ?? 0), true);
  }
  return bytes;
}

/** Adds a histogram in the form {@link encodeHistogram} wrote into `target`. */
export function addEncodedHistogram(target: Histogram, bytes: Uint8Array | null | undefined): void {
  if (!bytes || bytes.byteLength < 8) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset + 8 <= bytes.byteLength; offset += 8) {
    const index = view.getUint32(offset, true);
    if (index < HISTOGRAM_BUCKETS) addToBucket(target, index, view.getInt32(offset + 4, true));
  }
}

/** The sum of two encoded histograms, encoded (SQLite's `sluice_hist_add` function). */
export function addEncodedHistograms(left: Uint8Array | null, right: Uint8Array | null): Uint8Array {
  const sum = emptyHistogram();
  addEncodedHistogram(sum, left);
  addEncodedHistogram(sum, right);
  return encodeHistogram(sum);
}

/** The dense form stored in PostgreSQL (an `int8[]`, one count per bucket, up to the last non-zero one). */
export function toCountArray(histogram: Histogram, sign = 1): number[] {
  let last = -1;
  for (const index of histogram.keys()) if (index > last) last = index;
  const counts = new Array<number>(last + 1).fill(0);
  for (const [index, count] of histogram) counts[index] = sign * count;
  return counts;
}

/** Adds a dense count array (as {@link toCountArray} wrote it) into `target`. */
export function addCountArray(target: Histogram, counts: readonly (number | string | null)[] | null | undefined): void {
  if (!counts) return;
  const length = Math.min(counts.length, HISTOGRAM_BUCKETS);
  for (let index = 0; index < length; index++) {
    const count = Number(counts[index] ?? 0);
    if (count !== 0) addToBucket(target, index, count);
  }
}

/** p50, p95 and p99 by nearest rank over the histogram's counts; all `null` when it is empty. */
export function percentiles(histogram: Histogram): Percentiles {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total <= 0) return { p50: null, p95: null, p99: null };
  const ranks = [Math.ceil(0.5 * total), Math.ceil(0.95 * total), Math.ceil(0.99 * total)];
  const found: number[] = [];
  let seen = 0;
  for (const index of [...histogram.keys()].sort((left, right) => left - right)) {
    seen += histogram.get(index) ?? 0;
    while (found.length < 3 && seen >= (ranks[found.length] ?? Infinity)) found.push(bucketValue(index));
    if (found.length === 3) break;
  }
  return { p50: found[0] ?? null, p95: found[1] ?? null, p99: found[2] ?? null };
}
