/**
 * The Node transport (`sluice/node`, issue 15) against Node's global fetch, in one run: the OpenAI SDK
 * alone, the SDK through Sluice (zero config) with the fetch transport, and with the Node transport
 * (plus the SDK with the bare Node transport as its fetch, for scale). The mock provider runs in a child
 * process, so the CPU figures are the client side's alone (SDK + Sluice + transport).
 * - sequential non-streaming calls: p50, p99, CPU per call;
 * - long streams (2,000 SSE events): time and CPU per chunk the SDK yields;
 * - throughput: non-streaming calls per second at 1, 32 and 256 in flight.
 * Variants are interleaved in rounds with a GC before each sample.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import { createSluice, type Sluice } from 'sluice';
import { nodeTransport, type NodeTransport } from 'sluice/node';
import { chatOnce, LONG_MODEL, STREAM_WORDS, streamOnce } from './lib/fixture.js';
import { interleave, runConcurrent } from './lib/interleave.js';
import { median, summarize, type Summary } from './lib/stats.js';
import { int, markdownTable, signedUs, us } from './lib/table.js';

/** Fixed counts. */
export interface TransportOptions {
  calls: { rounds: number; callsPerRound: number; warmupCalls: number };
  streams: { rounds: number; streamsPerRound: number };
  throughput: { rounds: number; callsPerRound: Readonly<Record<number, number>> };
  /** Calls in flight for the throughput rows. */
  concurrency: readonly number[];
}

type Key = 'sdk' | 'fetch' | 'node' | 'bare';
const KEYS: readonly Key[] = ['sdk', 'fetch', 'node', 'bare'];
const LABELS: Record<Key, string> = {
  sdk: 'OpenAI SDK alone (global fetch)',
  fetch: 'SDK + Sluice, zero config, fetch transport',
  node: 'SDK + Sluice, zero config, Node transport',
  bare: 'SDK + bare Node transport as its fetch (no Sluice)',
};

/** One variant's figures. */
export interface TransportSeries {
  wall: Summary;
  cpuUsPerCall: number;
  roundP50: number[];
  /** Long streams: ms per chunk the SDK yielded (median stream), and CPU µs per chunk. */
  streamMsPerChunk: number;
  streamCpuUsPerChunk: number;
  /** Calls per second by calls in flight (median of rounds). */
  callsPerSecond: Record<number, number>;
}

/** What the section found. */
export interface TransportResult {
  series: Record<Key, TransportSeries>;
  chunksPerStream: number;
  checksum: number;
}

/**
 * The provider in the child process: a plain `node:http` server with pre-built answers (a chat
 * completion of about 1 KB; a stream of one SSE event per word, then usage and `[DONE]`), and
 * connections kept alive for a minute, so an idle pool between interleaved rounds is never closed
 * under a request (Node's default of 5 s races with the clients' reuse at 256 in flight).
 */
const MOCK_PROCESS = `
import http from 'node:http';
const words = Array.from({ length: ${STREAM_WORDS} }, (_, index) => (index === 0 ? '' : ' ') + 'word' + (index % 97));
const base = { id: 'chatcmpl-bench', created: 1735689600, model: 'gpt-4o-mini', system_fingerprint: 'fp_bench' };
const reply = Array.from({ length: 8 }, (_, index) => 'Sentence ' + (index + 1) + ' of the reply says something plain about the question, with numbers like ' + index * 7 + ' and a few more words.').join(' ');
const json = JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: reply, refusal: null } }], usage: { prompt_tokens: 9, completion_tokens: 100, total_tokens: 109 } });
const chunk = (delta, finish) => 'data: ' + JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] }) + '\\n\\n';
const events = [chunk({ role: 'assistant', content: '' }, null), ...words.map((word) => chunk({ content: word }, null)), chunk({}, 'stop')];
const usage = 'data: ' + JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: ${STREAM_WORDS}, total_tokens: ${STREAM_WORDS + 9} } }) + '\\n\\n';
const server = http.createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (part) => (body += part));
  request.on('end', () => {
    const parsed = JSON.parse(body);
    if (parsed.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      return response.end(json);
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const event of events) response.write(event);
    if (parsed.stream_options?.include_usage === true) response.write(usage);
    response.end('data: [DONE]\\n\\n');
  });
});
server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => process.send('http://127.0.0.1:' + server.address().port + '/v1'));
process.on('message', (message) => {
  if (message === 'close') {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
`;

async function startMock(): Promise<{ child: ChildProcess; baseURL: string }> {
  const child = fork('--input-type=module', [], { execArgv: ['--input-type=module', '-e', MOCK_PROCESS] });
  const [baseURL] = (await once(child, 'message')) as [string];
  return { child, baseURL };
}

function client(baseURL: string, fetch?: typeof globalThis.fetch): OpenAI {
  return new OpenAI({ baseURL, apiKey: 'k', maxRetries: 0, ...(fetch === undefined ? {} : { fetch }) });
}

/** Runs the section. */
export async function measureTransport(options: TransportOptions): Promise<TransportResult> {
  const { child, baseURL } = await startMock();
  const viaFetch = createSluice();
  // 256 in flight: the pool may open as many connections as Node's fetch does.
  const viaNode = createSluice({ fetch: nodeTransport({ connectionsPerOrigin: 256 }) });
  const bare: NodeTransport = nodeTransport({ connectionsPerOrigin: 256 });
  const clients: Record<Key, OpenAI> = {
    sdk: client(baseURL),
    fetch: client(baseURL, viaFetch.fetch),
    node: client(baseURL, viaNode.fetch),
    bare: client(baseURL, bare),
  };
  const instances: Sluice[] = [viaFetch, viaNode];
  let checksum = 0;
  try {
    for (const key of KEYS) for (let index = 0; index < options.calls.warmupCalls; index++) checksum += await chatOnce(clients[key], 'gpt-4o-mini');

    // Sequential calls.
    const total = options.calls.rounds * options.calls.callsPerRound;
    const times = new Map(KEYS.map((key) => [key, new Float64Array(total)]));
    const filled = new Map(KEYS.map((key) => [key, 0]));
    const cpu = new Map(KEYS.map((key) => [key, 0]));
    const roundP50 = new Map(KEYS.map((key) => [key, [] as number[]]));
    await interleave(options.calls.rounds, KEYS, async (key) => {
      const sample = times.get(key)!;
      let offset = filled.get(key)!;
      const started = process.cpuUsage();
      for (let index = 0; index < options.calls.callsPerRound; index++) {
        const start = performance.now();
        checksum += await chatOnce(clients[key], 'gpt-4o-mini');
        sample[offset++] = performance.now() - start;
      }
      const used = process.cpuUsage(started);
      cpu.set(key, cpu.get(key)! + used.user + used.system);
      filled.set(key, offset);
      roundP50.get(key)!.push(median(sample.subarray(offset - options.calls.callsPerRound, offset)));
    });

    // Long streams.
    const streamTimes = new Map(KEYS.map((key) => [key, [] as number[]]));
    const streamCpu = new Map(KEYS.map((key) => [key, 0]));
    let chunksPerStream = 0;
    const chunksSeen = new Map(KEYS.map((key) => [key, 0]));
    for (const key of KEYS) checksum += (await streamOnce(clients[key], LONG_MODEL)).chars;
    await interleave(options.streams.rounds, KEYS, async (key) => {
      const started = process.cpuUsage();
      for (let index = 0; index < options.streams.streamsPerRound; index++) {
        const sample = await streamOnce(clients[key], LONG_MODEL);
        checksum += sample.chars;
        chunksPerStream = sample.chunks;
        chunksSeen.set(key, chunksSeen.get(key)! + sample.chunks);
        streamTimes.get(key)!.push(sample.totalMs);
      }
      const used = process.cpuUsage(started);
      streamCpu.set(key, streamCpu.get(key)! + used.user + used.system);
    });

    // Throughput at each level of concurrency.
    const rates = new Map(KEYS.map((key) => [key, {} as Record<number, number[]>]));
    for (const concurrency of options.concurrency) {
      const calls = options.throughput.callsPerRound[concurrency] ?? 500;
      await interleave(options.throughput.rounds, KEYS, async (key) => {
        const start = performance.now();
        checksum += await runConcurrent(calls, concurrency, () => chatOnce(clients[key], 'gpt-4o-mini'));
        const seconds = (performance.now() - start) / 1000;
        (rates.get(key)![concurrency] ??= []).push(calls / seconds);
        });
    }

    const series = {} as Record<Key, TransportSeries>;
    for (const key of KEYS) {
      const callsPerSecond: Record<number, number> = {};
      for (const concurrency of options.concurrency) callsPerSecond[concurrency] = median(rates.get(key)![concurrency]!);
      series[key] = {
        wall: summarize(times.get(key)!),
        cpuUsPerCall: cpu.get(key)! / total,
        roundP50: roundP50.get(key)!,
        streamMsPerChunk: median(streamTimes.get(key)!) / chunksPerStream,
        streamCpuUsPerChunk: streamCpu.get(key)! / chunksSeen.get(key)!,
        callsPerSecond,
      };
    }
    return { series, chunksPerStream, checksum };
  } finally {
    await Promise.all(instances.map((instance) => instance.close()));
    await bare.close();
    child.send('close');
    await once(child, 'exit');
  }
}

function ratio(value: number, base: number): string {
  return `${(value / base).toFixed(2)}x`;
}

/** The target rows this section judges. */
export function transportTargetRows(result: TransportResult): string[][] {
  const { sdk, node } = result.series;
  const added = node.wall.p50 - sdk.wall.p50;
  const addedCpu = node.cpuUsPerCall - sdk.cpuUsPerCall;
  return [
    ['added latency p50, zero config, Node transport, non-streaming', signedUs(added), '< 0 (faster than the SDK alone)', added < 0 ? '✓' : '✗'],
    ['added CPU per call, zero config, Node transport', signedUs(addedCpu / 1000), '< 0', addedCpu < 0 ? '✓' : '✗'],
  ];
}

/** The section's tables. */
export function renderTransport(result: TransportResult, options: TransportOptions): string {
  const { series } = result;
  const base = series.sdk;
  const rows = KEYS.map((key) => {
    const row = series[key];
    const isBase = key === 'sdk';
    const deltas = row.roundP50.map((value, round) => value - base.roundP50[round]!);
    return [
      LABELS[key],
      us(row.wall.p50),
      us(row.wall.p99),
      isBase ? '—' : signedUs(row.wall.p50 - base.wall.p50),
      isBase ? '—' : `${signedUs(Math.min(...deltas), 0)} … ${signedUs(Math.max(...deltas), 0)}`,
      `${row.cpuUsPerCall.toFixed(0)} µs`,
      isBase ? '—' : signedUs((row.cpuUsPerCall - base.cpuUsPerCall) / 1000, 0),
      `${(row.streamMsPerChunk * 1000).toFixed(2)} µs`,
      `${row.streamCpuUsPerChunk.toFixed(2)} µs`,
      ...options.concurrency.map((concurrency) => `${int(row.callsPerSecond[concurrency]!)}${isBase ? '' : ` (${ratio(row.callsPerSecond[concurrency]!, base.callsPerSecond[concurrency]!)})`}`),
    ];
  });
  const table = markdownTable(
    ['through', 'p50', 'p99', 'added p50', '(per round)', 'CPU/call', 'added CPU/call', 'stream time/chunk', 'stream CPU/chunk', ...options.concurrency.map((concurrency) => `calls/s @${concurrency}`)],
    rows,
  );
  const method = [
    `- The mock provider runs in a child process (a 2-core machine shared with other work: compare rows of one run, not runs); CPU is this process's user + system time: the SDK, Sluice and the transport.`,
    `- Sequential: ${options.calls.rounds} rounds x ${int(options.calls.callsPerRound)} non-streaming calls per variant after ${int(options.calls.warmupCalls)} warm-up calls. Streams: ${options.streams.rounds} rounds x ${options.streams.streamsPerRound} streams of ${int(result.chunksPerStream)} chunks as the SDK yields them. Throughput: ${options.throughput.rounds} rounds per level, median calls/s (${options.concurrency.map((concurrency) => `${int(options.throughput.callsPerRound[concurrency] ?? 500)} calls at ${concurrency}`).join(', ')}).`,
    `- Node transport: \`createSluice({ fetch: nodeTransport({ connectionsPerOrigin: 256 }) })\` (\`sluice/node\`, Node's bundled undici).`,
  ].join('\n');
  return `## Transports: Node's fetch vs sluice/node\n\n${table}\n\n${method}`;
}
