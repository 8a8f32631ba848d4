/**
 * Order statistics for benchmark samples. Percentiles interpolate linearly between closest ranks.
 * @module
 */

/** A sorted copy of the samples. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

/**
 * The `p`-th percentile (0–100) of already sorted samples.
 * @throws {RangeError} on an empty sample.
 */
export function percentileSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of an empty sample');
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** The `p`-th percentile (0–100) of unsorted samples. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(sortedCopy(values), p);
}

/** The median of unsorted samples. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** The arithmetic mean. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('mean of an empty sample');
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index]!;
  return sum / values.length;
}

/** The usual summary of a latency sample, in the sample's unit. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Summarises unsorted samples. */
export function summarize(values: ArrayLike<number>): Summary {
  const sorted = sortedCopy(values);
  return {
    n: sorted.length,
    p50: percentileSorted(sorted, 50),
    p99: percentileSorted(sorted, 99),
    mean: mean(sorted),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
