/**
 * Timed samples of single calls, variants interleaved in rounds (see interleave.ts): the shape every
 * per-call comparison here shares.
 * @module
 */
import { interleave } from './interleave.js';
import { median, summarize, type Summary } from './stats.js';

/** Per-call wall times of one variant. */
export interface CallSeries {
  /** Per-call wall time, ms. */
  wall: Summary;
  /** p50 of each round, ms, in round order (its spread shows the noise). */
  roundP50: number[];
}

/** Counts of a timed comparison. */
export interface SampleCounts {
  rounds: number;
  callsPerRound: number;
  /** Untimed calls per variant first, to warm the JIT and the connection pools. */
  warmupCalls: number;
}

/**
 * Times `call(variant)` one call at a time: `warmupCalls` untimed calls per variant, then
 * `rounds` x `callsPerRound` timed calls per variant, interleaved.
 * @param variants - what to compare
 * @param counts - fixed counts
 * @param call - one call; its result is added to the checksum so the work cannot be dropped
 * @param afterSample - run after each variant's sample and after the warm-up (e.g. to clear a mock's log), untimed
 * @returns each variant's series by key, and the checksum
 */
export async function timeCalls<V extends { readonly key: string }>(
  variants: readonly V[],
  counts: SampleCounts,
  call: (variant: V, index: number) => Promise<number>,
  afterSample?: (variant: V) => void,
): Promise<{ series: Record<V['key'], CallSeries>; checksum: number }> {
  type K = V['key'];
  const { rounds, callsPerRound, warmupCalls } = counts;
  let checksum = 0;
  for (const variant of variants) {
    for (let index = 0; index < warmupCalls; index++) checksum += await call(variant, index);
    afterSample?.(variant);
  }
  const times = new Map<K, Float64Array>(variants.map((variant) => [variant.key, new Float64Array(rounds * callsPerRound)]));
  const filled = new Map<K, number>(variants.map((variant) => [variant.key, 0]));
  const roundP50 = new Map<K, number[]>(variants.map((variant) => [variant.key, []]));
  await interleave(rounds, variants, async (variant) => {
    const sample = times.get(variant.key)!;
    let offset = filled.get(variant.key)!;
    for (let index = 0; index < callsPerRound; index++) {
      const start = performance.now();
      checksum += await call(variant, index);
      sample[offset++] = performance.now() - start;
    }
    filled.set(variant.key, offset);
    roundP50.get(variant.key)!.push(median(sample.subarray(offset - callsPerRound, offset)));
    afterSample?.(variant);
  });
  const series = {} as Record<K, CallSeries>;
  for (const variant of variants) series[variant.key as K] = { wall: summarize(times.get(variant.key)!), roundP50: roundP50.get(variant.key)! };
  return { series, checksum };
}

/** Per-round differences `a − b` of two series' round p50s, ms. */
export function roundDeltas(a: CallSeries, b: CallSeries): number[] {
  return a.roundP50.map((value, round) => value - b.roundP50[round]!);
}
