import type { CollectorLogEntry, CollectorOptions } from '../../src/collector/options.js';
import { createCollector, type Collector } from '../../src/collector/server.js';
import { MemoryStore } from './memory-store.js';

export const INGEST_KEY = 'ingest-key-0123456789abcdef';
export const READ_KEY = 'read-key-0123456789abcdef';
export const ADMIN_KEY = 'admin-key-0123456789abcdef';

export interface Running {
  collector: Collector;
  store: MemoryStore;
  url: string;
  logs: CollectorLogEntry[];
  /** POSTs a batch with the ingest key (or the headers given). */
  ingest(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GETs a path with the read key (or the headers given). */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

const open: Running[] = [];

/** Starts a collector on 127.0.0.1:0 over a MemoryStore (unless `storage` is given); closed by `closeAll()`. */
export async function start(options: CollectorOptions = {}): Promise<Running> {
  const store = new MemoryStore();
  const logs: CollectorLogEntry[] = [];
  const collector = await createCollector({ storage: store, ingestKeys: [INGEST_KEY], readKeys: [READ_KEY], adminKeys: [ADMIN_KEY], dashboard: false, log: (entry) => logs.push(entry), ...options });
  const { url } = await collector.listen({ port: 0, host: '127.0.0.1' });
  const running: Running = {
    collector,
    store,
    url,
    logs,
    ingest: (body, headers = { authorization: `Bearer ${INGEST_KEY}` }) =>
      fetch(`${url}/v1/records`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : JSON.stringify(body) }),
    get: (path, headers = { authorization: `Bearer ${READ_KEY}` }) => fetch(`${url}${path}`, { headers }),
  };
  open.push(running);
  return running;
}

/** Closes every collector started by `start()`. */
export async function closeAll(): Promise<void> {
  await Promise.all(open.splice(0).map((running) => running.collector.close()));
}

/** Polls `check` (at most 200 times, 10 ms apart) until it holds. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
