/**
 * One large stream event: a Responses stream whose `response.completed` event repeats an answer of
 * several MiB (reasoning models, long outputs, images do this), delivered in 16 KiB chunks.
 * - SDK: the OpenAI SDK reads the stream from the mock provider over loopback, directly and through
 *   `createSluice()` (zero config: Sluice frames the stream and reads the usage from that event).
 * - Isolated: a fake upstream `fetch` whose body yields exactly one 16 KiB chunk per read (no SDK, no
 *   socket), read to the end directly and through `createSluice({ fetch })`.
 * - Framer: Sluice's SSE framer alone over the same chunks (imported from src: it is not exported).
 * Two sizes show how the cost scales: linear framing makes the larger one cost about size-ratio times more.
 * @module
 */
import OpenAI from 'openai';
import { createSluice } from 'sluice';
import { createMockProvider } from 'sluice/testing';
import { SseFramer } from '../src/wire/sse.js';
import { interleave } from './lib/interleave.js';
import { median } from './lib/stats.js';
import { mark, markdownTable, ms } from './lib/table.js';

export interface LargeEventOptions {
  rounds: number;
  /** Sizes of the answer text in the event, MiB. */
  sizesMiB: readonly number[];
  chunkBytes: number;
  /**
   * Above this size the OpenAI SDK alone is sampled once, without warm-up: its own SSE decoder joins and
   * rescans its buffer on every read, so it takes minutes on a 32 MiB event.
   */
  sdkDirectOnceAboveMiB: number;
}

export interface LargeEventRow {
  sizeMiB: number;
  /** Bytes of the whole stream. */
  bytes: number;
  /** Median ms: the OpenAI SDK reading the stream from the mock, directly and through Sluice. */
  sdkDirectMs: number;
  /** Samples behind `sdkDirectMs`. */
  sdkDirectSamples: number;
  sdkSluiceMs: number;
  /** Median ms: reading the body of a fake upstream, directly and through Sluice. */
  readDirectMs: number;
  readSluiceMs: number;
  /** Median ms: the SSE framer alone over the chunks (the event joined once, at its end). */
  framerMs: number;
}

export interface LargeEventResult {
  chunkBytes: number;
  rows: LargeEventRow[];
  checksum: number;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8' };
const encoder = new TextEncoder();
const REQUEST = { model: 'gpt-4.1', input: 'Hello', stream: true } as const;

/** A Responses stream: `response.created`, then one `response.completed` carrying `sizeMiB` of text. */
function responsesStream(sizeMiB: number): Uint8Array {
  const text = 'All work and no play makes Jack a dull boy. '.repeat(Math.ceil((sizeMiB * 1024 * 1024) / 44)).slice(0, sizeMiB * 1024 * 1024);
  const response = {
    id: 'resp_bench',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    model: 'gpt-4.1',
    output: [{ type: 'message', id: 'msg_bench', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }],
    usage: { input_tokens: 9, output_tokens: 1000, total_tokens: 1009, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
  };
  const created = { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress', output: [], usage: null } };
  return encoder.encode(
    `event: response.created\ndata: ${JSON.stringify(created)}\n\n` +
      `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', sequence_number: 1, response })}\n\n`,
  );
}

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.subarray(offset, offset + size));
  return out;
}

/** A fake upstream `fetch` answering with `chunks`, one per read. */
function fakeUpstream(chunks: readonly Uint8Array[]): typeof fetch {
  return () => {
    let index = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (index < chunks.length) controller.enqueue(chunks[index++]!);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return Promise.resolve(new Response(body, { status: 200, headers: SSE_HEADERS }));
  };
}

async function readBody(fetchImpl: typeof fetch): Promise<number> {
  const response = await fetchImpl('http://127.0.0.1:9/v1/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify(REQUEST),
  });
  const reader = response.body!.getReader();
  let bytes = 0;
  for (let guard = 0; guard < 10_000_000; guard++) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
  }
  return bytes;
}

async function readWithSdk(client: OpenAI): Promise<number> {
  const stream = await client.responses.create(REQUEST);
  let chars = 0;
  for await (const event of stream) {
    if (event.type !== 'response.completed') continue;
    const part = event.response.output[0];
    if (part?.type === 'message' && part.content[0]?.type === 'output_text') chars += part.content[0].text.length;
  }
  return chars;
}

function frameAll(chunks: readonly Uint8Array[]): number {
  const framer = new SseFramer();
  let events = 0;
  for (const chunk of chunks) events += framer.push(chunk).ends.length;
  return events;
}

const time = async (run: () => Promise<number> | number): Promise<{ ms: number; value: number }> => {
  const start = performance.now();
  const value = await run();
  return { ms: performance.now() - start, value };
};

/** Runs the large-event measurements. */
export async function measureLargeEvent(options: LargeEventOptions): Promise<LargeEventResult> {
  const { rounds, sizesMiB, chunkBytes } = options;
  const mock = await createMockProvider();
  const sluice = createSluice();
  // One retry: a long synchronous parse can outlast the mock's keep-alive, and a reused socket then resets.
  const direct = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 1 });
  const through = new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 1, fetch: sluice.fetch });
  const rows: LargeEventRow[] = [];
  let checksum = 0;
  try {
    for (const sizeMiB of sizesMiB) {
      const bytes = responsesStream(sizeMiB);
      const chunks = pieces(bytes, chunkBytes);
      const upstream = fakeUpstream(chunks);
      const isolated = createSluice({ fetch: upstream });
      type Key = 'sdkDirect' | 'sdkSluice' | 'readDirect' | 'readSluice' | 'framer';
      const samples = new Map<Key, number[]>((['sdkDirect', 'sdkSluice', 'readDirect', 'readSluice', 'framer'] as const).map((key) => [key, []]));
      const variants: { key: Key; run: () => Promise<number> | number }[] = [
        {
          key: 'sdkDirect',
          run: () => {
            mock.script({ kind: 'raw', status: 200, headers: SSE_HEADERS, body: chunks });
            return readWithSdk(direct);
          },
        },
        {
          key: 'sdkSluice',
          run: () => {
            mock.script({ kind: 'raw', status: 200, headers: SSE_HEADERS, body: chunks });
            return readWithSdk(through);
          },
        },
        { key: 'readDirect', run: () => readBody(upstream) },
        { key: 'readSluice', run: () => readBody(isolated.fetch) },
        { key: 'framer', run: () => frameAll(chunks) },
      ];
      const directOnce = sizeMiB > options.sdkDirectOnceAboveMiB;
      if (directOnce) {
        const sample = await time(variants[0]!.run);
        checksum += sample.value & 0xff;
        samples.get('sdkDirect')!.push(sample.ms);
        variants.shift();
      }
      // One warm-up each, then interleaved rounds.
      for (const variant of variants) checksum += (await variant.run()) & 0xff;
      mock.reset();
      await interleave(rounds, variants, async (variant) => {
        const sample = await time(variant.run);
        checksum += sample.value & 0xff;
        samples.get(variant.key)!.push(sample.ms);
        mock.reset();
      });
      await isolated.close();
      const med = (key: Key): number => median(samples.get(key)!);
      rows.push({
        sizeMiB,
        bytes: bytes.length,
        sdkDirectMs: med('sdkDirect'),
        sdkDirectSamples: samples.get('sdkDirect')!.length,
        sdkSluiceMs: med('sdkSluice'),
        readDirectMs: med('readDirect'),
        readSluiceMs: med('readSluice'),
        framerMs: med('framer'),
      });
    }
  } finally {
    await sluice.close();
    await mock.close();
  }
  return { chunkBytes, rows, checksum };
}

const ratio = (value: number, base: number): string => `${(value / base).toPrecision(2)}x`;

/** The target row: the OpenAI SDK through Sluice within 2x of the SDK alone, on the largest event. */
export function largeEventTargetRows(result: LargeEventResult): string[][] {
  const row = result.rows.at(-1);
  if (row === undefined) return [];
  return [
    [
      `one ${row.sizeMiB} MiB stream event in ${result.chunkBytes / 1024} KiB chunks, OpenAI SDK through Sluice / SDK alone`,
      `${ratio(row.sdkSluiceMs, row.sdkDirectMs)} (${ms(row.sdkSluiceMs, 0)} vs ${ms(row.sdkDirectMs, 0)})`,
      '≤ 2x',
      mark(row.sdkSluiceMs <= 2 * row.sdkDirectMs),
    ],
  ];
}

/** The section: every size, and how the largest scales against the smallest. */
export function renderLargeEvent(result: LargeEventResult, options: LargeEventOptions): string {
  const rows = result.rows.map((row) => [
    `${row.sizeMiB} MiB (${(row.bytes / 1024 / 1024).toFixed(1)} MiB stream)`,
    `${ms(row.sdkDirectMs, 0)}${row.sdkDirectSamples === 1 ? ' (1 run)' : ''}`,
    ms(row.sdkSluiceMs, 0),
    ratio(row.sdkSluiceMs, row.sdkDirectMs),
    ms(row.readDirectMs, 1),
    ms(row.readSluiceMs, 1),
    ms(row.framerMs, 1),
  ]);
  const first = result.rows[0];
  const last = result.rows.at(-1);
  if (first !== undefined && last !== undefined && last !== first) {
    rows.push([
      `scaling ${last.sizeMiB} / ${first.sizeMiB} MiB (linear: ${(last.bytes / first.bytes).toFixed(1)}x)`,
      ratio(last.sdkDirectMs, first.sdkDirectMs),
      ratio(last.sdkSluiceMs, first.sdkSluiceMs),
      '',
      ratio(last.readDirectMs, first.readDirectMs),
      ratio(last.readSluiceMs, first.readSluiceMs),
      ratio(last.framerMs, first.framerMs),
    ]);
  }
  const table = markdownTable(
    ['one `response.completed` event of', 'OpenAI SDK alone', 'SDK through Sluice', 'through / alone', 'body read alone (isolated)', 'body read through Sluice', 'SSE framer alone'],
    rows,
  );
  return [
    `## One large stream event`,
    '',
    table,
    '',
    `A Responses stream whose \`response.completed\` event repeats an answer of the given size, sent in ${result.chunkBytes / 1024} KiB chunks; medians of ${options.rounds} interleaved rounds after a warm-up (the SDK alone above ${options.sdkDirectOnceAboveMiB} MiB: one run, no warm-up). "SDK" columns: the OpenAI SDK reads the stream from the mock provider over loopback, alone and through \`createSluice()\` (zero config, which frames the stream and reads the usage from that event). The SDK's own SSE decoder joins and rescans its buffer on every read, so alone it is quadratic in the event's size; Sluice hands it whole events, one read per event. "Isolated" columns: a fake upstream \`fetch\` yields one chunk per read, read to the end with \`getReader()\`, directly and through Sluice (whose cost there is framing, one join of the event and parsing it for its usage). "SSE framer alone": Sluice's framer over the same chunks.`,
  ].join('\n');
}
