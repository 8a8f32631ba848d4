/**
 * Sluice's cost per stream chunk in isolation: no network, no SDK, no mock rendering. A fake upstream
 * `fetch` answers with a pull-based body that delivers exactly one pre-encoded SSE event per read (the
 * worst case: on a real network several events often share a read); the body is read to the end
 * directly, and through `createSluice({ fetch })` in modes (a) and (b).
 * @module
 */
import { createSluice } from 'sluice';
import { interleave } from './lib/interleave.js';
import { median } from './lib/stats.js';

export interface ChunkOptions {
  rounds: number;
  streamsPerRound: number;
  /** Content events per stream. */
  events: number;
}

export type ChunkKey = 'direct' | 'inspect' | 'pass';

export interface ChunkResult {
  /** Reads per stream, direct. */
  reads: number;
  /** Median whole-stream time per variant, ms. */
  totalMs: Record<ChunkKey, number>;
  /** Median time to the first read per variant, ms. */
  ttftMs: Record<ChunkKey, number>;
  /** Per-round (median via Sluice − median direct) / reads, ms, for (a) and (b). */
  perChunkRounds: Record<'inspect' | 'pass', number[]>;
  checksum: number;
}

const URL_ = 'http://127.0.0.1:9/v1/chat/completions';
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const encoder = new TextEncoder();

function chatChunk(choices: unknown[], usage: unknown, withUsage: boolean): Uint8Array {
  const value: Record<string, unknown> = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices };
  if (withUsage) value['usage'] = usage;
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

function buildEvents(count: number, withUsage: boolean): Uint8Array[] {
  const delta = (fields: Record<string, unknown>, finish: string | null = null) =>
    chatChunk([{ index: 0, delta: fields, logprobs: null, finish_reason: finish }], null, withUsage);
  const events = [delta({ role: 'assistant', content: '' })];
  for (let index = 0; index < count; index++) events.push(delta({ content: ` word${index % 97}` }));
  events.push(delta({}, 'stop'));
  if (withUsage) events.push(chatChunk([], { prompt_tokens: 9, completion_tokens: count, total_tokens: count + 9 }, true));
  events.push(encoder.encode('data: [DONE]\n\n'));
  return events;
}

/** A fake upstream `fetch`: an SSE body of `events` content events, one event per read. */
export function fakeUpstream(events: number): typeof fetch {
  const plain = buildEvents(events, false);
  const withUsage = buildEvents(events, true);
  return (_input, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    const chunks = body.includes('"include_usage":true') ? withUsage : plain;
    let index = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (index < chunks.length) controller.enqueue(chunks[index++]!);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return Promise.resolve(new Response(stream, { status: 200, headers: SSE_HEADERS }));
  };
}

const REQUEST_BODY = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], stream: true });

/** One streamed chat request through `fetchImpl`, its body read to the end. */
export async function readStream(fetchImpl: typeof fetch): Promise<{ ttft: number; total: number; reads: number; bytes: number }> {
  const start = performance.now();
  const response = await fetchImpl(URL_, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: REQUEST_BODY });
  if (response.body === null) throw new Error('no body');
  const reader = response.body.getReader();
  let first = Number.NaN;
  let reads = 0;
  let bytes = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const { done, value } = await reader.read();
    if (done) break;
    if (reads === 0) first = performance.now();
    reads++;
    bytes += value.length;
  }
  return { ttft: first - start, total: performance.now() - start, reads, bytes };
}

/** Runs the isolated per-chunk measurement. */
export async function measureStreamChunks(options: ChunkOptions): Promise<ChunkResult> {
  const { rounds, streamsPerRound, events } = options;
  const upstream = fakeUpstream(events);
  const inspect = createSluice({ fetch: upstream });
  const pass = createSluice({ fetch: upstream, streamUsage: false });
  const variants: { key: ChunkKey; fetch: typeof fetch }[] = [
    { key: 'direct', fetch: upstream },
    { key: 'inspect', fetch: inspect.fetch },
    { key: 'pass', fetch: pass.fetch },
  ];
  let checksum = 0;
  let directReads = 0;

  const totals = new Map<ChunkKey, number[]>(variants.map((variant) => [variant.key, []]));
  const ttfts = new Map<ChunkKey, number[]>(variants.map((variant) => [variant.key, []]));
  const roundMedian = new Map<ChunkKey, number[]>(variants.map((variant) => [variant.key, []]));
  for (const variant of variants) for (let index = 0; index < streamsPerRound; index++) await readStream(variant.fetch);
  await interleave(rounds, variants, async (variant) => {
    const round: number[] = [];
    for (let index = 0; index < streamsPerRound; index++) {
      const sample = await readStream(variant.fetch);
      checksum += sample.bytes;
      if (variant.key === 'direct') directReads = sample.reads;
      round.push(sample.total);
      ttfts.get(variant.key)!.push(sample.ttft);
    }
    totals.get(variant.key)!.push(...round);
    roundMedian.get(variant.key)!.push(median(round));
  });
  await Promise.all([inspect.close(), pass.close()]);

  const direct = roundMedian.get('direct')!;
  const perRound = (key: 'inspect' | 'pass') => roundMedian.get(key)!.map((value, round) => (value - direct[round]!) / directReads);
  const med = (map: Map<ChunkKey, number[]>) => ({ direct: median(map.get('direct')!), inspect: median(map.get('inspect')!), pass: median(map.get('pass')!) });
  return { reads: directReads, totalMs: med(totals), ttftMs: med(ttfts), perChunkRounds: { inspect: perRound('inspect'), pass: perRound('pass') }, checksum };
}
