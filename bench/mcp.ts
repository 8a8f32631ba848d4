/**
 * What `sluice/mcp` adds to a `tools/call` over Streamable HTTP (issue 17): the same request through
 * `createSluice().fetch` (MCP traffic passes through untouched) and through an instance with
 * `mcp()` configured (allow and deny globs, a timeout, a concurrency cap and a rate limit, the input
 * schema from `tools/list`, the PII filter on arguments and the guard on the result, one record per
 * call with a listener), against the same fake upstream `fetch` (no socket), interleaved in one run.
 * @module
 */
import { createSluice } from 'sluice';
import { mcp } from 'sluice/mcp';
import { roundDeltas, timeCalls, type CallSeries, type SampleCounts } from './lib/samples.js';
import { markdownTable, mark, signedUs, us } from './lib/table.js';

/** What the MCP measurement found. */
export interface McpResult {
  series: Record<'zero' | 'policy', CallSeries>;
  records: number;
  checksum: number;
}

/** The target for the added p50 per `tools/call`, ms. */
export const MCP_TARGET_MS = 0.05;

const URL_ = 'http://127.0.0.1:9/mcp';
const ARGS = { query: 'quarterly revenue by region for the last four quarters, excluding returns', limit: 20, filters: { region: ['emea', 'apac'], currency: 'EUR' } };
const SCHEMA = {
  type: 'object',
  properties: { query: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1, maximum: 100 }, filters: { type: 'object', properties: { region: { type: 'array', items: { type: 'string' } }, currency: { enum: ['EUR', 'USD'] } } } },
  required: ['query'],
};
const RESULT_TEXT = 'EMEA: 12.4 M EUR (+3 %), APAC: 8.1 M EUR (+7 %). Four quarters, returns excluded; figures from the ledger closed on the 5th.';

function jsonAnswer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'mcp-session-id': 'bench-session' } });
}

/** A fake MCP server answering `tools/list` and `tools/call` with JSON. */
const fakeServer: typeof fetch = async (_input, init) => {
  const message = JSON.parse(String(init?.body)) as { id: number; method: string };
  if (message.method === 'tools/list') return jsonAnswer({ jsonrpc: '2.0', id: message.id, result: { tools: [{ name: 'search_reports', inputSchema: SCHEMA }] } });
  return jsonAnswer({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: RESULT_TEXT }] } });
};

function callInit(id: number, method = 'tools/call'): RequestInit {
  return {
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': 'bench-session', 'mcp-protocol-version': '2025-06-18', authorization: 'Bearer bench_token_0123456789' }),
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: method === 'tools/call' ? { name: 'search_reports', arguments: ARGS } : {} }),
  };
}

/**
 * Measures a `tools/call` with policy and PII configured against zero config.
 * @param counts - fixed counts
 */
export async function measureMcp(counts: SampleCounts): Promise<McpResult> {
  let records = 0;
  const instances = {
    zero: createSluice({ fetch: fakeServer }),
    policy: createSluice({
      fetch: fakeServer,
      mcp: mcp({
        servers: { reports: { url: URL_, allow: ['search_*', 'get_*'], deny: ['delete_*'], timeoutMs: 30_000, maxConcurrent: 64, requestsPerMinute: 1e9 } },
        pii: { mode: 'redact' },
        guard: {},
      }),
    }),
  };
  for (const instance of Object.values(instances)) instance.on('request:end', () => void records++);
  try {
    // The schema comes from tools/list, as with a real client.
    await (await instances.policy.fetch(URL_, callInit(0, 'tools/list'))).text();
    const variants = (['zero', 'policy'] as const).map((key) => ({ key, fetch: instances[key].fetch }));
    const { series, checksum } = await timeCalls(variants, counts, async (variant, index) => {
      const response = await variant.fetch(URL_, callInit(index + 1));
      return (await response.text()).length;
    });
    await Promise.all([instances.zero.flush(), instances.policy.flush()]);
    return { series, records, checksum };
  } finally {
    await Promise.all([instances.zero.close(), instances.policy.close()]);
  }
}

/**
 * The section and its target row.
 * @param result - the measurement
 */
export function renderMcp(result: McpResult): { section: string; targetRow: string[] } {
  const added = result.series.policy.wall.p50 - result.series.zero.wall.p50;
  const deltas = roundDeltas(result.series.policy, result.series.zero);
  const table = markdownTable(
    ['tools/call over Streamable HTTP (JSON answer), fake upstream', 'p50', 'p99', 'added p50', '(per round)'],
    [
      ['zero config (passes through)', us(result.series.zero.wall.p50), us(result.series.zero.wall.p99), '—', '—'],
      ['mcp(): allow/deny globs, timeout, concurrency cap, rate, input schema, PII on arguments, guard on the result, record', us(result.series.policy.wall.p50), us(result.series.policy.wall.p99), signedUs(added), `${signedUs(Math.min(...deltas), 0)} … ${signedUs(Math.max(...deltas), 0)}`],
    ],
  );
  return {
    section: `## MCP\n\n${table}\n\n${result.records} records.`,
    targetRow: ['added p50 per MCP tools/call, policy + PII + guard (isolated)', signedUs(added), '≤ 50 µs', mark(added <= MCP_TARGET_MS)],
  };
}
