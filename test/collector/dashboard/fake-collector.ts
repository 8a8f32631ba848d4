/**
 * A stand-in for the collector's HTTP server while it is being built: the documented query routes over
 * an in-memory array, the dashboard's assets with its CSP, ingest, and the live tail as server-sent events.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallRecord } from '../../../src/events/record.js';
import { DASHBOARD_CSP, dashboardAsset } from '../../../src/collector/dashboard/index.js';
import type { StatsRow } from '../../../src/collector/store/types.js';

/** A running fake collector. */
export interface FakeCollector {
  url: string;
  records: CallRecord[];
  /** Adds records and sends them to tail subscribers. */
  ingest(records: readonly CallRecord[]): void;
  /** Number of open tail streams. */
  tails(): number;
  close(): Promise<void>;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function matches(record: CallRecord, query: URLSearchParams): boolean {
  const get = (name: string): string | null => query.get(name);
  if (get('from') && record.startedAt < Number(get('from'))) return false;
  if (get('to') && record.startedAt >= Number(get('to'))) return false;
  if (get('provider') && record.provider !== get('provider')) return false;
  if (get('model') && record.model !== get('model') && record.requestedModel !== get('model')) return false;
  if (get('user') && record.user !== get('user')) return false;
  if (get('session') && record.session !== get('session')) return false;
  if (get('tag') && !record.tags.includes(get('tag')!)) return false;
  if (get('status') && record.status !== Number(get('status'))) return false;
  if (get('outcome') && record.outcome !== get('outcome')) return false;
  if (get('cache') && (record.cache?.status ?? 'none') !== get('cache')) return false;
  return true;
}

function aggregate(bucket: number, records: readonly CallRecord[]): StatsRow {
  const latencies = records.map((record) => record.latencyMs).sort((a, b) => a - b);
  const ttfts = records.flatMap((record) => (record.ttftMs === null ? [] : [record.ttftMs])).sort((a, b) => a - b);
  const seen = records.filter((record) => record.cache?.status === 'hit' || record.cache?.status === 'miss');
  return {
    bucket,
    requests: records.length,
    errors: records.filter((record) => record.outcome !== 'completed').length,
    inputTokens: records.reduce((sum, record) => sum + (record.usage.inputTokens ?? 0), 0),
    outputTokens: records.reduce((sum, record) => sum + (record.usage.outputTokens ?? 0), 0),
    costUsd: records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0),
    savedUsd: records.reduce((sum, record) => sum + (record.cache?.savedUsd ?? 0), 0),
    cacheHitRate: seen.length === 0 ? null : seen.filter((record) => record.cache?.status === 'hit').length / seen.length,
    fallbacks: records.filter((record) => record.attempts.length > 1).length,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
    ttftMs: { p50: percentile(ttfts, 50), p95: percentile(ttfts, 95), p99: percentile(ttfts, 99) },
  };
}

const newestFirst = (a: CallRecord, b: CallRecord): number => b.startedAt - a.startedAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

/**
 * Starts a fake collector on 127.0.0.1, port 0.
 * @param options `readKey`: the key the query API wants, or `null` for an open collector.
 */
export async function startFakeCollector(options: { readKey: string | null; records?: readonly CallRecord[] }): Promise<FakeCollector> {
  const records: CallRecord[] = [...(options.records ?? [])];
  const streams = new Set<ServerResponse>();
  const json = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const ingest = (batch: readonly CallRecord[]): void => {
    for (const record of batch) {
      if (records.some((stored) => stored.id === record.id)) continue;
      records.push(record);
      for (const stream of streams) stream.write(`event: record\nid: ${record.id}\ndata: ${JSON.stringify(record)}\n\n`);
    }
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://x');
    const asset = request.method === 'GET' ? dashboardAsset(url.pathname) : null;
    if (asset) {
      response.writeHead(200, { 'content-type': asset.contentType, 'content-security-policy': DASHBOARD_CSP, 'x-content-type-options': 'nosniff' }).end(asset.body);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/v1/records') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      ingest((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records: CallRecord[] }).records);
      return json(response, 200, { accepted: true });
    }
    if (options.readKey !== null && request.headers.authorization !== `Bearer ${options.readKey}`) return json(response, 401, { error: { message: 'a valid read key is required' } });
    const query = url.searchParams;
    if (url.pathname === '/v1/records') {
      const limit = Math.min(1000, Number(query.get('limit') ?? 50));
      let list = records.filter((record) => matches(record, query)).sort(newestFirst);
      const cursor = query.get('cursor');
      if (cursor) {
        const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string];
        list = list.filter((record) => record.startedAt < at || (record.startedAt === at && record.id < id));
      }
      const page = list.slice(0, limit);
      const last = page.at(-1);
      const nextCursor = list.length > limit && last ? Buffer.from(JSON.stringify([last.startedAt, last.id])).toString('base64url') : null;
      return json(response, 200, { records: page, nextCursor });
    }
    const recordMatch = /^\/v1\/records\/([^/]+)$/.exec(url.pathname);
    if (recordMatch) {
      const record = records.find((stored) => stored.id === decodeURIComponent(recordMatch[1]!));
      return record ? json(response, 200, record) : json(response, 404, { error: { message: 'no such record' } });
    }
    const sessionMatch = /^\/v1\/sessions\/([^/]+)$/.exec(url.pathname);
    if (sessionMatch) {
      const id = decodeURIComponent(sessionMatch[1]!);
      return json(response, 200, { records: records.filter((record) => record.session === id).sort((a, b) => a.startedAt - b.startedAt) });
    }
    if (url.pathname === '/v1/stats') {
      const interval = /^(\d+)(ms|s|m|h|d)$/.exec(query.get('interval') ?? '');
      if (!interval || !query.get('from') || !query.get('to')) return json(response, 400, { error: { message: 'from, to and interval are required' } });
      const intervalMs = Number(interval[1]) * UNITS[interval[2]!]!;
      const groupBy = query.get('groupBy') as 'model' | 'provider' | 'user' | 'tag' | null;
      const groups = new Map<string, { bucket: number; group: string | null; records: CallRecord[] }>();
      for (const record of records.filter((candidate) => matches(candidate, query))) {
        const bucket = Math.floor(record.startedAt / intervalMs) * intervalMs;
        const names: (string | null)[] = groupBy === null ? [null] : groupBy === 'tag' ? (record.tags.length ? record.tags : [null]) : [record[groupBy]];
        for (const name of names) {
          const key = JSON.stringify([bucket, name]);
          const entry = groups.get(key) ?? { bucket, group: name, records: [] };
          entry.records.push(record);
          groups.set(key, entry);
        }
      }
      const rows = [...groups.values()]
        .sort((a, b) => a.bucket - b.bucket || String(a.group).localeCompare(String(b.group)))
        .map((entry) => (groupBy === null ? aggregate(entry.bucket, entry.records) : { ...aggregate(entry.bucket, entry.records), group: entry.group }));
      return json(response, 200, { intervalMs, rows });
    }
    if (url.pathname === '/v1/tail') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      response.write(': tail open\n\n');
      streams.add(response);
      response.on('close', () => streams.delete(response));
      return;
    }
    json(response, 404, { error: { message: 'not found' } });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    records,
    ingest,
    tails: () => streams.size,
    async close() {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
