/**
 * Non-streaming calls, sequential: wall time per call (`performance.now()`) and CPU per call
 * (`process.cpuUsage()`), variants interleaved in rounds.
 * @module
 */
import { chatOnce, type CallVariant, type Fixture } from './lib/fixture.js';
import { interleave } from './lib/interleave.js';
import { median, summarize, type Summary } from './lib/stats.js';

export interface LatencyOptions {
  rounds: number;
  callsPerRound: number;
  warmupCalls: number;
}

export interface VariantLatency {
  /** Per-call wall time, ms. */
  wall: Summary;
  /** User + system CPU per call, µs (the in-process mock and SDK included). */
  cpuUsPerCall: number;
  /** p50 of each round, ms, in round order. */
  roundP50: number[];
}

export type LatencyResult = Record<CallVariant['key'], VariantLatency> & { checksum: number };

/** Runs the sequential measurement. */
export async function measureLatency(fixture: Fixture, options: LatencyOptions): Promise<LatencyResult> {
  const { rounds, callsPerRound, warmupCalls } = options;
  let checksum = 0;
  for (const variant of fixture.calls) {
    for (let index = 0; index < warmupCalls; index++) checksum += await chatOnce(variant.client, variant.model);
  }
  fixture.resetMocks();

  const times = new Map<CallVariant['key'], Float64Array>();
  const filled = new Map<CallVariant['key'], number>();
  const cpu = new Map<CallVariant['key'], number>();
  const roundP50 = new Map<CallVariant['key'], number[]>(fixture.calls.map((variant) => [variant.key, []]));
  for (const variant of fixture.calls) {
    times.set(variant.key, new Float64Array(rounds * callsPerRound));
    filled.set(variant.key, 0);
    cpu.set(variant.key, 0);
  }

  await interleave(rounds, fixture.calls, async (variant) => {
    const sample = times.get(variant.key)!;
    let offset = filled.get(variant.key)!;
    const { client, model } = variant;
    const cpuStart = process.cpuUsage();
    for (let index = 0; index < callsPerRound; index++) {
      const start = performance.now();
      checksum += await chatOnce(client, model);
      sample[offset++] = performance.now() - start;
    }
    const used = process.cpuUsage(cpuStart);
    cpu.set(variant.key, cpu.get(variant.key)! + used.user + used.system);
    filled.set(variant.key, offset);
    roundP50.get(variant.key)!.push(median(sample.subarray(offset - callsPerRound, offset)));
    fixture.resetMocks();
  });

  const total = rounds * callsPerRound;
  const result = { checksum } as LatencyResult;
  for (const variant of fixture.calls) {
    result[variant.key] = { wall: summarize(times.get(variant.key)!), cpuUsPerCall: cpu.get(variant.key)! / total, roundP50: roundP50.get(variant.key)! };
  }
  return result;
}
