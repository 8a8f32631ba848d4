/**
 * `npm run bench`: Sluice's benchmark (never part of `npm test`). The script builds first; this file
 * imports the BUILT package through its own `exports` (`sluice`, `sluice/testing`), so the figures are
 * what users get. It runs every measurement once, prints the results with their targets, and writes
 * them to `bench/RESULTS.md`. Needs `node --expose-gc`.
 *
 * Compared, interleaved: the OpenAI SDK calling the in-process mock provider with its own fetch, the same
 * through `createSluice().fetch`, and through a configured pipeline (provider, alias, `logSuccessEvent`,
 * an exporter, a `request:end` listener). The mock runs in this process, so absolute CPU figures include
 * it; Sluice's cost is the difference from direct.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureBundle } from './bundle-size.js';
import { measureHeap } from './heap.js';
import { measureImport } from './import-time.js';
import { measureLatency } from './latency.js';
import { createFixture, STREAM_WORDS } from './lib/fixture.js';
import { collectGarbage } from './lib/interleave.js';
import { int, kb, mark, markdownTable, ms, signedUs, us } from './lib/table.js';
import { measureStreamChunks } from './stream-chunks.js';
import { measureStreams } from './streams.js';
import { measureThroughput } from './throughput.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

/** `--quick`: a tenth of the work, printed but not written to RESULTS.md (to check the bench itself). */
const QUICK = process.argv.includes('--quick');
const scale = (count: number): number => (QUICK ? Math.max(1, Math.round(count / 10)) : count);

const COUNTS = {
  latency: { rounds: 20, callsPerRound: scale(500), warmupCalls: scale(500) },
  throughput: { rounds: 10, callsPerRound: scale(700), concurrency: 32 },
  streams: { rounds: 5, shortPerRound: scale(200), longPerRound: scale(16), warmupStreams: 3 },
  chunks: { rounds: 5, streamsPerRound: scale(20), events: 2_000 },
  heap: { firstCalls: scale(10_000), totalCalls: scale(100_000), concurrency: 8, batch: 1_000, checkpointEvery: scale(10_000) },
  importRuns: QUICK ? 3 : 10,
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

let done = phase('bundle size (esbuild)');
const bundle = await measureBundle(ROOT);
done();
done = phase(`import time (${COUNTS.importRuns} fresh processes per format)`);
const imports = measureImport(ROOT, COUNTS.importRuns);
done();

const fixture = await createFixture();
let latency, throughput, streams, chunks, heap, pipeline;
try {
  done = phase(`latency + CPU, sequential (${COUNTS.latency.rounds} rounds x ${int(COUNTS.latency.callsPerRound)} calls per variant)`);
  latency = await measureLatency(fixture, COUNTS.latency);
  done();
  done = phase(`throughput at ${COUNTS.throughput.concurrency} concurrent (${COUNTS.throughput.rounds} rounds x ${int(COUNTS.throughput.callsPerRound)} calls per variant)`);
  throughput = await measureThroughput(fixture, COUNTS.throughput);
  done();
  done = phase(
    `streams (${COUNTS.streams.rounds} rounds x ${COUNTS.streams.shortPerRound} short and ${COUNTS.streams.longPerRound} ${STREAM_WORDS}-word streams per variant)`,
  );
  streams = await measureStreams(fixture, COUNTS.streams);
  done();
  done = phase(`stream chunks in isolation (${COUNTS.chunks.rounds} rounds x ${COUNTS.chunks.streamsPerRound} streams of ${COUNTS.chunks.events} one-event reads)`);
  chunks = await measureStreamChunks(COUNTS.chunks);
  done();
  await fixture.configured.flush();
  pipeline = { ...fixture.counters, calls: fixture.configured.stats.calls, dropped: fixture.configured.stats.exportDropped };
  if (pipeline.ended !== pipeline.calls || pipeline.succeeded !== pipeline.calls || pipeline.exported + pipeline.dropped !== pipeline.calls) {
    throw new Error(`configured pipeline did not see every call: ${JSON.stringify({ ...pipeline, lastExported: undefined })}`);
  }
  collectGarbage();
  done = phase(`heap (${int(COUNTS.heap.firstCalls)} then ${int(COUNTS.heap.totalCalls)} calls, zero config, ${COUNTS.heap.concurrency} concurrent)`);
  heap = await measureHeap(fixture, COUNTS.heap);
  done();
} finally {
  await fixture.close();
}

// ---- derive -------------------------------------------------------------------------------------
const direct = latency.direct;
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
const configuredAdded = added('configured');
const perChunk = (key: 'inspect' | 'pass'): number => (streams[key].total.p50 - streams.direct.total.p50) / streams.chunks;
const perChunkRange = (key: 'inspect' | 'pass'): string => {
  const values = streams[key].roundMedians.map((value, round) => (value - streams.direct.roundMedians[round]!) / streams.chunks);
  return `${signedUs(Math.min(...values), 2)} … ${signedUs(Math.max(...values), 2)}`;
};
const isolatedPerChunk = (key: 'inspect' | 'pass'): number => (chunks.totalMs[key] - chunks.totalMs.direct) / chunks.reads;
const isolatedRange = (key: 'inspect' | 'pass'): string =>
  `${signedUs(Math.min(...chunks.perChunkRounds[key]), 2)} … ${signedUs(Math.max(...chunks.perChunkRounds[key]), 2)}`;
const measuredCalls = heap.totalCalls - heap.firstCalls;
const heapPer1k = heap.slope * 1000;
const heapSpread = Math.max(...heap.checkpoints.map((point) => point.heap)) - Math.min(...heap.checkpoints.map((point) => point.heap));
const coreGzip = bundle.core.gzipped;
const checksum = latency.checksum + throughput.checksum + streams.checksum + chunks.checksum + heap.checksum;

// ---- render -------------------------------------------------------------------------------------
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
].join('\n');

const targets = markdownTable(
  ['target', 'result', 'limit', ''],
  [
    ['added latency p50, zero config, non-streaming', signedUs(zeroAdded.p50), '≤ 25 µs', mark(zeroAdded.p50 <= TARGETS.addedP50Ms)],
    ['added latency p99, zero config, non-streaming', signedUs(zeroAdded.p99), '≤ 150 µs', mark(zeroAdded.p99 <= TARGETS.addedP99Ms)],
    ['added time per SSE chunk, nothing inspects (b), SDK + mock', signedUs(perChunk('pass'), 3), '≤ 1 µs', mark(perChunk('pass') <= TARGETS.passPerChunkMs)],
    ['added time per chunk, nothing inspects (b), isolated, one event per read', signedUs(isolatedPerChunk('pass'), 3), '≤ 1 µs', mark(isolatedPerChunk('pass') <= TARGETS.passPerChunkMs)],
    [
      `heap growth after GC, slope over ${int(heap.firstCalls)} → ${int(heap.totalCalls)} calls`,
      `${(heapPer1k / 1024).toFixed(2)} KB per 1k calls`,
      '< 1 KB per 1k calls',
      mark(heapPer1k < TARGETS.heapBytesPer1k),
    ],
    ['core entry, min + gzip, deps excluded', kb(coreGzip, 2), '≤ 25 KB', mark(coreGzip <= TARGETS.coreGzipBytes)],
    ['import time, ESM (median)', ms(imports.esmMs), '≤ 30 ms', mark(imports.esmMs <= TARGETS.importMs)],
    ['import time, CommonJS (median)', ms(imports.cjsMs), '≤ 30 ms', mark(imports.cjsMs <= TARGETS.importMs)],
  ],
  ['l', 'r', 'l', 'l'],
);

const calls = markdownTable(
  ['non-streaming chat call', 'p50', 'p99', 'mean', 'added p50', '(per round)', 'added p99', 'CPU/call', 'added CPU/call', `calls/s @${COUNTS.throughput.concurrency}`],
  [
    ['direct (SDK fetch)', us(direct.wall.p50), us(direct.wall.p99), us(direct.wall.mean), '—', '—', '—', `${direct.cpuUsPerCall.toFixed(1)} µs`, '—', int(throughput.direct)],
    ...(['zero', 'configured'] as const).map((key) => {
      const row = latency[key];
      const delta = key === 'zero' ? zeroAdded : configuredAdded;
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
        `${int(throughput[key])} (${(((throughput[key] - throughput.direct) / throughput.direct) * 100).toFixed(1)} %)`,
      ];
    }),
  ],
);

const streamTable = markdownTable(
  ['streamed chat call', 'TTFT p50', 'added TTFT p50', 'long stream p50', 'added per SSE chunk', '(range over rounds)'],
  [
    ['direct (SDK fetch)', us(streams.direct.ttft.p50), '—', ms(streams.direct.total.p50), '—', '—'],
    ...(['inspect', 'pass'] as const).map((key) => [
      key === 'inspect' ? '(a) zero config (include_usage injected, hidden)' : '(b) streamUsage: false (nothing inspects)',
      us(streams[key].ttft.p50),
      signedUs(streams[key].ttft.p50 - streams.direct.ttft.p50),
      ms(streams[key].total.p50),
      signedUs(perChunk(key), 3),
      perChunkRange(key),
    ]),
  ],
);

const chunkTable = markdownTable(
  ['stream body read in isolation', 'first read p50', 'added first read', 'stream p50', 'added per chunk', '(range over rounds)'],
  [
    ['direct (fake upstream body)', us(chunks.ttftMs.direct), '—', ms(chunks.totalMs.direct, 3), '—', '—'],
    ...(['inspect', 'pass'] as const).map((key) => [
      key === 'inspect' ? '(a) zero config (frames, reads usage, hides it)' : '(b) streamUsage: false (pull wrapper only)',
      us(chunks.ttftMs[key]),
      signedUs(chunks.ttftMs[key] - chunks.ttftMs.direct),
      ms(chunks.totalMs[key], 3),
      signedUs(isolatedPerChunk(key), 3),
      isolatedRange(key),
    ]),
  ],
);

const other = markdownTable(
  ['measure', 'result'],
  [
    [
      `heap after GC, zero config (${COUNTS.heap.concurrency} concurrent)`,
      `${kb(heap.heapAtFirst)} after ${int(heap.firstCalls)} calls, ${kb(heap.heapAtTotal)} after ${int(heap.totalCalls)}: ${heap.growth >= 0 ? '+' : ''}${kb(heap.growth)} (${(heap.growth / measuredCalls).toFixed(2)} B per call); slope over ${heap.checkpoints.length} checkpoints ${heap.slope.toFixed(2)} B per call; checkpoints spread over ${kb(heapSpread)}; ${int(heap.totalCalls)} calls took ${(heap.elapsedMs / 1000).toFixed(1)} s`,
    ],
    ['import, ESM `import()` of dist/index.js', `median ${ms(imports.esmMs)} (${imports.esmSamples.map((value) => value.toFixed(1)).join(', ')})`],
    ['import, CommonJS `require()` of dist/index.cjs', `median ${ms(imports.cjsMs)} (${imports.cjsSamples.map((value) => value.toFixed(1)).join(', ')})`],
    ['core entry + chunks, deps external', `${kb(bundle.core.minified)} minified, ${kb(bundle.core.gzipped, 2)} min + gzip`],
    [
      'core entry + chunks, deps bundled (information)',
      'error' in bundle.withDependencies ? `failed: ${bundle.withDependencies.error}` : `${kb(bundle.withDependencies.minified)} minified, ${kb(bundle.withDependencies.gzipped, 2)} min + gzip`,
    ],
  ],
  ['l', 'l'],
);

const notes = [
  '## Method',
  '',
  `- Variants alternate within each round (order rotated every round), with a full GC before each sample; counts are fixed: latency ${COUNTS.latency.rounds} x ${int(COUNTS.latency.callsPerRound)} sequential calls per variant (after ${COUNTS.latency.warmupCalls} warm-up calls), throughput ${COUNTS.throughput.rounds} x ${int(COUNTS.throughput.callsPerRound)} calls at ${COUNTS.throughput.concurrency} in flight, streams as below.`,
  '- "Added" figures are the Sluice percentile minus the direct percentile. CPU/call is `process.cpuUsage()` (user + system) over the sequential samples divided by the calls; it includes the SDK and the mock provider, which run in this process, so the added CPU is Sluice\'s cost.',
  '- Configured: `providers.local` (the mock), alias `fast` → `local/gpt-4o-mini`, a `logSuccessEvent` callback, an in-memory exporter behind its batch queue and a `request:end` listener.',
  `  Check: ${int(pipeline.calls)} calls, ${int(pipeline.ended)} \`request:end\`, ${int(pipeline.succeeded)} \`logSuccessEvent\`, ${int(pipeline.exported)} exported, ${int(pipeline.dropped)} dropped.`,
  `- Streams through the SDK and the mock: TTFT from \`create()\` to the first chunk the SDK yields, over short echo streams (${streams.shortChunks} chunks; ${COUNTS.streams.rounds} x ${COUNTS.streams.shortPerRound} per variant). Per-chunk overhead over a reply of ${STREAM_WORDS} words = ${streams.chunks} SSE chunks (${kb(streams.bytes)}; ${COUNTS.streams.rounds} x ${COUNTS.streams.longPerRound} per variant): (median stream time via Sluice − direct) / ${streams.chunks}; the range is the same figure per round, a measure of the noise. The mock writes the events back to back on loopback, so they arrive coalesced in about ${streams.reads} network reads per stream, and most of each stream's time is the mock rendering and the SDK parsing.`,
  `- Streams in isolation: a fake upstream \`fetch\` (passed as \`createSluice({ fetch })\`) whose body yields one pre-encoded SSE event per read, ${chunks.reads} reads per stream, read to the end with \`getReader()\`; no SDK, no socket. Added per chunk = (median stream time via Sluice − direct) / ${chunks.reads}. This is the figure that isolates Sluice's per-chunk cost; the end-to-end one above spreads it over coalesced reads and is dominated by noise.`,
  `- Heap: \`heapUsed\` after GC (lowest of three) once ${int(heap.firstCalls)} calls are done, every ${int(COUNTS.heap.checkpointEvery)} calls after, and after ${int(heap.totalCalls)}; the mock's request log is cleared every ${int(COUNTS.heap.batch)} calls. After-GC heap wanders by a few hundred KB whatever the calls (the SDK calling the mock directly does the same: \`bench/profile.ts heap\`), so the target is judged on the least-squares slope over the checkpoints: < 1 KB per 1 000 calls.`,
  `- Import: ${COUNTS.importRuns} fresh \`node\` processes per format, timed inside the child around the import alone. Bundle: esbuild (minify, esm, platform neutral) of dist/index.js with eventemitter3, zod, lru-cache, p-retry, p-limit external, then gzip.`,
].join('\n');

const markdown = `${header}\n\n## Targets\n\n${targets}\n\n## Non-streaming\n\n${calls}\n\n## Streaming\n\n${streamTable}\n\n${chunkTable}\n\n## Memory, import, size\n\n${other}\n\n${notes}\n`;
process.stdout.write(`\n${markdown}\n`);
if (QUICK) process.stdout.write('--quick: not written to RESULTS.md\n');
else {
  writeFileSync(RESULTS, markdown);
  process.stdout.write(`written to ${RESULTS}\n`);
}
