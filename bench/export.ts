/**
 * Is gzip worth it for `httpExporter()` (issue 12)? For batches of 1, 10 and 100 records, with and
 * without bodies: the JSON size, the gzipped size, the time one export takes through a `fetch` that
 * reads the body (no socket) with `compression: 'none'` and with gzip forced on (`minCompressBytes: 0`),
 * and the link speed below which compressing saves time (bytes saved / time spent compressing).
 * @module
 */
import { httpExporter } from 'sluice/exporters';
import type { CallRecord } from 'sluice';
import { markdownTable, us } from './lib/table.js';

/** One batch shape's figures. */
export interface ExportRow {
  label: string;
  jsonBytes: number;
  gzipBytes: number;
  /** Median ms per export, identity and gzip. */
  plainMs: number;
  gzipMs: number;
}

/** What the export measurement found. */
export interface ExportResult {
  rows: ExportRow[];
  checksum: number;
}

function record(index: number, withBodies: boolean): CallRecord {
  const prompt = `Summarise the following support ticket #${index} in two sentences: the customer reports that the invoice for order ${100_000 + index} was charged twice.`;
  return {
    id: `call_${index.toString(36)}_${(index * 7919).toString(36)}`,
    startedAt: 1_765_000_000_000 + index * 137,
    dialect: 'openai',
    operation: 'chat',
    requestedModel: 'gpt-4o-mini',
    provider: 'openai',
    model: 'gpt-4o-mini-2024-07-18',
    status: 200,
    outcome: 'completed',
    streamed: index % 2 === 0,
    latencyMs: 400 + (index % 97),
    ttftMs: index % 2 === 0 ? 180 + (index % 13) : null,
    overheadMs: 0.31,
    phases: { requestMs: 0.2, upstreamMs: 399.5, responseMs: 0.11 },
    usage: { inputTokens: 40 + (index % 50), outputTokens: 60 + (index % 70), cachedTokens: 0, reasoningTokens: 0, cacheWriteTokens: null },
    usagePartial: false,
    usageEstimated: false,
    costUsd: 0.0000423 + index * 1e-9,
    pricing: { tier: null, window: null, region: null, since: null },
    user: `user-${index % 17}`,
    session: `session-${index % 5}`,
    tags: ['support', 'summary'],
    metadata: null,
    error: null,
    attempts: [{ provider: 'openai', model: 'gpt-4o-mini', keyId: null, status: 200, errorClass: null, latencyMs: 399.5, sentAfterMs: 0.2 }],
    cache: null,
    guard: [],
    requestBody: withBodies ? JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] }) : null,
    responseBody: withBodies
      ? JSON.stringify({ id: `chatcmpl-${index}`, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'The customer was charged twice for one order and asks for a refund of the duplicate charge.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 40, completion_tokens: 60 } })
      : null,
    region: null,
    zeroRetention: false,
  };
}

/**
 * Measures one export per batch shape, interleaving identity and gzip.
 * @param rounds - exports per variant and shape
 */
export async function measureExport(rounds: number): Promise<ExportResult> {
  let checksum = 0;
  let lastBytes = 0;
  let lastEncoding: string | null = null;
  const fetchSink: typeof fetch = async (_input, init) => {
    const headers = new Headers(init?.headers);
    lastEncoding = headers.get('content-encoding');
    lastBytes = (init?.body as Uint8Array).length;
    checksum += lastBytes;
    return new Response(null, { status: 200 });
  };
  const plain = httpExporter({ url: 'http://collector.invalid', apiKey: 'bench', compression: 'none', fetch: fetchSink });
  const gzip = httpExporter({ url: 'http://collector.invalid', apiKey: 'bench', minCompressBytes: 0, fetch: fetchSink });
  const signal = new AbortController().signal;
  const rows: ExportRow[] = [];
  for (const withBodies of [false, true]) {
    for (const size of [1, 10, 100]) {
      const times = { plain: [] as number[], gzip: [] as number[] };
      let jsonBytes = 0;
      let gzipBytes = 0;
      for (let round = 0; round < rounds; round++) {
        // A fresh array each time: the exporter caches the encoding of a batch it is retrying.
        const batch = Array.from({ length: size }, (_, index) => record(round * size + index, withBodies));
        for (const [key, exporter] of [['plain', plain], ['gzip', gzip]] as const) {
          const started = performance.now();
          await exporter.export([...batch], signal);
          times[key].push(performance.now() - started);
          if (key === 'plain') jsonBytes = lastBytes;
          else if (lastEncoding === 'gzip') gzipBytes = lastBytes;
        }
      }
      const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
      rows.push({ label: `${size} record${size === 1 ? '' : 's'}, ${withBodies ? 'with' : 'without'} bodies`, jsonBytes, gzipBytes, plainMs: median(times.plain), gzipMs: median(times.gzip) });
    }
  }
  return { rows, checksum };
}

/**
 * The section.
 * @param result - the measurement
 */
export function renderExport(result: ExportResult): string {
  const table = markdownTable(
    ['batch', 'JSON', 'gzip', 'ratio', 'export, identity', 'export, gzip', 'gzip pays below'],
    result.rows.map((row) => {
      const savedBytes = row.jsonBytes - row.gzipBytes;
      const addedMs = row.gzipMs - row.plainMs;
      // Bytes saved per second spent compressing: on a slower link, gzip wins.
      const breakEven = addedMs <= 0 ? 'always' : `${((savedBytes * 8) / (addedMs / 1000) / 1e6).toFixed(0)} Mbit/s`;
      return [row.label, `${row.jsonBytes} B`, `${row.gzipBytes} B`, `${(row.jsonBytes / Math.max(1, row.gzipBytes)).toFixed(1)}x`, us(row.plainMs), us(row.gzipMs), breakEven];
    }),
  );
  return `## httpExporter: gzip or not\n\n${table}\n\nOne export through a \`fetch\` that only reads the body (no socket), median of the rounds. "gzip pays below": the link speed under which the bytes saved take longer to send than compressing them took. \`httpExporter\` sends bodies under \`minCompressBytes\` (1 KB) uncompressed.`;
}
