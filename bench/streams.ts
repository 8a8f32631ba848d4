/**
 * Streamed calls through the SDK and the mock provider, direct vs (a) zero config, which injects
 * `include_usage`, reads the usage and hides its chunk, and (b) `streamUsage: false`, where nothing
 * inspects the bytes.
 * - Time to first chunk: short streams (the echo reply, a few chunks), many of them.
 * - Per-chunk overhead: long streams, (median stream time via Sluice − direct) / chunks; the spread of
 *   the same figure over the rounds shows how much of it is noise.
 * @module
 */
import { LONG_MODEL, networkReads, streamOnce, type Fixture, type StreamVariant } from './lib/fixture.js';
import { interleave } from './lib/interleave.js';
import { median, summarize, type Summary } from './lib/stats.js';

export interface StreamOptions {
  rounds: number;
  /** Short streams per variant per round, for time to first chunk. */
  shortPerRound: number;
  /** Long streams per variant per round, for the per-chunk figure. */
  longPerRound: number;
  warmupStreams: number;
}

export interface VariantStream {
  /** Time to first chunk of the short streams, ms. */
  ttft: Summary;
  /** Whole long stream, ms. */
  total: Summary;
  /** Median long-stream time of each round, ms (in round order). */
  roundMedians: number[];
}

export type StreamResult = Record<StreamVariant['key'], VariantStream> & {
  /** SSE chunks the SDK yields per long stream (identical for every variant, checked). */
  chunks: number;
  /** SSE chunks per short stream. */
  shortChunks: number;
  /** Median network reads per long stream with plain fetch, and its bytes. */
  reads: number;
  bytes: number;
  checksum: number;
};

type Key = StreamVariant['key'];

/** Runs both stream measurements. */
export async function measureStreams(fixture: Fixture, options: StreamOptions): Promise<StreamResult> {
  const { rounds, shortPerRound, longPerRound, warmupStreams } = options;
  let checksum = 0;
  const expected = new Map<string, number>();
  const run = async (variant: StreamVariant, model: string) => {
    const sample = await streamOnce(variant.client, model);
    const count = expected.get(model);
    if (count === undefined) expected.set(model, sample.chunks);
    else if (count !== sample.chunks) throw new Error(`${variant.label}: ${sample.chunks} chunks, expected ${count} (usage chunk not hidden?)`);
    checksum += sample.chars;
    return sample;
  };
  for (const variant of fixture.streams) {
    for (let index = 0; index < warmupStreams * 10; index++) await run(variant, 'gpt-4o-mini');
    for (let index = 0; index < warmupStreams; index++) await run(variant, LONG_MODEL);
  }
  const readCounts: number[] = [];
  let bytes = 0;
  for (let index = 0; index < 7; index++) {
    const measured = await networkReads(fixture.mock.baseURL);
    readCounts.push(measured.reads);
    bytes = measured.bytes;
  }
  fixture.resetMocks();

  const keys = fixture.streams.map((variant) => variant.key);
  const ttft = new Map<Key, number[]>(keys.map((key) => [key, []]));
  const total = new Map<Key, number[]>(keys.map((key) => [key, []]));
  const roundMedians = new Map<Key, number[]>(keys.map((key) => [key, []]));

  await interleave(rounds, fixture.streams, async (variant) => {
    const samples = ttft.get(variant.key)!;
    for (let index = 0; index < shortPerRound; index++) samples.push((await run(variant, 'gpt-4o-mini')).ttftMs);
    fixture.resetMocks();
  });
  await interleave(rounds, fixture.streams, async (variant) => {
    const samples = total.get(variant.key)!;
    const round: number[] = [];
    for (let index = 0; index < longPerRound; index++) round.push((await run(variant, LONG_MODEL)).totalMs);
    samples.push(...round);
    roundMedians.get(variant.key)!.push(median(round));
    fixture.resetMocks();
  });

  const result = {
    chunks: expected.get(LONG_MODEL)!,
    shortChunks: expected.get('gpt-4o-mini')!,
    reads: median(readCounts),
    bytes,
    checksum,
  } as StreamResult;
  for (const key of keys) {
    result[key] = { ttft: summarize(ttft.get(key)!), total: summarize(total.get(key)!), roundMedians: roundMedians.get(key)! };
  }
  return result;
}
