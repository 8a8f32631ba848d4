/**
 * Non-streaming calls at fixed concurrency: calls per second over a fixed count, interleaved in rounds.
 * @module
 */
import { chatOnce, type CallVariant, type Fixture } from './lib/fixture.js';
import { interleave, runConcurrent } from './lib/interleave.js';

export interface ThroughputOptions {
  rounds: number;
  callsPerRound: number;
  concurrency: number;
}

export type ThroughputResult = Record<CallVariant['key'], number> & { checksum: number };

/** Runs the concurrent measurement; each variant's figure is its total calls over its total wall time. */
export async function measureThroughput(fixture: Fixture, options: ThroughputOptions): Promise<ThroughputResult> {
  const { rounds, callsPerRound, concurrency } = options;
  let checksum = 0;
  const elapsed = new Map<CallVariant['key'], number>(fixture.calls.map((variant) => [variant.key, 0]));
  // Warm the connection pools to the concurrency level first.
  for (const variant of fixture.calls) checksum += await runConcurrent(concurrency * 4, concurrency, () => chatOnce(variant.client, variant.model));
  fixture.resetMocks();

  await interleave(rounds, fixture.calls, async (variant) => {
    const start = performance.now();
    checksum += await runConcurrent(callsPerRound, concurrency, () => chatOnce(variant.client, variant.model));
    elapsed.set(variant.key, elapsed.get(variant.key)! + performance.now() - start);
    fixture.resetMocks();
  });

  const result = { checksum } as ThroughputResult;
  for (const variant of fixture.calls) result[variant.key] = (rounds * callsPerRound) / (elapsed.get(variant.key)! / 1000);
  return result;
}
