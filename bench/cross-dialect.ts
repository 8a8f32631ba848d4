/**
 * Translation's cost: the OpenAI SDK through Sluice to an `anthropic`-kind provider (the request goes
 * out as Anthropic Messages, the answer comes back as Chat Completions), against the same SDK through
 * Sluice to an `openai`-kind provider (pass-through), interleaved in one run.
 * - Over the network: both providers on in-process mock providers (which speak both formats), so each
 *   call crosses loopback; non-streaming calls with a reply of about 80 words, and long streams.
 * - Isolated: a fake upstream `fetch` answering a fixed Anthropic / OpenAI body with the same text, read
 *   through `sluice.fetch` with no SDK and no socket, so the difference is Sluice's translation alone.
 * Both Sluice variants run the default pipeline (the OpenAI pass-through stream asks for usage and hides
 * its chunk, i.e. it frames and parses every event, as the translating one does).
 * @module
 */
import OpenAI from 'openai';
import { createSluice, type Sluice } from 'sluice';
import { createMockProvider, type MockProvider } from 'sluice/testing';
import { interleave } from './lib/interleave.js';
import { median, summarize, type Summary } from './lib/stats.js';
import { roundDeltas, timeCalls, type CallSeries, type SampleCounts } from './lib/samples.js';
import { markdownTable, mark, ms, signedUs, us } from './lib/table.js';
import {
  anthropicEvents,
  anthropicMessageJson,
  chatInit,
  fakeProvider,
  openaiChatEvents,
  openaiChatJson,
  readCall,
  REPLY_TEXT,
  streamWords,
} from './lib/upstream.js';

/** Fixed counts of the cross-dialect measurement. */
export interface CrossOptions {
  /** SDK + mock, non-streaming. */
  network: SampleCounts;
  /** SDK + mock, long streams of `words` content chunks. */
  networkStreams: { rounds: number; streamsPerRound: number; warmupStreams: number; words: number };
  /** Fake upstream, non-streaming, no SDK. */
  isolated: SampleCounts;
  /** Fake upstream, one SSE event per read, no SDK. */
  isolatedStreams: { rounds: number; streamsPerRound: number; words: number };
}

type NetKey = 'same' | 'cross';
type IsoKey = 'direct' | 'same' | 'cross';

/** What the cross-dialect measurement found. */
export interface CrossResult {
  network: Record<NetKey, CallSeries>;
  networkStreams: Record<NetKey, { total: CallSeries; ttft: Summary }> & {
    /** Chunks the SDK yields per long stream (identical for both variants, checked). */
    chunks: number;
  };
  isolated: Record<IsoKey, CallSeries>;
  isolatedStreams: Record<IsoKey, { medianMs: number; roundMedians: number[] }> & {
    /** Content events per stream (one text delta each). */
    words: number;
  };
  checksum: number;
}

/** The targets (ms). */
export const CROSS_TARGETS = { addedP50Ms: 0.05, perChunkMs: 0.003 } as const;

const SAME_MODEL = 'oa/gpt-4o-mini';
const CROSS_MODEL = 'an/claude-sonnet-4-5';
const LONG_SAME_MODEL = 'oal/gpt-4o-mini';
const LONG_CROSS_MODEL = 'anl/claude-sonnet-4-5';
const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];

function sdk(baseURL: string, sluice: Sluice): OpenAI {
  // maxRetries 0: a failure must surface, not be retried into the timings.
  return new OpenAI({ baseURL, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
}

async function chat(client: OpenAI, model: string): Promise<number> {
  const completion = await client.chat.completions.create({ model, messages: MESSAGES });
  const length = completion.choices[0]?.message.content?.length ?? 0;
  if (length !== REPLY_TEXT.length) throw new Error(`${model}: reply of ${length} characters, expected ${REPLY_TEXT.length}`);
  return length;
}

async function stream(client: OpenAI, model: string): Promise<{ ttft: number; chunks: number; chars: number }> {
  const start = performance.now();
  const body = await client.chat.completions.create({ model, messages: MESSAGES, stream: true });
  let ttft = Number.NaN;
  let chunks = 0;
  let chars = 0;
  for await (const chunk of body) {
    if (chunks === 0) ttft = performance.now() - start;
    chunks++;
    chars += chunk.choices[0]?.delta.content?.length ?? 0;
  }
  return { ttft, chunks, chars };
}

/** SDK + mock: non-streaming calls, then long streams. */
async function overNetwork(options: CrossOptions): Promise<Pick<CrossResult, 'network' | 'networkStreams' | 'checksum'>> {
  const words = streamWords(options.networkStreams.words);
  const shortMock = await createMockProvider({ fallback: { kind: 'reply', content: REPLY_TEXT } });
  const longMock = await createMockProvider({ fallback: { kind: 'reply', content: words.join('') } });
  const mocks: MockProvider[] = [shortMock, longMock];
  const same = createSluice({
    providers: { oa: { kind: 'openai', baseURL: shortMock.baseURL, apiKey: 'k' }, oal: { kind: 'openai', baseURL: longMock.baseURL, apiKey: 'k' } },
    env: {},
  });
  const cross = createSluice({
    providers: { an: { kind: 'anthropic', baseURL: shortMock.url, apiKey: 'k' }, anl: { kind: 'anthropic', baseURL: longMock.url, apiKey: 'k' } },
    env: {},
  });
  const reset = (): void => {
    for (const mock of mocks) mock.reset();
  };
  try {
    const variants = [
      { key: 'same' as const, client: sdk(shortMock.baseURL, same), model: SAME_MODEL, long: LONG_SAME_MODEL, path: '/v1/chat/completions' },
      { key: 'cross' as const, client: sdk(shortMock.baseURL, cross), model: CROSS_MODEL, long: LONG_CROSS_MODEL, path: '/v1/messages' },
    ];
    // Each variant must really reach its provider in its own format.
    for (const variant of variants) {
      await chat(variant.client, variant.model);
      const path = shortMock.requests.at(-1)?.path;
      if (path !== variant.path) throw new Error(`${variant.model} reached ${path ?? 'nothing'}, expected ${variant.path}`);
    }
    reset();
    const calls = await timeCalls(variants, options.network, (variant) => chat(variant.client, variant.model), reset);

    const { rounds, streamsPerRound, warmupStreams } = options.networkStreams;
    const ttfts = new Map<NetKey, number[]>([
      ['same', []],
      ['cross', []],
    ]);
    let expectedChunks = -1;
    const streams = await timeCalls(
      variants,
      { rounds, callsPerRound: streamsPerRound, warmupCalls: warmupStreams },
      async (variant) => {
        const sample = await stream(variant.client, variant.long);
        if (expectedChunks === -1) expectedChunks = sample.chunks;
        else if (sample.chunks !== expectedChunks) throw new Error(`${variant.long}: ${sample.chunks} chunks, expected ${expectedChunks}`);
        ttfts.get(variant.key)!.push(sample.ttft);
        return sample.chars;
      },
      reset,
    );
    return {
      network: calls.series,
      networkStreams: {
        same: { total: streams.series.same, ttft: summarize(ttfts.get('same')!) },
        cross: { total: streams.series.cross, ttft: summarize(ttfts.get('cross')!) },
        chunks: expectedChunks,
      },
      checksum: calls.checksum + streams.checksum,
    };
  } finally {
    await Promise.all([same.close(), cross.close()]);
    await Promise.all(mocks.map((mock) => mock.close()));
  }
}

/** Fake upstream: non-streaming calls, then streams of one event per read. */
async function isolated(options: CrossOptions): Promise<Pick<CrossResult, 'isolated' | 'isolatedStreams' | 'checksum'>> {
  const words = streamWords(options.isolatedStreams.words);
  const openaiUpstream = fakeProvider({ json: openaiChatJson(REPLY_TEXT), events: openaiChatEvents(words, false), eventsWithUsage: openaiChatEvents(words, true) });
  const anthropicUpstream = fakeProvider({ json: anthropicMessageJson(REPLY_TEXT), events: anthropicEvents(words) });
  const same = createSluice({ providers: { oa: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k' } }, fetch: openaiUpstream.fetch, env: {} });
  const cross = createSluice({ providers: { an: { kind: 'anthropic', baseURL: 'http://127.0.0.1:9', apiKey: 'k' } }, fetch: anthropicUpstream.fetch, env: {} });
  try {
    const variants = [
      { key: 'direct' as const, fetch: openaiUpstream.fetch, model: 'gpt-4o-mini' },
      { key: 'same' as const, fetch: same.fetch, model: SAME_MODEL },
      { key: 'cross' as const, fetch: cross.fetch, model: CROSS_MODEL },
    ].map((variant) => ({ ...variant, json: chatInit(variant.model, false), sse: chatInit(variant.model, true) }));

    const once = async (variant: (typeof variants)[number], init: RequestInit): Promise<number> => {
      const sample = await readCall(variant.fetch, init);
      if (sample.status !== 200) throw new Error(`${variant.model}: status ${sample.status}`);
      return sample.bytes;
    };
    // Each Sluice variant must really call its provider in its own format and answer in OpenAI's.
    for (const variant of variants) {
      const response = await variant.fetch('http://127.0.0.1:9/v1/chat/completions', variant.json);
      const body = (await response.json()) as { object?: string; choices?: { message?: { content?: string } }[] };
      if (body.object !== 'chat.completion' || body.choices?.[0]?.message?.content !== REPLY_TEXT) throw new Error(`${variant.key}: unexpected answer ${JSON.stringify(body).slice(0, 200)}`);
    }
    if (!anthropicUpstream.lastUrl.endsWith('/v1/messages')) throw new Error(`the anthropic provider was called at ${anthropicUpstream.lastUrl}`);

    const calls = await timeCalls(variants, options.isolated, (variant) => once(variant, variant.json));

    const { rounds, streamsPerRound } = options.isolatedStreams;
    // Warm-up: the first streams through each path run unoptimised code at several times the steady cost.
    for (const variant of variants) for (let index = 0; index < Math.max(5, streamsPerRound * 2); index++) await once(variant, variant.sse);
    const totals = new Map<IsoKey, number[]>(variants.map((variant) => [variant.key, []]));
    const roundMedians = new Map<IsoKey, number[]>(variants.map((variant) => [variant.key, []]));
    let checksum = calls.checksum;
    await interleave(rounds, variants, async (variant) => {
      const round: number[] = [];
      for (let index = 0; index < streamsPerRound; index++) {
        const sample = await readCall(variant.fetch, variant.sse);
        checksum += sample.bytes;
        round.push(sample.total);
      }
      totals.get(variant.key)!.push(...round);
      roundMedians.get(variant.key)!.push(median(round));
    });
    const streamFigures = (key: IsoKey) => ({ medianMs: median(totals.get(key)!), roundMedians: roundMedians.get(key)! });
    return {
      isolated: calls.series,
      isolatedStreams: { direct: streamFigures('direct'), same: streamFigures('same'), cross: streamFigures('cross'), words: words.length },
      checksum,
    };
  } finally {
    await Promise.all([same.close(), cross.close()]);
  }
}

/**
 * Runs the cross-dialect measurement: over the network, then isolated.
 * @param options - fixed counts
 * @returns the series of every variant
 */
export async function measureCrossDialect(options: CrossOptions): Promise<CrossResult> {
  const network = await overNetwork(options);
  const alone = await isolated(options);
  return { ...network, ...alone, checksum: network.checksum + alone.checksum };
}

/** Cross-dialect figures derived from the series, ms. */
export interface CrossFigures {
  networkAdded: { p50: number; p99: number };
  networkPerChunk: number;
  isolatedAdded: { p50: number; p99: number };
  isolatedPerChunk: number;
}

/** The added figures: translating minus pass-through. */
export function crossFigures(result: CrossResult): CrossFigures {
  const { network, networkStreams, isolated: iso, isolatedStreams } = result;
  return {
    networkAdded: { p50: network.cross.wall.p50 - network.same.wall.p50, p99: network.cross.wall.p99 - network.same.wall.p99 },
    networkPerChunk: (networkStreams.cross.total.wall.p50 - networkStreams.same.total.wall.p50) / networkStreams.chunks,
    isolatedAdded: { p50: iso.cross.wall.p50 - iso.same.wall.p50, p99: iso.cross.wall.p99 - iso.same.wall.p99 },
    isolatedPerChunk: (isolatedStreams.cross.medianMs - isolatedStreams.same.medianMs) / isolatedStreams.words,
  };
}

function range(values: readonly number[], digits: number, divisor = 1): string {
  const scaled = values.map((value) => value / divisor);
  return `${signedUs(Math.min(...scaled), digits)} … ${signedUs(Math.max(...scaled), digits)}`;
}

/**
 * Rows for the targets table. Judged on the isolated figures: over loopback the per-round spread is
 * several times the targets, so those rows are shown with their spread and not judged.
 */
export function crossTargetRows(result: CrossResult): string[][] {
  const figures = crossFigures(result);
  return [
    ['cross-dialect (OpenAI SDK → Anthropic) added p50 per call, isolated', signedUs(figures.isolatedAdded.p50), '≤ 50 µs', mark(figures.isolatedAdded.p50 <= CROSS_TARGETS.addedP50Ms)],
    ['cross-dialect added p50 per call, SDK + mock', signedUs(figures.networkAdded.p50), `not judged: rounds ${range(roundDeltas(result.network.cross, result.network.same), 0)}`, '—'],
    ['cross-dialect added time per streamed chunk, isolated, one event per read', signedUs(figures.isolatedPerChunk, 3), '≤ 3 µs', mark(figures.isolatedPerChunk <= CROSS_TARGETS.perChunkMs)],
    [
      'cross-dialect added time per streamed chunk, SDK + mock',
      signedUs(figures.networkPerChunk, 3),
      `not judged: rounds ${range(roundDeltas(result.networkStreams.cross.total, result.networkStreams.same.total), 2, result.networkStreams.chunks)}`,
      '—',
    ],
  ];
}

/**
 * The cross-dialect section of the results: tables and method.
 * @param result - what {@link measureCrossDialect} found
 * @param options - the counts it ran with
 * @returns Markdown
 */
export function renderCross(result: CrossResult, options: CrossOptions): string {
  const { network, networkStreams, isolated: iso, isolatedStreams } = result;
  const figures = crossFigures(result);
  const label = { same: `pass-through (\`${SAME_MODEL}\`, openai kind)`, cross: `translated (\`${CROSS_MODEL}\`, anthropic kind)`, direct: 'direct (fake upstream, no Sluice)' };
  const calls = markdownTable(
    ['OpenAI SDK → Sluice → mock, non-streaming', 'p50', 'p99', 'mean', 'added p50', '(per round)', 'added p99'],
    [
      [label.same, us(network.same.wall.p50), us(network.same.wall.p99), us(network.same.wall.mean), '—', '—', '—'],
      [
        label.cross,
        us(network.cross.wall.p50),
        us(network.cross.wall.p99),
        us(network.cross.wall.mean),
        signedUs(figures.networkAdded.p50),
        range(roundDeltas(network.cross, network.same), 0),
        signedUs(figures.networkAdded.p99),
      ],
    ],
  );
  const streams = markdownTable(
    ['OpenAI SDK → Sluice → mock, streamed', 'first chunk p50', 'added first chunk', 'long stream p50', 'added per chunk', '(range over rounds)'],
    [
      [label.same, us(networkStreams.same.ttft.p50), '—', ms(networkStreams.same.total.wall.p50), '—', '—'],
      [
        label.cross,
        us(networkStreams.cross.ttft.p50),
        signedUs(networkStreams.cross.ttft.p50 - networkStreams.same.ttft.p50),
        ms(networkStreams.cross.total.wall.p50),
        signedUs(figures.networkPerChunk, 3),
        range(roundDeltas(networkStreams.cross.total, networkStreams.same.total), 2, networkStreams.chunks),
      ],
    ],
  );
  const isoRows = (['direct', 'same', 'cross'] as const).map((key) => {
    const row = iso[key];
    const streamed = isolatedStreams[key];
    const versusSame = key === 'cross';
    return [
      label[key],
      us(row.wall.p50),
      us(row.wall.p99),
      versusSame ? signedUs(figures.isolatedAdded.p50) : '—',
      versusSame ? range(roundDeltas(iso.cross, iso.same), 1) : '—',
      versusSame ? signedUs(figures.isolatedAdded.p99) : '—',
      ms(streamed.medianMs, 3),
      versusSame ? signedUs(figures.isolatedPerChunk, 3) : '—',
      versusSame ? range(isolatedStreams.cross.roundMedians.map((value, round) => value - isolatedStreams.same.roundMedians[round]!), 2, isolatedStreams.words) : '—',
    ];
  });
  const isolatedTable = markdownTable(
    ['fake upstream, no SDK, no socket', 'call p50', 'call p99', 'added p50', '(per round)', 'added p99', 'stream p50', 'added per chunk', '(range over rounds)'],
    isoRows,
  );
  const method = [
    `- Over the network: the OpenAI SDK (maxRetries 0) with \`fetch: sluice.fetch\`, one Sluice instance per variant, each with a provider on an in-process mock; the pass-through sends Chat Completions to \`/v1/chat/completions\`, the translated one Anthropic Messages to \`/v1/messages\` (checked), and both answer the same text: ${REPLY_TEXT.length} characters for non-streaming calls (${options.network.rounds} x ${options.network.callsPerRound} per variant after ${options.network.warmupCalls} warm-up calls), ${options.networkStreams.words} one-word deltas for streams (${networkStreams.chunks} chunks reach the SDK in both, checked; ${options.networkStreams.rounds} x ${options.networkStreams.streamsPerRound} per variant). Added per chunk = (median stream via translation − median pass-through) / ${networkStreams.chunks}.`,
    `- Isolated: \`createSluice({ fetch })\` with a fake upstream answering a fixed Anthropic Messages or Chat Completions body (the documented shapes, the same text), read to the end through \`sluice.fetch\` without an SDK; streams deliver one SSE event per read, ${isolatedStreams.words} text deltas (${options.isolatedStreams.rounds} x ${options.isolatedStreams.streamsPerRound} per variant); non-streaming ${options.isolated.rounds} x ${options.isolated.callsPerRound} calls per variant. Added = translated − pass-through, which also pays Sluice's default pipeline (include_usage injected and read); "direct" is the fake upstream without Sluice, for scale.`,
  ].join('\n');
  return `## Cross-dialect: OpenAI SDK → Anthropic provider\n\n${calls}\n\n${streams}\n\n${isolatedTable}\n\n${method}`;
}
