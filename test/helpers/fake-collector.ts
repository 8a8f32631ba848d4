import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { CallRecord } from '../../src/events/record.js';

/** What the stand-in collector does with the next request, before its normal behaviour applies. */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Commits the batch, then destroys the socket: the exporter never sees the 2xx. */
  | { kind: 'lose-answer' };

/** One request the stand-in collector received. */
export interface IngestRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as sent (before decompression). */
  rawBytes: number;
  /** The parsed `{ records }` after decompression, or `null` when it did not parse. */
  records: CallRecord[] | null;
}

/** A local stand-in for the collector's `POST /v1/records` route, as issue 12 documents it. */
export interface FakeCollector {
  url: string;
  /** Committed records by id (duplicates ignored, as the collector does). */
  stored: Map<string, CallRecord>;
  requests: IngestRequest[];
  /** Faults applied to the next requests, in order. */
  faults: Fault[];
  close(): Promise<void>;
}

export interface FakeCollectorOptions {
  /** The valid ingest key. */
  key: string;
  /** Largest accepted body in bytes, after decompression too (413 above). @default 1_000_000 */
  maxBytes?: number;
  /** Records whose `id` starts with this are invalid: 400 naming them, the others committed. */
  invalidPrefix?: string;
}

/**
 * Starts the stand-in on 127.0.0.1: 401 without `Authorization: Bearer <key>`, 413 over `maxBytes`
 * (raw or decompressed), 400 with `{ error: { code, message }, accepted, rejected: [{ index, id, field,
 * message, issues }], inserted, duplicates }` when some records are invalid (the valid ones committed),
 * 200 with the same answer otherwise.
 */
export async function startFakeCollector(options: FakeCollectorOptions): Promise<FakeCollector> {
  const maxBytes = options.maxBytes ?? 1_000_000;
  const stored = new Map<string, CallRecord>();
  const requests: IngestRequest[] = [];
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      let text: string | null = null;
      try {
        const decoded = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw, { maxOutputLength: maxBytes + 1 }) : raw;
        text = decoded.length > maxBytes ? null : decoded.toString('utf8');
      } catch {
        text = null;
      }
      let records: CallRecord[] | null = null;
      try {
        records = text === null ? null : ((JSON.parse(text) as { records: CallRecord[] }).records ?? null);
      } catch {
        records = null;
      }
      requests.push({ path: request.url ?? '', headers: request.headers, rawBytes: raw.length, records });
      const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      const fault = faults.shift();
      if (fault?.kind === 'status') return json(fault.status, fault.body ?? { error: `HTTP ${fault.status}` }, fault.headers);
      if (request.method !== 'POST' || request.url !== '/v1/records') return json(404, { error: 'not found' });
      if (request.headers.authorization !== `Bearer ${options.key}`) return json(401, { error: 'invalid ingest key' });
      if (raw.length > maxBytes || text === null) return json(413, { error: 'body too large' });
      if (records === null) return json(400, { error: 'malformed JSON' });
      // The answer's shape is the collector's (src/collector/ingest.ts, IngestAnswer).
      const rejected: { index: number; id: string; field: string; message: string; issues: { field: string; message: string }[] }[] = [];
      const accepted: number[] = [];
      let duplicates = 0;
      records.forEach((record, index) => {
        if (options.invalidPrefix !== undefined && record.id.startsWith(options.invalidPrefix)) {
          rejected.push({ index, id: record.id, field: 'startedAt', message: 'expected a number', issues: [{ field: 'startedAt', message: 'expected a number' }] });
          return;
        }
        if (stored.has(record.id)) duplicates++;
        else stored.set(record.id, record);
        accepted.push(index);
      });
      if (fault?.kind === 'lose-answer') {
        request.socket.destroy();
        return;
      }
      const answer = { accepted, rejected, inserted: accepted.length - duplicates, duplicates };
      if (rejected.length > 0) return json(400, { error: { code: 'invalid_records', message: `${rejected.length} record(s) are invalid` }, ...answer });
      json(200, answer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stored,
    requests,
    faults,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
