/**
 * `npm run bench`: Sluice's benchmark (never part of `npm test`). The script builds first; this file
 * imports the BUILT package through its own `exports` (`sluice`, `sluice/testing`), so the figures are
 * what users get. It runs every measurement once, prints the results with their targets, and writes
 * them to `bench/RESULTS.md`. Needs `node --expose-gc`.
 *
 * Compared, interleaved: the OpenAI SDK calling the in-process mock provider with its own fetch, the same
 * through `createSluice().fetch`, and through a configured pipeline (provider, alias, `logSuccessEvent`,
 * an exporter, a `request:end` listener). The mock runs in this process, so absolute CPU figures include
 * it; Sluice's cost is the difference from direct. Also: translation's cost (the OpenAI SDK to an
 * Anthropic provider vs pass-through, `cross-dialect.ts`), routing's cost (a weighted router with a
 * failing target vs an alias, `routed.ts`), and the size of the core entry and of each chunk it loads
 * on demand (`bundle-size.ts`), and the plugins' cost (a memory cache hit, a miss through PII filter +
 * limits + cache on a 2 KB prompt, Redis cache and rate-limit stores against a raw Redis round trip,
 * `plugins.ts`), and the PII filter on 1 MB adversarial text per rule and on 10 MB (`pii-scan.ts`).
 *
 * Flags (after `npm run bench --`, or on `node --expose-gc --import tsx bench/index.ts`):
 * - `--quick`: a tenth of the work; nothing is written.
 * - `--only=cross,routed` (or `BENCH_ONLY=cross,routed`): run only these sections, of
 *   bundle, import, latency, throughput, streams, chunks, large, heap, cross, routed, plugins, scan, otel, export, mcp, transport; nothing is written.
 * - `--no-write` (or `BENCH_NO_WRITE=1`): print only, leave RESULTS.md alone.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureBundle, type BundleResult, type SplitFigures } from './bundle-size.js';
import { crossTargetRows, measureCrossDialect, renderCross, type CrossOptions, type CrossResult } from './cross-dialect.js';
import { measureHeap, type HeapResult } from './heap.js';
import { measureImport, type ImportResult } from './import-time.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { createFixture, STREAM_WORDS, type PipelineCounters } from './lib/fixture.js';
import { collectGarbage } from './lib/interleave.js';
import { int, kb, mark, markdownTable, ms, signedUs, us } from './lib/table.js';
import { measurePiiScan, renderPiiScan, scanTargetRows, type ScanOptions, type ScanResult } from './pii-scan.js';
import { measurePlugins, pluginTargetRows, renderPlugins, type PluginOptions, type PluginResult } from './plugins.js';
import { measureOtel, renderOtel, type OtelResult } from './otel.js';
import { measureExport, renderExport, type ExportResult } from './export.js';
import { measureMcp, renderMcp, type McpResult } from './mcp.js';
import { largeEventTargetRows, measureLargeEvent, renderLargeEvent, type LargeEventOptions, type LargeEventResult } from './large-event.js';
import { measureStreamChunks, type ChunkResult } from './stream-chunks.js';
import { measureStreams, type StreamResult } from './streams.js';
import { measureRouted, renderRouted, routedTargetRows, type RoutedOptions, type RoutedResult } from './routed.js';
import { measureThroughput, type ThroughputResult } from './throughput.js';
import { measureTransport, renderTransport, transportTargetRows, type TransportOptions, type TransportResult } from './transport.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** `--quick`: a tenth of the work, printed but not written to RESULTS.md (to check the bench itself). */
const QUICK = process.argv.includes('--quick');
const SECTIONS = ['bundle', 'import', 'latency', 'throughput', 'streams', 'chunks', 'large', 'heap', 'cross', 'routed', 'plugins', 'scan', 'otel', 'export', 'mcp', 'transport'] as const;
type Section = (typeof SECTIONS)[number];
/** `--only=a,b` or `BENCH_ONLY=a,b`: the sections to run (all by default). */
const onlyArg = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length) ?? process.env['BENCH_ONLY'] ?? '';
const only = onlyArg
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`unknown bench section '${name}'; known: ${SECTIONS.join(', ')}`);
}
const runs = (section: Section): boolean => only.length === 0 || only.includes(section);
const NO_WRITE = process.argv.includes('--no-write') || process.env['BENCH_NO_WRITE'] === '1';
const scale = (count: number): number => (QUICK ? Math.max(1, Math.round(count / 10)) : count);

const COUNTS = {
  latency: { rounds: 20, callsPerRound: scale(500), warmupCalls: scale(500) },
  throughput: { rounds: 10, callsPerRound: scale(700), concurrency: 32 },
  streams: { rounds: 5, shortPerRound: scale(200), longPerRound: scale(16), warmupStreams: 3 },
  chunks: { rounds: 5, streamsPerRound: scale(20), events: 2_000 },
  large: { rounds: QUICK ? 1 : 5, sizesMiB: QUICK ? [2, 8] : [8, 32], chunkBytes: 16 * 1024, sdkDirectOnceAboveMiB: 8 } satisfies LargeEventOptions,
  heap: { firstCalls: scale(10_000), totalCalls: scale(100_000), concurrency: 8, batch: 1_000, checkpointEvery: scale(10_000) },
  importRuns: QUICK ? 3 : 10,
  cross: {
    network: { rounds: 10, callsPerRound: scale(300), warmupCalls: scale(300) },
    networkStreams: { rounds: 5, streamsPerRound: scale(8), warmupStreams: 2, words: 2_000 },
    isolated: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(1_000) },
    isolatedStreams: { rounds: 5, streamsPerRound: scale(10), words: 2_000 },
  } satisfies CrossOptions,
  routed: {
    network: { rounds: 10, callsPerRound: scale(300), warmupCalls: scale(200) },
    isolated: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(1_000) },
  } satisfies RoutedOptions,
  plugins: {
    memory: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(1_000) },
    sdk: { rounds: 10, callsPerRound: scale(300), warmupCalls: scale(300) },
    miss: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(500) },
    redis: { rounds: 10, callsPerRound: scale(500), warmupCalls: scale(200) },
  } satisfies PluginOptions,
  scan: { runs: QUICK ? 1 : 5 } satisfies ScanOptions,
  otel: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(1_000) },
  exportRounds: scale(200),
  mcp: { rounds: 10, callsPerRound: scale(1_000), warmupCalls: scale(1_000) },
  transport: {
    calls: { rounds: 10, callsPerRound: scale(200), warmupCalls: scale(200) },
    streams: { rounds: 5, streamsPerRound: scale(4) },
    throughput: { rounds: 5, callsPerRound: { 1: scale(200), 32: scale(600), 256: scale(1_200) } },
    concurrency: [1, 32, 256],
  } satisfies TransportOptions,
} as const;

const TARGETS = {
  addedP50Ms: 0.025,
  addedP99Ms: 0.15,
  passPerChunkMs: 0.001,
  heapBytesPer1k: 1024,
  coreGzipBytes: 25 * 1024,
  importMs: 30,
} as const;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function load(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
}

function phase(name: string): () => void {
  const start = performance.now();
  process.stdout.write(`… ${name}\n`);
  return () => process.stdout.write(`  ${name}: ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
}

const benchStart = performance.now();
const loadAtStart = load();
const commit = git(['rev-parse', '--short', 'HEAD']) || 'unknown';
const dirty = git(['status', '--porcelain']) !== '';

let done: () => void;
let bundle: BundleResult | undefined;
let imports: ImportResult | undefined;
let cross: CrossResult | undefined;
let routed: RoutedResult | undefined;
let plugins: PluginResult | undefined;
let scan: ScanResult | undefined;
let otelResult: OtelResult | undefined;
let exportResult: ExportResult | undefined;
let mcpResult: McpResult | undefined;
let transport: TransportResult | undefined;
if (runs('bundle')) {
  done = phase('bundle size (esbuild, split into the entry and on-demand chunks)');
  bundle = await measureBundle(ROOT);
  done();
}
if (runs('import')) {
  done = phase(`import time (${COUNTS.importRuns} fresh processes per format)`);
  imports = measureImport(ROOT, COUNTS.importRuns);
  done();
}
let latency: LatencyResult | undefined;
let throughput: ThroughputResult | undefined;
let streams: StreamResult | undefined;
let chunks: ChunkResult | undefined;
let large: LargeEventResult | undefined;
let heap: HeapResult | undefined;
let pipeline: (PipelineCounters & { calls: number; dropped: number }) | undefined;
const needsFixture = runs('latency') || runs('throughput') || runs('streams') || runs('heap');
const fixture = needsFixture ? await createFixture() : undefined;
try {
  if (fixture !== undefined && runs('latency')) {
    done = phase(`latency + CPU, sequential (${COUNTS.latency.rounds} rounds x ${int(COUNTS.latency.callsPerRound)} calls per variant)`);
    latency = await measureLatency(fixture, COUNTS.latency);
    done();
  }
  if (fixture !== undefined && runs('throughput')) {
    done = phase(`throughput at ${COUNTS.throughput.concurrency} concurrent (${COUNTS.throughput.rounds} rounds x ${int(COUNTS.throughput.callsPerRound)} calls per variant)`);
    throughput = await measureThroughput(fixture, COUNTS.throughput);
    done();
  }
  if (fixture !== undefined && runs('streams')) {
    done = phase(
      `streams (${COUNTS.streams.rounds} rounds x ${COUNTS.streams.shortPerRound} short and ${COUNTS.streams.longPerRound} ${STREAM_WORDS}-word streams per variant)`,
    );
    streams = await measureStreams(fixture, COUNTS.streams);
    done();
  }
  if (runs('chunks')) {
    done = phase(`stream chunks in isolation (${COUNTS.chunks.rounds} rounds x ${COUNTS.chunks.streamsPerRound} streams of ${COUNTS.chunks.events} one-event reads)`);
    chunks = await measureStreamChunks(COUNTS.chunks);
    done();
  }
  if (runs('large')) {
    done = phase(`one large stream event (${COUNTS.large.sizesMiB.join(' and ')} MiB in ${COUNTS.large.chunkBytes / 1024} KiB chunks, ${COUNTS.large.rounds} rounds)`);
    large = await measureLargeEvent(COUNTS.large);
    done();
  }
  if (fixture !== undefined) {
    await fixture.configured.flush();
    pipeline = { ...fixture.counters, calls: fixture.configured.stats.calls, dropped: fixture.configured.stats.exportDropped };
    if (pipeline.ended !== pipeline.calls || pipeline.succeeded !== pipeline.calls || pipeline.exported + pipeline.dropped !== pipeline.calls) {
      throw new Error(`configured pipeline did not see every call: ${JSON.stringify({ ...pipeline, lastExported: undefined })}`);
    }
  }
  if (fixture !== undefined && runs('heap')) {
    collectGarbage();
    done = phase(`heap (${int(COUNTS.heap.firstCalls)} then ${int(COUNTS.heap.totalCalls)} calls, zero config, ${COUNTS.heap.concurrency} concurrent)`);
    heap = await measureHeap(fixture, COUNTS.heap);
    done();
  }
} finally {
  await fixture?.close();
}

// Last, so the sections above (the heap slope above all) run as they did before these were added.
if (runs('cross')) {
  const { network, networkStreams, isolated } = COUNTS.cross;
  done = phase(
    `cross-dialect, OpenAI SDK → Anthropic provider vs pass-through (${network.rounds} x ${int(network.callsPerRound)} calls and ${networkStreams.rounds} x ${networkStreams.streamsPerRound} ${networkStreams.words}-word streams per variant, then isolated: ${isolated.rounds} x ${int(isolated.callsPerRound)} calls)`,
  );
  cross = await measureCrossDialect(COUNTS.cross);
  done();
}
if (runs('routed')) {
  const { network, isolated } = COUNTS.routed;
  done = phase(`routed, weighted router with a failing target vs alias (${network.rounds} x ${int(network.callsPerRound)} calls per variant, then isolated: ${isolated.rounds} x ${int(isolated.callsPerRound)})`);
  routed = await measureRouted(COUNTS.routed);
  done();
}
if (runs('plugins')) {
  const { memory, miss, redis } = COUNTS.plugins;
  done = phase(
    `plugins, memory cache hit / miss + limits + PII on a 2 KB prompt / Redis stores vs zero config (${memory.rounds} x ${int(memory.callsPerRound)} hits, ${miss.rounds} x ${int(miss.callsPerRound)} misses, ${redis.rounds} x ${int(redis.callsPerRound)} Redis calls per variant)`,
  );
  plugins = await measurePlugins(COUNTS.plugins);
  done();
}
if (runs('scan')) {
  done = phase(`PII filter on 1 MB adversarial text per rule vs 1 MB ordinary, and 10 MB (${COUNTS.scan.runs} calls per input)`);
  scan = await measurePiiScan(COUNTS.scan);
  done();
}
if (runs('otel')) {
  done = phase(`otel(), the OpenTelemetry SDK's batch processor, vs the same pipeline without it (${COUNTS.otel.rounds} x ${int(COUNTS.otel.callsPerRound)} calls per variant)`);
  otelResult = await measureOtel(COUNTS.otel);
  done();
}
if (runs('export')) {
  done = phase(`httpExporter(): one export with and without gzip, batches of 1, 10 and 100 records (${COUNTS.exportRounds} rounds each)`);
  exportResult = await measureExport(COUNTS.exportRounds);
  done();
}
if (runs('mcp')) {
  done = phase(`MCP tools/call with mcp() policy, PII and guard vs zero config (${COUNTS.mcp.rounds} x ${int(COUNTS.mcp.callsPerRound)} calls per variant)`);
  mcpResult = await measureMcp(COUNTS.mcp);
  done();
}

if (runs('transport')) {
  const { calls, streams: streamCounts } = COUNTS.transport;
  done = phase(
    `transports: SDK alone vs Sluice over Node's fetch vs Sluice over sluice/node (${calls.rounds} x ${int(calls.callsPerRound)} calls, ${streamCounts.rounds} x ${streamCounts.streamsPerRound} long streams, calls/s at ${COUNTS.transport.concurrency.join(', ')} in flight)`,
  );
  transport = await measureTransport(COUNTS.transport);
  done();
}

// ---- render -------------------------------------------------------------------------------------
// Each section renders only when it ran; the targets table gathers the rows of the sections that did.
const targetRows: string[][] = [];
const sections: string[] = [];
const checksums: number[] = [];

if (latency !== undefined) {
  const direct = latency.direct;
  checksums.push(latency.checksum);
  const added = (key: 'zero' | 'configured') => ({
    p50: latency[key].wall.p50 - direct.wall.p50,
    p99: latency[key].wall.p99 - direct.wall.p99,
    cpu: latency[key].cpuUsPerCall - direct.cpuUsPerCall,
  });
  const addedRange = (key: 'zero' | 'configured'): string => {
    const values = latency[key].roundP50.map((value, round) => value - direct.roundP50[round]!);
    return `${signedUs(Math.min(...values), 0)} … ${signedUs(Math.max(...values), 0)}`;
  };
  const zeroAdded = added('zero');
  targetRows.push(
    ['added latency p50, zero config, non-streaming', signedUs(zeroAdded.p50), '≤ 25 µs', mark(zeroAdded.p50 <= TARGETS.addedP50Ms)],
    ['added latency p99, zero config, non-streaming', signedUs(zeroAdded.p99), '≤ 150 µs', mark(zeroAdded.p99 <= TARGETS.addedP99Ms)],
  );
  const rate = (key: 'direct' | 'zero' | 'configured'): string => {
    if (throughput === undefined) return 'not run';
    if (key === 'direct') return int(throughput.direct);
    return `${int(throughput[key])} (${(((throughput[key] - throughput.direct) / throughput.direct) * 100).toFixed(1)} %)`;
  };
  sections.push(
    `## Non-streaming\n\n${markdownTable(
      ['non-streaming chat call', 'p50', 'p99', 'mean', 'added p50', '(per round)', 'added p99', 'CPU/call', 'added CPU/call', `calls/s @${COUNTS.throughput.concurrency}`],
      [
        ['direct (SDK fetch)', us(direct.wall.p50), us(direct.wall.p99), us(direct.wall.mean), '—', '—', '—', `${direct.cpuUsPerCall.toFixed(1)} µs`, '—', rate('direct')],
        ...(['zero', 'configured'] as const).map((key) => {
          const row = latency[key];
          const delta = added(key);
          return [
            key === 'zero' ? 'Sluice, zero config' : 'Sluice, configured',
            us(row.wall.p50),
            us(row.wall.p99),
            us(row.wall.mean),
            signedUs(delta.p50),
            addedRange(key),
            signedUs(delta.p99),
            `${row.cpuUsPerCall.toFixed(1)} µs`,
            `${delta.cpu >= 0 ? '+' : ''}${delta.cpu.toFixed(1)} µs`,
            rate(key),
          ];
        }),
      ],
    )}`,
  );
} else if (throughput !== undefined) {
  sections.push(
    `## Non-streaming\n\n${markdownTable(
      ['non-streaming chat call', `calls/s @${COUNTS.throughput.concurrency}`],
      [
        ['direct (SDK fetch)', int(throughput.direct)],
        ['Sluice, zero config', int(throughput.zero)],
        ['Sluice, configured', int(throughput.configured)],
      ],
    )}`,
  );
}
if (throughput !== undefined) checksums.push(throughput.checksum);

const streamingParts: string[] = [];
if (streams !== undefined) {
  const result = streams;
  checksums.push(result.checksum);
  const perChunk = (key: 'inspect' | 'pass'): number => (result[key].total.p50 - result.direct.total.p50) / result.chunks;
  const perChunkRange = (key: 'inspect' | 'pass'): string => {
    const values = result[key].roundMedians.map((value, round) => (value - result.direct.roundMedians[round]!) / result.chunks);
    return `${signedUs(Math.min(...values), 2)} … ${signedUs(Math.max(...values), 2)}`;
  };
  targetRows.push(['added time per SSE chunk, nothing inspects (b), SDK + mock', signedUs(perChunk('pass'), 3), '≤ 1 µs', mark(perChunk('pass') <= TARGETS.passPerChunkMs)]);
  streamingParts.push(
    markdownTable(
      ['streamed chat call', 'TTFT p50', 'added TTFT p50', 'long stream p50', 'added per SSE chunk', '(range over rounds)'],
      [
        ['direct (SDK fetch)', us(result.direct.ttft.p50), '—', ms(result.direct.total.p50), '—', '—'],
        ...(['inspect', 'pass'] as const).map((key) => [
          key === 'inspect' ? '(a) zero config (include_usage injected, hidden)' : '(b) streamUsage: false (nothing inspects)',
          us(result[key].ttft.p50),
          signedUs(result[key].ttft.p50 - result.direct.ttft.p50),
          ms(result[key].total.p50),
          signedUs(perChunk(key), 3),
          perChunkRange(key),
        ]),
      ],
    ),
  );
}
if (chunks !== undefined) {
  const result = chunks;
  checksums.push(result.checksum);
  const isolatedPerChunk = (key: 'inspect' | 'pass'): number => (result.totalMs[key] - result.totalMs.direct) / result.reads;
  const isolatedRange = (key: 'inspect' | 'pass'): string =>
    `${signedUs(Math.min(...result.perChunkRounds[key]), 2)} … ${signedUs(Math.max(...result.perChunkRounds[key]), 2)}`;
  targetRows.push([
    'added time per chunk, nothing inspects (b), isolated, one event per read',
    signedUs(isolatedPerChunk('pass'), 3),
    '≤ 1 µs',
    mark(isolatedPerChunk('pass') <= TARGETS.passPerChunkMs),
  ]);
  streamingParts.push(
    markdownTable(
      ['stream body read in isolation', 'first read p50', 'added first read', 'stream p50', 'added per chunk', '(range over rounds)'],
      [
        ['direct (fake upstream body)', us(result.ttftMs.direct), '—', ms(result.totalMs.direct, 3), '—', '—'],
        ...(['inspect', 'pass'] as const).map((key) => [
          key === 'inspect' ? '(a) zero config (frames, reads usage, hides it)' : '(b) streamUsage: false (pull wrapper only)',
          us(result.ttftMs[key]),
          signedUs(result.ttftMs[key] - result.ttftMs.direct),
          ms(result.totalMs[key], 3),
          signedUs(isolatedPerChunk(key), 3),
          isolatedRange(key),
        ]),
      ],
    ),
  );
}
if (streamingParts.length > 0) sections.push(`## Streaming\n\n${streamingParts.join('\n\n')}`);
if (large !== undefined) {
  checksums.push(large.checksum);
  targetRows.push(...largeEventTargetRows(large));
  sections.push(renderLargeEvent(large, COUNTS.large));
}

if (cross !== undefined) {
  checksums.push(cross.checksum);
  targetRows.push(...crossTargetRows(cross));
  sections.push(renderCross(cross, COUNTS.cross));
}
if (routed !== undefined) {
  checksums.push(routed.checksum);
  targetRows.push(...routedTargetRows(routed));
  sections.push(renderRouted(routed, COUNTS.routed));
}
if (plugins !== undefined) {
  checksums.push(plugins.checksum);
  targetRows.push(...pluginTargetRows(plugins));
  sections.push(renderPlugins(plugins, COUNTS.plugins));
}
if (scan !== undefined) {
  checksums.push(scan.checksum);
  targetRows.push(...scanTargetRows(scan));
  sections.push(renderPiiScan(scan, COUNTS.scan));
}
if (otelResult !== undefined) {
  checksums.push(otelResult.checksum);
  const { section, targetRow } = renderOtel(otelResult);
  targetRows.push(targetRow);
  sections.push(section);
}
if (exportResult !== undefined) {
  checksums.push(exportResult.checksum);
  sections.push(renderExport(exportResult));
}
if (mcpResult !== undefined) {
  checksums.push(mcpResult.checksum);
  const { section, targetRow } = renderMcp(mcpResult);
  targetRows.push(targetRow);
  sections.push(section);
}

if (transport !== undefined) {
  checksums.push(transport.checksum);
  targetRows.push(...transportTargetRows(transport));
  sections.push(renderTransport(transport, COUNTS.transport));
}

const otherRows: string[][] = [];
if (heap !== undefined) {
  checksums.push(heap.checksum);
  const measuredCalls = heap.totalCalls - heap.firstCalls;
  const heapPer1k = heap.slope * 1000;
  const heapSpread = Math.max(...heap.checkpoints.map((point) => point.heap)) - Math.min(...heap.checkpoints.map((point) => point.heap));
  targetRows.push([
    `heap growth after GC, slope over ${int(heap.firstCalls)} → ${int(heap.totalCalls)} calls`,
    `${(heapPer1k / 1024).toFixed(2)} KB per 1k calls`,
    '< 1 KB per 1k calls',
    mark(heapPer1k < TARGETS.heapBytesPer1k),
  ]);
  otherRows.push([
    `heap after GC, zero config (${COUNTS.heap.concurrency} concurrent)`,
    `${kb(heap.heapAtFirst)} after ${int(heap.firstCalls)} calls, ${kb(heap.heapAtTotal)} after ${int(heap.totalCalls)}: ${heap.growth >= 0 ? '+' : ''}${kb(heap.growth)} (${(heap.growth / measuredCalls).toFixed(2)} B per call); slope over ${heap.checkpoints.length} checkpoints ${heap.slope.toFixed(2)} B per call; checkpoints spread over ${kb(heapSpread)}; ${int(heap.totalCalls)} calls took ${(heap.elapsedMs / 1000).toFixed(1)} s`,
  ]);
}
if (bundle !== undefined) {
  const coreGzip = bundle.core.eager.gzipped;
  targetRows.push(['core entry (entry + static chunks), min + gzip, deps excluded', `${kb(coreGzip, 2)} (${int(coreGzip)} B)`, '≤ 25 KB', mark(coreGzip <= TARGETS.coreGzipBytes)]);
}
if (imports !== undefined) {
  targetRows.push(
    ['import time, ESM (median)', ms(imports.esmMs), '≤ 30 ms', mark(imports.esmMs <= TARGETS.importMs)],
    ['import time, CommonJS (median)', ms(imports.cjsMs), '≤ 30 ms', mark(imports.cjsMs <= TARGETS.importMs)],
  );
  otherRows.push(
    ['import, ESM `import()` of dist/index.js', `median ${ms(imports.esmMs)} (${imports.esmSamples.map((value) => value.toFixed(1)).join(', ')})`],
    ['import, CommonJS `require()` of dist/index.cjs', `median ${ms(imports.cjsMs)} (${imports.cjsSamples.map((value) => value.toFixed(1)).join(', ')})`],
  );
}
if (bundle !== undefined) {
  const split = (figures: SplitFigures): string =>
    `${kb(figures.eager.minified)} minified, ${kb(figures.eager.gzipped, 2)} min + gzip (${figures.eagerFiles} files); with every on-demand chunk ${kb(figures.total.minified)} minified, ${kb(figures.total.gzipped, 2)} min + gzip`;
  otherRows.push(
    ['core entry + static chunks, deps external', split(bundle.core)],
    ['dist/index.js + static chunks, deps bundled (information)', 'error' in bundle.withDependencies ? `failed: ${bundle.withDependencies.error}` : split(bundle.withDependencies)],
  );
}
const sizeParts: string[] = [];
if (otherRows.length > 0) sizeParts.push(markdownTable(['measure', 'result'], otherRows, ['l', 'l']));
if (bundle !== undefined) {
  sizeParts.push(
    markdownTable(
      ['loaded on demand (deps external)', 'min', 'min + gzip', 'sources'],
      bundle.core.lazy.map((chunk) => [
        chunk.label,
        kb(chunk.minified),
        kb(chunk.gzipped, 2),
        chunk.sources.length <= 3 ? chunk.sources.join(', ') : `${chunk.sources.slice(0, 2).join(', ')} and ${chunk.sources.length - 2} more`,
      ]),
      ['l', 'r', 'r', 'l'],
    ),
  );
}
if (sizeParts.length > 0) sections.push(`## Memory, import, size\n\n${sizeParts.join('\n\n')}`);

const checksum = checksums.reduce((sum, value) => sum + value, 0);
const cpu = os.cpus()[0]?.model ?? 'unknown';
const header = [
  `# Sluice benchmark results`,
  '',
  `- date: ${new Date().toISOString()}`,
  `- Node ${process.version}, ${os.platform()} ${os.arch()}`,
  `- CPU: ${cpu}, ${os.cpus().length} cores`,
  `- commit: ${commit}${dirty ? ' (working tree has uncommitted changes)' : ''}`,
  `- load average (1/5/15 min) at start: ${loadAtStart}; at end: ${load()} (other processes may be running; the mock provider runs in this process)`,
  `- run time: ${((performance.now() - benchStart) / 1000).toFixed(0)} s (build excluded); results checksum ${checksum}`,
  ...(only.length > 0 ? [`- sections: ${only.join(', ')}`] : []),
].join('\n');

const targets = markdownTable(['target', 'result', 'limit', ''], targetRows, ['l', 'r', 'l', 'l']);

const notes: string[] = ['## Method', ''];
if (latency !== undefined || throughput !== undefined) {
  notes.push(
    `- Variants alternate within each round (order rotated every round), with a full GC before each sample; counts are fixed: latency ${COUNTS.latency.rounds} x ${int(COUNTS.latency.callsPerRound)} sequential calls per variant (after ${COUNTS.latency.warmupCalls} warm-up calls), throughput ${COUNTS.throughput.rounds} x ${int(COUNTS.throughput.callsPerRound)} calls at ${COUNTS.throughput.concurrency} in flight, streams as below.`,
    '- "Added" figures are the Sluice percentile minus the direct percentile. CPU/call is `process.cpuUsage()` (user + system) over the sequential samples divided by the calls; it includes the SDK and the mock provider, which run in this process, so the added CPU is Sluice\'s cost.',
  );
}
if (pipeline !== undefined && pipeline.calls > 0) {
  notes.push(
    '- Configured: `providers.local` (the mock), alias `fast` → `local/gpt-4o-mini`, a `logSuccessEvent` callback, an in-memory exporter behind its batch queue and a `request:end` listener.',
    `  Check: ${int(pipeline.calls)} calls, ${int(pipeline.ended)} \`request:end\`, ${int(pipeline.succeeded)} \`logSuccessEvent\`, ${int(pipeline.exported)} exported, ${int(pipeline.dropped)} dropped.`,
  );
}
if (streams !== undefined) {
  notes.push(
    `- Streams through the SDK and the mock: TTFT from \`create()\` to the first chunk the SDK yields, over short echo streams (${streams.shortChunks} chunks; ${COUNTS.streams.rounds} x ${COUNTS.streams.shortPerRound} per variant). Per-chunk overhead over a reply of ${STREAM_WORDS} words = ${streams.chunks} SSE chunks (${kb(streams.bytes)}; ${COUNTS.streams.rounds} x ${COUNTS.streams.longPerRound} per variant): (median stream time via Sluice − direct) / ${streams.chunks}; the range is the same figure per round, a measure of the noise. The mock writes the events back to back on loopback, so they arrive coalesced in about ${streams.reads} network reads per stream, and most of each stream's time is the mock rendering and the SDK parsing.`,
  );
}
if (chunks !== undefined) {
  notes.push(
    `- Streams in isolation: a fake upstream \`fetch\` (passed as \`createSluice({ fetch })\`) whose body yields one pre-encoded SSE event per read, ${chunks.reads} reads per stream, read to the end with \`getReader()\`; no SDK, no socket. Added per chunk = (median stream time via Sluice − direct) / ${chunks.reads}. This is the figure that isolates Sluice's per-chunk cost; the end-to-end one above spreads it over coalesced reads and is dominated by noise.`,
  );
}
if (cross !== undefined || routed !== undefined) {
  notes.push('- Cross-dialect and routed: see the method under their own sections above; the "isolated" rows are the ones the targets are judged on, since loopback noise (the per-round range) is larger than the targets.');
}
if (plugins !== undefined) notes.push('- Plugins: see the method under their own section above; every case runs against a fake upstream `fetch`, so the figures are Sluice\'s own (and Redis\'s).');
if (heap !== undefined) {
  notes.push(
    `- Heap: \`heapUsed\` after GC (lowest of three) once ${int(heap.firstCalls)} calls are done, every ${int(COUNTS.heap.checkpointEvery)} calls after, and after ${int(heap.totalCalls)}; the mock's request log is cleared every ${int(COUNTS.heap.batch)} calls. After-GC heap wanders by a few hundred KB whatever the calls (the SDK calling the mock directly does the same: \`bench/profile.ts heap\`), so the target is judged on the least-squares slope over the checkpoints: < 1 KB per 1 000 calls.`,
  );
}
if (imports !== undefined) notes.push(`- Import: ${COUNTS.importRuns} fresh \`node\` processes per format, timed inside the child around the import alone.`);
if (bundle !== undefined) {
  notes.push(
    '- Bundle: esbuild (minify, esm, platform neutral, code splitting) of src/index.ts with eventemitter3, zod, lru-cache, p-retry, p-limit external; the core figure is the entry and the chunks it imports statically, gzipped together; every chunk reached only through a dynamic `import()` is listed apart with the sources it holds (as `.ci/check-bundle.mjs` does).',
  );
}

const markdown = `${header}\n\n## Targets\n\n${targets}\n\n${sections.join('\n\n')}\n\n${notes.join('\n')}\n`;
process.stdout.write(`\n${markdown}\n`);
if (QUICK || only.length > 0 || NO_WRITE) {
  process.stdout.write(`${QUICK ? '--quick' : only.length > 0 ? 'sections chosen' : '--no-write'}: not written to RESULTS.md\n`);
} else {
  // `npm run bench:collector` has its own section, written by hand from its output: keep it.
  const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const collector = /\n## Collector storage\n[\s\S]*?(?=\n## |$)/.exec(previous)?.[0] ?? '';
  writeFileSync(RESULTS, collector === '' ? markdown : `${markdown}${collector.trimEnd()}\n`);
  process.stdout.write(`written to ${RESULTS}\n`);
}
