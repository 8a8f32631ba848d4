/**
 * Interleaving and GC control: every variant runs once per round, the order rotating each round so no
 * variant always follows another, with a full GC before each sample.
 * @module
 */

/** Runs a full, synchronous GC (twice, so weak callbacks and finalizers settle). Needs `--expose-gc`. */
export function collectGarbage(): void {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('the benchmark needs `node --expose-gc` (use `npm run bench`)');
  gc();
  gc();
}

/**
 * Runs `sample(variant, round)` for every variant in each of `rounds` rounds, rotating the order.
 * @param rounds - fixed number of rounds
 * @param variants - what to compare; the first is usually the baseline
 * @param sample - one sample: a fixed number of calls for one variant
 */
export async function interleave<V>(rounds: number, variants: readonly V[], sample: (variant: V, round: number) => Promise<void>): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < variants.length; offset++) {
      const variant = variants[(round + offset) % variants.length]!;
      collectGarbage();
      await sample(variant, round);
    }
  }
}

/**
 * Runs exactly `total` calls of `call` with at most `concurrency` in flight, adding each result to the
 * returned sum (so the work cannot be dropped).
 */
export async function runConcurrent(total: number, concurrency: number, call: () => Promise<number>): Promise<number> {
  let started = 0;
  let sum = 0;
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      sum += await call();
    }
  };
  const workers: Promise<void>[] = [];
  for (let index = 0; index < Math.min(concurrency, total); index++) workers.push(worker());
  await Promise.all(workers);
  return sum;
}
