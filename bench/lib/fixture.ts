/**
 * The things every measurement shares: the mock providers, the Sluice instances (from the BUILT
 * package, resolved through the package's own `exports`), one OpenAI client per variant, and the calls.
 * @module
 */
import OpenAI from 'openai';
import { createSluice, type CallRecord, type Exporter, type Sluice } from 'sluice';
import { createMockProvider, type MockProvider } from 'sluice/testing';

/** A non-streaming variant. */
export interface CallVariant {
  readonly key: 'direct' | 'zero' | 'configured';
  readonly label: string;
  readonly client: OpenAI;
  readonly model: string;
}

/** A streaming variant. */
export interface StreamVariant {
  readonly key: 'direct' | 'inspect' | 'pass';
  readonly label: string;
  readonly client: OpenAI;
}

/** What the configured pipeline saw, to check that it really ran. */
export interface PipelineCounters {
  ended: number;
  succeeded: number;
  exported: number;
  /** The last exported record, kept so the exporter's work is observable. */
  lastExported: CallRecord | null;
}

export interface Fixture {
  /**
   * Answers `gpt-4o-mini` with a short echo (JSON, or about six SSE chunks when streaming) and
   * {@link LONG_MODEL} with {@link STREAM_WORDS} words.
   */
  readonly mock: MockProvider;
  readonly calls: readonly CallVariant[];
  readonly streams: readonly StreamVariant[];
  readonly counters: PipelineCounters;
  readonly zero: Sluice;
  readonly configured: Sluice;
  readonly noStreamUsage: Sluice;
  /** Clears the mocks' request logs (they keep every request; Sluice's memory is what we measure). */
  resetMocks(): void;
  /** A fresh zero-config instance and client (for the heap measurement). */
  freshZero(): { sluice: Sluice; client: OpenAI };
  close(): Promise<void>;
}

/** Words in the long streamed reply: one SSE event per word, plus the role and finish events. */
export const STREAM_WORDS = 2000;
/** The model whose calls get the long reply. */
export const LONG_MODEL = 'gpt-4o';

const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];
const API_KEY = 'k';

function client(baseURL: string, fetch?: typeof globalThis.fetch): OpenAI {
  // maxRetries 0: a failure must surface, not be retried into the timings.
  return new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0, ...(fetch === undefined ? {} : { fetch }) });
}

/** Builds the mocks, the instances and the clients. */
export async function createFixture(): Promise<Fixture> {
  const words: string[] = [];
  for (let index = 0; index < STREAM_WORDS; index++) words.push(`word${index % 97}`);
  const mock = await createMockProvider({ fallback: { kind: 'reply', content: words.join(' '), match: { model: LONG_MODEL } } });

  const counters: PipelineCounters = { ended: 0, succeeded: 0, exported: 0, lastExported: null };
  const memoryExporter: Exporter = {
    name: 'memory',
    export(records) {
      counters.exported += records.length;
      counters.lastExported = records[records.length - 1] ?? counters.lastExported;
      return Promise.resolve();
    },
  };

  const zero = createSluice();
  const configured = createSluice({
    providers: { local: { kind: 'openai', baseURL: mock.baseURL, apiKey: API_KEY } },
    models: { fast: { target: 'local/gpt-4o-mini' } },
    callbacks: [{ logSuccessEvent: () => void counters.succeeded++ }],
    exporters: [memoryExporter],
  });
  configured.on('request:end', ({ record }) => {
    counters.ended += record.status === null ? 0 : 1;
  });
  const noStreamUsage = createSluice({ streamUsage: false });

  const calls: CallVariant[] = [
    { key: 'direct', label: 'direct (SDK fetch)', client: client(mock.baseURL), model: 'gpt-4o-mini' },
    { key: 'zero', label: 'Sluice, zero config', client: client(mock.baseURL, zero.fetch), model: 'gpt-4o-mini' },
    { key: 'configured', label: 'Sluice, configured', client: client(mock.baseURL, configured.fetch), model: 'fast' },
  ];
  const streams: StreamVariant[] = [
    { key: 'direct', label: 'direct (SDK fetch)', client: client(mock.baseURL) },
    { key: 'inspect', label: '(a) zero config: include_usage injected and hidden', client: client(mock.baseURL, zero.fetch) },
    { key: 'pass', label: '(b) streamUsage: false: nothing inspects', client: client(mock.baseURL, noStreamUsage.fetch) },
  ];

  return {
    mock,
    calls,
    streams,
    counters,
    zero,
    configured,
    noStreamUsage,
    resetMocks() {
      mock.reset();
    },
    freshZero() {
      const sluice = createSluice();
      return { sluice, client: client(mock.baseURL, sluice.fetch) };
    },
    async close() {
      await Promise.all([zero.close(), configured.close(), noStreamUsage.close()]);
      await mock.close();
    },
  };
}

/**
 * One non-streaming chat call; returns the reply's length so the caller can consume it.
 * @throws {Error} when the reply is empty (the pipeline broke).
 */
export async function chatOnce(client: OpenAI, model: string): Promise<number> {
  const completion = await client.chat.completions.create({ model, messages: MESSAGES });
  const length = completion.choices[0]?.message.content?.length ?? 0;
  if (length === 0) throw new Error(`empty reply from ${model}`);
  return length;
}

/** One streamed call, read to the end. */
export interface StreamSample {
  /** From `create()` to the first chunk the SDK yields. */
  ttftMs: number;
  /** From `create()` to the end of the stream. */
  totalMs: number;
  /** Chunks the SDK yielded. */
  chunks: number;
  /** Characters of content received. */
  chars: number;
}

/** Streams one reply to the end: the short echo for `gpt-4o-mini`, the long one for {@link LONG_MODEL}. */
export async function streamOnce(client: OpenAI, model: string): Promise<StreamSample> {
  const start = performance.now();
  const stream = await client.chat.completions.create({ model, messages: MESSAGES, stream: true });
  let first = Number.NaN;
  let chunks = 0;
  let chars = 0;
  for await (const chunk of stream) {
    if (chunks === 0) first = performance.now();
    chunks++;
    chars += chunk.choices[0]?.delta.content?.length ?? 0;
  }
  const end = performance.now();
  return { ttftMs: first - start, totalMs: end - start, chunks, chars };
}

/**
 * How many network reads the long stream arrives in (the body as the SDK's fetch delivers it), with plain fetch.
 * Events written back to back on loopback coalesce, so this is far fewer than the SSE events.
 */
export async function networkReads(baseURL: string): Promise<{ reads: number; bytes: number }> {
  const response = await fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ model: LONG_MODEL, messages: MESSAGES, stream: true }),
  });
  if (response.body === null) throw new Error('no stream body');
  const reader = response.body.getReader();
  let reads = 0;
  let bytes = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const { done, value } = await reader.read();
    if (done) break;
    reads++;
    bytes += value.length;
  }
  return { reads, bytes };
}
