/**
 * `createCollector()`: the collector's HTTP server on `node:http`. Ingest (`POST /v1/records`) with
 * ingest keys, the query API and live tail with read keys, erasure with admin keys, the dashboard's
 * files without a key (the page asks for one), `/healthz` for load balancers; retention on a timer.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Cors, sendAsset, sendError, sendJson } from './http.js';
import { ingestRecords } from './ingest.js';
import { ingestTraces } from './traces.js';
import { bearerToken, KeyRing, type KeyRole } from './keys.js';
import { isLoopback, redactStorageUrl, resolveOptions, type CollectorOptions, type DashboardAssets } from './options.js';
import { eraseUser, getRecord, listRecords, session, stats, tail, type ReadContext } from './read-routes.js';
import { openStorage, loadDashboard } from './loaders.js';
import type { CollectorStore } from './store/types.js';
import { TailHub } from './tail.js';
import { WriteQueue } from './write-queue.js';

/** Where {@link Collector.listen} listens. */
export interface ListenOptions {
  /** TCP port; `0` picks a free one. @default 4680 */
  port?: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
}

/** A running (or ready) collector. */
export interface Collector {
  /** The store records go to. */
  readonly store: CollectorStore;
  /**
   * Starts serving.
   * @returns The base URL (`http://127.0.0.1:4680`).
   * @throws Error when `open` is set and `host` is not a loopback address.
   */
  listen(options?: ListenOptions): Promise<{ url: string }>;
  /** Runs the retention sweep now; resolves to the number of records deleted (0 without retention). */
  sweep(): Promise<number>;
  /**
   * Stops accepting requests, waits for queued batches to be committed, ends live tails, stops the
   * retention timer and closes the store (when it opened it). Idempotent.
   */
  close(): Promise<void>;
}

type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> | void;

const ROLE_READ: readonly KeyRole[] = ['read', 'admin'];
const ROLE_INGEST: readonly KeyRole[] = ['ingest'];
const ROLE_ADMIN: readonly KeyRole[] = ['admin'];
/** How long `close()` lets requests still running finish after the write queue drained. */
const CLOSE_GRACE_MS = 5000;

function decodeSegment(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment);
    return value === '' || value.length > 1024 ? null : value;
  } catch {
    return null;
  }
}

/**
 * Creates a collector: opens (or takes) its store, checks its options. Call `listen()` to serve.
 * @param options Storage, keys, limits, retention.
 * @throws TypeError naming the option at fault.
 * @example
 * ```ts
 * import { createCollector } from 'sluice/collector';
 *
 * const collector = await createCollector({ storage: 'sqlite:./sluice.db', ingestKeys: [process.env.INGEST_KEY!], readKeys: [process.env.READ_KEY!], retention: '30d' });
 * const { url } = await collector.listen({ port: 4680, host: '127.0.0.1' });
 * // ... later
 * await collector.close();
 * ```
 */
export async function createCollector(options: CollectorOptions = {}): Promise<Collector> {
  const resolved = resolveOptions(options);
  const keys = new KeyRing({ ingest: resolved.ingestKeys, read: resolved.readKeys, admin: resolved.adminKeys });
  const cors = new Cors(resolved.cors);
  const storage = options.storage ?? 'sqlite:./sluice.db';
  const ownsStore = typeof storage === 'string';
  const dashboard: DashboardAssets | null = options.dashboard === false ? null : (options.dashboard ?? (await loadDashboard()));
  const store = typeof storage === 'string' ? await openStorage(storage) : storage;
  const { log, now } = resolved;
  const tailHub = new TailHub(resolved.tail);
  const queue = new WriteQueue(store, {
    maxPending: resolved.maxPendingBatches,
    concurrency: resolved.writeConcurrency ?? (store.engine === 'sqlite' ? 1 : 4),
    onCommit: (records) => tailHub.publish(records),
  });
  const readContext: ReadContext = { store, tail: tailHub, now, log };
  const ingestContext = { queue, maxBodyBytes: resolved.maxBodyBytes, log };
  let server: Server | undefined;
  let closing: Promise<void> | undefined;
  let sweeping: Promise<number> | undefined;
  let retentionTimer: ReturnType<typeof setInterval> | undefined;

  const sweep = (): Promise<number> => {
    if (resolved.retentionMs === null) return Promise.resolve(0);
    sweeping ??= store
      .deleteBefore(now() - resolved.retentionMs)
      .then(
        (deleted) => {
          log({ level: 'info', message: 'retention sweep', deleted });
          return deleted;
        },
        (error: unknown) => {
          log({ level: 'error', message: 'retention sweep failed', error: error instanceof Error ? error.message : String(error) });
          return 0;
        },
      )
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };
  if (resolved.retentionMs !== null) {
    retentionTimer = setInterval(() => void sweep(), resolved.retentionIntervalMs);
    retentionTimer.unref();
    void sweep();
  }

  /** Checks the bearer key; answers 401 itself when it lets nobody through. */
  const allowed = (request: IncomingMessage, response: ServerResponse, roles: readonly KeyRole[], openRead: boolean): boolean => {
    const token = bearerToken(request.headers.authorization);
    const role = token === null ? null : keys.roleOf(token);
    if (role !== null && roles.includes(role)) return true;
    if (openRead && token === null) return true;
    const what = roles === ROLE_INGEST ? 'an ingest key' : roles === ROLE_ADMIN ? 'an admin key' : 'a read key';
    sendError(response, 401, 'unauthorized', `this route needs ${what} as 'Authorization: Bearer <key>'`, { headers: { 'www-authenticate': 'Bearer realm="sluice-collector"' } });
    return false;
  };
  const read = (route: Route): Route => (request, response, url) => (allowed(request, response, ROLE_READ, resolved.open) ? route(request, response, url) : undefined);

  const routes: ReadonlyArray<{ method: string; pattern: RegExp; run: (request: IncomingMessage, response: ServerResponse, url: URL, segments: string[]) => Promise<void> | void }> = [
    { method: 'GET', pattern: /^\/healthz$/, run: (_request, response) => sendJson(response, closing ? 503 : 200, { status: closing ? 'closing' : 'ok', engine: store.engine, pendingBatches: queue.size, tailClients: tailHub.size }) },
    {
      method: 'POST',
      pattern: /^\/v1\/records$/,
      run: async (request, response) => {
        if (!allowed(request, response, ROLE_INGEST, false)) return;
        if (closing) return sendError(response, 503, 'closing', 'the collector is shutting down; retry', { headers: { 'retry-after': '1', connection: 'close' } });
        if (queue.isFull) return sendError(response, 429, 'queue_full', 'the write queue is full; retry in 1 s', { headers: { 'retry-after': '1', connection: 'close' } });
        await ingestRecords(ingestContext, request, response);
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/traces$/,
      run: async (request, response) => {
        if (!allowed(request, response, ROLE_INGEST, false)) return;
        if (closing) return sendError(response, 503, 'closing', 'the collector is shutting down; retry', { headers: { 'retry-after': '1', connection: 'close' } });
        if (queue.isFull) return sendError(response, 429, 'queue_full', 'the write queue is full; retry in 1 s', { headers: { 'retry-after': '1', connection: 'close' } });
        await ingestTraces(ingestContext, request, response);
      },
    },
    { method: 'GET', pattern: /^\/v1\/records$/, run: read((_request, response, url) => listRecords(readContext, response, url.searchParams)) },
    { method: 'GET', pattern: /^\/v1\/records\/([^/]+)$/, run: (request, response, url, [id]) => read((_r, res) => getRecord(readContext, res, url.searchParams, id!))(request, response, url) },
    { method: 'GET', pattern: /^\/v1\/stats$/, run: read((_request, response, url) => stats(readContext, response, url.searchParams)) },
    { method: 'GET', pattern: /^\/v1\/sessions\/([^/]+)$/, run: (request, response, url, [id]) => read((_r, res) => session(readContext, res, url.searchParams, id!))(request, response, url) },
    { method: 'GET', pattern: /^\/v1\/tail$/, run: read((request, response, url) => tail(readContext, request, response, url.searchParams)) },
    {
      method: 'DELETE',
      pattern: /^\/v1\/users\/([^/]+)\/records$/,
      run: (request, response, url, [user]) => (allowed(request, response, ROLE_ADMIN, false) ? eraseUser(readContext, response, url.searchParams, user!) : undefined),
    },
  ];

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://collector.invalid');
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') return cors.preflight(request, response);
    if (!cors.apply(request, response)) return sendError(response, 403, 'cors_refused', "this origin is not allowed; add it to the collector's cors origins");
    let pathMatched = false;
    for (const route of routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const segments: string[] = [];
      for (const raw of match.slice(1)) {
        const segment = decodeSegment(raw!);
        if (segment === null) return sendError(response, 400, 'invalid_path', 'a path segment is empty, too long or badly percent-encoded');
        segments.push(segment);
      }
      return route.run(request, response, url, segments);
    }
    if (pathMatched) return sendError(response, 405, 'method_not_allowed', `${method} is not allowed on this route`);
    if ((method === 'GET' || method === 'HEAD') && dashboard !== null && !url.pathname.startsWith('/v1/')) {
      const asset = dashboard(url.pathname);
      if (asset !== null) return sendAsset(response, asset, method === 'HEAD');
    }
    sendError(response, 404, 'not_found', 'no such route');
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    Promise.resolve()
      .then(() => handle(request, response))
      .catch((error: unknown) => {
        log({ level: 'error', message: 'request failed', route: request.method, error: error instanceof Error ? error.message : String(error) });
        sendError(response, 500, 'internal_error', 'the collector failed to answer; see its log');
      });
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      const stopped = server?.listening ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      tailHub.close();
      server?.closeIdleConnections();
      await queue.drain();
      await sweeping;
      server?.closeIdleConnections();
      const grace = setTimeout(() => server?.closeAllConnections(), CLOSE_GRACE_MS);
      grace.unref();
      await stopped;
      clearTimeout(grace);
      if (ownsStore) await store.close();
    })();
    return closing;
  };

  return {
    store,
    sweep,
    close,
    async listen({ port = 4680, host = '127.0.0.1' } = {}) {
      if (closing) throw new Error('collector.listen(): the collector is closed');
      if (server) throw new Error('collector.listen(): already listening');
      if (resolved.open && !isLoopback(host)) throw new Error(`collector.listen(): 'open' (reads without a key) is allowed on a loopback host only, not on '${host}'; give read keys instead`);
      const created = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, onRequest);
      server = created;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          resolve();
        });
      });
      const address = created.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      log({ level: 'info', message: 'listening', url: `http://${shown}:${address.port}`, engine: store.engine, storage: typeof storage === 'string' ? redactStorageUrl(storage) : store.engine });
      return { url: `http://${shown}:${address.port}` };
    },
  };
}
